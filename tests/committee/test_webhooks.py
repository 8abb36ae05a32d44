"""Outgoing webhooks: a signature the receiver can verify, deliveries created with
the event and sent after commit, a failing endpoint retried with back-off and every
attempt recorded, and the vote committed whatever the endpoint does."""

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from committee import webhooks
from committee.models import Delivery, Event, Webhook
from committee.tasks import retry_due_webhooks
from defcore_site.celery import app as celery_app
from tests.factories import SeatFactory, UserFactory
from votes.models import Position
from votes.services import ballot_open, position_set

pytestmark = pytest.mark.django_db

SECRET = "s3cret-shared-with-the-receiver"


@pytest.fixture(autouse=True)
def eager():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


class Receiver:
    """An HTTP endpoint on 127.0.0.1 that answers the codes it is given, in turn
    (the last one thereafter), and keeps what it received."""

    def __init__(self, codes=(200,)):
        self.codes = list(codes)
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers, body))  # case-insensitive
                code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(codes=(200,)):
        made.append(Receiver(codes))
        return made[-1]

    yield make
    for one in made:
        one.close()


def refused_url():
    """An address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.fixture
def voters(chair):
    return [chair, SeatFactory(user=UserFactory(username="ann")).user]


def subscribe(url, kinds="ballot.", **extra):
    creator = UserFactory(username="operator")
    return Webhook.objects.create(url=url, secret=SECRET, kinds=kinds, created_by=creator, **extra)


def open_ballot(chair, guideline, **options):
    return ballot_open(
        guideline=guideline,
        kind="question",
        question="Flag test_foo?",
        closes_at=timezone.now() + timedelta(days=7),
        actor=chair,
        **options,
    )


def test_the_receiver_verifies_the_signature_of_the_exact_body(
    demo, voters, receiver, django_capture_on_commit_callbacks
):
    endpoint = receiver()
    hook = subscribe(endpoint.url)
    with django_capture_on_commit_callbacks(execute=True):
        ballot = open_ballot(voters[0], demo)
        assert endpoint.received == [], "nothing is sent before the commit"

    assert len(endpoint.received) == 1
    headers, body = endpoint.received[0]
    # What a receiver does, written out without the project's code:
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-DefCore-Signature"], expected)
    assert not hmac.compare_digest(
        headers["X-DefCore-Signature"],
        "sha256=" + hmac.new(b"another secret", body, hashlib.sha256).hexdigest(),
    )
    payload = json.loads(body)
    event = Event.objects.get(kind="ballot.opened")
    assert payload["id"] == event.pk
    assert payload["kind"] == headers["X-DefCore-Event"] == "ballot.opened"
    assert payload["subject"] == {"type": "ballot", "id": str(ballot.pk)}
    assert payload["guideline"] == demo.key
    assert payload["actor"] == "chair"
    assert headers["Content-Type"] == "application/json"

    delivery = Delivery.objects.get(webhook=hook)
    assert headers["X-DefCore-Delivery"] == str(delivery.pk)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None
    assert [entry["code"] for entry in delivery.attempt_log] == [200]
    assert webhooks.verify(SECRET, body, headers["X-DefCore-Signature"])


def test_only_active_webhooks_that_want_the_kind_get_it(
    demo, voters, receiver, django_capture_on_commit_callbacks
):
    ballots_only, everything, inactive = receiver(), receiver(), receiver()
    subscribe(ballots_only.url, kinds="ballot.")
    subscribe(everything.url, kinds="")
    subscribe(inactive.url, kinds="", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ballot = open_ballot(voters[0], demo)
    with django_capture_on_commit_callbacks(execute=True):
        position_set(ballot=ballot, actor=voters[1], value="yes")

    def kinds(endpoint):
        return [json.loads(body)["kind"] for _, body in endpoint.received]

    assert kinds(ballots_only) == ["ballot.opened"]
    assert kinds(everything) == ["ballot.opened", "position.set"]
    assert kinds(inactive) == []


def test_positions_of_a_hidden_ballot_are_never_sent(
    demo, voters, receiver, django_capture_on_commit_callbacks
):
    endpoint = receiver()
    subscribe(endpoint.url, kinds="")
    with django_capture_on_commit_callbacks(execute=True):
        ballot = open_ballot(voters[0], demo, positions_visible=False)
    with django_capture_on_commit_callbacks(execute=True):
        position_set(ballot=ballot, actor=voters[1], value="no")
    assert [json.loads(body)["kind"] for _, body in endpoint.received] == ["ballot.opened"]
    assert not Delivery.objects.filter(event__kind="position.set").exists()


def test_a_rolled_back_change_delivers_nothing(
    demo, voters, receiver, django_capture_on_commit_callbacks
):
    endpoint = receiver()
    subscribe(endpoint.url)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        open_ballot(voters[0], demo)
        1 / 0  # noqa: B018
    assert callbacks == []
    assert endpoint.received == []
    assert not Delivery.objects.exists()


def test_a_failing_endpoint_is_retried_with_back_off_every_attempt_recorded_and_the_vote_stands(
    demo, voters, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 6
    settings.WEBHOOK_RETRY_SECONDS = 60
    endpoint = receiver(codes=(500,))
    subscribe(endpoint.url, kinds="position.")
    ballot = open_ballot(voters[0], demo)
    with django_capture_on_commit_callbacks(execute=True):
        position_set(ballot=ballot, actor=voters[1], value="yes")

    assert Position.objects.filter(ballot=ballot, voter=voters[1], current=True).exists()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.error == "the endpoint answered 500"
    assert webhooks.attempt(delivery.pk) is None, "not due yet: nothing is sent"
    assert len(endpoint.received) == 1

    waits = []
    while delivery.status == "pending":
        last = delivery.attempt_log[-1]["at"]
        waits.append((delivery.next_attempt_at - timezone.datetime.fromisoformat(last)).seconds)
        delivery = webhooks.attempt(delivery.pk, now=delivery.next_attempt_at)

    assert waits == [60, 120, 240, 480, 960]
    assert (delivery.status, delivery.attempts) == ("failed", 6)
    assert [entry["attempt"] for entry in delivery.attempt_log] == [1, 2, 3, 4, 5, 6]
    assert {entry["code"] for entry in delivery.attempt_log} == {500}
    assert len(endpoint.received) == 6
    bodies = {body for _, body in endpoint.received}
    ids = {headers["X-DefCore-Delivery"] for headers, _ in endpoint.received}
    assert len(bodies) == 1 and ids == {str(delivery.pk)}, "the same body and id at every attempt"
    assert webhooks.attempt(delivery.pk, now=timezone.now() + timedelta(days=2)) is None


def test_a_refused_connection_is_recorded_and_the_vote_stands(
    demo, voters, django_capture_on_commit_callbacks
):
    subscribe(refused_url(), kinds="")
    with django_capture_on_commit_callbacks(execute=True):
        ballot = open_ballot(voters[0], demo)
    with django_capture_on_commit_callbacks(execute=True):
        position = position_set(ballot=ballot, actor=voters[1], value="block", reason="untested")

    assert Position.objects.get(pk=position.pk).current
    deliveries = Delivery.objects.order_by("pk")
    assert [d.event.kind for d in deliveries] == ["ballot.opened", "position.set"]
    for delivery in deliveries:
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, None)
        assert "refused" in delivery.error.lower()
        assert delivery.next_attempt_at > timezone.now()


def test_the_sweep_retries_what_is_due_and_a_recovered_endpoint_gets_it(
    demo, voters, receiver, django_capture_on_commit_callbacks
):
    endpoint = receiver(codes=(503, 200))
    subscribe(endpoint.url)
    with django_capture_on_commit_callbacks(execute=True):
        open_ballot(voters[0], demo)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending"
    assert retry_due_webhooks.delay().get() == [], "not due yet"

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert retry_due_webhooks.delay().get() == [delivery.pk]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    assert [entry["code"] for entry in delivery.attempt_log] == [503, 200]
    assert len(endpoint.received) == 2


def test_an_attempt_already_claimed_is_not_made_twice(demo, voters, receiver, monkeypatch):
    """Two workers on one delivery: the conditional UPDATE lets one make the attempt."""
    endpoint = receiver()
    subscribe(endpoint.url)
    open_ballot(voters[0], demo)  # its on_commit never runs in this test's transaction
    delivery = Delivery.objects.get()
    # Another worker claims attempt 1 between our read and our claim.
    real_filter = Delivery.objects.filter

    def racing_filter(*args, **kwargs):
        if "attempts" in kwargs:
            Delivery.objects.filter(pk=delivery.pk).update(attempts=1)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Delivery.objects, "filter", racing_filter)
    assert webhooks.attempt(delivery.pk) is None
    assert endpoint.received == []
