"""The review comments' REST contract: /api/v1/comments."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from committee.models import Event
from guidelines.models import Capability
from votes.models import Comment

pytestmark = pytest.mark.django_db

URL = "/api/v1/comments"


def as_user(user=None) -> APIClient:
    """Through an API token, as tooling calls it."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def capability(demo_draft):
    return Capability.objects.get(guideline=demo_draft, key="compute-servers-list")


@pytest.fixture
def on_capability(capability):
    return f"{URL}?capability={capability.pk}"


def post(user, url, body, **extra):
    return as_user(user).post(url, {"body": body, **extra}, format="json")


@pytest.fixture
def first(on_capability, reviewer):
    response = post(reviewer, on_capability, "Why *advisory*?")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_reviewer_posts_and_gets_the_comment_rendered(first, capability):
    assert first["author"] == "reviewer"
    assert first["target"] == {"type": "capability", "id": str(capability.pk)}
    assert first["guideline"] == "next"
    assert first["parent"] is None
    assert first["body"] == "Why *advisory*?"
    assert first["html"] == "<p>Why <em>advisory</em>?</p>"
    assert first["revisions"] == 1
    assert first["resolved_at"] is None and first["hidden_at"] is None


def test_threads_list_their_replies_with_parent_ids_and_are_paginated(
    first, on_capability, member, chair
):
    reply = post(member, URL, "Because it is new.", parent=first["id"]).json()
    post(chair, URL, "And tested?", parent=reply["id"])
    second = post(chair, on_capability, "Another thread").json()

    listed = as_user().get(on_capability).json()

    assert listed["count"] == 2
    [one, two] = listed["results"]
    assert (one["id"], two["id"]) == (first["id"], second["id"])
    assert [(r["author"], r["parent"]) for r in one["replies"]] == [
        ("member", first["id"]),
        ("chair", reply["id"]),
    ]
    assert two["replies"] == []
    paged = as_user().get(f"{on_capability}&page_size=1&page=2").json()
    assert paged["count"] == 2 and [t["id"] for t in paged["results"]] == [second["id"]]


def test_each_target_kind_is_named_by_its_parameter(demo_draft, capability, member):
    test = capability.tests.first()
    for query, expected in (
        ("guideline=next", {"type": "guideline", "id": "next"}),
        (f"test={test.pk}", {"type": "test", "id": str(test.pk)}),
    ):
        created = post(member, f"{URL}?{query}", "x")
        assert created.status_code == 201, created.content
        assert created.json()["target"] == expected
        assert as_user().get(f"{URL}?{query}").json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?guideline=next&capability=1", 400),
        ("?capability=abc", 400),
        ("?capability=0", 400),
        ("?guideline=nothing", 404),
        ("?guideline=next%00", 400),
        ("?capability=999999", 404),
        ("?test=999999", 404),
        ("?ballot=999999", 404),
    ],
)
def test_a_list_names_at_most_one_target_that_exists(demo_draft, query, status):
    response = as_user().get(URL + query)

    assert response.status_code == status, response.content
    assert response.json()["error"]["status"] == status


def test_without_a_target_the_list_has_every_thread(first, demo_draft, member):
    post(member, f"{URL}?guideline=next", "On the guideline")

    listed = as_user().get(URL).json()

    assert listed["count"] == 2
    assert [t["target"]["type"] for t in listed["results"]] == ["capability", "guideline"]


def test_a_post_names_its_target(demo_draft, member):
    response = post(member, URL, "On what?")

    assert response.status_code == 400 and "target" in response.json()["error"]["fields"]


def test_a_reply_is_on_its_parents_target(first, member):
    mismatch = post(member, f"{URL}?guideline=next", "Elsewhere?", parent=first["id"])
    missing = post(member, URL, "To nothing", parent=999999)

    assert mismatch.status_code == 400
    assert "a reply is on its parent's target" in mismatch.json()["error"]["message"]
    assert missing.status_code == 400 and "parent" in missing.json()["error"]["fields"]
    assert Comment.objects.count() == 1


def test_bad_bodies_are_400_with_the_field(on_capability, reviewer):
    for body in ({}, {"body": ""}, {"body": "x" * 20_001}, {"body": "a\x00b"}):
        response = as_user(reviewer).post(on_capability, body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "invalid"
    spaces = post(reviewer, on_capability, "   ")
    assert spaces.status_code == 400
    assert not Comment.objects.exists()


def test_anonymous_reads_but_writes_get_401(first, on_capability):
    anonymous = as_user()

    assert anonymous.get(on_capability).status_code == 200
    for response in (
        anonymous.post(on_capability, {"body": "x"}, format="json"),
        anonymous.patch(f"{URL}/{first['id']}", {"body": "x"}, format="json"),
        anonymous.post(f"{URL}/{first['id']}/resolve"),
        anonymous.post(f"{URL}/{first['id']}/hide", {"reason": "x"}, format="json"),
    ):
        assert response.status_code == 401
        assert response.json()["error"]["status"] == 401
        assert response.has_header("WWW-Authenticate")


def test_the_author_edits_and_nobody_else_not_even_the_chair(first, other_member, chair):
    for intruder in (other_member, chair):
        response = as_user(intruder).patch(
            f"{URL}/{first['id']}", {"body": "Rewritten"}, format="json"
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "not_allowed"
        assert "author only" in response.json()["error"]["message"]
    assert Comment.objects.get().body == "Why *advisory*?"

    from django.contrib.auth.models import User

    author = User.objects.get(username="reviewer")
    edited = as_user(author).patch(
        f"{URL}/{first['id']}", {"body": "Why **advisory**?"}, format="json"
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["html"] == "<p>Why <strong>advisory</strong>?</p>"
    assert edited.json()["revisions"] == 2 and edited.json()["edited_at"] is not None


def test_the_author_or_a_chair_resolves_and_reopens(first, reviewer, other_member, chair):
    url = f"{URL}/{first['id']}"

    refused = as_user(other_member).post(f"{url}/resolve")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_allowed"

    resolved = as_user(chair).post(f"{url}/resolve")
    assert resolved.status_code == 200
    assert resolved.json()["resolved_by"] == "chair"

    reopened = as_user(reviewer).post(f"{url}/reopen")
    assert reopened.status_code == 200 and reopened.json()["resolved_at"] is None

    again = as_user(reviewer).post(f"{url}/resolve")
    assert again.json()["resolved_by"] == "reviewer"


def test_a_chair_hides_saying_why_and_only_chairs_still_read_the_text(
    first, on_capability, member, chair
):
    url = f"{URL}/{first['id']}/hide"

    assert as_user(member).post(url, {"reason": "No"}, format="json").status_code == 403
    assert as_user(chair).post(url, {}, format="json").status_code == 400
    hidden = as_user(chair).post(url, {"reason": "Off topic"}, format="json")
    assert hidden.status_code == 200, hidden.content
    again = as_user(chair).post(url, {"reason": "Again"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "rule_refused"

    for viewer in (None, member):
        [shown] = as_user(viewer).get(on_capability).json()["results"]
        assert (shown["hidden_by"], shown["hidden_reason"]) == ("chair", "Off topic")
        assert shown["body"] is None and shown["html"] is None
        detail = as_user(viewer).get(f"{URL}/{first['id']}").json()
        assert detail["body"] is None and detail["html"] is None
    [for_chair] = as_user(chair).get(on_capability).json()["results"]
    assert for_chair["body"] == "Why *advisory*?"
    assert Comment.objects.filter(pk=first["id"]).exists()


def test_a_hidden_comment_cannot_be_edited(first, reviewer, chair):
    as_user(chair).post(f"{URL}/{first['id']}/hide", {"reason": "Spam"}, format="json")

    response = as_user(reviewer).patch(f"{URL}/{first['id']}", {"body": "x"}, format="json")

    assert response.status_code == 409 and response.json()["error"]["code"] == "rule_refused"


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        '<p style="color:red">raw</p>',
    ],
)
def test_what_the_api_answers_is_inert(on_capability, reviewer, source):
    html = post(reviewer, on_capability, source).json()["html"]

    assert "<script" not in html and "<img" not in html and "<p style" not in html
    assert "href=" not in html
    assert html.startswith("<p>&lt;") or html == "<p>[x](javascript:alert(1))</p>"


def test_a_session_write_needs_the_csrf_token(on_capability, reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)

    refused = client.post(on_capability, {"body": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    assert not Comment.objects.exists()

    client.get("/account/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        on_capability, {"body": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201, accepted.content


def test_api_writes_are_recorded_through_the_api(first, reviewer, chair):
    as_user(chair).post(f"{URL}/{first['id']}/resolve")

    recorded = Event.objects.filter(kind__startswith="comment.").order_by("pk")
    assert [(e.kind, e.channel, e.actor.username) for e in recorded] == [
        ("comment.posted", "api", "reviewer"),
        ("comment.resolved", "api", "chair"),
    ]


def test_every_comment_route_is_in_the_schema():
    schema = as_user().get("/api/v1/schema/?format=json").json()

    for path, methods in (
        ("/api/v1/comments", {"get", "post"}),
        ("/api/v1/comments/{id}", {"get", "patch"}),
        ("/api/v1/comments/{id}/resolve", {"post"}),
        ("/api/v1/comments/{id}/reopen", {"post"}),
        ("/api/v1/comments/{id}/hide", {"post"}),
    ):
        assert methods <= set(schema["paths"][path]), path
