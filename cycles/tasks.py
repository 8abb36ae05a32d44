"""Celery tasks of the cycle calendar: the milestone reminders (``cycles.notifications``)."""

from celery import shared_task
from django.conf import settings


@shared_task(name="cycles.send_milestone_reminders")
def send_milestone_reminders() -> list[int]:
    """Claim and queue the reminder of every milestone due within CYCLE_REMINDER_DAYS,
    exactly once each (Celery beat runs it every hour; several workers may)."""
    from cycles.notifications import claim_reminders

    return claim_reminders()


@shared_task(
    bind=True, name="cycles.notify_milestone_reminder", ignore_result=True, max_retries=None
)
def notify_milestone_reminder(self, reminder_id: int, user_ids: list[int] | None = None) -> int:
    """E-mail the seated committee one milestone's reminder; after a failure, retry those
    not reached yet with back-off (NOTIFY_RETRY_SECONDS x 2^n, NOTIFY_MAX_RETRIES times)."""
    from cycles import notifications
    from cycles.models import Reminder
    from votes.notifications import send

    reminder = Reminder.objects.select_related("cycle").filter(pk=reminder_id).first()
    if reminder is None:
        return 0
    sent, remaining, error = send(notifications.reminder_messages(reminder, only=user_ids))
    if remaining:
        retries = self.request.retries
        # Eagerly (no REDIS_URL) a retry would run at once, inside the caller: give up.
        if not self.request.is_eager and retries < settings.NOTIFY_MAX_RETRIES:
            notifications.logger.warning(
                "cycle %s: %s reminder failed (%s), %d left; retry %d",
                reminder.cycle.name,
                reminder.milestone,
                error,
                len(remaining),
                retries + 1,
            )
            raise self.retry(
                args=(reminder_id,),
                kwargs={"user_ids": remaining},
                countdown=settings.NOTIFY_RETRY_SECONDS * 2**retries,
            )
        notifications.record_failure(reminder, remaining, error)
    return sent
