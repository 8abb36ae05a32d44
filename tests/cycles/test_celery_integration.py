"""A real Celery worker, against the Redis broker, runs the periodic reminder task
and sends the milestone's e-mails once, however often the task runs.

Set REDIS_URL to run these (CI does); elsewhere they skip. The worker runs in a
thread of this process (celery.contrib.testing.worker.start_worker), so that it
shares the test database, Django's locmem outbox and the frozen "today"; the
test's changes are committed (``transaction=True``) for the worker to read them.
"""

import os

import pytest
from django.core import mail

from committee.models import Event
from cycles.models import Reminder
from tests.celery_worker import wait_for
from tests.factories import SeatFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs Redis: set REDIS_URL (CI does) to run a real Celery worker against it",
    ),
]


def test_a_worker_reminds_the_committee_of_a_milestone_once(cycle, chair, today, worker, settings):
    from datetime import date

    from cycles.tasks import send_milestone_reminders

    settings.SITE_URL = "https://defcore.example.org"
    chair.email = "chair@example.org"
    chair.save()
    SeatFactory(user=UserFactory(username="ann", email="ann@example.org"))
    today(date(2026, 2, 5))  # five days before scoring (S-1)

    [claimed] = send_milestone_reminders.delay().get(timeout=30)

    wait_for(lambda: len(mail.outbox) >= 2, "the two reminders")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ann@example.org",
        "chair@example.org",
    ]
    assert Reminder.objects.get().pk == claimed
    # Beat runs it again: nothing more is claimed, nothing more is queued.
    assert send_milestone_reminders.delay().get(timeout=30) == []
    assert len(mail.outbox) == 2
    assert Event.objects.filter(kind="cycle.reminded").count() == 1
