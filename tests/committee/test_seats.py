"""Seats: granted and ended by the services and the commands, recorded, kept in the history."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from committee.errors import Refused
from committee.models import Channel, Event, Role, Seat
from committee.permissions import NotAllowed, Standing, standing_of
from committee.services import CommitteeError, seat_end, seat_grant
from committee.system import SYSTEM_USERNAME
from tests.factories import SeatFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def seat_events(kind=None):
    events = Event.objects.filter(kind__startswith="seat.").order_by("pk")
    return list(events.filter(kind=kind) if kind else events)


def current(username):
    return list(Seat.objects.current().filter(user__username=username))


# Granting


def test_seating_a_new_person_creates_the_user_without_a_usable_password(chair):
    grant = seat_grant(
        username="alice",
        role=Role.MEMBER,
        affiliation="Example Cloud",
        email="alice@example.org",
        actor=chair,
    )

    alice = User.objects.get(username="alice")
    assert grant.created and grant.user_created
    assert not alice.has_usable_password()
    assert alice.is_active and alice.email == "alice@example.org"
    assert standing_of(alice) == Standing.MEMBER
    [event] = seat_events()
    assert (event.kind, event.actor, event.channel) == ("seat.granted", chair, Channel.WEB)
    assert (event.subject_type, event.subject_id) == ("seat", str(grant.seat.pk))
    assert event.data["user_created"] is True
    assert event.data["affiliation"] == "Example Cloud"
    assert "alice as committee member of Example Cloud" in event.summary


def test_seating_an_existing_reviewer_keeps_their_account(chair, reviewer):
    password = reviewer.password

    grant = seat_grant(username="reviewer", role=Role.CHAIR, actor=chair, channel=Channel.API)

    reviewer.refresh_from_db()
    assert grant.created and not grant.user_created
    assert reviewer.password == password and reviewer.has_usable_password()
    assert standing_of(reviewer) == Standing.CHAIR
    assert seat_events()[0].channel == Channel.API


def test_the_same_seat_again_changes_nothing_and_records_nothing(chair):
    first = seat_grant(username="alice", role="member", affiliation="ACME", actor=chair)
    events = Event.objects.count()

    again = seat_grant(username="alice", role="member", affiliation="ACME", actor=chair)

    assert not again.created and not again.user_created and again.ended == ()
    assert again.seat == first.seat
    assert Event.objects.count() == events
    assert Seat.objects.filter(user__username="alice").count() == 1


def test_another_role_or_affiliation_ends_the_current_seat_and_keeps_it(chair):
    member_seat = seat_grant(username="alice", role="member", affiliation="ACME", actor=chair).seat

    moved = seat_grant(username="alice", role="member", affiliation="Example Cloud", actor=chair)
    promoted = seat_grant(username="alice", role="chair", affiliation="Example Cloud", actor=chair)

    assert [seat.pk for seat in moved.ended] == [member_seat.pk]
    assert [seat.pk for seat in promoted.ended] == [moved.seat.pk]
    assert current("alice") == [promoted.seat]
    history = Seat.objects.filter(user__username="alice").order_by("valid_from")
    assert [(s.role, s.affiliation) for s in history] == [
        ("member", "ACME"),
        ("member", "Example Cloud"),
        ("chair", "Example Cloud"),
    ]
    assert all(s.valid_to is not None for s in history[:2]) and history[2].valid_to is None
    assert [e.kind for e in seat_events()] == [
        "seat.granted",
        "seat.ended",
        "seat.granted",
        "seat.ended",
        "seat.granted",
    ]
    assert seat_events("seat.granted")[-1].data["replaces"] == [moved.seat.pk]


def test_a_second_current_seat_ends_when_one_of_them_is_granted_again(chair, member):
    """A member also seated as chair (through /admin/), seated as member: the chair seat ends."""
    SeatFactory(user=member, role=Role.CHAIR)

    grant = seat_grant(username="member", role="member", affiliation="Example Cloud", actor=chair)

    assert not grant.created and [s.role for s in grant.ended] == ["chair"]
    assert standing_of(member) == Standing.MEMBER
    assert [e.kind for e in seat_events()] == ["seat.ended"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"username": SYSTEM_USERNAME, "role": "chair"}, "system actor"),
        ({"username": "  ", "role": "member"}, "Give the username"),
        ({"username": "bad name!", "role": "member"}, "not a valid username"),
        ({"username": "alice", "role": "president"}, "no role 'president'"),
        ({"username": "alice", "role": "member", "email": "not-an-address"}, "not an e-mail"),
        ({"username": "alice", "role": "member", "affiliation": "x" * 201}, "too long"),
    ],
)
def test_bad_input_is_refused_and_leaves_nothing_behind(chair, fields, message):
    users = User.objects.count()

    with pytest.raises(CommitteeError, match=message):
        seat_grant(**fields, actor=chair)

    assert User.objects.count() == users
    assert not Seat.objects.exclude(user=chair).exists()
    assert seat_events() == []


def test_the_system_user_is_never_seated_even_when_it_exists(chair, system):
    with pytest.raises(CommitteeError, match="cannot hold a seat"):
        seat_grant(username=SYSTEM_USERNAME, role="member", actor=chair)

    assert not Seat.objects.filter(user=system).exists()


def test_seating_never_changes_an_existing_account_s_address(chair, reviewer):
    reviewer.email = "reviewer@example.org"
    reviewer.save()

    with pytest.raises(CommitteeError, match="does not change an account's address"):
        seat_grant(username="reviewer", role="member", email="evil@example.org", actor=chair)
    seat_grant(username="reviewer", role="member", email="Reviewer@example.org", actor=chair)

    reviewer.refresh_from_db()
    assert reviewer.email == "reviewer@example.org"
    assert standing_of(reviewer) == Standing.MEMBER


@pytest.mark.parametrize("who", ["member", "reviewer", "anonymous"])
def test_only_the_chair_and_the_system_seat_people(request, who):
    actor = None if who == "anonymous" else request.getfixturevalue(who)

    with pytest.raises(NotAllowed, match="Managing seats on the committee is for the chair"):
        seat_grant(username="alice", role="chair", actor=actor)
    with pytest.raises(NotAllowed):
        seat_end(username="alice", actor=actor)

    assert not User.objects.filter(username="alice").exists()
    assert seat_events() == []


def test_the_system_seats_the_first_chair(system):
    grant = seat_grant(username="first", role="chair", actor=system, channel=Channel.COMMAND)

    assert standing_of(grant.seat.user) == Standing.CHAIR
    [event] = seat_events()
    assert (event.actor, event.channel) == (system, Channel.COMMAND)


# Ending


def test_ending_a_seat_keeps_it_in_the_history_with_the_reason(chair, member):
    [seat] = current("member")

    ended = seat_end(username="member", reason="Term ended", actor=chair)

    assert [s.pk for s in ended] == [seat.pk]
    seat.refresh_from_db()
    assert seat.valid_to is not None and seat.valid_to > seat.valid_from
    assert standing_of(member) == Standing.REVIEWER
    assert Seat.objects.filter(user=member).count() == 1
    [event] = seat_events()
    assert (event.kind, event.actor, event.subject_id) == ("seat.ended", chair, str(seat.pk))
    assert event.data["reason"] == "Term ended"
    assert event.summary.endswith(": Term ended")


def test_ending_a_seat_refuses_clearly_when_there_is_none(chair, member, reviewer):
    seat_end(username="member", actor=chair)

    with pytest.raises(CommitteeError, match="member holds no seat now"):
        seat_end(username="member", actor=chair)
    with pytest.raises(CommitteeError, match="reviewer holds no seat now"):
        seat_end(username="reviewer", actor=chair)
    with pytest.raises(CommitteeError, match="no user named 'nobody'"):
        seat_end(username="nobody", actor=chair)
    assert len(seat_events()) == 1


def test_a_seat_granted_and_ended_in_the_same_instant_still_ends_after_it_starts(chair):
    """valid_to > valid_from is a database constraint: an instant's seat still ends."""
    seat = seat_grant(username="alice", role="member", actor=chair).seat
    Seat.objects.filter(pk=seat.pk).update(valid_from=seat.valid_from)

    [ended] = seat_end(username="alice", actor=chair)

    assert ended.valid_to > ended.valid_from


def test_a_failure_after_the_change_rolls_the_change_and_its_record_back(chair, monkeypatch):
    import committee.services

    def broken(**kwargs):
        raise RuntimeError("the log is down")

    monkeypatch.setattr(committee.services, "record", broken)

    with pytest.raises(RuntimeError):
        seat_grant(username="alice", role="member", actor=chair)

    assert not User.objects.filter(username="alice").exists()
    assert not Seat.objects.filter(user__username="alice").exists()


# The commands


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_seat_command_seats_the_first_chair_as_the_system_and_prints_no_secret():
    out = run("seat", "ada", "--role", "chair", "--affiliation", "ACME", "--email", "a@example.org")

    ada = User.objects.get(username="ada")
    # These two lines and nothing else: no password, no token, no key.
    assert re.fullmatch(
        r"created user ada, without a usable password "
        r"\(an operator sets one with: manage.py changepassword ada\)\n"
        r"seated ada as chair of ACME from \d{4}-\d\d-\d\d \d\d:\d\d UTC\n",
        out,
    ), out
    assert standing_of(ada) == Standing.CHAIR
    assert not ada.has_usable_password()
    assert ada.password not in out
    [event] = seat_events()
    assert event.actor.username == SYSTEM_USERNAME and event.channel == Channel.COMMAND


def test_the_seat_command_again_says_nothing_changed_and_records_nothing():
    run("seat", "ada", "--role", "member")

    out = run("seat", "ada", "--role", "member")

    assert "ada is seated as committee member already: nothing changed" in out
    assert "created user" not in out
    assert len(seat_events()) == 1


def test_the_seat_command_says_which_seat_it_ended(member):
    out = run("seat", "member", "--role", "chair", "--affiliation", "Example Cloud")

    assert "ended member's seat as committee member" in out
    assert "seated member as chair of Example Cloud" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ada", "--role", "president"], "no role 'president': a seat is one of member, chair"),
        ([SYSTEM_USERNAME, "--role", "chair"], "system actor"),
        (["ada", "--role", "member", "--email", "nope"], "not an e-mail address"),
    ],
)
def test_the_seat_command_refuses_bad_input_with_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        run("seat", *args)

    assert not User.objects.filter(username="ada").exists()


def test_the_unseat_command_ends_the_seat_and_keeps_it(member):
    out = run("unseat", "member", "--reason", "Left the company")

    assert "ended member's seat as committee member" in out and "kept in the history" in out
    assert standing_of(member) == Standing.REVIEWER
    assert Seat.objects.filter(user=member).exists()
    [event] = seat_events()
    assert event.data["reason"] == "Left the company" and event.channel == Channel.COMMAND


@pytest.mark.parametrize(
    ("username", "message"),
    [("nobody", "There is no user named 'nobody'"), ("reviewer", "reviewer holds no seat now")],
)
def test_the_unseat_command_refuses_an_unknown_user_or_one_without_a_seat(
    reviewer, username, message
):
    with pytest.raises(CommandError, match=message):
        run("unseat", username)


def test_commands_raise_command_errors_not_refusals():
    """What a command reports is the service's message, as a CommandError (exit status 1)."""
    assert not issubclass(CommandError, Refused)
    with pytest.raises(CommandError) as raised:
        run("unseat", "nobody")

    assert isinstance(raised.value.__cause__, CommitteeError)
