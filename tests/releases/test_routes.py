"""The approval and the releases through the API and the pages: who may, what bad input
gets, and what is served (digests, the bundle, the notes)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from releases.models import Release
from tests.releases.helpers import bundle_members, checksums_hold, passed_ballot

pytestmark = pytest.mark.django_db

NAME = "2026.09"
APPROVAL = "/api/v1/catalog/guidelines/next/approval"


def api(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def page_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def repr_digest(body: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


@pytest.fixture
def ballot(demo_draft, chair, member):
    return passed_ballot(demo_draft, chair, member)


def test_the_api_approves_for_the_chair_only(
    ballot, chair, member, django_capture_on_commit_callbacks
):
    assert api(None).post(APPROVAL, {"name": NAME, "ballot": ballot.pk}).status_code == 401
    refused = api(member).post(APPROVAL, {"name": NAME, "ballot": ballot.pk})
    assert refused.status_code == 403
    assert "Approving a guideline is for the chair" in refused.json()["error"]["message"]
    with django_capture_on_commit_callbacks(execute=True):
        created = api(chair).post(APPROVAL, {"name": NAME, "ballot": ballot.pk}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["key"], body["replaces"], body["ballot"]) == (NAME, "2026.06", ballot.pk)
    assert body["links"]["document"] == f"/api/v1/guidelines/{NAME}"
    detail = api(None).get(f"/api/v1/releases/{NAME}").json()
    assert detail["state"] == "done" and detail["links"]["bundle"]
    assert [r["key"] for r in api(None).get("/api/v1/releases").json()] == [NAME]


@pytest.mark.parametrize(
    ("payload", "status", "says"),
    [
        ({}, 400, "name"),
        ({"name": NAME}, 400, "ballot"),
        ({"name": NAME, "ballot": 0}, 400, "ballot"),
        ({"name": NAME, "ballot": "one"}, 400, "ballot"),
        ({"name": "2026.13", "ballot": "BALLOT"}, 409, "real year and month"),
        ({"name": "2026.05", "ballot": "BALLOT"}, 409, "older than 2026.06"),
        ({"name": NAME, "ballot": 123456}, 400, "no ballot 123456"),
        ({"name": "x" * 101, "ballot": "BALLOT"}, 400, "name"),
        # History approved elsewhere is the operators' command's, not the API's.
        ({"name": NAME, "approved_elsewhere": "Board"}, 400, "ballot"),
    ],
)
def test_bad_approvals_through_the_api_say_what_is_wrong(chair, ballot, payload, status, says):
    payload = {k: ballot.pk if v == "BALLOT" else v for k, v in payload.items()}
    response = api(chair).post(APPROVAL, payload, format="json")
    assert response.status_code == status, response.content
    assert says in response.content.decode()
    assert not Release.objects.exists()


def test_approving_a_published_guideline_is_refused_naming_c6_3(chair, demo):
    response = api(chair).post(
        "/api/v1/catalog/guidelines/2026.06/approval", {"name": NAME, "ballot": 1}, format="json"
    )
    assert response.status_code == 409
    assert "2017A C6.3" in response.json()["error"]["message"]


def test_the_approve_page_approves_and_leads_to_the_release(
    ballot, chair, member, django_capture_on_commit_callbacks
):
    assert page_client(member).get("/guidelines/next/approve/").status_code == 403
    assert page_client(None).post("/guidelines/next/approve/", {"name": NAME}).status_code == 403
    chair_client = page_client(chair)
    form = chair_client.get("/guidelines/next/approve/")
    assert form.status_code == 200 and f"Ballot {ballot.pk}:" in form.content.decode()
    bad = chair_client.post("/guidelines/next/approve/", {"name": NAME})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    other = chair_client.post("/guidelines/next/approve/", {"name": NAME, "ballot": 99999})
    assert other.status_code == 400 and "Select a valid choice" in other.content.decode()
    wrong = chair_client.post("/guidelines/next/approve/", {"name": "2026.99", "ballot": ballot.pk})
    assert wrong.status_code == 409 and "2017A D4.1" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = chair_client.post("/guidelines/next/approve/", {"name": NAME, "ballot": ballot.pk})
    assert done.status_code == 302 and done["Location"] == f"/releases/{NAME}/"
    page = chair_client.get(f"/releases/{NAME}/").content.decode()
    assert "Published: every step is done." in page
    notes = Client().get(f"/releases/{NAME}/notes/")
    assert notes.status_code == 200 and "2026.06" in notes.content.decode()
    # The notes are markup on the page, not escaped markup.
    assert '<section class="release-notes">' in notes.content.decode()
    assert "&lt;section" not in notes.content.decode()
    assert NAME in Client().get("/releases/").content.decode()


def test_the_bundle_is_served_with_its_digest_on_both_routes(
    ballot, chair, django_capture_on_commit_callbacks
):
    from releases.services import guideline_approve

    with django_capture_on_commit_callbacks(execute=True):
        release = guideline_approve(draft=ballot.guideline, name=NAME, actor=chair, ballot=ballot)
    release.refresh_from_db()
    for url in (f"/releases/{NAME}/bundle.zip", f"/api/v1/releases/{NAME}/bundle"):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/zip"
        assert response["Repr-Digest"] == repr_digest(response.content)
        assert hashlib.sha256(response.content).hexdigest() == release.bundle_sha256
        # A zip is sent as it is, gzip asked or not: its digest is the one published.
        gzip_asked = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert not gzip_asked.has_header("Content-Encoding")
        assert gzip_asked.content == response.content
        assert f'filename="{NAME}.zip"' in response["Content-Disposition"]
        checksums_hold(bundle_members(response.content))
        again = Client().get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304


def test_every_stored_artifact_is_served_with_the_digest_of_its_body(
    ballot, chair, django_capture_on_commit_callbacks
):
    from guidelines.models import Artifact
    from releases.services import guideline_approve

    with django_capture_on_commit_callbacks(execute=True):
        guideline_approve(draft=ballot.guideline, name=NAME, actor=chair, ballot=ballot)
    artifacts = Artifact.objects.all()
    assert artifacts.count() >= 5  # the demo's revision 1, the release's JSON and renderings
    for artifact in artifacts:
        key, number = artifact.guideline.key, artifact.number
        url = f"/api/v1/guidelines/{key}/revisions/{number}.{artifact.format}"
        for encoding in ("", "gzip"):
            response = Client().get(url, HTTP_ACCEPT_ENCODING=encoding)
            assert response.status_code == 200, url
            assert response["Repr-Digest"] == repr_digest(response.content), (url, encoding)
            if not encoding:
                assert response.content == bytes(artifact.body)
                assert hashlib.sha256(response.content).hexdigest() == artifact.sha256


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/guidelines/2026.06/revisions/0.json",
        "/api/v1/guidelines/2026.06/revisions/99999999999999999999.json",
        "/api/v1/guidelines/2026.06/revisions/1.pdf",
        "/api/v1/guidelines/nothing/revisions/1.json",
        "/api/v1/releases/nothing",
        "/api/v1/releases/nothing/bundle",
        "/releases/nothing/",
        "/releases/nothing/bundle.zip",
    ],
)
def test_what_is_not_there_is_a_404(demo, url):
    assert Client().get(url).status_code == 404


def test_the_feed_and_the_webhooks_announce_the_release(
    ballot, chair, django_capture_on_commit_callbacks
):
    from committee.models import Delivery, Webhook
    from releases.services import guideline_approve

    Webhook.objects.create(url="http://127.0.0.1:9/hook", secret="s3cret", created_by=chair)
    with django_capture_on_commit_callbacks(execute=True):
        release = guideline_approve(draft=ballot.guideline, name=NAME, actor=chair, ballot=ballot)
    feed = Client().get("/feeds/events.atom").content.decode()
    assert f"/releases/{NAME}/" in feed
    assert "release.approved" in feed and "release.published" in feed
    assert f"{NAME} approved, replacing 2026.06" in feed
    announced = Delivery.objects.filter(event__kind__startswith="release.")
    assert set(announced.values_list("event__kind", flat=True)) == {
        "release.approved",
        "release.published",
    }
    release.refresh_from_db()
    assert release.bundle_sha256 in feed
