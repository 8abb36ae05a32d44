"""What a person sees when comparing two guidelines, on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_guideline_pages import assert_no_horizontal_overflow
from tests.guidelines.helpers import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real(real_files):
    def load(*keys):
        for key in keys:
            import_file(real_files[key])

    return load


def test_a_reviewer_compares_a_guideline_with_the_one_before_it(
    live_server, real, desktop, screenshot
):
    real("2018.02", "2020.06")
    page = desktop
    page.goto(live_server.url + "/guidelines/2020.06/")

    page.get_by_label("Compare with").select_option("2018.02")
    page.get_by_role("button", name="Compare").click()

    expect(page).to_have_url(live_server.url + "/guidelines/2018.02/diff/2020.06/")
    expect(page).to_have_title("Changes from 2018.02 to 2020.06 · DefCore Site")
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from 2018.02 to 2020.06")
    summary = page.locator("#summary")
    expect(summary.get_by_role("link", name="16 capabilities removed")).to_be_visible()
    expect(summary.get_by_role("link", name="3 tests renamed")).to_be_visible()
    screenshot(page, "diff-desktop-top")

    summary.get_by_role("link", name="3 tests renamed").click()
    renamed = page.locator("#tests-renamed")
    expect(renamed.get_by_role("heading", name=re.compile(r"^Renamed 3$"))).to_be_in_viewport()
    expect(renamed).to_contain_text("VolumesMetadataTest.test_crud_volume_metadata")
    expect(renamed).to_contain_text("was tempest.api.volume.test_volume_metadata")
    screenshot(page, "diff-desktop-renamed")

    compute = page.locator("#component-os_powered_compute")
    moved = compute.get_by_role("listitem").filter(has_text="identity-v3-catalog")
    expect(moved.get_by_text("advisory", exact=True)).to_be_visible()
    expect(moved.get_by_text("required", exact=True)).to_be_visible()

    page.get_by_role("link", name="Reverse: from 2020.06 to 2018.02").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes from 2020.06 to 2018.02")


def test_a_large_diff_fits_a_phone(live_server, real, phone, screenshot):
    real("2016.08", "2018.02")
    page = phone

    page.goto(live_server.url + "/guidelines/2016.08/")
    assert_no_horizontal_overflow(page)
    page.get_by_label("Compare with").select_option("2018.02")
    page.get_by_role("button", name="Compare").click()

    expect(page).to_have_url(live_server.url + "/guidelines/2016.08/diff/2018.02/")
    expect(page.get_by_text("is os_powered_compute in 2018.02")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "diff-phone-top")
    screenshot(page, "diff-phone-full", full_page=True)

    page.locator("#metadata").scroll_into_view_if_needed()
    schema = page.locator("#metadata").get_by_role("row", name=re.compile(r"^Schema "))
    expect(schema).to_contain_text("2.0")
    screenshot(page, "diff-phone-metadata")


def test_the_same_guideline_shows_no_changes(live_server, real, desktop):
    real("2020.06")

    desktop.goto(live_server.url + "/guidelines/2020.06/diff/2020.06/")

    expect(desktop.get_by_text("No changes: the two guidelines say the same")).to_be_visible()
