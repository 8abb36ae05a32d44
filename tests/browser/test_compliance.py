"""A vendor reads its run's report: the page works on a phone and passes axe-core."""

from __future__ import annotations

import re

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
        expect(page.get_by_role("heading", level=2)).to_have_text(
            "Does not comply with 2026.06, platform"
        )
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
