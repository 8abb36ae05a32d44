"""The OpenAPI document validates, and every GET route it lists answers without a 5xx."""

import re

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from capabilities.services import worksheet_import
from committee.system import system_actor
from guidelines.models import Capability, Criterion, Guideline, Test
from tests.compliance.helpers import a_product, a_vendor

from .conftest import DATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(anonymous, loaded):
    # A worksheet, so its download route has something to answer with.
    worksheet_import(
        guideline=Guideline.objects.get(key="next"),
        text=(DATA / "scoring.txt").read_text(),
        actor=system_actor(),
    )
    response = anonymous.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_openapi_document_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document


def test_the_documentation_page_works_offline(anonymous):
    page = anonymous.get("/api/v1/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower()
    scripts = re.findall(r'src="([^"]+\.js)"', html)
    assert scripts
    for script in scripts:
        assert anonymous.get(script).status_code == 200, script


def a_ballot(chair) -> int:
    from datetime import timedelta

    from django.utils import timezone

    from guidelines.models import Guideline
    from votes.services import ballot_open

    return ballot_open(
        guideline=Guideline.objects.get(key="2026.06"),
        kind="question",
        question="Is every route described?",
        closes_at=timezone.now() + timedelta(days=1),
        actor=chair,
    ).pk


def a_comment(chair) -> int:
    from votes.comments import comment_post

    return comment_post(
        target=Guideline.objects.get(key="2026.06"), body="Is it *described*?", actor=chair
    ).pk


def a_run() -> str:
    from compliance.services import run_upload

    body = b'{"cpid": "c", "duration_seconds": 1, "results": [{"name": "tempest.t"}]}'
    return str(run_upload(body=body).id)


def a_cycle() -> str:
    from datetime import date

    from cycles.services import cycle_create

    return cycle_create(name="2027.06", summit=date(2027, 3, 10), actor=system_actor()).name


def a_release(capture) -> str:
    """``next`` approved as a release, its publishing run: the bundle route has a bundle."""
    from defcore_site.celery import app
    from releases.services import guideline_approve

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with capture(execute=True):
            release = guideline_approve(
                draft=Guideline.objects.get(key="next"),
                name="2026.09",
                actor=system_actor(),
                approved_elsewhere="The Board, for this test",
            )
    finally:
        app.conf.task_always_eager = eager
    return release.key


def test_every_listed_get_route_answers_without_a_server_error(
    anonymous, schema, chair, django_capture_on_commit_callbacks
):
    release = a_release(django_capture_on_commit_callbacks)
    cycle = a_cycle()
    run = a_run()
    signed_in = APIClient()
    signed_in.force_authenticate(chair)
    values = {
        "number": "1",
        "fmt": "json",
        "key": "2026.06",
        "a": "2025.12",
        "b": "2026.06",
        "name": "scoring.txt",
        "id": None,  # depends on the collection
    }
    ids = {
        "capabilities": Capability.objects.filter(guideline__key="2026.06").first().pk,
        "criteria": Criterion.objects.filter(guideline__key="2026.06").first().pk,
        "tests": Test.objects.filter(capability__guideline__key="2026.06").first().pk,
        "ballots": a_ballot(chair),
        "comments": a_comment(chair),
        "results": run,
        "products": a_product(a_vendor(chair)).pk,
    }
    checked = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        url = path
        if "{name}" in path:
            values["key"] = "next"  # the guideline with the worksheet
        elif path.startswith("/api/v1/releases/"):
            values["key"] = release
        else:
            values["key"] = "2026.06"
        for name in re.findall(r"{(\w+)}", path):
            value = values[name]
            if name == "name" and path.startswith("/api/v1/cycles/"):
                value = cycle
            if name == "id":
                value = ids[next(part for part in path.split("/") if part in ids)]
            url = url.replace(f"{{{name}}}", str(value))
        if path.endswith("/report"):
            url += "?guideline=2026.06"
        # Your own keys are read signed in; everything else anonymously.
        client = signed_in if "/profile/" in path else anonymous
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        assert response.status_code == 200, (url, response.status_code, response.content[:200])
        checked.append(path)
    assert "/v1/guidelines/{key}/tests" in checked
    assert "/api/v1/catalog/guidelines" in checked
    assert len(checked) >= 14
