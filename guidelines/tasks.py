"""Celery tasks of the guidelines."""

from celery import shared_task


@shared_task(name="guidelines.render_revision", acks_late=True)
def render_revision(guideline_pk: int, number: int) -> int:
    """Store the renderings of a published revision (after a flag change made it)."""
    from guidelines.models import Guideline
    from guidelines.services.artifacts import renderings_store

    guideline = Guideline.objects.filter(pk=guideline_pk).first()
    if guideline is None:
        return 0
    return len(renderings_store(guideline, number=number))
