"""A vendor reads its run's report, links it to its product; the staff verify it; a
customer finds the product in the directory, with its badge, and compares it with
another. Every page works on a phone and passes axe-core."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from compliance.services import run_upload
from tests.browser.test_accessibility import AXE, SIZES, WCAG_21_AA, report
from tests.compliance.helpers import body
from tests.compliance.test_report import required_tests
from tests.conftest import DEMO
from tests.guidelines.helpers import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", list(SIZES))
def test_the_report_page_reads_on_any_screen_without_wcag_violations(
    live_server, browser, system, size
):
    demo = import_file(DEMO / "2026.06.json").guideline
    tests = required_tests(demo)
    missing = sorted(tests)[0]
    run = run_upload(body=body([(n, u) for n, (_, u) in tests.items() if n != missing]))
    context = browser.new_context(**SIZES[size])
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/results/{run.id}/")
        expect(
            page.get_by_role("heading", name="Does not comply with 2026.06, platform")
        ).to_be_visible()
        page.get_by_label("Show").select_option("failed")
        page.get_by_role("button", name="Report").click()
        # The required capability whose test is missing, and the advisory and removed ones
        # (the run sent only the required tests); nothing that passed.
        row = page.locator("tbody tr", has_text=tests[missing][0])
        expect(row).to_contain_text("Not passed")
        results = page.locator('td[data-label="Result"]')
        expect(results.filter(has_text=re.compile(r"^Passed$"))).to_have_count(0)
        row.get_by_text("Missing tests").click()
        expect(page.get_by_text(missing)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[size]["viewport"]["width"], width
        violations = AXE.run(page, options=WCAG_21_AA).response["violations"]
        assert not violations, report(f"/results/{run.id}/", violations)
    finally:
        context.close()


# The whole way: upload, link, verify, list, compare.

PASSWORD = "a-long-password-9"  # the factories'


def sign_in(page, base, username, next_path):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".site-user")).to_contain_text(f"Signed in as {username}")


def axe_clean(page, path, reports):
    violations = AXE.run(page, options=WCAG_21_AA).response["violations"]
    if violations:
        reports.append(report(path, violations))


def fits(page, size):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["viewport"]["width"], (page.url, width)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_vendor_links_its_run_the_staff_verify_it_and_a_customer_compares(
    live_server, browser, system, size
):
    from compliance.services import pubkey_register
    from tests.compliance.helpers import (
        a_product,
        a_vendor,
        a_verified_run,
        a_version,
        passing_tests,
        public_key,
        sign,
    )
    from tests.factories import UserFactory

    demo = import_file(DEMO / "2026.06.json").guideline
    vera = UserFactory(username="vera")  # the vendor's admin
    UserFactory(username="sam", is_staff=True)  # the foundation's staff
    product = a_product(a_vendor(vera, "Example Cloud Inc"), "Example Public Cloud")
    version = a_version(product, "2026.1")
    # Another listed product, verified already, without the advisory keypairs capability.
    rival = a_product(a_vendor(UserFactory(username="rex"), "Rival Ltd"), "Rival Stack")
    a_verified_run(a_version(rival, "9"), demo, system, owner=None)
    pubkey_register(
        user=vera, raw_key=public_key("vera"), self_signature=sign(b"signature", "vera")
    )

    # refstack-client uploads a signed run: all of 2026.06's required and advisory tests.
    data = body(sorted(set(passing_tests(demo)) | set(_advisory_tests(demo))), cpid="vera-cloud")
    request = urllib.request.Request(
        f"{live_server.url}/v1/results/",
        data=data,
        headers={
            "Content-Type": "application/json",
            "X-Signature": sign(data, "vera"),
            "X-Public-Key": public_key("vera"),
        },
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 201
        url = json.loads(answer.read())["url"]
    run_path = urllib.parse.urlsplit(url).path

    reports = []
    contexts = []

    def new_page():
        context = browser.new_context(**SIZES[size])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        # Vera links her run to her product's version.
        page = new_page()
        sign_in(page, live_server.url, "vera", run_path)
        expect(page.get_by_role("heading", name="Complies with 2026.06, platform")).to_be_visible()
        axe_clean(page, run_path, reports)
        fits(page, size)
        page.get_by_label("Product version").select_option(str(version.pk))
        page.get_by_role("button", name="Link the run").click()
        expect(page.locator("#run-product").locator("xpath=..")).to_contain_text(
            "Example Public Cloud"
        )
        axe_clean(page, run_path + " (linked)", reports)

        # Sam, of the foundation's staff, verifies it against the guideline shown.
        staff = new_page()
        sign_in(staff, live_server.url, "sam", run_path)
        staff.get_by_role("button", name="Verify against 2026.06, platform").click()
        expect(staff.get_by_text("Verified, immutable")).to_be_visible()
        expect(staff.get_by_role("button", name="Link the run")).to_have_count(0)
        axe_clean(staff, run_path + " (verified)", reports)

        # A customer finds both products in the directory, with the badge.
        customer = new_page()
        customer.goto(f"{live_server.url}/directory/?guideline=2026.06")
        row = customer.locator("tbody tr", has_text="Example Public Cloud")
        expect(row).to_contain_text("2026.06")
        expect(row).to_contain_text("platform")
        axe_clean(customer, "/directory/", reports)
        fits(customer, size)
        row.get_by_role("link", name="Example Public Cloud", exact=True).click()
        badge = customer.get_by_role("img", name=re.compile("DefCore"))
        expect(badge).to_be_visible()
        assert customer.evaluate("document.querySelector('main img').naturalWidth") > 0
        svg = customer.request.get(live_server.url + badge.get_attribute("src"))
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert "Platform 2026.06" in svg.text() and "verified" in svg.text()
        axe_clean(customer, "/directory/<product>/", reports)
        fits(customer, size)

        # ...and compares the two, capability by capability.
        customer.go_back()
        customer.get_by_label("Compare Example Cloud Inc Example Public Cloud").check()
        customer.get_by_label("Compare Rival Ltd Rival Stack").check()
        customer.get_by_role("button", name="Compare the chosen products").click()
        expect(customer.get_by_role("heading", level=1)).to_have_text("Compare products")
        keypairs = customer.locator("tbody tr", has_text="compute-keypairs-create")
        expect(keypairs).to_contain_text("differs")
        expect(keypairs).to_contain_text("Passes")
        expect(keypairs).to_contain_text("Does not pass")
        axe_clean(customer, "/directory/compare/", reports)
        fits(customer, size)
        assert not reports, "\n".join(reports)
    finally:
        for context in contexts:
            context.close()


def _advisory_tests(guideline) -> list[tuple[str, str]]:
    """(name, uuid) of the unflagged tests of the platform's advisory capabilities."""
    from compliance.upload import bare_uuid
    from guidelines.selectors import guideline_bundle

    bundle = guideline_bundle(guideline)
    advisory = {
        entry.name
        for _, entries in bundle.components
        for entry in entries
        if entry.status == "advisory"
    }
    return [
        (test.name, bare_uuid(test.idempotent_id or "") or "")
        for capability, tests in bundle.capabilities
        if capability.key in advisory
        for test in tests
        if not test.is_flagged
    ]


@pytest.mark.parametrize("size", list(SIZES))
def test_a_vendor_registers_itself_and_the_staff_approve_it_on_any_screen(
    live_server, browser, system, size
):
    """Registering a vendor, a product, a version and a key, then the staff's approval:
    every page a vendor and the staff work on, checked by axe-core."""
    from tests.compliance.helpers import public_key, sign
    from tests.factories import UserFactory

    UserFactory(username="vera")
    UserFactory(username="sam", is_staff=True)
    reports, contexts = [], []

    def new_page():
        context = browser.new_context(**SIZES[size])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        page = new_page()
        sign_in(page, live_server.url, "vera", "/vendors/")
        axe_clean(page, "/vendors/", reports)
        page.get_by_label("Name", exact=True).fill("Example Cloud Inc")
        page.get_by_role("button", name="Register the vendor").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Example Cloud Inc")
        page.get_by_label("Name", exact=True).fill("Example Public Cloud")
        page.get_by_label("Kind").select_option("public-cloud")
        page.get_by_role("button", name="Add the product").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Example Public Cloud")
        page.get_by_label("Version", exact=True).fill("2026.1")
        page.get_by_role("button", name="Add the version").click()
        expect(page.locator("main")).to_contain_text("2026.1")
        axe_clean(page, "/vendors/<vendor>/<product>/", reports)
        fits(page, size)
        page.goto(f"{live_server.url}/vendors/example-cloud-inc/")
        page.get_by_role("button", name="Submit for the foundation's approval").click()
        expect(page.locator("main")).to_contain_text("Waiting for the foundation's approval")
        axe_clean(page, "/vendors/<vendor>/", reports)
        fits(page, size)

        page.goto(f"{live_server.url}/account/keys/")
        page.get_by_label("Public key").fill(public_key("vera"))
        page.get_by_label("Self-signature").fill("00" * 256)
        page.get_by_role("button", name="Register the key").click()
        expect(page.get_by_label("Self-signature")).to_have_attribute("aria-invalid", "true")
        axe_clean(page, "/account/keys/ (refused)", reports)
        page.get_by_label("Self-signature").fill(sign(b"signature", "vera"))
        page.get_by_role("button", name="Register the key").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        axe_clean(page, "/account/keys/", reports)
        fits(page, size)

        staff = new_page()
        sign_in(staff, live_server.url, "sam", "/vendors/")
        staff.get_by_role("link", name="Example Cloud Inc").first.click()
        staff.get_by_label("Approve").check()
        staff.get_by_role("button", name="Record the review").click()
        expect(staff.locator("main")).to_contain_text("Official")
        axe_clean(staff, "/vendors/<vendor>/ (staff)", reports)
        assert not reports, "\n".join(reports)
    finally:
        for context in contexts:
            context.close()
