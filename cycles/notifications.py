"""E-mail before each milestone of a cycle: the seated committee is reminded
``CYCLE_REMINDER_DAYS`` days ahead (7 by default), once per milestone per cycle.

Celery beat runs ``cycles.send_milestone_reminders`` (``cycles.tasks``), which
calls ``claim_reminders``: each due milestone is claimed under its cycle's row
lock by inserting its ``Reminder`` row (unique per cycle and milestone, so a
second worker cannot claim it too, row locks or not) and recording a
``cycle.reminded`` event in the same transaction. The e-mail is queued when the
claim commits and sent by ``cycles.notify_milestone_reminder`` with
``votes.notifications.send``, retried with back-off as the ballot e-mails are;
a mail server that keeps failing ends in a ``notification.failed`` event.

Recipients are whoever is seated when the mail goes (members and the chair),
with an e-mail address and an account that can sign in; one message each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

from committee.models import Channel, Seat
from committee.record import record
from committee.system import system_actor
from cycles import timeline
from cycles.models import Cycle, Reminder
from votes.notifications import Message

logger = logging.getLogger("defcore.notifications")

REMINDED = "cycle.reminded"
STEPS = {step.key: step for step in timeline.STEPS}


def reminder_days() -> int:
    """How many days before a milestone its reminder goes (``CYCLE_REMINDER_DAYS``)."""
    days = getattr(settings, "CYCLE_REMINDER_DAYS", 7)
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ImproperlyConfigured(
            f"CYCLE_REMINDER_DAYS={days!r} is not a whole number of days >= 0."
        )
    return days


def queue_on_commit(task, *args) -> None:
    """Queue ``task`` when the claim commits; a broker that is down is logged, and the
    claim stands (as ``votes.notifications`` does for ballots)."""

    def queue():
        try:
            task.delay(*args)
        except Exception:  # the claim is recorded; operators see the failure in the log
            logger.exception("could not queue %s%r", task.name, args)

    transaction.on_commit(queue, robust=True)


# When.


def reminders_due(today: date | None = None) -> list[tuple[int, str]]:
    """(cycle id, milestone) of every milestone from today to ``reminder_days`` ahead
    whose reminder has not been claimed. A milestone already past gets none."""
    today = today or timeline.today()
    horizon = today + timedelta(days=reminder_days())
    # Milestones are at most three months from their summit: a month's margin either side.
    candidates = Cycle.objects.filter(
        summit__gte=timeline.add_months(today, -(timeline.LAST + 1)),
        summit__lte=timeline.add_months(horizon, -timeline.FIRST + 1),
    ).order_by("summit", "pk")
    claimed = set(
        Reminder.objects.filter(cycle__in=candidates).values_list("cycle_id", "milestone")
    )
    return [
        (cycle.pk, milestone.key)
        for cycle in candidates
        for milestone in timeline.milestones_of(cycle.summit, today)
        if today <= milestone.date <= horizon and (cycle.pk, milestone.key) not in claimed
    ]


def is_claimed(cycle_id: int, key: str) -> bool:
    return Reminder.objects.filter(cycle_id=cycle_id, milestone=key).exists()


def claim_reminders(today: date | None = None) -> list[int]:
    """Claim and queue every due reminder, exactly once; the ids of the reminders claimed.

    Each is claimed in its own transaction under its cycle's row lock (``skip_locked``:
    a worker never waits for another; the next run picks up what it skipped). The
    milestone is judged again under the lock, as the summit may have moved meanwhile."""
    from cycles.tasks import notify_milestone_reminder

    today = today or timeline.today()
    horizon = today + timedelta(days=reminder_days())
    claimed = []
    for cycle_id, key in reminders_due(today):
        try:
            with transaction.atomic():
                cycle = (
                    Cycle.objects.select_for_update(skip_locked=True).filter(pk=cycle_id).first()
                )
                if cycle is None:
                    continue  # another worker holds it
                milestone = next(
                    m for m in timeline.milestones_of(cycle.summit, today) if m.key == key
                )
                if not today <= milestone.date <= horizon:
                    continue  # the summit moved since
                if is_claimed(cycle.pk, key):
                    continue  # another worker claimed it
                reminder = Reminder.objects.create(
                    cycle=cycle, milestone=key, milestone_date=milestone.date
                )
                record(
                    kind=REMINDED,
                    actor=system_actor(),
                    subject=cycle,
                    channel=Channel.TASK,
                    guideline_key=cycle.guideline_key,
                    summary=(
                        f"Cycle {cycle.name}: the committee reminded of {milestone.label} "
                        f"({milestone.code}) on {milestone.date:%Y-%m-%d}"
                    ),
                    data={"name": cycle.name, "milestone": key, "date": milestone.date.isoformat()},
                )
                queue_on_commit(notify_milestone_reminder, reminder.pk)
        except IntegrityError:
            # Without row locks (SQLite) another worker inserted the same reminder
            # between our check and our insert: the constraint refused the second.
            continue
        claimed.append(reminder.pk)
    return claimed


# Who and what.


def recipients() -> list:
    """Who is seated now (members and the chair), and can be reached."""
    users = get_user_model().objects.filter(
        pk__in=Seat.objects.current().values("user"), is_active=True
    )
    return list(users.exclude(email="").order_by("username"))


def link(cycle: Cycle) -> str:
    return f"{settings.SITE_URL}/cycles/{cycle.name}/"


def reminder_messages(reminder: Reminder, only: Iterable[int] | None = None) -> list[Message]:
    """One message per recipient (``only``: those user ids, for a retry)."""
    cycle, step = reminder.cycle, STEPS[reminder.milestone]
    code = timeline.code_of(step.offset)
    subject = (
        f"[DefCore] Cycle {cycle.name}: {step.label} ({code}) on {reminder.milestone_date:%Y-%m-%d}"
    )
    draft = f" The draft is {cycle.guideline_key}." if cycle.guideline_key else ""
    body = (
        f"The cycle of guideline {cycle.name} reaches its next milestone on "
        f"{reminder.milestone_date:%A %Y-%m-%d}:\n\n"
        f"{step.label} ({code}), led by {step.lead}.\n"
        f"{step.meaning} ({step.rule})\n\n"
        f"The summit is on {cycle.summit:%Y-%m-%d}.{draft}\n"
        f"Every milestone of the cycle: {link(cycle)}\n\n"
        "You receive this as a member of the interoperability committee.\n"
    )
    wanted = None if only is None else set(only)
    return [
        (user.pk, EmailMessage(subject=subject, body=body, to=[user.email]))
        for user in recipients()
        if wanted is None or user.pk in wanted
    ]


def record_failure(reminder: Reminder, user_ids: list[int], error: str) -> None:
    """The mail server kept failing: say so in the log and in the committee's record."""
    cycle = reminder.cycle
    logger.error(
        "cycle %s: the %s reminder to %d recipients failed for good: %s",
        cycle.name,
        reminder.milestone,
        len(user_ids),
        error,
    )
    with transaction.atomic():
        record(
            kind="notification.failed",
            actor=system_actor(),
            subject=cycle,
            channel=Channel.TASK,
            guideline_key=cycle.guideline_key,
            summary=(
                f"Cycle {cycle.name}: the {reminder.milestone} reminder could not be sent: {error}"
            )[:500],
            data={"notice": f"{REMINDED}.{reminder.milestone}", "error": error},
        )
