"""Reading runs as the caller may see them (RefStack's visibility)."""

from __future__ import annotations

from django.db.models import Q

from compliance.models import TestRun


def is_staff(user) -> bool:
    """The foundation's staff, who see every run (operators make them staff in /admin/)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def visible_runs(user):
    """Unsigned and shared runs for everyone; one's own too; every run for the staff."""
    runs = TestRun.objects.all()
    if is_staff(user):
        return runs
    public = Q(owner__isnull=True) | Q(shared=True)
    if getattr(user, "is_authenticated", False):
        return runs.filter(public | Q(owner=user))
    return runs.filter(public)


def may_see(run: TestRun, user) -> bool:
    if run.owner_id is None or run.shared or is_staff(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and run.owner_id == user.pk)
