"""Celery tasks of publishing."""

from celery import shared_task


@shared_task(name="releases.publish", acks_late=True)
def publish(release_pk: int) -> list[str]:
    """Run a release's waiting publishing steps, in order (``releases.publishing``).

    Acknowledged late: a worker lost mid-step leaves the message for another,
    and the steps' claims make the second run do only what is left.
    """
    from releases.publishing import run_pending

    return run_pending(release_pk)
