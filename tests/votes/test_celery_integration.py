"""A real Celery worker, against the Redis broker, sends the e-mails of a ballot
opening, and retries them when the mail server fails.

CI sets REDIS_URL; elsewhere these tests skip. The worker runs in a thread of
this process (celery.contrib.testing.worker.start_worker), so that it shares the
test database and Django's locmem mail outbox; the test's changes are committed
(``transaction=True``) for the worker to read them.
"""

import os
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from tests.celery_worker import wait_for
from tests.factories import SeatFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs Redis: set REDIS_URL (CI does) to run a real Celery worker against it",
    ),
]

FAILURES = {"left": 0}


class FlakyBackend(LocmemBackend):
    """A mail server that fails FAILURES["left"] times, then works."""

    def send_messages(self, messages):
        if FAILURES["left"] > 0:
            FAILURES["left"] -= 1
            raise smtplib.SMTPServerDisconnected("the mail server went away")
        return super().send_messages(messages)


@pytest.fixture
def committee(chair):
    chair.email = "chair@example.org"
    chair.save()
    for name in ("ann", "bob"):
        SeatFactory(user=UserFactory(username=name, email=f"{name}@example.org"))
    SeatFactory(user=UserFactory(username="noaddress", email=""))
    return chair


def open_ballot(chair, guideline):
    """Opened as the chair does: ballot_open queues the e-mail for after its commit."""
    from votes.services import ballot_open

    return ballot_open(
        guideline=guideline,
        kind="question",
        question="Approve the next guideline?",
        closes_at=timezone.now() + timedelta(days=7),
        actor=chair,
    )


def test_a_worker_sends_the_opening_e_mails(demo, committee, worker, settings):
    settings.SITE_URL = "https://defcore.example.org"
    ballot = open_ballot(committee, demo)

    wait_for(lambda: len(mail.outbox) >= 3, "the three opening e-mails")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ann@example.org",
        "bob@example.org",
        "chair@example.org",
    ]
    assert all(f"/ballots/{ballot.pk}/" in message.body for message in mail.outbox)


def test_a_worker_retries_when_the_mail_server_fails(demo, committee, worker, settings):
    from committee.models import Event

    settings.EMAIL_BACKEND = "tests.votes.test_celery_integration.FlakyBackend"
    settings.NOTIFY_RETRY_SECONDS = 1
    FAILURES["left"] = 2
    ballot = open_ballot(committee, demo)

    wait_for(lambda: len(mail.outbox) >= 3, "the opening e-mails, after two failures")
    assert FAILURES["left"] == 0
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ann@example.org",
        "bob@example.org",
        "chair@example.org",
    ]
    assert not Event.objects.filter(kind="notification.failed", subject_id=str(ballot.pk)).exists()
