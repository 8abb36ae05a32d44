"""Celery tasks of the committee: sending webhook deliveries (``committee.webhooks``)."""

from celery import shared_task
from django.utils import timezone

from committee import webhooks
from committee.models import DeliveryStatus


@shared_task(name="committee.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> str | None:
    """Make a delivery's next attempt; after a failure, schedule the next one with
    back-off. In eager mode (no REDIS_URL) the retries wait for the periodic sweep
    rather than run inline: a failing endpoint must not hold up a request."""
    delivery = webhooks.attempt(delivery_id)
    if delivery is None:
        return None
    if delivery.status == DeliveryStatus.PENDING and not deliver_webhook.request.is_eager:
        wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
        webhooks.queue([delivery.pk], countdown=max(wait, 0) + 1)
    return delivery.status


@shared_task(name="committee.retry_due_webhooks", ignore_result=True)
def retry_due_webhooks() -> list[int]:
    """The safety net (Celery beat, every minute): attempt every pending delivery
    whose time has come, whether its countdown task was lost or never queued."""
    ids = webhooks.due()
    for pk in ids:
        deliver_webhook.delay(pk)
    return ids
