"""Moving a guideline through its life cycle: one service per declared move.

Each move is one transaction: the guideline's row is locked, the move is
checked against ``guidelines.lifecycle.MOVES`` on the status the row has now,
the status changes in the document (exported in the generation's own spelling)
and an event records who, when, from, to, why and the rule. An import is not a
move: it stores what its file says and is recorded as an import.
"""

from __future__ import annotations

from django.db import transaction

from committee.permissions import Action, require
from guidelines.errors import GuidelineError
from guidelines.interop_format.fields import field_set
from guidelines.interop_format.specs import generation_of
from guidelines.lifecycle import DRAFT, REVIEW, SUPERSEDED, move_between
from guidelines.models import EventChannel, EventKind, Guideline
from guidelines.services.artifacts import (
    document_revision_after_change,
    document_revision_before_change,
)
from guidelines.services.changes import guideline_lock, guideline_record_change


@transaction.atomic
def _guideline_move(
    *, guideline: Guideline, target: str, actor, reason: str, channel: str
) -> Guideline:
    require(actor, Action.GUIDELINE_MOVE)
    reason = (reason or "").strip()
    if not reason:
        raise GuidelineError("say why the guideline moves: a move is recorded with its reason")
    locked = guideline_lock(guideline)
    source = locked.status
    move = move_between(source, target)
    # Published guidelines are served from stored revisions: the status is a new one.
    document_revision_before_change(locked)
    field_set(locked, generation_of(locked).guideline, "status", target)
    locked.save(update_fields=["status", "layout", "extra"])
    document_revision_after_change(locked)
    guideline_record_change(
        guideline=locked,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        channel=channel,
        subject=locked.key,
        summary=f"{move.label}: {source} -> {target}",
        before={"status": source},
        after={"status": target},
        data={"reason": reason, "rule": move.rule},
    )
    return locked


def guideline_open_review(
    *, guideline: Guideline, actor, reason: str, channel: str = EventChannel.WEB
) -> Guideline:
    """draft -> review: the draft is published for the community's review (2017A C6.3)."""
    return _guideline_move(
        guideline=guideline, target=REVIEW, actor=actor, reason=reason, channel=channel
    )


def guideline_return_to_draft(
    *, guideline: Guideline, actor, reason: str, channel: str = EventChannel.WEB
) -> Guideline:
    """review -> draft: the committee takes the draft back to work on it."""
    return _guideline_move(
        guideline=guideline, target=DRAFT, actor=actor, reason=reason, channel=channel
    )


def guideline_supersede(
    *, guideline: Guideline, actor, reason: str, channel: str = EventChannel.WEB
) -> Guideline:
    """approved -> superseded: a newer approved guideline replaces it; it is kept (C6.1, C6.2)."""
    return _guideline_move(
        guideline=guideline, target=SUPERSEDED, actor=actor, reason=reason, channel=channel
    )


# The service for each target status, for the routes that take the target as input.
MOVE_SERVICES = {
    REVIEW: guideline_open_review,
    DRAFT: guideline_return_to_draft,
    SUPERSEDED: guideline_supersede,
}
