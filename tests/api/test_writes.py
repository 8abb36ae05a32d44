"""Writes: anonymous users cannot write anything; a token user with the right can."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from committee.models import Role, Seat
from guidelines.models import Guideline, GuidelineEvent
from tests.guidelines.helpers import export

from .conftest import user_with

pytestmark = pytest.mark.django_db

SAFE = {"get", "head", "options", "trace"}
# RefStack's contract: anyone uploads a test run (tests/compliance checks what is stored).
PUBLIC_WRITES = {
    (path, "post")
    for path in (
        "/api/v1/results",
        "/api/v1/results/",
        "/v1/results",
        "/v1/results/",
        "/api/v1/results/subunit",
    )
}


def schema_writes():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method not in SAFE and (path, method) not in PUBLIC_WRITES
    ]


def test_the_api_offers_writes_to_check(db):
    assert ("/api/v1/guidelines/{key}", "put") in schema_writes()
    assert ("/api/v1/drafts", "post") in schema_writes()


@pytest.mark.parametrize("path, method", schema_writes())
def test_anonymous_users_cannot_write_anything(anonymous, loaded, path, method):
    url = (
        path.replace("{key}", "next")
        .replace("{id}", "1")
        .replace("{a}", "next")
        .replace("{b}", "2026.06")
    )
    before = {g.key: g.revision for g in Guideline.objects.all()}

    response = getattr(anonymous, method)(url, {}, format="json")

    assert response.status_code in (401, 403, 405), (path, method, response.status_code)
    assert {g.key: g.revision for g in Guideline.objects.all()} == before


def draft_document(loaded, key="next"):
    """The draft ``next`` (started from the demo 2026.06) as a document named ``key``."""
    document = export(Guideline.objects.get(key="next"))
    document["metadata"]["id"] = key
    return document


def test_a_token_user_can_create_a_guideline_and_it_is_recorded(editor, loaded):
    response = editor.put(
        "/api/v1/guidelines/2026.next", draft_document(loaded, "2026.next"), format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "created"
    assert response.json()["capabilities"] == 7
    assert response["ETag"]
    event = Guideline.objects.get(key="2026.next").events.get()
    assert (event.kind, event.channel, event.actor) == ("imported", "api", editor.user)


def test_putting_the_same_document_again_changes_nothing(editor, anonymous, loaded):
    document = json.loads(anonymous.get("/api/v1/guidelines/next").content)

    response = editor.put("/api/v1/guidelines/next", document, format="json")

    assert (response.status_code, response.json()["outcome"]) == (200, "unchanged")
    assert Guideline.objects.get(key="next").revision == 1


def test_a_user_without_a_seat_is_refused(reader, loaded):
    put = reader.put("/api/v1/guidelines/next", draft_document(loaded), format="json")
    post = reader.post("/api/v1/drafts", {"source": "2026.06", "name": "x"}, format="json")

    assert put.status_code == 403
    assert "is for the chair" in put.json()["error"]["message"]
    assert post.status_code == 403
    assert not Guideline.objects.filter(key="x").exists()


def test_django_model_permissions_do_not_let_anyone_store_a_document(loaded):
    """Seats decide every write; model permissions are for operators in /admin/ only."""
    member = user_with("add_guideline", "change_guideline", username="m")
    Seat.objects.create(user=member, role=Role.MEMBER)
    client = APIClient()
    client.force_authenticate(member)

    response = client.put("/api/v1/guidelines/2029.next", draft_document(loaded), format="json")

    assert response.status_code == 403
    assert (
        "Storing a whole guideline document is for the chair"
        in (response.json()["error"]["message"])
    )
    assert not Guideline.objects.filter(key="2029.next").exists()


def test_a_published_guideline_is_not_replaced(editor, loaded):
    document = json.loads(loaded["2026.06"].read_bytes())
    document["metadata"]["os_trademark_approval"]["releases"].append("2026.2")

    response = editor.put("/api/v1/guidelines/2026.06", document, format="json")

    assert response.status_code == 409
    assert "2017A D2.1" in response.json()["error"]["message"]
    assert Guideline.objects.get(key="2026.06").revision == 1


def test_if_match_protects_a_draft_from_lost_updates(editor, anonymous, loaded):
    etag = anonymous.get("/api/v1/guidelines/next")["ETag"]
    document = draft_document(loaded)
    document["metadata"]["os_trademark_approval"]["releases"].append("2026.2")

    stale = editor.put("/api/v1/guidelines/next", document, format="json", HTTP_IF_MATCH='"old"')
    current = editor.put("/api/v1/guidelines/next", document, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert current.status_code == 200
    assert current.json()["outcome"] == "replaced"


def test_a_bad_document_is_refused_with_its_place_and_nothing_stored(editor, loaded):
    response = editor.put(
        "/api/v1/guidelines/2027.next",
        b'{"metadata": {"schema": "2.0",}}',
        content_type="application/json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_document"
    assert error["message"].startswith("line 1, column 31: invalid JSON")
    assert not Guideline.objects.filter(key="2027.next").exists()


def test_a_token_user_can_start_a_draft(editor, loaded):
    body = {"source": "dns.2026.06", "name": "dns.2026.12"}
    response = editor.post("/api/v1/drafts", body, format="json")
    taken = editor.post("/api/v1/drafts", {"source": "2026.06"}, format="json")
    unknown = editor.post("/api/v1/drafts", {"source": "2099.01"}, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["key"], response.json()["status"]) == ("dns.2026.12", "draft")
    assert response.json()["replaces"] == "dns.2026.06"
    started = GuidelineEvent.objects.get(kind="draft_started", guideline__key="dns.2026.12")
    assert (started.channel, started.actor) == ("api", editor.user)
    assert taken.status_code == 409  # "next" exists
    assert unknown.status_code == 400
    assert "source" in unknown.json()["error"]["fields"]


def test_the_web_session_writes_only_with_a_csrf_token(loaded):
    user = user_with(username="chair")
    Seat.objects.create(user=user, role=Role.CHAIR)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    body = json.dumps(draft_document(loaded, "2028.next"))

    forged = browser.put("/api/v1/guidelines/2028.next", body, content_type="application/json")
    # What a page's form or script holds: the CSRF cookie and the same token.
    token = get_random_string(32)
    browser.cookies[settings.CSRF_COOKIE_NAME] = token
    genuine = browser.put(
        "/api/v1/guidelines/2028.next",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert forged.status_code == 403
    assert "CSRF" in forged.json()["error"]["message"]
    assert genuine.status_code == 201
