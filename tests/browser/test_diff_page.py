"""What a person sees when comparing two guidelines, on a desktop and on a phone.

The two guidelines are the project's: the demo 2026.06 and its successor 2026.12
(tests/data/capabilities/), which drops images-v1-list, makes
compute-keypairs-create required, adds four capabilities and renames two tests.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_guideline_pages import assert_no_horizontal_overflow
from tests.capabilities.conftest import SCORED
from tests.conftest import DEMO
from tests.guidelines.helpers import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CREATE_TEST = "tempest.api.compute.servers.test_create_server.ServersTestJSON"


@pytest.fixture
def guidelines():
    """2026.06 (the demo) and 2026.12, imported."""
    for path in (DEMO / "2026.06.json", SCORED):
        import_file(path)


def test_a_reviewer_compares_a_guideline_with_the_one_before_it(
    live_server, guidelines, desktop, screenshot
):
    page = desktop
    page.goto(live_server.url + "/guidelines/2026.12/")

    page.get_by_label("Compare with").select_option("2026.06")
    page.get_by_role("button", name="Compare").click()

    expect(page).to_have_url(live_server.url + "/guidelines/2026.06/diff/2026.12/")
    expect(page).to_have_title("Changes from 2026.06 to 2026.12 · DefCore Site")
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from 2026.06 to 2026.12")
    summary = page.locator("#summary")
    expect(summary.get_by_role("link", name="1 capability removed")).to_be_visible()
    expect(summary.get_by_role("link", name="4 capabilities added")).to_be_visible()
    expect(summary.get_by_role("link", name="2 tests renamed")).to_be_visible()
    screenshot(page, "diff-desktop-top")

    summary.get_by_role("link", name="2 tests renamed").click()
    renamed = page.locator("#tests-renamed")
    expect(renamed.get_by_role("heading", name=re.compile(r"^Renamed 2$"))).to_be_in_viewport()
    expect(renamed).to_contain_text("ServersTestJSON.test_verify_created_server_details")
    expect(renamed).to_contain_text(f"was {CREATE_TEST}.test_verify_server_details")
    expect(renamed).to_contain_text("was tempest.api.identity.v3.test_tokens")
    screenshot(page, "diff-desktop-renamed")

    compute = page.locator("#component-os_powered_compute")
    moved = compute.get_by_role("listitem").filter(has_text="compute-keypairs-create")
    expect(moved.get_by_text("advisory", exact=True)).to_be_visible()
    expect(moved.get_by_text("required", exact=True)).to_be_visible()
    expect(compute).to_contain_text("images-v1-list")

    page.get_by_role("link", name="Reverse: from 2026.12 to 2026.06").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from 2026.12 to 2026.06")
    expect(page.locator("#summary").get_by_role("link", name="1 capability added")).to_be_visible()


def test_a_diff_fits_a_phone(live_server, guidelines, phone, screenshot):
    page = phone

    page.goto(live_server.url + "/guidelines/2026.06/")
    assert_no_horizontal_overflow(page)
    page.get_by_label("Compare with").select_option("2026.12")
    page.get_by_role("button", name="Compare").click()

    expect(page).to_have_url(live_server.url + "/guidelines/2026.06/diff/2026.12/")
    # The longest names on the page: renamed tests, with what they were.
    expect(page.locator("#tests-renamed")).to_contain_text("test_verify_created_server_details")
    assert_no_horizontal_overflow(page)
    screenshot(page, "diff-phone-top")
    screenshot(page, "diff-phone-full", full_page=True)

    page.locator("#metadata").scroll_into_view_if_needed()
    target = page.locator("#metadata").get_by_role("row", name=re.compile(r"^Target approval "))
    expect(target).to_contain_text("2026.06")
    expect(target).to_contain_text("2026.12")
    assert_no_horizontal_overflow(page)
    screenshot(page, "diff-phone-metadata")


def test_the_same_guideline_shows_no_changes(live_server, guidelines, desktop):
    desktop.goto(live_server.url + "/guidelines/2026.12/diff/2026.12/")

    expect(desktop.get_by_text("No changes: the two guidelines say the same")).to_be_visible()


# The committee's own guidelines: their largest diff, across schema generations.


def test_a_large_real_diff_across_schema_generations_fits_a_phone(
    live_server, real_files, phone, screenshot
):
    for key in ("2016.08", "2018.02"):
        import_file(real_files[key])
    page = phone

    page.goto(live_server.url + "/guidelines/2016.08/")
    assert_no_horizontal_overflow(page)
    page.get_by_label("Compare with").select_option("2018.02")
    page.get_by_role("button", name="Compare").click()

    expect(page).to_have_url(live_server.url + "/guidelines/2016.08/diff/2018.02/")
    expect(page.get_by_text("is os_powered_compute in 2018.02")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "diff-phone-real-top")
    screenshot(page, "diff-phone-real-full", full_page=True)

    page.locator("#metadata").scroll_into_view_if_needed()
    schema = page.locator("#metadata").get_by_role("row", name=re.compile(r"^Schema "))
    expect(schema).to_contain_text("2.0")
    screenshot(page, "diff-phone-real-metadata")
