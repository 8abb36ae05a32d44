"""What every write to a guideline does: lock it, check the process rules, record it.

A write service, in any app, runs in one transaction and

1. asks ``committee.permissions.require`` whether the actor may act;
2. calls ``guideline_change_begin``: the guideline's row is locked
   (``select_for_update``: a change racing an approval waits for it, then sees
   the new status) and the life cycle's rules for that kind of change are
   checked on what the row says *now*;
3. makes the change, then ``guideline_record_change``: who, when, what before
   and after, through which channel, in the same transaction.

Lock order is always the guideline first, then the rows inside it, so two
writers never wait on each other crosswise.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from guidelines import serving
from guidelines.lifecycle import Change, require_allowed
from guidelines.models import Guideline, GuidelineEvent


def guideline_lock(guideline: Guideline | int) -> Guideline:
    """The guideline's row as it is now, locked until the transaction ends."""
    pk = guideline.pk if isinstance(guideline, Guideline) else guideline
    return Guideline.objects.select_for_update().get(pk=pk)


def guideline_change_begin(guideline: Guideline | int, *, change: Change, what: str) -> Guideline:
    """Lock the guideline and refuse, naming the rule, a change its status does not take.

    Call inside the write's transaction, before reading what the change depends on.
    """
    locked = guideline_lock(guideline)
    require_allowed(locked.key, locked.status, change, what=what)
    return locked


def forget_served_at_commit(key: str) -> None:
    """Tooling must not get the old bytes once the change is visible.

    At commit this process asks the database again at the next read (and builds
    the new revision once, serving the old one only to readers that arrive while
    it is built); others notice within SERVING_STAMP_TTL (``guidelines.serving``).
    """
    transaction.on_commit(lambda: serving.CACHE.forget(key))


def guideline_record_change(
    *,
    guideline: Guideline,
    kind: str,
    actor,
    channel: str,
    subject: str,
    summary: str,
    before=None,
    after=None,
    data: dict | None = None,
    content_changed: bool = True,
) -> GuidelineEvent:
    """Log who changed what, through which channel; bump the revision if the content changed.

    Call inside the transaction of the change, with the actor the permission
    check accepted. The revision feeds draft ETags and editors' conflict checks;
    the served bytes are forgotten at commit.
    """
    if content_changed:
        Guideline.objects.filter(pk=guideline.pk).update(
            revision=models.F("revision") + 1, updated_at=timezone.now()
        )
        guideline.refresh_from_db(fields=["revision", "updated_at"])
        forget_served_at_commit(guideline.key)
    payload = dict(data or {})
    if before is not None or after is not None:
        payload.update(before=before, after=after)
    return GuidelineEvent.objects.create(
        guideline=guideline,
        kind=kind,
        channel=channel,
        actor=actor,
        subject=subject,
        summary=summary,
        data=payload,
    )
