"""Starting the next draft as a copy of a guideline (2017A A1.1, A1.2)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from committee.permissions import Action, require
from guidelines.errors import GuidelineError, VersionConflict
from guidelines.interop_format.fields import field_set
from guidelines.interop_format.specs import generation_of
from guidelines.models import EventChannel, EventKind, Guideline, GuidelineEvent, GuidelineStatus
from guidelines.selectors import guideline_bundle
from guidelines.services.changes import forget_served_at_commit
from guidelines.services.importing import bundle_save, guideline_key_validate


def draft_name_for(source: Guideline) -> str:
    """2017A A1.2: the working name is ``next``; an add-on's is ``<add-on>.next``."""
    return f"{source.family}.next" if source.family else "next"


def guideline_start_draft(
    *,
    source: Guideline,
    actor,
    name: str | None = None,
    channel: str = EventChannel.COMMAND,
) -> Guideline:
    """Start a new draft as a copy of ``source`` (2017A A1.1, A1.2).

    The copy differs from its source only in its name, status (draft) and
    ``replaces`` (the source).
    """
    require(actor, Action.DRAFT_START)
    name = name or draft_name_for(source)
    guideline_key_validate(name)
    if Guideline.objects.filter(key=name).exists():
        raise name_taken(name)
    try:
        return _draft_store(source=source, name=name, actor=actor, channel=channel)
    except (IntegrityError, GuidelineError):
        # Two starts of the same name raced, and this one lost: the other
        # committed between the check above and the insert, which then failed
        # on the unique key (or the model's own uniqueness check saw it first).
        # _draft_store's transaction (a savepoint inside the caller's) is rolled
        # back, so the connection can still ask.
        if Guideline.objects.filter(key=name).exists():
            raise name_taken(name) from None
        raise


def name_taken(name: str) -> VersionConflict:
    """The refusal of a start whose name another guideline has: a conflict (409)."""
    existing = Guideline.objects.filter(key=name).values("key", "status", "replaces").first()
    return VersionConflict(
        f"guideline {name} already exists; choose another name with --name", current=existing
    )


def draft_copy(*, source: Guideline, name: str, status: str) -> Guideline:
    """A copy of ``source`` named ``name`` in ``status``, replacing ``source``; no event.

    Runs in the caller's transaction. What a new draft and a new release share.
    """
    # A fresh instance: the bundle's rows become the copy's, and the
    # caller's ``source`` must keep describing the source.
    bundle = guideline_bundle(Guideline.objects.get(pk=source.pk))
    copy = bundle.guideline
    copy.pk = None
    copy._state.adding = True
    copy.key = name
    copy.revision = 1
    spec = generation_of(copy).guideline
    field_set(copy, spec, "doc_id", name)
    field_set(copy, spec, "status", status)
    field_set(copy, spec, "replaces", source.key)
    bundle_save(bundle)
    forget_served_at_commit(name)
    return copy


@transaction.atomic
def _draft_store(*, source: Guideline, name: str, actor, channel: str) -> Guideline:
    draft = draft_copy(source=source, name=name, status=GuidelineStatus.DRAFT)
    GuidelineEvent.objects.create(
        guideline=draft,
        kind=EventKind.DRAFT_STARTED,
        channel=channel,
        actor=actor,
        summary=f"Draft started from {source.key}",
        data={"source": source.key},
    )
    return draft
