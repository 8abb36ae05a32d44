"""The chair approves a draft after a passed ballot, watches the publishing, downloads
the bundle and checks its checksums; the release is then listed and served on
RefStack's routes. Every publishing page passes axe-core, on a desktop and a phone."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE, SIZES, WCAG_21_AA, report
from tests.factories import SeatFactory, UserFactory
from tests.releases.helpers import bundle_members, checksums_hold, passed_ballot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password-9"
RELEASE = "2026.09"


@pytest.fixture(autouse=True)
def eager(eager_tasks):
    """The live server runs the publishing tasks itself, after the approval commits."""


@pytest.fixture
def committee(demo_draft):
    chair = SeatFactory(user=UserFactory(username="cat", password=PASSWORD), role="chair").user
    ana = SeatFactory(user=UserFactory(username="ana")).user
    ballot = passed_ballot(demo_draft, chair, ana)
    return {"chair": chair, "ballot": ballot}


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/?next=/guidelines/next/approve/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def axe_clean(page, path, reports):
    violations = AXE.run(page, options=WCAG_21_AA).response["violations"]
    if violations:
        reports.append(report(path, violations))


def test_the_chair_approves_watches_publishing_and_checks_the_bundle(
    live_server, committee, desktop, screenshot, tmp_path
):
    page, base, reports = desktop, live_server.url, []
    sign_in(page, base, "cat")
    expect(page).to_have_url(re.compile(r"/guidelines/next/approve/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approve next")
    axe_clean(page, "/guidelines/next/approve/", reports)
    page.get_by_label("Release name").fill(RELEASE)
    page.get_by_label("Approval ballot").select_option(str(committee["ballot"].pk))
    page.get_by_role("button", name="Approve and publish").click()

    expect(page).to_have_url(re.compile(rf"/releases/{re.escape(RELEASE)}/$"))
    expect(page.locator(".notice--success")).to_contain_text(f"{RELEASE} is approved")
    # The publishing steps, as the page shows them until every one is done.
    steps = page.locator("ol.steps li")
    expect(steps).to_have_count(3)
    for step in ("renderings", "bundle", "announce"):
        expect(page.locator(f'[data-step="{step}"] [data-role="status"]')).to_have_text("Done")
    expect(page.locator('[data-role="summary"]')).to_have_text("Published: every step is done.")
    axe_clean(page, f"/releases/{RELEASE}/", reports)
    screenshot(page, "release-desktop")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the release bundle").click()
    saved = tmp_path / "bundle.zip"
    download.value.save_as(saved)
    body = saved.read_bytes()
    shown = page.locator("code.digest").first.inner_text()
    assert hashlib.sha256(body).hexdigest() == shown
    files = bundle_members(body)
    listed = checksums_hold(files)
    assert f"{RELEASE}.json" in listed and f"{RELEASE}.rst" in listed
    assert json.loads(files["approval.json"])["ballot"]["id"] == committee["ballot"].pk

    page.get_by_role("link", name="Release notes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Release notes of {RELEASE}")
    axe_clean(page, f"/releases/{RELEASE}/notes/", reports)

    page.get_by_role("link", name="Guidelines", exact=True).click()
    expect(page.get_by_role("link", name=RELEASE, exact=True).first).to_be_visible()
    page.get_by_role("link", name="Releases", exact=True).click()
    expect(page.get_by_role("link", name=RELEASE, exact=True)).to_be_visible()
    axe_clean(page, "/releases/", reports)

    # Tooling's routes serve it, with the digest of what they send.
    for path in (f"/v1/guidelines/{RELEASE}.json", f"/api/v1/guidelines/{RELEASE}"):
        with urllib.request.urlopen(base + path) as response:
            served = response.read()
            digest = response.headers["Repr-Digest"]
        assert json.loads(served)["metadata"]["id"] == RELEASE
        assert digest == f"sha-256=:{base64.b64encode(hashlib.sha256(served).digest()).decode()}:"
    assert served == files[f"{RELEASE}.json"]
    with urllib.request.urlopen(base + "/v1/guidelines") as response:
        index = json.loads(response.read())
    assert {"name": f"{RELEASE}.json", "file": f"{RELEASE}.json"} in index["powered"]
    assert not reports, "WCAG 2.1 AA violations:\n" + "\n".join(reports)


def test_the_publishing_pages_work_on_a_phone(live_server, committee, browser):
    from releases.services import guideline_approve

    guideline_approve(
        draft=committee["ballot"].guideline,
        name=RELEASE,
        actor=committee["chair"],
        ballot=committee["ballot"],
    )
    context = browser.new_context(**SIZES["phone"])
    context.set_default_timeout(10_000)
    page, reports = context.new_page(), []
    try:
        for path, heading in (
            (f"/releases/{RELEASE}/", f"Release {RELEASE}"),
            (f"/releases/{RELEASE}/notes/", "Release notes"),
            ("/releases/", "Releases"),
        ):
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= SIZES["phone"]["viewport"]["width"], (path, width)
            axe_clean(page, path, reports)
        sign_in(page, live_server.url, "cat")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Approve next")
        axe_clean(page, "/guidelines/next/approve/", reports)
    finally:
        context.close()
    assert not reports, "WCAG 2.1 AA violations on a phone:\n" + "\n".join(reports)


def test_the_release_page_follows_publishing_as_it_happens(
    live_server, committee, desktop, monkeypatch
):
    """The steps wait for a worker; the page asks the API and shows each change in place."""
    from releases import services
    from releases.publishing import run_pending

    monkeypatch.setattr(services, "_queue", lambda release: None)  # no worker yet
    release = services.guideline_approve(
        draft=committee["ballot"].guideline,
        name=RELEASE,
        actor=committee["chair"],
        ballot=committee["ballot"],
    )
    page = desktop
    page.goto(f"{live_server.url}/releases/{RELEASE}/")
    summary = page.locator('[data-role="summary"]')
    expect(summary).to_contain_text("Publishing is under way")
    for step in ("renderings", "bundle", "announce"):
        expect(page.locator(f'[data-step="{step}"] [data-role="status"]')).to_have_text("Waiting")
    page.evaluate("window.stillHere = true")

    assert run_pending(release.pk) == ["renderings", "bundle", "announce"]  # the worker

    for step in ("renderings", "bundle", "announce"):
        expect(page.locator(f'[data-step="{step}"] [data-role="status"]')).to_have_text("Done")
    expect(summary).to_contain_text("Published: every step is done.")
    assert page.evaluate("window.stillHere") is True  # updated in place, not reloaded
    summary.get_by_role("link", name="Show the downloads").click()
    expect(page.get_by_role("link", name="Download the release bundle")).to_be_visible()
