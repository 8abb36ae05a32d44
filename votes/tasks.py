"""Celery tasks of deliberation."""

from celery import shared_task
from django.conf import settings

from votes.services import close_expired


@shared_task(name="votes.close_expired_ballots")
def close_expired_ballots() -> list[int]:
    """Close the ballots past their deadline (Celery beat runs it every minute).
    Several workers may run it at once: each ballot is closed exactly once."""
    return close_expired()


# E-mail about ballots (votes.notifications). Each task sends to the recipients it
# is given (all, the first time); after a failure it retries the rest with back-off.


def _send(task, which: str, pk: int, user_ids: list[int] | None) -> int:
    from votes import notifications
    from votes.models import Ballot

    if which == "comment":
        from votes.models import Comment

        subject = Comment.objects.select_related("author").filter(pk=pk).first()
        build = notifications.comment_messages
    else:
        subject = Ballot.objects.select_related("guideline").filter(pk=pk).first()
        build = notifications.MESSAGES[which]
    if subject is None:
        return 0
    messages = build(subject, only=user_ids)
    sent, remaining, error = notifications.send(messages)
    if remaining:
        retries = task.request.retries
        # Eagerly (no REDIS_URL) a retry would run at once, inside the request: give up.
        if not task.request.is_eager and retries < settings.NOTIFY_MAX_RETRIES:
            notifications.logger.warning(
                "%s %s: %s e-mail failed (%s), %d left; retry %d",
                type(subject).__name__,
                pk,
                which,
                error,
                len(remaining),
                retries + 1,
            )
            raise task.retry(
                args=(pk,),
                kwargs={"user_ids": remaining},
                countdown=settings.NOTIFY_RETRY_SECONDS * 2**retries,
            )
        notifications.record_failure(subject, which, remaining, error)
    return sent


@shared_task(bind=True, name="votes.notify_ballot_opened", ignore_result=True, max_retries=None)
def notify_ballot_opened(self, ballot_id: int, user_ids: list[int] | None = None) -> int:
    """E-mail the electorate of a ballot that has opened."""
    return _send(self, "opened", ballot_id, user_ids)


@shared_task(bind=True, name="votes.notify_ballot_reminder", ignore_result=True, max_retries=None)
def notify_ballot_reminder(self, ballot_id: int, user_ids: list[int] | None = None) -> int:
    """E-mail the voters of a ballot closing within a day who have no position yet."""
    return _send(self, "reminder", ballot_id, user_ids)


@shared_task(bind=True, name="votes.notify_ballot_closed", ignore_result=True, max_retries=None)
def notify_ballot_closed(self, ballot_id: int, user_ids: list[int] | None = None) -> int:
    """E-mail the electorate the outcome and tally of a ballot that has closed."""
    return _send(self, "closed", ballot_id, user_ids)


@shared_task(name="votes.send_ballot_reminders")
def send_ballot_reminders() -> list[int]:
    """Find the ballots closing within a day whose reminder has not gone, and send
    it, exactly once each (Celery beat runs it every five minutes)."""
    from votes.notifications import claim_reminders

    return claim_reminders()


@shared_task(bind=True, name="votes.notify_comment_posted", ignore_result=True, max_retries=None)
def notify_comment_posted(self, comment_id: int, user_ids: list[int] | None = None) -> int:
    """E-mail the other participants of a comment's thread."""
    return _send(self, "comment", comment_id, user_ids)
