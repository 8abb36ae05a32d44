"""API tokens: each person creates and revokes their own; a revoked key stops working at once."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from committee.models import Channel, Event
from committee.permissions import NotAllowed
from committee.services import CommitteeError, token_create, token_revoke
from guidelines.models import Guideline

pytestmark = pytest.mark.django_db


def token_events():
    return list(Event.objects.filter(kind__startswith="token.").order_by("pk"))


def assert_no_event_holds(key: str):
    for event in Event.objects.all():
        assert key not in f"{event.subject_id} {event.summary} {event.data}", event.kind


def api_as(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# The services


@pytest.mark.parametrize("who", ["reviewer", "member", "chair"])
def test_anyone_signed_in_creates_their_own_token_and_no_event_keeps_its_key(request, who):
    user = request.getfixturevalue(who)

    token = token_create(user=user, actor=user)

    assert Token.objects.get(user=user).key == token.key and len(token.key) == 40
    [event] = token_events()
    assert (event.kind, event.actor, event.channel) == ("token.created", user, Channel.WEB)
    assert (event.subject_type, event.subject_id) == ("user", str(user.pk))
    assert event.data == {"username": user.username, "replaced": False}
    assert_no_event_holds(token.key)


def test_creating_again_replaces_the_token_and_records_its_revocation(member):
    old = token_create(user=member, actor=member)

    new = token_create(user=member, actor=member, channel=Channel.API)

    assert new.key != old.key
    assert list(Token.objects.filter(user=member).values_list("key", flat=True)) == [new.key]
    assert [(e.kind, e.channel) for e in token_events()] == [
        ("token.created", Channel.WEB),
        ("token.revoked", Channel.API),
        ("token.created", Channel.API),
    ]
    assert token_events()[-1].data["replaced"] is True
    assert_no_event_holds(old.key)
    assert_no_event_holds(new.key)


def test_revoking_deletes_the_token_and_records_it(member):
    token = token_create(user=member, actor=member)

    token_revoke(user=member, actor=member)

    assert not Token.objects.filter(user=member).exists()
    assert [e.kind for e in token_events()] == ["token.created", "token.revoked"]
    assert_no_event_holds(token.key)


def test_revoking_without_a_token_is_refused_and_records_nothing(reviewer):
    with pytest.raises(CommitteeError, match="no API token to revoke"):
        token_revoke(user=reviewer, actor=reviewer)

    assert token_events() == []


@pytest.mark.parametrize("who", ["member", "chair"])
def test_nobody_creates_or_revokes_another_s_token_not_even_the_chair(request, reviewer, who):
    actor = request.getfixturevalue(who)
    own = token_create(user=reviewer, actor=reviewer)

    with pytest.raises(NotAllowed, match="their own API token only"):
        token_create(user=reviewer, actor=actor)
    with pytest.raises(NotAllowed, match="their own API token only"):
        token_revoke(user=reviewer, actor=actor)

    assert list(Token.objects.values_list("key", flat=True)) == [own.key]
    assert len(token_events()) == 1


def test_nobody_and_the_system_manage_no_token(reviewer, system):
    with pytest.raises(NotAllowed, match="is for anyone signed in: sign in first"):
        token_create(user=reviewer, actor=None)
    with pytest.raises(NotAllowed, match="you are signed in as a system"):
        token_create(user=system, actor=system)

    assert not Token.objects.exists()
    assert token_events() == []


# Through the API


def test_a_revoked_token_fails_on_the_api(demo, member):
    key = token_create(user=member, actor=member).key
    started = api_as(key).post("/api/v1/drafts", {"source": "2026.06"}, format="json")
    assert started.status_code == 201, started.content

    token_revoke(user=member, actor=member)
    guidelines = Guideline.objects.count()
    response = api_as(key).post("/api/v1/drafts", {"family": "powered"}, format="json")

    assert response.status_code == 401  # not 409: the key no longer names anyone
    assert response.has_header("WWW-Authenticate")
    assert Guideline.objects.count() == guidelines


def test_a_replaced_token_fails_on_the_api_and_its_replacement_works(demo, member):
    old = token_create(user=member, actor=member).key
    new = token_create(user=member, actor=member).key

    refused = api_as(old).post("/api/v1/drafts", {"source": "2026.06"}, format="json")
    started = api_as(new).post("/api/v1/drafts", {"source": "2026.06"}, format="json")

    assert refused.status_code == 401
    assert started.status_code == 201, started.content
