"""Regressions: each test here is a request that once answered 5xx (most found by
tests/test_fuzz_api.py), or a fault of the same kind, answered properly now."""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from capabilities.models import Worksheet
from capabilities.services import worksheet_import
from guidelines.errors import GuidelineError, VersionConflict
from guidelines.models import Guideline, GuidelineEvent
from guidelines.services import guideline_start_draft

WORKSHEET = "Scores.\n\ncompute-servers-create:   [1,1,1] [1,1,1] [1,1,1] [1,1,1] [1] [100]*\n"


def api_as(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def worksheets_url(key: str, name: str = "") -> str:
    return f"/api/v1/catalog/guidelines/{key}/worksheets" + (f"/{quote(name)}" if name else "")


# OPTIONS /api/v1/catalog/guidelines/<key>/worksheets/<name> was a 500: the text
# renderers of the download were handed DRF's description of the route (a dict).


def test_options_on_a_worksheet_download_describes_it_in_json(demo_draft, system):
    worksheet_import(guideline=demo_draft, text=WORKSHEET, actor=system)

    response = APIClient().options(worksheets_url("next", "scoring.txt"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "text/csv" in response.json()["renders"]


def test_a_worksheet_download_still_answers_text_and_its_errors_json(demo_draft, system):
    worksheet_import(guideline=demo_draft, text=WORKSHEET, actor=system)
    client = APIClient()

    text = client.get(worksheets_url("next", "scoring.txt"))
    missing = client.get(worksheets_url("next", "other.txt"), {"format": "csv"})
    bad_format = client.get(worksheets_url("next", "scoring.txt"), {"format": "pdf"})

    assert (text.status_code, text["Content-Type"]) == (200, "text/plain; charset=utf-8")
    assert text.content.decode() == WORKSHEET
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert bad_format.status_code == 400 and "format" in bad_format.json()["error"]["fields"]


# A worksheet's name is a file name in the Content-Disposition of its
# downloads: a line break in it made setting the header raise (500), a double
# quote ended the quoted filename early.

BAD_NAMES = ['say "hi".txt', "scores\r\nSet-Cookie: x=1", "tab\there.txt", "a/b.txt", " "]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_worksheet_names_that_cannot_be_a_file_name_are_refused_at_upload(name, demo_draft, chair):
    response = api_as(chair).post(
        worksheets_url("next"), {"name": name, "text": WORKSHEET}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert "name" in response.json()["error"]["fields"]
    assert not Worksheet.objects.exists()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_worksheet_service_refuses_those_names_for_the_pages_and_commands_too(
    name, demo_draft, system
):
    with pytest.raises(GuidelineError, match="worksheet"):
        worksheet_import(guideline=demo_draft, text=WORKSHEET, name=name, actor=system)


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("scoring.txt", 'attachment; filename="scoring.txt"'),
        ('say "hi".txt', 'attachment; filename="say \\"hi\\".txt"'),
        ("a\r\nb.txt", "attachment; filename*=utf-8''a%0D%0Ab.txt"),
    ],
)
def test_a_stored_worksheet_downloads_whatever_its_name_holds(name, disposition, demo_draft):
    # Stored before names were checked.
    Worksheet.objects.create(guideline=demo_draft, name=name, lines=["A worksheet."])

    response = APIClient().get(worksheets_url("next", name))

    assert response.status_code == 200
    assert response["Content-Disposition"] == disposition
    assert response.content == b"A worksheet."


def test_the_csv_download_is_named_as_csv(demo_draft, system):
    worksheet_import(guideline=demo_draft, text=WORKSHEET, actor=system)

    response = APIClient().get(worksheets_url("next", "scoring.txt"), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="scoring.csv"'


# Two starts of the same draft: the second is a 409 conflict naming the guideline
# that has the name, never an IntegrityError (500) nor a 400 "invalid".


def test_the_second_start_of_a_draft_is_a_conflict(demo, member, other_member):
    guideline_start_draft(source=demo, actor=member)

    with pytest.raises(VersionConflict, match="guideline next already exists") as refused:
        guideline_start_draft(source=demo, actor=other_member)

    assert refused.value.current == {"key": "next", "status": "draft", "replaces": "2026.06"}
    assert GuidelineEvent.objects.filter(kind="draft_started").count() == 1


def test_the_api_answers_a_second_start_with_409_conflict(demo, member, other_member):
    first = api_as(member).post("/api/v1/drafts", {"source": "2026.06"}, format="json")
    second = api_as(other_member).post("/api/v1/drafts", {"source": "2026.06"}, format="json")
    unusable = api_as(member).post(
        "/api/v1/drafts", {"source": "2026.06", "name": "no spaces"}, format="json"
    )

    assert first.status_code == 201, first.content
    assert second.status_code == 409, second.content
    assert second.json()["error"]["code"] == "conflict"
    assert "guideline next already exists" in second.json()["error"]["message"]
    assert second.json()["current"]["key"] == "next"
    assert unusable.status_code == 400, unusable.content
    assert unusable.json()["error"]["code"] == "invalid"


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_starts_of_a_draft_one_wins_the_other_conflicts(demo, member, other_member):
    """The loser passes the name check before the winner commits, then meets the
    unique key: its insert waits for the winner's transaction and then fails."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: runs on PostgreSQL (CI sets DATABASE_URL)")
    from django.db import transaction

    inserted, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                guideline_start_draft(source=demo, actor=member)
                inserted.set()
                release.wait(60)  # holds the new row uncommitted until the second waits on it
            outcomes["first"] = "started"
        except Exception as exc:  # noqa: BLE001 - asserted below
            outcomes["first"] = exc
        finally:
            inserted.set()
            connection.close()

    def second():
        try:
            inserted.wait(60)
            guideline_start_draft(source=demo, actor=other_member)
            outcomes["second"] = "started"
        except Exception as exc:  # noqa: BLE001 - asserted below
            outcomes["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while not waiting_on_a_lock():
            assert "second" not in outcomes, f"the second start did not wait: {outcomes}"
            assert time.monotonic() < deadline, "the second start never reached the insert"
            time.sleep(0.01)
    finally:
        release.set()
        for thread in threads:
            thread.join(60)

    assert outcomes["first"] == "started"
    assert isinstance(outcomes["second"], VersionConflict), outcomes["second"]
    assert "guideline next already exists" in str(outcomes["second"])
    assert Guideline.objects.filter(key="next").count() == 1
    assert GuidelineEvent.objects.filter(kind="draft_started").count() == 1


# The OpenAPI document describes every route: tooling generates clients from it,
# and the fuzzer (tests/test_fuzz_api.py) only tries what it lists.

NOT_DESCRIBED = {"api:schema", "api:docs"}  # the document and its page themselves


def routes(patterns, prefix="", namespace=""):
    """(path, name, callback) of every URL pattern, prefixes joined, regexes as written."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}", pattern.callback


def openapi_path(route: str) -> str:
    """The OpenAPI path drf-spectacular writes for a Django route."""
    path = "/" + route.replace("^", "").replace("$", "")
    path = path.replace(r"(?:\.json)?", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", path)
    path = re.sub(r"<(?:\w+:)?pk>", "{id}", path)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)


def methods_of(callback) -> set[str]:
    # HEAD and OPTIONS go without saying (a viewset adds "head" once it has served a GET).
    actions = getattr(callback, "actions", None)
    if actions:
        return set(actions) - {"head", "options"}
    view = callback.cls
    return {m for m in view.http_method_names if hasattr(view, m)} - {"head", "options"}


@pytest.mark.django_db
def test_every_api_route_is_in_the_openapi_document_with_its_methods():
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    routed: dict[str, set[str]] = {}
    for route, name, callback in routes(get_resolver().url_patterns):
        if not route.startswith(("api/v1/", "v1/")) or name in NOT_DESCRIBED:
            continue
        routed.setdefault(openapi_path(route), set()).update(methods_of(callback))
    described = {
        path: {m for m in operations if m != "parameters"}
        for path, operations in schema["paths"].items()
    }

    assert len(routed) >= 30
    assert "/v1/guidelines/{key}/tests" in routed
    assert routed == described
    # RefStack's document route under /v1/ only reads; /api/v1/ also takes the chair's PUT.
    assert described["/v1/guidelines/{key}"] == {"get"}
    assert described["/api/v1/guidelines/{key}"] == {"get", "put"}


# A NUL in a name taken from the path: PostgreSQL refuses it in a query
# ("A string literal cannot contain NUL"), which was a 500. No row can have
# such a name, so it is a 404 like any other unknown name.

NUL_PATHS = [
    "/api/v1/catalog/guidelines/%00/components",
    "/api/v1/catalog/guidelines/%00/scoring",
    "/api/v1/catalog/guidelines/next%00/events",
    "/api/v1/catalog/guidelines/%00/findings",
    "/api/v1/catalog/guidelines/next/worksheets/%00",
    "/api/v1/guidelines/%00",
    "/api/v1/guidelines/%00/tests",
    "/api/v1/guidelines/%00/diff/next",
    "/api/v1/guidelines/next/diff/2026.06%00",
    "/v1/guidelines/%00",
    "/v1/guidelines/%00.json/tests",
]


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_name_with_a_nul_in_the_path_is_not_found(path, demo_draft):
    response = APIClient().get(path)

    assert response.status_code == 404, response.content


def test_a_write_naming_a_guideline_with_a_nul_is_not_found(demo_draft, chair):
    response = api_as(chair).post(
        "/api/v1/catalog/guidelines/next%00/status",
        {"status": "review", "reason": "S: out for review"},
        format="json",
    )

    assert response.status_code == 404, response.content


# A weight past the integer column overflowed it (OverflowError on SQLite,
# "integer out of range" on PostgreSQL): a 500.


@pytest.mark.parametrize("weight", [2**31, 2**63, 2**70])
def test_a_criterion_weight_the_database_cannot_hold_is_refused(weight, demo_draft, chair):
    criterion = demo_draft.criteria.get(key="doc")

    response = api_as(chair).patch(
        f"/api/v1/criteria/{criterion.pk}", {"weight": weight}, format="json"
    )

    assert response.status_code == 400, response.content
    assert "weight" in response.json()["error"]["fields"]
    criterion.refresh_from_db()
    assert criterion.weight == 8


def test_the_largest_weight_the_database_holds_is_stored(demo_draft, chair):
    criterion = demo_draft.criteria.get(key="doc")

    response = api_as(chair).patch(
        f"/api/v1/criteria/{criterion.pk}", {"weight": 2**31 - 1}, format="json"
    )

    assert response.status_code == 200, response.content
    criterion.refresh_from_db()
    assert criterion.weight == 2**31 - 1
