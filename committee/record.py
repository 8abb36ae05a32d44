"""Writing the committee's event log (``committee.models.Event``).

Services call ``record`` inside their own transaction, so a change and its
record commit together or not at all. So do the event's webhook deliveries
(``committee.webhooks``), sent once the transaction commits.
"""

from __future__ import annotations

from django.db import transaction

from committee import webhooks
from committee.models import Channel, Event


def record(
    *,
    kind: str,
    actor,
    subject,
    summary: str,
    data: dict | None = None,
    channel: str = Channel.WEB,
    guideline_key: str = "",
) -> Event:
    """Append one event about ``subject`` (a model instance). Must run in the
    caller's transaction: an event without its change, or the reverse, is a lie."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("committee.record.record must run inside the change's transaction")
    event = Event.objects.create(
        kind=kind,
        actor=actor,
        channel=channel,
        subject_type=subject._meta.model_name,
        subject_id=str(subject.pk),
        guideline_key=guideline_key,
        summary=summary[:500],
        data=data or {},
    )
    webhooks.deliveries_for(event, subject)
    return event
