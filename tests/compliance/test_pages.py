"""The run's page: its report against a guideline and target, with RefStack's filters."""

from __future__ import annotations

import pytest
from django.test import Client

from compliance.services import run_upload
from tests.compliance.helpers import body
from tests.compliance.test_report import required_tests
from tests.conftest import DEMO
from tests.guidelines.helpers import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_run(system):
    demo = import_file(DEMO / "2026.06.json").guideline
    tests = required_tests(demo)
    missing = sorted(tests)[0]
    run = run_upload(body=body([(n, u) for n, (_, u) in tests.items() if n != missing]))
    return run, tests[missing][0]


def test_the_page_reports_the_run_with_each_filter(demo_run):
    run, failing = demo_run
    page = Client().get(f"/results/{run.id}/?guideline=2026.06&target=platform")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Does not comply with 2026.06, platform" in html
    assert f"<code>{failing}</code>" in html and "compute-servers-list" in html
    failed = Client().get(f"/results/{run.id}/?guideline=2026.06&show=failed").content.decode()
    assert f"<code>{failing}</code>" in failed and "<code>compute-servers-list</code>" not in failed
    passed = Client().get(f"/results/{run.id}/?guideline=2026.06&show=passed").content.decode()
    assert f"<code>{failing}</code>" not in passed
    flagged = Client().get(f"/results/{run.id}/?guideline=2026.06&show=flagged").content.decode()
    assert "<code>compute-servers-list</code>" in flagged
    # Without parameters: the newest published guideline, its default target.
    assert "2026.06, platform" in Client().get(f"/results/{run.id}/").content.decode()


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("guideline=nothing", 404, "There is no guideline nothing"),
        ("guideline=2026.06&target=moon", 400, "not one of"),
        ("guideline=2026.06&show=everything", 400, "Show one of"),
        ("guideline=next%00", 404, "There is no guideline"),
    ],
)
def test_bad_parameters_say_what_is_wrong(demo_run, query, status, says):
    run, _ = demo_run
    page = Client().get(f"/results/{run.id}/?{query}")
    assert page.status_code == status
    assert says in page.content.decode()


def test_a_signed_run_is_not_shown_to_others(member, reviewer, system):
    from compliance.models import TestRun

    run = run_upload(body=body([("tempest.t", "")]))
    TestRun.objects.filter(pk=run.pk).update(owner=member)
    assert Client().get(f"/results/{run.id}/").status_code == 404
    other = Client()
    other.force_login(reviewer)
    assert other.get(f"/results/{run.id}/").status_code == 404
    owner = Client()
    owner.force_login(member)
    assert owner.get(f"/results/{run.id}/").status_code == 200
    assert Client().get("/results/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_an_unsigned_run_offers_no_controls_and_refuses_sharing(demo_run, staff):
    run, _ = demo_run
    web = Client()
    web.force_login(staff)
    page = web.get(f"/results/{run.id}/").content.decode()
    assert "Unsigned: public, and nobody's to share or link." in page
    assert "Share this run" not in page and "Product version" not in page
    # Nor is it verified: it does not comply, and it is linked to no product.
    assert "Verify against" not in page
    refused = web.post(f"/results/{run.id}/share/", {"shared": "on"})
    assert refused.status_code == 409
    assert "only a signed run has an owner to share or link it" in refused.content.decode()
