"""One permission model: a person's seat decides what they may do, in one table."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from committee.models import Role, Seat
from committee.permissions import (
    RULES,
    Action,
    NotAllowed,
    Standing,
    may,
    require,
    standing_of,
)
from committee.system import SYSTEM_USERNAME, is_system
from tests.factories import SeatFactory, UserFactory

pytestmark = pytest.mark.django_db


# What anyone signed in may do: their own API token, commenting, and a vendor's own
# business (its admins are checked by compliance.services, after the rule).
ANYONE_SIGNED_IN = {
    Action.TOKEN_MANAGE,
    Action.COMMENT,
    Action.PUBKEY_MANAGE,
    Action.VENDOR_CREATE,
    Action.VENDOR_MANAGE,
    Action.VENDOR_JOIN,
    Action.RUN_MANAGE,
}
# What the foundation's staff do, whatever their seat (and operators, on the command line).
STAFF_ONLY = {Action.VENDOR_APPROVE, Action.RUN_VERIFY}


def test_every_action_has_a_rule_and_nobody_but_seats_and_the_system_may_write():
    assert set(RULES) == set(Action)
    for action, rule in RULES.items():
        assert Standing.ANONYMOUS not in rule.standings
        if action not in ANYONE_SIGNED_IN:
            assert rule.standings <= {Standing.MEMBER, Standing.CHAIR, Standing.SYSTEM}, action


def test_the_staff_alone_approve_vendors_and_verify_runs(chair, reviewer):
    staff_only = {a for a, rule in RULES.items() if rule.staff and rule.standings <= {"system"}}
    assert staff_only == STAFF_ONLY
    staff = UserFactory(username="foundation", is_staff=True)
    for action in STAFF_ONLY:
        assert may(staff, action)
        assert not may(chair, action)
        with pytest.raises(NotAllowed, match="is for the foundation's staff"):
            require(reviewer, action)
    # Staff is not a seat: the committee's work stays the committee's.
    assert standing_of(staff) == Standing.REVIEWER
    assert not may(staff, Action.SCORE)
    staff.is_active = False
    assert not may(staff, Action.RUN_VERIFY)


def test_standing_follows_the_current_seat(chair, member, reviewer):
    assert standing_of(chair) == Standing.CHAIR
    assert standing_of(member) == Standing.MEMBER
    assert standing_of(reviewer) == Standing.REVIEWER
    assert standing_of(AnonymousUser()) == Standing.ANONYMOUS
    assert standing_of(None) == Standing.ANONYMOUS


def test_an_ended_or_future_seat_gives_no_standing():
    now = timezone.now()
    past = SeatFactory(
        user=UserFactory(username="former"),
        valid_from=now - timedelta(days=400),
        valid_to=now - timedelta(days=1),
    ).user
    future = SeatFactory(
        user=UserFactory(username="incoming"), valid_from=now + timedelta(days=30)
    ).user

    assert standing_of(past) == Standing.REVIEWER
    assert standing_of(future) == Standing.REVIEWER
    assert Seat.objects.filter(user=past).exists()  # the history stays


def test_a_chair_who_is_also_a_member_stands_as_chair(member):
    SeatFactory(user=member, role=Role.CHAIR)

    assert standing_of(member) == Standing.CHAIR


def test_nobody_is_never_anyone():
    """A service given no actor refuses, as it would an anonymous visitor."""
    with pytest.raises(NotAllowed, match="sign in first"):
        require(None, Action.CAPABILITY_EDIT)


@pytest.mark.parametrize(
    "action, who",
    [
        (Action.SCORE, "is for committee members"),
        (Action.CONSENSUS_SET, "is for the chair"),
        (Action.GUIDELINE_STORE, "is for the chair"),
    ],
)
def test_a_refusal_names_who_may_and_who_you_are(reviewer, action, who):
    with pytest.raises(NotAllowed) as refused:
        require(reviewer, action)

    assert who in str(refused.value)
    assert "you are signed in as a reviewer" in str(refused.value)


def test_the_system_acts_for_commands_only(system, member):
    assert is_system(system)
    assert standing_of(system) == Standing.SYSTEM
    assert may(system, Action.GUIDELINE_STORE)
    assert may(system, Action.WORKSHEET_IMPORT)
    assert not may(system, Action.SCORE)  # a score is a person's
    assert not may(system, Action.CONSENSUS_SET)
    # A user who merely calls themselves "system" is not the system.
    member.username = SYSTEM_USERNAME + "2"
    assert not is_system(member)


def test_the_system_user_cannot_sign_in(client, system):
    # Through the sign-in form, as a person would (and past django-axes).
    signed = client.post("/accounts/login/", {"username": SYSTEM_USERNAME, "password": ""})
    assert signed.status_code == 200  # the form again
    assert "_auth_user_id" not in client.session
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=system).key}")

    response = api.post("/api/v1/drafts", {"source": "2026.06"}, format="json")

    assert response.status_code == 401


def test_the_page_header_shows_the_standing_read_once_per_page(client, chair):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(chair)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert 'class="role role--chair">chair<' in response.content.decode()
    assert sum("committee_seat" in q["sql"] for q in queries.captured_queries) == 1


def test_model_permissions_give_no_standing(db):
    from django.contrib.auth.models import Permission

    user = UserFactory(username="operator", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="guidelines"))

    assert standing_of(user) == Standing.REVIEWER
    assert not may(user, Action.GUIDELINE_STORE)
