"""Reminders before each milestone: CYCLE_REMINDER_DAYS ahead (7 by default), to the
committee seated then, once per milestone per cycle, however often the periodic
task runs and however many workers run it."""

import smtplib
import threading
from datetime import date, timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from committee.models import Event
from cycles import notifications
from cycles.models import Reminder
from cycles.services import cycle_set_summit
from cycles.tasks import notify_milestone_reminder, send_milestone_reminders
from defcore_site.celery import app as celery_app
from tests.factories import SeatFactory, UserFactory

pytestmark = pytest.mark.django_db

# Five days before scoring (S-1, 10 February 2026); the review is 33 days away.
BEFORE_SCORING = date(2026, 2, 5)


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
def committee(chair, cycle):
    """The chair and two members with addresses; and who must not be mailed: a member
    without an address, an inactive member, a member whose seat ended, a reviewer."""
    chair.email = "chair@example.org"
    chair.save()
    for name in ("ann", "bob"):
        SeatFactory(user=UserFactory(username=name, email=f"{name}@example.org"))
    SeatFactory(user=UserFactory(username="noaddress", email=""))
    SeatFactory(user=UserFactory(username="gone", email="gone@example.org", is_active=False))
    SeatFactory(
        user=UserFactory(username="former", email="former@example.org"),
        valid_from=timezone.now() - timedelta(days=400),
        valid_to=timezone.now() - timedelta(days=30),
    )
    UserFactory(username="reviewer", email="reviewer@example.org")
    return cycle


COMMITTEE = ["ann@example.org", "bob@example.org", "chair@example.org"]


def recipients(messages=None):
    messages = mail.outbox if messages is None else messages
    assert all(len(message.to) == 1 for message in messages), "one message per person"
    return sorted(message.to[0] for message in messages)


def reminded():
    return Event.objects.filter(kind="cycle.reminded")


def test_a_milestone_s_reminder_goes_once_to_the_seated_committee(
    committee, today, django_capture_on_commit_callbacks
):
    today(BEFORE_SCORING)

    with django_capture_on_commit_callbacks() as callbacks:
        assert send_milestone_reminders.delay().get() == [Reminder.objects.get().pk]
        assert mail.outbox == [], "nothing is sent before the claim commits"
    for callback in callbacks:
        callback()

    assert recipients() == COMMITTEE
    message = mail.outbox[0]
    assert message.subject == "[DefCore] Cycle 2026.06: Scoring (S-1) on 2026-02-10"
    assert "on Tuesday 2026-02-10" in message.body
    assert "led by the Interop Working Group" in message.body
    assert "(2017A timeline S-1; A4.1 to A4.4)" in message.body
    assert "The summit is on 2026-03-10. The draft is next." in message.body
    assert "https://defcore.example.org/cycles/2026.06/" in message.body
    [event] = reminded()
    assert (event.actor.username, event.channel) == ("system", "task")
    assert event.data == {"name": "2026.06", "milestone": "scoring", "date": "2026-02-10"}
    assert event.guideline_key == "next"

    # The task runs again (every hour), the same day and the next: nothing more.
    for day in (BEFORE_SCORING, date(2026, 2, 6)):
        today(day)
        with django_capture_on_commit_callbacks(execute=True):
            assert send_milestone_reminders.delay().get() == []
    assert len(mail.outbox) == 3
    assert reminded().count() == 1


def test_no_reminder_before_the_window_nor_for_a_milestone_already_past(committee):
    assert notifications.reminders_due(date(2026, 2, 3)) == [(committee.pk, "scoring")]
    assert notifications.reminders_due(date(2026, 2, 2)) == []  # 8 days before scoring
    assert notifications.reminders_due(date(2026, 2, 11)) == []  # scoring past, review far
    assert notifications.reminders_due(date(2025, 11, 1)) == []  # long before the draft
    assert notifications.reminders_due(date(2026, 7, 1)) == []  # the cycle is over


def test_the_window_is_cycle_reminder_days_the_milestone_s_own_day_included(
    committee, settings, django_capture_on_commit_callbacks
):
    settings.CYCLE_REMINDER_DAYS = 0
    assert notifications.reminders_due(date(2026, 2, 9)) == []

    with django_capture_on_commit_callbacks(execute=True):
        claimed = notifications.claim_reminders(date(2026, 2, 10))

    assert [Reminder.objects.get(pk=pk).milestone for pk in claimed] == ["scoring"]
    assert recipients() == COMMITTEE


def test_with_a_longer_window_each_milestone_in_it_is_reminded_once(
    committee, settings, django_capture_on_commit_callbacks
):
    settings.CYCLE_REMINDER_DAYS = 40

    with django_capture_on_commit_callbacks(execute=True):
        claimed = notifications.claim_reminders(BEFORE_SCORING)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.claim_reminders(date(2026, 2, 20)) == []

    assert sorted(Reminder.objects.values_list("milestone", "milestone_date")) == [
        ("review", date(2026, 3, 10)),
        ("scoring", date(2026, 2, 10)),
    ]
    assert len(claimed) == 2
    assert recipients() == sorted(COMMITTEE * 2)


def test_each_cycle_is_reminded_of_its_own_milestones(
    committee, chair, django_capture_on_commit_callbacks
):
    from cycles.services import cycle_create

    # The draft of 2026.09 (summit 5 May) is on 5 February: due the same day as scoring.
    cycle_create(name="2026.09", summit=date(2026, 5, 5), actor=chair)

    with django_capture_on_commit_callbacks(execute=True):
        notifications.claim_reminders(BEFORE_SCORING)

    assert sorted(Reminder.objects.values_list("cycle__name", "milestone")) == [
        ("2026.06", "scoring"),
        ("2026.09", "draft"),
    ]
    subjects = sorted({message.subject for message in mail.outbox})
    assert subjects == [
        "[DefCore] Cycle 2026.06: Scoring (S-1) on 2026-02-10",
        "[DefCore] Cycle 2026.09: Draft (S-3) on 2026-02-05",
    ]


def test_moving_the_summit_after_the_reminder_does_not_remind_of_that_milestone_again(
    committee, chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.claim_reminders(BEFORE_SCORING)
    cycle_set_summit(cycle=committee, summit=date(2026, 3, 12), actor=chair)

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.claim_reminders(date(2026, 2, 6)) == []

    assert len(mail.outbox) == 3


def test_a_summit_moved_out_of_the_window_before_the_claim_sends_nothing(committee, chair):
    """The claim judges the milestone again under the row lock."""
    due = notifications.reminders_due(BEFORE_SCORING)
    assert due == [(committee.pk, "scoring")]
    cycle_set_summit(cycle=committee, summit=date(2026, 3, 31), actor=chair)

    assert notifications.claim_reminders(BEFORE_SCORING) == []
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("days", ["7", -1, 2.5, True, None])
def test_a_bad_setting_is_refused_naming_it(committee, settings, days):
    settings.CYCLE_REMINDER_DAYS = days

    with pytest.raises(ImproperlyConfigured, match="CYCLE_REMINDER_DAYS"):
        notifications.claim_reminders(BEFORE_SCORING)


def test_the_default_is_seven_days(committee, settings):
    del settings.CYCLE_REMINDER_DAYS

    assert notifications.reminder_days() == 7
    assert notifications.reminders_due(date(2026, 2, 3)) == [(committee.pk, "scoring")]


def test_a_failing_mail_server_is_recorded_and_the_claim_stands(
    committee, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.cycles.test_reminders.RefusingBackend"

    with django_capture_on_commit_callbacks(execute=True):
        notifications.claim_reminders(BEFORE_SCORING)

    failure = Event.objects.get(kind="notification.failed", subject_type="cycle")
    assert failure.data["notice"] == "cycle.reminded.scoring"
    assert "SMTPServerDisconnected" in failure.data["error"]
    assert "failed for good" in caplog.text
    assert Reminder.objects.count() == 1
    assert notifications.reminders_due(BEFORE_SCORING) == []


def test_a_worker_retries_only_the_recipients_left_with_back_off(committee, settings, monkeypatch):
    """On a worker (not eager), a failure schedules a retry of those not mailed yet."""
    from votes import notifications as votes_notifications

    reminder = Reminder.objects.create(
        cycle=committee, milestone="scoring", milestone_date=date(2026, 2, 10)
    )
    sent = []

    class FailsOnSecond(BaseEmailBackend):
        def send_messages(self, messages):
            if len(sent) == 1:
                raise smtplib.SMTPServerDisconnected("gone after one")
            sent.extend(message.to[0] for message in messages)
            return len(messages)

    # The sending is votes.notifications.send's: its connection is the one that fails.
    monkeypatch.setattr(votes_notifications, "get_connection", lambda **kw: FailsOnSecond())
    notify_milestone_reminder.push_request(retries=0, is_eager=False, called_directly=False)
    try:
        with pytest.raises(Retry) as retry:
            notify_milestone_reminder.run(reminder.pk)
    finally:
        notify_milestone_reminder.pop_request()

    assert sent == COMMITTEE[:1]
    assert retry.value.when == settings.NOTIFY_RETRY_SECONDS
    still = [u.pk for u in notifications.recipients() if u.email in COMMITTEE[1:]]
    assert retry.value.sig.kwargs == {"user_ids": still}


def test_a_reminder_that_no_longer_exists_sends_nothing(db):
    assert notify_milestone_reminder.run(999_999) == 0
    assert mail.outbox == []


def test_the_periodic_task_is_registered_under_its_beat_name():
    assert "cycles.send_milestone_reminders" in celery_app.tasks
    assert "cycles.notify_milestone_reminder" in celery_app.tasks


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_workers_racing_send_the_reminder_once(committee):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(notifications.claim_reminders(BEFORE_SCORING))
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
    assert sorted(len(claimed) for claimed in results) == [0, 1]
    assert Reminder.objects.count() == 1
    assert reminded().count() == 1
    assert recipients() == COMMITTEE


def test_a_claim_lost_to_another_worker_is_refused_by_the_database_and_sends_nothing(
    committee, monkeypatch, django_capture_on_commit_callbacks
):
    """Where row locks do not hold (SQLite), another worker may insert the reminder
    between this one's check and its insert: the unique constraint refuses the
    second insert, and this worker records and sends nothing."""
    Reminder.objects.create(cycle=committee, milestone="scoring", milestone_date=date(2026, 2, 10))
    monkeypatch.setattr(
        notifications, "reminders_due", lambda today=None: [(committee.pk, "scoring")]
    )
    monkeypatch.setattr(notifications, "is_claimed", lambda cycle_id, key: False)

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.claim_reminders(BEFORE_SCORING) == []

    assert Reminder.objects.count() == 1
    assert not reminded().exists()
    assert mail.outbox == []
