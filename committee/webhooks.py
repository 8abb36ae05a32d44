"""Outgoing webhooks: every committee event, POSTed to the subscribers that want it.

``record`` (``committee.record``) calls ``deliveries_for`` in the change's own
transaction: a ``Delivery`` row per matching active webhook, and a Celery task
queued on commit (``committee.tasks.deliver_webhook``). A rolled-back change
sends nothing; a failing endpoint never blocks or undoes the change.

The body is the event as JSON (``body_of``), the same bytes at every attempt.
Headers:

- ``X-DefCore-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the secret>``
- ``X-DefCore-Event: <kind>`` (``ballot.opened``...)
- ``X-DefCore-Delivery: <delivery id>`` (the same at every attempt: receivers
  may use it to drop a repeat)

An attempt that gets no 2xx answer within ``WEBHOOK_TIMEOUT`` seconds is
retried after ``WEBHOOK_RETRY_SECONDS`` x 2^(attempt-1), up to
``WEBHOOK_MAX_ATTEMPTS`` attempts; each is kept in ``Delivery.attempt_log``.

While a ballot hides its positions, position events are not sent at all
(``withheld``): nobody sees early results, subscribers included.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from committee.models import Delivery, DeliveryStatus, Event, Webhook

logger = logging.getLogger("defcore.webhooks")

SIGNATURE_HEADER = "X-DefCore-Signature"
EVENT_HEADER = "X-DefCore-Event"
DELIVERY_HEADER = "X-DefCore-Delivery"
# Event kinds that would tell how members vote.
POSITION_KINDS = ("position.",)


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 6))


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: base x 2^(n-1), at most a day."""
    base = float(getattr(settings, "WEBHOOK_RETRY_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 24 * 3600))


def withheld(kind: str, subject) -> bool:
    """A position on a ballot that hides its positions while open is not sent.

    Duck-typed on the subject (``positions_visible``, ``is_open``): the committee
    knows nothing of ballots."""
    return (
        kind.startswith(POSITION_KINDS)
        and getattr(subject, "positions_visible", True) is False
        and bool(getattr(subject, "is_open", True))
    )


def deliveries_for(event: Event, subject=None) -> list[Delivery]:
    """Create the deliveries of a just-recorded event, in the caller's transaction,
    and queue their sending for when it commits."""
    if withheld(event.kind, subject):
        return []
    webhooks = [hook for hook in Webhook.objects.filter(active=True) if hook.wants(event.kind)]
    if not webhooks:
        return []
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        Delivery(webhook=hook, event=event, next_attempt_at=now) for hook in webhooks
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: queue(ids), robust=True)
    return deliveries


def queue(delivery_ids: list[int], countdown: float | None = None) -> None:
    """Hand deliveries to Celery. A broker that is down is logged, not raised: the
    periodic ``committee.retry_due_webhooks`` picks them up later."""
    from committee.tasks import deliver_webhook

    for pk in delivery_ids:
        try:
            deliver_webhook.apply_async((pk,), countdown=countdown)
        except Exception:
            logger.exception("could not queue webhook delivery %s", pk)


def body_of(event: Event) -> bytes:
    """The event as the subscriber receives it: compact JSON, keys sorted."""
    payload = {
        "id": event.pk,
        "kind": event.kind,
        "at": event.at.isoformat(),
        "actor": event.actor.get_username(),
        "channel": event.channel,
        "subject": {"type": event.subject_type, "id": event.subject_id},
        "guideline": event.guideline_key or None,
        "summary": event.summary,
        "data": event.data,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def signature(secret: str, body: bytes) -> str:
    """The signature header's value: what a receiver recomputes to trust a body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (in Python): compare in constant time."""
    return hmac.compare_digest(signature(secret, body), header or "")


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST; the status code of any answer (a 4xx or 5xx too). Raises on no answer."""
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"{url!r} is not an http:// or https:// address")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    timeout = float(getattr(settings, "WEBHOOK_TIMEOUT", 5))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read(1024)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def attempt(delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Make the next attempt of a pending delivery that is due, and record it.

    Claimed with a conditional UPDATE on the attempt count, so two workers (the
    countdown retry and the periodic sweep) never make the same attempt twice.
    Returns the delivery as it is afterwards, or None when there was nothing to do.
    """
    now = now or timezone.now()
    delivery = (
        Delivery.objects.select_related("webhook", "event", "event__actor")
        .filter(pk=delivery_id)
        .first()
    )
    if (
        delivery is None
        or delivery.status != DeliveryStatus.PENDING
        or (delivery.next_attempt_at and delivery.next_attempt_at > now)
    ):
        return None
    number = delivery.attempts + 1
    claimed = Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts
    ).update(
        # A lease: should this worker die mid-attempt, the sweep retries after it.
        attempts=F("attempts") + 1,
        next_attempt_at=now + backoff(number),
    )
    if not claimed:
        return None  # another worker is making this attempt
    hook = delivery.webhook
    body = body_of(delivery.event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "DefCore-Site-Webhooks/1",
        SIGNATURE_HEADER: signature(hook.secret, body),
        EVENT_HEADER: delivery.event.kind,
        DELIVERY_HEADER: str(delivery.pk),
    }
    started = time.monotonic()
    code, error = None, ""
    try:
        code = _post(hook.url, body, headers)
        if not 200 <= code < 300:
            error = f"the endpoint answered {code}"
    except Exception as exc:  # no answer: refused, timed out, bad address...
        error = f"{type(exc).__name__}: {exc}"[:1000]
    done = timezone.now()
    entry = {
        "attempt": number,
        "at": done.isoformat(),
        "code": code,
        "error": error,
        "ms": round((time.monotonic() - started) * 1000),
    }
    delivery.refresh_from_db()
    delivery.attempt_log = [*delivery.attempt_log, entry]
    delivery.response_code = code
    delivery.error = error
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = done
        delivery.next_attempt_at = None
    elif number >= max_attempts():
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        logger.error(
            "webhook delivery %s to %s failed after %s attempts: %s",
            delivery.pk,
            hook.url,
            number,
            error,
        )
    else:
        delivery.next_attempt_at = done + backoff(number)
        logger.warning(
            "webhook delivery %s to %s, attempt %s: %s; next at %s",
            delivery.pk,
            hook.url,
            number,
            error,
            delivery.next_attempt_at.isoformat(),
        )
    delivery.save(
        update_fields=[
            "attempt_log",
            "response_code",
            "error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery


def due(now: datetime | None = None) -> list[int]:
    """Pending deliveries whose next attempt is due (what the periodic sweep retries)."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
