"""What a person sees on the guideline pages, on a desktop and on a phone."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from committee.system import system_actor
from guidelines.services import guideline_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


def overflow(page) -> tuple[int, int]:
    """(document width, window width): the document must not be wider than the window."""
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


def assert_no_horizontal_overflow(page):
    document_width, window_width = overflow(page)
    assert document_width <= window_width, f"page is {document_width}px wide in {window_width}px"


def test_a_visitor_on_a_desktop_finds_a_guideline_and_its_flagged_test(
    live_server, demo, desktop, screenshot
):
    page = desktop
    page.goto(live_server.url + "/")

    expect(page).to_have_title("Guidelines · DefCore Site")
    expect(page.get_by_role("link", name="DefCore Site")).to_have_attribute("href", "/")
    expect(page.get_by_role("heading", name="OpenStack Powered Platform")).to_be_visible()
    expect(page.get_by_role("heading", name="DNS add-on")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="2026.06", exact=True))
    expect(row).to_contain_text("Approved")
    expect(row).to_contain_text("2025.1, 2025.2, 2026.1")
    screenshot(page, "list-desktop", full_page=True)

    page.get_by_role("link", name="2026.06", exact=True).click()

    expect(page).to_have_url(live_server.url + "/guidelines/2026.06/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guideline 2026.06")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approved")
    screenshot(page, "detail-desktop-top")

    compute = page.locator("#component-os_powered_compute")
    expect(compute.get_by_role("link", name="compute-servers-create")).to_be_visible()
    expect(compute.get_by_role("heading", name=re.compile(r"^Required \d+$"))).to_be_visible()
    expect(compute.get_by_role("heading", name=re.compile(r"^Advisory \d+$"))).to_be_visible()

    compute.get_by_role("link", name="compute-servers-list").click()
    section = page.locator("#cap-compute-servers-list")
    expect(section.get_by_role("heading", name="compute-servers-list")).to_be_in_viewport()
    flagged = section.locator("tr").filter(has_text="test_list_servers_filter_by_image")
    expect(flagged.get_by_text("Flagged", exact=True)).to_be_visible()
    expect(flagged).to_contain_text("[D404] Fails on clouds that hide image ids from non-owners")
    expect(flagged).to_contain_text("2026-05-04")
    unflagged = section.locator("tr").filter(has_text="test_list_servers_with_detail")
    expect(unflagged).to_contain_text("not flagged")
    screenshot(page, "detail-desktop-flagged-test")

    criteria = page.locator("#criteria")
    criteria.scroll_into_view_if_needed()
    expect(criteria.get_by_role("row", name="Widely Deployed")).to_contain_text("8")
    expect(criteria.get_by_role("row").filter(has_text="Total of weights")).to_contain_text("100")
    screenshot(page, "detail-desktop-criteria")

    notes = page.get_by_text("What the importer noticed")
    expect(page.get_by_text("Last import:")).to_be_hidden()
    notes.click()
    expect(page.get_by_text("Last import:")).to_be_visible()


def test_a_visitor_on_a_phone_reads_the_pages_without_scrolling_sideways(
    live_server, demo, phone, screenshot
):
    page = phone
    page.goto(live_server.url + "/")

    expect(page.get_by_role("heading", name="OpenStack Powered Platform")).to_be_visible()
    expect(page.get_by_role("link", name="2026.06", exact=True)).to_be_visible()
    expect(page.get_by_text("Approved").first).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "list-phone", full_page=True)

    page.get_by_role("link", name="dns.2026.06", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("dns.2026.06")
    expect(page.get_by_text("Requires platform components")).to_be_visible()
    assert_no_horizontal_overflow(page)

    page.go_back()
    page.get_by_role("link", name="2026.06", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Guideline 2026.06")
    assert_no_horizontal_overflow(page)
    screenshot(page, "detail-phone-top")

    page.locator("#component-os_powered_compute").get_by_role(
        "link", name="compute-servers-list"
    ).click()
    flagged = page.locator("#cap-compute-servers-list tr.is-flagged")
    expect(flagged.get_by_text("Flagged", exact=True)).to_be_in_viewport()
    expect(flagged).to_contain_text("Fails on clouds that hide image ids")
    screenshot(page, "detail-phone-flagged-test")


def test_a_guideline_fits_a_small_phone_and_shows_its_flags(
    live_server, small_phone, desktop, screenshot
):
    """The project's 2026.12 (tests/data/capabilities/) and the demo's DNS add-on."""
    from tests.capabilities.conftest import SCORED
    from tests.conftest import DEMO

    for path in (SCORED, DEMO / "dns.2026.06.json"):
        key = path.name.removesuffix(".json")
        guideline_import(raw=path.read_bytes(), key=key, filename=str(path), actor=system_actor())

    phone = small_phone
    phone.goto(live_server.url + "/")
    expect(phone.get_by_role("heading", name="DNS add-on")).to_be_visible()
    phone.get_by_role("link", name="2026.12", exact=True).click()

    expect(phone.get_by_text("10 capabilities, 13 tests, 1 flagged.")).to_be_visible()
    expect(phone.locator("section.capability")).to_have_count(10)
    expect(phone.locator("tr.is-flagged")).to_have_count(1)
    assert_no_horizontal_overflow(phone)
    phone.get_by_text("What the importer noticed").click()
    expect(phone.get_by_text("Last import:")).to_be_visible()
    assert_no_horizontal_overflow(phone)

    phone.get_by_role("link", name="compute-servers-list", exact=True).first.click()
    section = phone.locator("#cap-compute-servers-list")
    expect(section.get_by_role("heading", name="compute-servers-list")).to_be_in_viewport()
    # Its unflagged test comes first; stacked at 360px, the flagged one is just below.
    flagged = section.locator("tr.is-flagged")
    flagged.scroll_into_view_if_needed()
    expect(flagged.get_by_text("Flagged", exact=True)).to_be_in_viewport()
    assert_no_horizontal_overflow(phone)
    expect(flagged).to_contain_text("Fails on clouds that hide image ids from non-owners")
    screenshot(phone, "2026.12-phone-360-flagged-test")

    desktop.goto(live_server.url + "/guidelines/2026.12/#cap-compute-servers-list")
    expect(desktop.locator("#cap-compute-servers-list tr.is-flagged")).to_have_count(1)
    desktop.goto(live_server.url + "/guidelines/dns.2026.06/")
    expect(desktop.get_by_text("Requires platform components")).to_be_visible()
    screenshot(desktop, "dns-desktop-top")


def test_a_real_guideline_fits_a_small_phone_and_shows_its_flags(
    live_server, real_files, small_phone, desktop, screenshot
):
    """Fidelity: the committee's 2020.06, its 79 capabilities and long flag reasons."""
    for key in ("2020.06", "orchestration.2020.06"):
        path = real_files[key]
        guideline_import(raw=path.read_bytes(), key=key, filename=str(path), actor=system_actor())

    phone = small_phone
    phone.goto(live_server.url + "/")
    expect(phone.get_by_role("heading", name="Orchestration add-on")).to_be_visible()
    phone.get_by_role("link", name="2020.06", exact=True).click()

    expect(phone.get_by_text("79 capabilities, 289 tests, 11 flagged.")).to_be_visible()
    expect(phone.locator("section.capability")).to_have_count(79)
    expect(phone.locator("tr.is-flagged")).to_have_count(11)
    assert_no_horizontal_overflow(phone)
    phone.get_by_text("What the importer noticed").click()
    expect(phone.get_by_text("Last import:")).to_be_visible()
    assert_no_horizontal_overflow(phone)

    phone.get_by_role("link", name="compute-servers-resize", exact=True).click()
    flagged = phone.locator("#cap-compute-servers-resize tr.is-flagged").first
    expect(flagged.get_by_text("Flagged", exact=True)).to_be_in_viewport()
    expect(flagged).to_contain_text("Resize capabilities use an insecure mechanism")
    screenshot(phone, "real-2020.06-phone-360-flagged-test")

    desktop.goto(live_server.url + "/guidelines/2020.06/#cap-compute-servers-resize")
    expect(desktop.locator("#cap-compute-servers-resize tr.is-flagged")).to_have_count(4)
    screenshot(desktop, "real-2020.06-desktop-flagged-test")
    desktop.goto(live_server.url + "/guidelines/orchestration.2020.06/")
    expect(desktop.get_by_text("Requires platform components")).to_be_visible()
    screenshot(desktop, "real-orchestration-desktop-top")
