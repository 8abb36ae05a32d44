"""E-mail about ballots: who receives the opening, the reminder and the closing
mail, that it goes only once the change commits, and that a failing mail server
never blocks or undoes a vote."""

import smtplib
import threading
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.utils import timezone

from committee.models import Event
from defcore_site.celery import app as celery_app
from tests.factories import SeatFactory, UserFactory
from votes import notifications
from votes.models import Ballot, Position
from votes.services import ballot_close, ballot_open, close_expired, position_set
from votes.tasks import notify_ballot_opened, send_ballot_reminders

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("the mail server went away")


@pytest.fixture(autouse=True)
def eager(settings):
    """Tasks run in process here, even where REDIS_URL sends them to a broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.SITE_URL = "https://defcore.example.org"
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def people(chair):
    """The chair and four members with addresses, one member without, and a reviewer."""
    chair.email = "chair@example.org"
    chair.save()
    members = []
    for name in ("ann", "bob", "cyd", "dee"):
        user = UserFactory(username=name, email=f"{name}@example.org")
        SeatFactory(user=user)
        members.append(user)
    SeatFactory(user=UserFactory(username="noaddress", email=""))
    UserFactory(username="reviewer", email="reviewer@example.org")
    return {"chair": chair, "members": members}


def open_ballot(chair, guideline, days=7, **options):
    return ballot_open(
        guideline=guideline,
        kind="question",
        question="Keep compute-keypairs-create\nadvisory in the next guideline?",
        closes_at=timezone.now() + timedelta(days=days),
        actor=chair,
        **options,
    )


def recipients(messages):
    assert all(len(message.to) == 1 for message in messages), "one message per person"
    return sorted(message.to[0] for message in messages)


ELECTORATE = sorted(
    [
        "chair@example.org",
        "ann@example.org",
        "bob@example.org",
        "cyd@example.org",
        "dee@example.org",
    ]
)


def test_opening_mails_the_electorate_after_commit_with_a_link_to_the_ballot(
    demo, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        ballot = open_ballot(people["chair"], demo)  # ballot_open queues the mail
        assert mail.outbox == [], "nothing is sent before the transaction commits"
    for callback in callbacks:
        callback()

    assert recipients(mail.outbox) == ELECTORATE  # not the reviewer, not the one without address
    message = mail.outbox[0]
    assert message.subject.startswith(f"[DefCore] Ballot {ballot.pk} is open: Keep compute")
    assert "\n" not in message.subject
    assert f"https://defcore.example.org/ballots/{ballot.pk}/" in message.body
    assert "UTC" in message.body


def test_a_member_seated_after_opening_is_not_mailed(
    demo, people, django_capture_on_commit_callbacks
):
    ballot = open_ballot(people["chair"], demo)
    SeatFactory(user=UserFactory(username="late", email="late@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        notifications.ballot_opened(ballot)
    assert "late@example.org" not in recipients(mail.outbox)
    assert recipients(mail.outbox) == ELECTORATE


def test_a_rolled_back_opening_sends_nothing(demo, people, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        open_ballot(people["chair"], demo)
        1 / 0  # noqa: B018
    assert callbacks == []
    assert mail.outbox == []
    assert not Ballot.objects.exists()


def closing_soon(ballot, hours=20):
    """Move the ballot so that it closes within a day, having been open for days."""
    now = timezone.now()
    Ballot.objects.filter(pk=ballot.pk).update(
        opened_at=now - timedelta(days=6), closes_at=now + timedelta(hours=hours)
    )


def test_the_reminder_goes_once_to_who_has_no_position(
    demo, people, django_capture_on_commit_callbacks
):
    ann, bob = people["members"][:2]
    ballot = open_ballot(people["chair"], demo)
    position_set(ballot=ballot, actor=ann, value="yes")
    position_set(ballot=ballot, actor=bob, value="abstain")
    closing_soon(ballot)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_ballot_reminders.delay().get() == [ballot.pk]
    assert recipients(mail.outbox) == sorted(
        ["chair@example.org", "cyd@example.org", "dee@example.org"]
    )
    assert "closes soon" in mail.outbox[0].subject
    assert f"https://defcore.example.org/ballots/{ballot.pk}/" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        assert send_ballot_reminders.delay().get() == []
    assert len(mail.outbox) == 3
    reminded = Event.objects.filter(kind="ballot.reminded", subject_id=str(ballot.pk))
    assert reminded.count() == 1
    assert reminded.get().channel == "task"


def test_no_reminder_before_the_last_day_nor_for_a_ballot_open_a_day_or_less(
    demo, people, django_capture_on_commit_callbacks
):
    week = open_ballot(people["chair"], demo, days=7)
    short = open_ballot(people["chair"], demo, days=0.9)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.claim_reminders() == []
    assert mail.outbox == []
    # A day later for the week-long one: it is due; the short one never is.
    closing_soon(week)
    assert notifications.reminders_due() == [week.pk]
    assert short.pk not in notifications.reminders_due(timezone.now() + timedelta(hours=12))


def test_a_closed_ballot_gets_no_reminder(demo, people, django_capture_on_commit_callbacks):
    ballot = open_ballot(people["chair"], demo)
    closing_soon(ballot)
    ballot_close(ballot=ballot, actor=people["chair"], reason="decided at the meeting")
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.claim_reminders() == []
    assert mail.outbox == []


def test_closing_mails_the_electorate_the_outcome_and_tally(
    demo, people, django_capture_on_commit_callbacks
):
    chair, (ann, bob, cyd, _) = people["chair"], people["members"]
    ballot = open_ballot(chair, demo)
    for voter, value in [(chair, "yes"), (ann, "yes"), (bob, "yes"), (cyd, "no")]:
        position_set(ballot=ballot, actor=voter, value=value)
    with django_capture_on_commit_callbacks(execute=True):
        ballot_close(ballot=ballot, actor=chair, reason="the committee met early")

    assert recipients(mail.outbox) == ELECTORATE
    message = mail.outbox[0]
    assert message.subject.startswith(f"[DefCore] Ballot {ballot.pk} passed:")
    assert "Tally: yes 3, no 1, abstain 0, recuse 0, block 0." in message.body
    assert "Reason given: the committee met early" in message.body
    assert f"https://defcore.example.org/ballots/{ballot.pk}/" in message.body


def test_a_failing_mail_server_never_blocks_the_vote_and_the_failure_is_recorded(
    demo, people, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.votes.test_notifications.RefusingBackend"
    chair, ann = people["chair"], people["members"][0]
    with django_capture_on_commit_callbacks(execute=True):
        ballot = open_ballot(chair, demo)
    with django_capture_on_commit_callbacks(execute=True):
        position_set(ballot=ballot, actor=ann, value="yes")
        Ballot.objects.filter(pk=ballot.pk).update(
            opened_at=timezone.now() - timedelta(days=8),
            closes_at=timezone.now() - timedelta(seconds=1),
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert close_expired() == [ballot.pk]

    assert Position.objects.filter(ballot=ballot, voter=ann, current=True).exists()
    assert Ballot.objects.get(pk=ballot.pk).status != "open"
    failures = Event.objects.filter(kind="notification.failed", subject_id=str(ballot.pk))
    assert sorted(failures.values_list("data__notice", flat=True)) == ["closed", "opened"]
    assert all("recipients" not in event.data for event in failures)  # no count kept
    assert "SMTPServerDisconnected" in failures.first().data["error"]
    assert "failed for good" in caplog.text


def test_a_worker_retries_only_the_recipients_left_with_back_off(
    demo, people, settings, monkeypatch
):
    """On a worker (not eager), a failure schedules a retry, with back-off, for those
    not mailed yet. (The real worker does it in test_celery_integration.)"""
    ballot = open_ballot(people["chair"], demo)
    sent = []

    class FailsOnThird(BaseEmailBackend):
        def send_messages(self, messages):
            if len(sent) == 2:
                raise smtplib.SMTPServerDisconnected("gone after two")
            sent.extend(message.to[0] for message in messages)
            return len(messages)

    monkeypatch.setattr(notifications, "get_connection", lambda **kw: FailsOnThird())
    # As a worker runs it: its second retry.
    notify_ballot_opened.push_request(retries=1, is_eager=False, called_directly=False, id="t1")
    try:
        with pytest.raises(Retry) as retry:
            notify_ballot_opened.run(ballot.pk)
    finally:
        notify_ballot_opened.pop_request()

    assert sent == ELECTORATE[:2]
    assert retry.value.when == settings.NOTIFY_RETRY_SECONDS * 2  # twice the first wait
    remaining = [
        user.pk for user in notifications.electorate(ballot) if user.email not in ELECTORATE[:2]
    ]
    assert retry.value.sig.kwargs == {"user_ids": remaining}
    # The retry itself ran eagerly here, failed at once, and so gave up on those three.
    failure = Event.objects.get(kind="notification.failed", subject_id=str(ballot.pk))
    assert failure.data == {"notice": "opened", "error": failure.data["error"]}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_workers_racing_send_the_reminder_once(demo, people):
    ballot = open_ballot(people["chair"], demo)
    closing_soon(ballot)
    mail.outbox.clear()  # the opening mail, sent as the opening committed
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(notifications.claim_reminders())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [[], [ballot.pk]]
    assert Event.objects.filter(kind="ballot.reminded", subject_id=str(ballot.pk)).count() == 1
    assert recipients(mail.outbox) == ELECTORATE


def test_a_reply_mails_the_other_participants_of_the_thread(
    demo, people, django_capture_on_commit_callbacks
):
    from votes.comments import comment_post

    ann, bob = people["members"][:2]
    reviewer = UserFactory(username="reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        first = comment_post(body="Is this test stable?", actor=ann, target=demo)
    assert mail.outbox == [], "nobody else wrote in the thread yet"
    with django_capture_on_commit_callbacks(execute=True):
        reply = comment_post(body="It is, since *2024*.", actor=bob, parent=first)
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(body="Agreed.", actor=reviewer, parent=first)

    # Bob's reply: to ann; the reviewer's: to ann and bob, not to the reviewer.
    assert recipients(mail.outbox) == ["ann@example.org", "ann@example.org", "bob@example.org"]
    assert "cyd@example.org" not in recipients(mail.outbox)
    assert "reviewer@example.org" not in recipients(mail.outbox), "not to its own author"
    assert f"https://defcore.example.org/guidelines/{demo.key}/#comment-{reply.pk}" in (
        mail.outbox[0].body
    )
    assert "It is, since *2024*." in mail.outbox[0].body
