"""Ballot rules, through the services: quorum, threshold, recusals, blocks, the
electorate fixed at opening, append-only positions, closing exactly once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from committee.models import Event, Seat
from committee.permissions import NotAllowed
from guidelines.errors import GuidelineError, RuleRefused
from guidelines.models import ComponentEntry
from tests.factories import SeatFactory, UserFactory
from votes.models import Ballot, Position
from votes.rules import Rules, tally_of
from votes.services import ballot_close, ballot_open, close_expired, position_set

pytestmark = pytest.mark.django_db


def soon(**delta):
    return timezone.now() + timedelta(**(delta or {"days": 7}))


def committee_of(n: int):
    """n members besides the chair persona, seated now."""
    return [SeatFactory(user=UserFactory(username=f"m{i}")).user for i in range(n)]


@pytest.fixture
def members(chair):
    return committee_of(5)  # with the chair: an electorate of 6, quorum 3


def open_question(chair, guideline, **options):
    return ballot_open(
        guideline=guideline,
        kind="question",
        question="Should the next guideline keep compute-keypairs-create advisory?",
        closes_at=options.pop("closes_at", soon()),
        actor=chair,
        **options,
    )


def expire(ballots):
    """Move a ballot's whole period into the past: its deadline has passed."""
    now = timezone.now()
    ballots.update(opened_at=now - timedelta(days=1), closes_at=now - timedelta(seconds=1))


def vote(ballot, users_values):
    for user, value in users_values:
        reason = "a reason" if value in ("block", "recuse") else ""
        position_set(ballot=ballot, actor=user, value=value, reason=reason)


def close_now(ballot, chair):
    return ballot_close(ballot=ballot, actor=chair, reason="the committee met early")


def test_the_electorate_is_the_committee_seated_at_opening_and_quorum_half_of_it(
    demo, chair, members
):
    ballot = open_question(chair, demo)

    assert ballot.voters.count() == 6
    assert ballot.quorum == 3
    assert ballot.threshold == "2/3"
    event = Event.objects.get(kind="ballot.opened")
    assert sorted(event.data["electorate"]) == sorted(["chair", *[u.username for u in members]])


def test_quorum_missed(demo, chair, members):
    ballot = open_question(chair, demo)
    vote(ballot, [(members[0], "yes"), (members[1], "yes"), (members[2], "recuse")])

    closed = close_now(ballot, chair)

    assert closed.status == "no_quorum"  # 2 taking part of 3 needed; the recusal is not one
    assert closed.tally["taking_part"] == 2


def test_threshold_met(demo, chair, members):
    ballot = open_question(chair, demo)
    vote(ballot, [(members[0], "yes"), (members[1], "yes"), (members[2], "no")])

    assert close_now(ballot, chair).status == "passed"  # 2 of 3 is two thirds


def test_threshold_missed(demo, chair, members):
    ballot = open_question(chair, demo)
    vote(ballot, [(members[0], "yes"), (members[1], "no"), (members[2], "no"), (chair, "yes")])

    closed = close_now(ballot, chair)

    assert closed.status == "failed"  # 2 of 4
    assert closed.tally == {
        "yes": 2,
        "no": 2,
        "abstain": 0,
        "recuse": 0,
        "block": 0,
        "electorate": 6,
        "quorum": 3,
        "threshold": "2/3",
        "taking_part": 4,
    }


def test_abstentions_count_for_quorum_but_not_in_the_base(demo, chair, members):
    ballot = open_question(chair, demo)
    vote(ballot, [(members[0], "yes"), (members[1], "abstain"), (members[2], "abstain")])

    assert close_now(ballot, chair).status == "passed"  # 1 of 1 cast; 3 took part


def test_recusals_are_left_out_of_the_base(demo, chair, members):
    ballot = open_question(chair, demo, quorum=2)
    vote(
        ballot,
        [(members[0], "yes"), (members[1], "yes"), (members[2], "recuse"), (members[3], "recuse")],
    )

    closed = close_now(ballot, chair)

    assert closed.status == "passed"
    assert closed.tally["recuse"] == 2


def test_an_open_block_prevents_a_pass_until_its_author_lifts_it(demo, chair, members):
    ballot = open_question(chair, demo)
    vote(ballot, [(m, "yes") for m in members[:4]] + [(members[4], "block")])
    rules = Rules(6, 3, 2, 3)

    assert rules.outcome(tally_of(["yes"] * 4 + ["block"])) == "failed"
    position_set(ballot=ballot, actor=members[4], value="no")
    assert close_now(ballot, chair).status == "passed"  # 4 of 5 once the block is lifted


def test_a_block_and_a_recusal_need_a_reason(demo, chair, members):
    ballot = open_question(chair, demo)

    for value in ("block", "recuse"):
        with pytest.raises(GuidelineError, match="needs"):
            position_set(ballot=ballot, actor=members[0], value=value, reason="  ")
    assert not Position.objects.exists()


def test_a_position_after_closing_is_refused(demo, chair, members):
    ballot = open_question(chair, demo)
    close_now(ballot, chair)

    with pytest.raises(RuleRefused, match="closed"):
        position_set(ballot=ballot, actor=members[0], value="yes")


def test_a_position_after_the_deadline_is_refused_even_before_the_task_closes_it(
    demo, chair, members
):
    ballot = open_question(chair, demo)
    expire(Ballot.objects.filter(pk=ballot.pk))

    with pytest.raises(RuleRefused, match="closed at"):
        position_set(ballot=ballot, actor=members[0], value="yes")


def test_a_member_seated_after_opening_cannot_vote(demo, chair, members):
    ballot = open_question(chair, demo)
    newcomer = SeatFactory(user=UserFactory(username="newcomer")).user

    with pytest.raises(NotAllowed, match="not in the electorate"):
        position_set(ballot=ballot, actor=newcomer, value="yes")


def test_a_reviewer_cannot_vote_and_a_member_cannot_open_or_close(demo, chair, members, reviewer):
    ballot = open_question(chair, demo)

    with pytest.raises(NotAllowed, match="committee members"):
        position_set(ballot=ballot, actor=reviewer, value="yes")
    with pytest.raises(NotAllowed, match="the chair"):
        ballot_close(ballot=ballot, actor=members[0], reason="done")
    with pytest.raises(NotAllowed, match="the chair"):
        open_question(members[0], demo)


def test_every_change_is_kept_and_only_the_latest_counts(demo, chair, members):
    ballot = open_question(chair, demo)
    voter = members[0]

    for value in ("no", "block", "yes"):
        reason = "unclear test coverage" if value == "block" else ""
        position_set(ballot=ballot, actor=voter, value=value, reason=reason)
    position_set(ballot=ballot, actor=voter, value="yes")  # the same again: no new row

    history = list(ballot.positions.filter(voter=voter).values_list("value", "current"))
    assert history == [("no", False), ("block", False), ("yes", True)]
    events = Event.objects.filter(kind="position.set").order_by("at", "pk")
    assert [(e.data["before"], e.data["value"]) for e in events] == [
        (None, "no"),
        ("no", "block"),
        ("block", "yes"),
    ]
    vote(ballot, [(members[1], "yes"), (members[2], "no")])
    assert close_now(ballot, chair).tally["yes"] == 2


def test_closing_early_needs_a_reason_and_a_closed_ballot_does_not_close_again(
    demo, chair, members
):
    ballot = open_question(chair, demo)

    with pytest.raises(GuidelineError, match="needs a reason"):
        ballot_close(ballot=ballot, actor=chair)
    closed = close_now(ballot, chair)
    with pytest.raises(RuleRefused, match="closed already"):
        close_now(closed, chair)
    assert Event.objects.filter(kind="ballot.closed").count() == 1


def test_the_outcome_is_stored_once_and_not_recomputed(demo, chair, members):
    ballot = open_question(chair, demo)
    vote(ballot, [(members[0], "yes"), (members[1], "yes"), (members[2], "yes")])
    close_now(ballot, chair)
    # Even if rows were changed behind the services' back, the record stands.
    Position.objects.filter(ballot=ballot).update(value="no")

    ballot.refresh_from_db()
    assert ballot.status == "passed"
    assert ballot.tally["yes"] == 3


def test_bad_ballots_are_refused_and_nothing_is_stored(demo, demo_draft, chair, members):
    cases = [
        ({"kind": "poll"}, "kind must be one of"),
        ({"question": " "}, "needs its question"),
        ({"closes_at": timezone.now() - timedelta(hours=1)}, "in the future"),
        ({"threshold": (3, 2)}, "threshold"),
        ({"quorum": 7}, "quorum must be from 1"),
        ({"kind": "approval"}, "is about a draft"),
        ({"kind": "capabilities", "subject": [], "guideline": demo_draft}, "lists its changes"),
        (
            {
                "kind": "capabilities",
                "subject": [{"capability": "nope", "component": "x", "status": "required"}],
                "guideline": demo_draft,
            },
            "has no capability 'nope'",
        ),
        ({"subject": {"test": 1}}, "takes no subject"),
        ({"kind": "flag", "subject": {"test": 10**9}}, "has no test"),
    ]
    for change, message in cases:
        options = {
            "guideline": demo,
            "kind": "question",
            "question": "Q?",
            "closes_at": soon(),
            "actor": chair,
            **change,
        }
        with pytest.raises((GuidelineError, RuleRefused), match=message):
            ballot_open(**options)
    assert not Ballot.objects.exists()
    assert not Event.objects.exists()


def status_in(guideline, capability, component="os_powered_compute"):
    return list(
        ComponentEntry.objects.filter(
            component__guideline=guideline,
            component__name=component,
            kind="capabilities",
            name=capability,
        ).values_list("status", flat=True)
    )


def test_a_passed_capabilities_ballot_moves_them_in_the_draft(demo_draft, chair, members):
    ballot = ballot_open(
        guideline=demo_draft,
        kind="capabilities",
        question="Make compute-keypairs-create required in the compute component?",
        subject=[
            {
                "capability": "compute-keypairs-create",
                "component": "os_powered_compute",
                "status": "required",
            }
        ],
        closes_at=soon(),
        actor=chair,
    )
    vote(ballot, [(m, "yes") for m in members[:3]])

    close_now(ballot, chair)

    assert status_in(demo_draft, "compute-keypairs-create") == ["required"]
    applied = Event.objects.get(kind="ballot.applied")
    assert applied.data["applied"][0]["status"] == "required"


def test_a_failed_capabilities_ballot_changes_nothing(demo_draft, chair, members):
    ballot = ballot_open(
        guideline=demo_draft,
        kind="capabilities",
        question="Remove compute-servers-list?",
        subject=[
            {
                "capability": "compute-servers-list",
                "component": "os_powered_compute",
                "status": "removed",
            }
        ],
        closes_at=soon(),
        actor=chair,
    )
    vote(ballot, [(members[0], "yes"), (members[1], "no"), (members[2], "no")])

    assert close_now(ballot, chair).status == "failed"
    assert status_in(demo_draft, "compute-servers-list") == ["required"]
    assert not Event.objects.filter(kind__startswith="ballot.appl").exists()


def test_the_periodic_task_closes_expired_ballots_only(demo, chair, members):
    due = open_question(chair, demo)
    later = open_question(chair, demo)
    expire(Ballot.objects.filter(pk=due.pk))

    assert close_expired() == [due.pk]
    assert close_expired() == []
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == "no_quorum"
    assert due.closed_by.username == "system"
    assert later.status == "open"


# On PostgreSQL, with real concurrency.


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: runs on PostgreSQL (CI sets DATABASE_URL)")


def in_threads(n, work):
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            work(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()  # each thread's own connection, kept open otherwise

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_thirty_members_voting_at_once_leave_one_current_position_each(demo):
    postgres_only()
    chair = SeatFactory(user=UserFactory(username="chair"), role="chair").user
    voters = committee_of(30)
    ballot = open_question(chair, demo)
    sequences = [("no", "yes"), ("yes", "abstain", "yes"), ("abstain",), ("yes", "no")]

    def cast(i):
        for value in sequences[i % len(sequences)]:
            position_set(ballot=ballot, actor=voters[i], value=value)

    errors = in_threads(30, cast)

    assert errors == []
    current = list(ballot.positions.filter(current=True).values_list("voter", "value"))
    assert len(current) == 30
    assert len({voter for voter, _ in current}) == 30
    expected = tally_of(sequences[i % len(sequences)][-1] for i in range(30))
    assert tally_of(value for _, value in current) == expected
    closed = close_now(ballot, chair)
    assert {k: closed.tally[k] for k in expected} == expected
    assert ballot.positions.count() == sum(len(sequences[i % 4]) for i in range(30))


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_close_an_expired_ballot_exactly_once(demo):
    postgres_only()
    chair = SeatFactory(user=UserFactory(username="chair"), role="chair").user
    committee_of(3)
    ballots = [open_question(chair, demo) for _ in range(3)]
    expire(Ballot.objects.all())
    results = [[], []]

    def worker(i):
        results[i].extend(close_expired())

    errors = in_threads(2, worker)

    assert errors == []
    closed = sorted(results[0] + results[1])
    assert closed == sorted(b.pk for b in ballots)  # each once, by one worker or the other
    assert Event.objects.filter(kind="ballot.closed").count() == 3
    assert not Ballot.objects.filter(status="open").exists()


def test_an_ended_seat_is_not_in_the_next_electorate(demo, chair, members):
    Seat.objects.filter(user=members[0]).update(valid_to=timezone.now())

    ballot = open_question(chair, demo)

    assert not ballot.voters.filter(user=members[0]).exists()
    assert ballot.voters.count() == 5


def test_the_command_closes_expired_ballots_and_says_how(demo, chair, members):
    from io import StringIO

    from django.core.management import call_command

    due = open_question(chair, demo)
    expire(Ballot.objects.filter(pk=due.pk))
    out = StringIO()

    call_command("close_ballots", stdout=out)

    assert out.getvalue().splitlines() == [
        f"ballot {due.pk} (2026.06): no_quorum",
        "1 ballot closed",
    ]


def test_a_member_whose_seat_ended_still_lifts_their_own_block(demo, chair, members):
    """The electorate is fixed at opening: a seat ending does not freeze a block."""
    ballot = open_question(chair, demo)
    position_set(ballot=ballot, actor=members[0], value="block", reason="untested")
    Seat.objects.filter(user=members[0]).update(valid_to=timezone.now())

    position_set(ballot=ballot, actor=members[0], value="yes")
    vote(ballot, [(members[1], "yes"), (members[2], "yes")])

    assert close_now(ballot, chair).status == "passed"


def test_a_capabilities_ballot_names_real_components_and_statuses(demo_draft, chair, members):
    def opening(change):
        return ballot_open(
            guideline=demo_draft,
            kind="capabilities",
            question="Move it?",
            subject=[
                {
                    "capability": "compute-servers-list",
                    "component": "os_powered_compute",
                    "status": "deprecated",
                    **change,
                }
            ],
            closes_at=soon(),
            actor=chair,
        )

    for change, message in (
        ({"component": "nope"}, "has no component 'nope'"),
        ({"status": "bogus"}, "a status is one of"),
        ({"capability": "compute-servers-list\x00"}, "are names"),
        ({"component": 7}, "are names"),
    ):
        with pytest.raises(GuidelineError, match=message):
            opening(change)
    assert not Ballot.objects.exists()


def test_one_ballot_that_cannot_close_does_not_keep_the_others_open(
    demo, chair, members, monkeypatch
):
    import votes.services as services

    first, second = open_question(chair, demo), open_question(chair, demo)
    expire(Ballot.objects.all())
    real = services.current_tally

    def broken_for_the_first(ballot):
        if ballot.pk == first.pk:
            raise RuntimeError("corrupt")
        return real(ballot)

    monkeypatch.setattr(services, "current_tally", broken_for_the_first)

    assert close_expired() == [second.pk]
    assert Ballot.objects.get(pk=first.pk).status == "open"
