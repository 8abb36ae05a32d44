"""The cycle calendar in a real browser: on a phone the timeline reads top to bottom
within the screen, today's step marked; the chair moves a summit and sees the
milestones move; axe-core finds no WCAG 2.1 A or AA violation, on a phone or a
desktop, whoever looks (the sweep of tests/browser/test_accessibility.py, on
these pages).

"Today" is frozen at 20 February 2026, in the scoring month of cycle 2026.06
(summit 10 March 2026): the live server runs in this process, so it reads the
same ``cycles.timeline.today``.
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from cycles import timeline
from cycles.services import cycle_create
from tests.browser.test_accessibility import SIZES, Visitor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-9"  # tests.factories.UserFactory's
# Wider than this, and something sticks out of a 390px screen.
HORIZONTAL_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timeline, "today", lambda: date(2026, 2, 20))


@pytest.fixture
def planned(chair):
    """2026.06 under way (scoring), and 2026.12 planned after it."""
    cycle_create(name="2026.12", summit=date(2026, 9, 10), actor=chair)
    return cycle_create(name="2026.06", summit=date(2026, 3, 10), guideline_key="next", actor=chair)


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/?next=/cycles/2026.06/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cycle 2026.06 Current")


def test_on_a_phone_the_timeline_fits_the_screen_and_marks_today_s_step(
    live_server, planned, phone, screenshot
):
    phone.goto(f"{live_server.url}/cycles/2026.06/")

    expect(phone.get_by_role("heading", level=1)).to_have_text("Cycle 2026.06 Current")
    steps = phone.locator("ol.timeline > li")
    expect(steps).to_have_count(7)
    current = phone.locator('ol.timeline > li[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current.get_by_role("heading")).to_have_text("Scoring")
    expect(current).to_contain_text("S-1")
    expect(current).to_contain_text("Now")
    expect(current).to_contain_text("Tue 10 Feb 2026")
    expect(phone.locator(".cycle-current")).to_contain_text("Next: Review (S) on 10 Mar 2026")
    # One step under the other, in the order of the timeline, none wider than the screen.
    boxes = [steps.nth(n).bounding_box() for n in range(7)]
    assert [box["y"] for box in boxes] == sorted(box["y"] for box in boxes)
    width = phone.viewport_size["width"]
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes), boxes
    assert phone.evaluate(HORIZONTAL_OVERFLOW) <= 0
    screenshot(phone, "cycle-phone", full_page=True)

    phone.get_by_role("link", name="Cycle calendar").click()
    row = phone.locator("tr.is-current")
    expect(row).to_contain_text("2026.06")
    expect(row).to_contain_text("Current")
    expect(row).to_contain_text("Scoring (S-1)")
    assert phone.evaluate(HORIZONTAL_OVERFLOW) <= 0
    screenshot(phone, "cycles-phone", full_page=True)


def test_the_chair_moves_the_summit_on_a_phone_and_the_milestones_move(
    live_server, planned, chair, phone
):
    sign_in(phone, live_server.url, chair.username)
    summit = phone.get_by_label("New summit date")

    # A summit after the month the guideline is named for: refused beside the field.
    summit.fill("2026-07-01")
    phone.get_by_role("button", name="Move the summit").click()
    expect(phone.locator("#id_summit_error")).to_contain_text("is after June 2026")
    expect(phone.get_by_label("New summit date")).to_have_attribute("aria-invalid", "true")

    phone.get_by_label("New summit date").fill("2026-05-31")
    phone.get_by_label("Why it moves").fill("The summit moved to Vancouver")
    phone.get_by_role("button", name="Move the summit").click()

    expect(phone.get_by_role("status")).to_contain_text(
        "The summit of 2026.06 is now on 2026-05-31"
    )
    draft = phone.locator("ol.timeline > li").first
    expect(draft).to_contain_text("Sat 28 Feb 2026")  # 31 May less three months
    expect(draft).to_contain_text("Upcoming")
    expect(phone.locator('[aria-current="step"]').filter(has_text="S-")).to_have_count(0)
    expect(phone.locator(".cycle-current")).to_contain_text("Not started")
    assert phone.evaluate(HORIZONTAL_OVERFLOW) <= 0


@pytest.fixture(params=list(SIZES))
def visit(request, browser, live_server):
    context = browser.new_context(**SIZES[request.param])
    context.set_default_timeout(10_000)
    visitor = Visitor(context.new_page(), live_server.url)
    visitor.size = request.param
    yield visitor
    context.close()


def test_the_calendar_pages_have_no_wcag_violation_for_a_visitor(planned, visit):
    visit.check("/cycles/", shows=lambda page: page.locator("tr.is-current"))
    visit.check("/cycles/2026.06/", shows=lambda page: page.locator('li[aria-current="step"]'))
    visit.check(
        "/cycles/2027.06/", status=404, shows=lambda page: page.get_by_text("Not found").first
    )
    visit.assert_no_violations(visit.size)


def test_the_chair_s_calendar_forms_and_their_errors_have_no_wcag_violation(planned, chair, visit):
    visit.sign_in(chair.username)
    visit.check("/cycles/", shows=lambda page: page.get_by_role("button", name="Plan the cycle"))
    # A refused plan: the page again, with each problem beside its field.
    visit.page.get_by_label("Guideline name").fill("2026.13")
    visit.page.get_by_label("Summit date").fill("2026-09-01")
    visit.page.get_by_role("button", name="Plan the cycle").click()
    visit.check_here("/cycles/ (400)", shows=lambda page: page.locator("#id_name_error"))
    visit.check(
        "/cycles/2026.06/", shows=lambda page: page.get_by_role("button", name="Move the summit")
    )
    visit.assert_no_violations(visit.size)
