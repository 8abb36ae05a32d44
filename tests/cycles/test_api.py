"""``/api/v1/cycles``: the calendar for tooling, read-only for everyone."""

from datetime import date

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.cycles.factories import CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(cycle):
    """2026.06 under way (scoring), 2026.12 next, 2025.06 over."""
    CycleFactory(name="2026.12", summit=date(2026, 9, 10), guideline_key="")
    CycleFactory(name="2025.06", summit=date(2025, 3, 10), guideline_key="")
    return cycle


def test_the_list_gives_every_cycle_latest_summit_first_with_its_milestones(calendar, today):
    response = APIClient().get("/api/v1/cycles")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [c["name"] for c in body["results"]] == ["2026.12", "2026.06", "2025.06"]
    assert [c["state"] for c in body["results"]] == ["upcoming", "current", "done"]
    assert [c["current"] for c in body["results"]] == [False, True, False]
    assert all(len(c["milestones"]) == 7 for c in body["results"])


def test_a_cycle_reads_with_its_milestones_as_they_stand_today(calendar, today):
    response = APIClient().get("/api/v1/cycles/2026.06")

    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("name", "summit", "guideline", "state", "current")} == {
        "name": "2026.06",
        "summit": "2026-03-10",
        "guideline": "next",
        "state": "current",
        "current": True,
    }
    assert (body["today"], body["current_milestone"], body["next_milestone"]) == (
        "2026-02-20",
        "scoring",
        "review",
    )
    assert body["set_by"] == "chair"
    assert body["links"] == {
        "self": "http://testserver/api/v1/cycles/2026.06",
        "page": "http://testserver/cycles/2026.06/",
    }
    scoring = body["milestones"][2]
    assert scoring == {
        "key": "scoring",
        "code": "S-1",
        "offset_months": -1,
        "label": "Scoring",
        "lead": "the Interop Working Group",
        "meaning": scoring["meaning"],
        "rule": "2017A timeline S-1; A4.1 to A4.4",
        "date": "2026-02-10",
        "state": "current",
    }
    assert [m["state"] for m in body["milestones"]] == ["done"] * 2 + ["current"] + ["upcoming"] * 4


def test_outside_its_window_a_cycle_has_no_current_milestone(calendar, today):
    today(date(2026, 6, 11))

    body = APIClient().get("/api/v1/cycles/2026.06").json()

    assert (body["state"], body["current"]) == ("done", False)
    assert (body["current_milestone"], body["next_milestone"]) == (None, None)


@pytest.mark.parametrize("name", ["2027.06", "scoring.txt", "2026.06\x00", "x" * 300])
def test_a_cycle_that_does_not_exist_is_a_404_in_the_api_s_error_shape(calendar, name):
    response = APIClient().get(f"/api/v1/cycles/{name}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_writes_nothing_not_even_for_the_chair(calendar, chair, method):
    token = Token.objects.create(user=chair)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    for url in ("/api/v1/cycles", "/api/v1/cycles/2026.06"):
        response = getattr(client, method)(url, {"summit": "2026-04-01"}, format="json")
        assert response.status_code == 405, url
    # Anonymous writes are refused before the method is looked at, as elsewhere.
    assert getattr(APIClient(), method)("/api/v1/cycles").status_code == 401


def test_an_empty_calendar_is_an_empty_list(db):
    assert APIClient().get("/api/v1/cycles").json()["results"] == []


def test_the_openapi_document_lists_both_routes_under_cycles():
    schema = APIClient().get("/api/v1/schema/?format=json").json()

    for path in ("/api/v1/cycles", "/api/v1/cycles/{name}"):
        operation = schema["paths"][path]["get"]
        assert operation["tags"] == ["Cycles"]
        assert set(schema["paths"][path]) == {"get"}
