"""A committee member scores a capability in the draft's workspace, in a real browser.

The draft is ``next``, started from the project's 2026.12 (tests/data/capabilities/),
where compute-flavors-list scores exactly the cut-off.
"""

import re

import pytest
from playwright.sync_api import expect

from committee.system import system_actor
from guidelines.services import guideline_start_draft
from tests.browser.test_guideline_pages import assert_no_horizontal_overflow
from tests.capabilities.conftest import SCORED, SCORED_CAPABILITIES
from tests.factories import SeatFactory, UserFactory
from tests.guidelines.helpers import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-9"
FLAVORS = "compute-flavors-list"


@pytest.fixture
def draft():
    return guideline_start_draft(source=import_file(SCORED).guideline, actor=system_actor())


@pytest.fixture
def scorer(db):
    return SeatFactory(user=UserFactory(username="ana", password=PASSWORD)).user


def sign_in(page, live_server, next_path):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_member_scores_a_capability_and_sees_its_total_and_the_chart_change(
    live_server, draft, scorer, desktop, screenshot
):
    page = desktop
    page.goto(f"{live_server.url}/guidelines/next/")
    page.get_by_role("link", name="Drafting and scoring workspace").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Workspace next")
    expect(page.locator("form[method=post]")).to_have_count(0)

    sign_in(page, live_server, "/guidelines/next/workspace/")
    expect(page).to_have_url(re.compile(r"/guidelines/next/workspace/$"))
    expect(page.locator(".site-user")).to_contain_text("Signed in as ana")
    expect(page.locator(".site-user .role")).to_have_text("member")
    screenshot(page, "workspace-desktop-top")

    row = page.locator(f"#row-{FLAVORS}")
    bar = page.locator(f'#chart-totals g.bar[data-key="{FLAVORS}"]')
    expect(row.locator("td.total")).to_have_text("74")
    expect(row.locator("td.q")).to_contain_text("yes")
    expect(bar.locator("text.total")).to_have_text("74")
    width_before = float(bar.locator("rect").get_attribute("width"))
    expect(page.locator("#chart-dots")).to_be_hidden()

    row.get_by_role("link", name="Score").click()
    form_row = page.locator(f"#score-{FLAVORS}")
    expect(form_row).to_be_visible()
    deployed = form_row.get_by_label("Widely Deployed")
    expect(deployed).to_have_value("1")
    deployed.select_option("0")
    form_row.get_by_label("Note").fill("not on every public cloud")
    screenshot(page, "workspace-desktop-score-form")
    form_row.get_by_role("button", name="Save my scores").click()

    expect(page.get_by_role("status")).to_contain_text("Saved your scores of compute-flavors-list")
    expect(page).to_have_url(re.compile(rf"/workspace/#row-{FLAVORS}$"))
    expect(form_row).to_have_count(0)
    expect(row.locator("td.total")).to_have_text("66")
    expect(row.locator("td.q")).to_contain_text("no")
    expect(row.locator('td[data-criterion="deployed"]')).to_have_text("0")
    expect(bar.locator("text.total")).to_have_text("66")
    expect(bar.locator("title")).to_contain_text("total 66, required; under the cut-off 74 by 8")
    width_after = float(bar.locator("rect").get_attribute("width"))
    assert width_after == pytest.approx(width_before * 66 / 74, abs=0.02)
    screenshot(page, "workspace-desktop-after-scoring")
    bar.scroll_into_view_if_needed()
    screenshot(page, "workspace-desktop-chart")

    # The change is in the log, through the web, by ana.
    page.get_by_role("link", name="Change log").first.click()
    first = page.locator("li.event").first
    expect(first).to_contain_text("ana scored compute-flavors-list")
    expect(first.locator(".channel")).to_have_text("Web")


def test_the_workspace_fits_a_phone_its_table_and_chart_scrolling_in_their_boxes(
    live_server, draft, scorer, phone, screenshot
):
    page = phone
    sign_in(page, live_server, "/guidelines/next/workspace/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Workspace next")
    assert_no_horizontal_overflow(page)
    screenshot(page, "workspace-phone-top")

    # A bar per named capability does not fit a phone: the totals are dots there.
    expect(page.locator("#chart-totals")).to_be_hidden()
    dots = page.locator("#chart-dots")
    expect(dots).to_be_visible()
    expect(dots.locator("a.dot")).to_have_count(SCORED_CAPABILITIES)
    assert dots.bounding_box()["width"] <= 390
    dots.scroll_into_view_if_needed()
    screenshot(page, "workspace-phone-chart")
    page.locator(f"#row-{FLAVORS}").get_by_role("link", name="Score").click()
    expect(page.locator(f"#score-{FLAVORS}")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "workspace-phone-score-form")

    page.goto(f"{live_server.url}/guidelines/next/workspace/#findings")
    expect(page.locator("ol.findings > li").first).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "workspace-phone-findings")

    page.goto(f"{live_server.url}/guidelines/next/workspace/capabilities/{FLAVORS}/")
    expect(page.get_by_role("heading", name="Edit")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "workspace-phone-capability", full_page=True)
