"""Publishing a draft as a dated guideline: the document side of an approval.

``guideline_publish`` is what an approval does to guidelines (2017A C6.1-C6.3,
D4.1; HACKING D304), in the caller's transaction:

1. the release ``YYYY.MM`` (``<add-on>.YYYY.MM``) is created as a copy of the
   draft, approved, with its ``id``, ``replaces`` (the newest approved guideline
   of its kind), ``source`` and ``target_approval`` right, and ``required_since``
   set for each capability required now and not in the guideline it replaces;
2. its JSON document is validated against the corrected schema of its
   generation and stored as published revision 1 (``guidelines.models.Artifact``);
3. the oldest approved guidelines of its kind are superseded so that only the
   newest ``keep`` stay approved (C6.1);
4. the draft stays, for the next cycle, back in draft status and now replacing
   the release.

Whether the approval may happen (a passed ballot, the drafting rules' findings)
is decided above, by ``releases.services``, which calls this.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from guidelines.errors import RuleRefused, VersionConflict
from guidelines.interop_format.fields import field_set
from guidelines.interop_format.specs import generation_of
from guidelines.lifecycle import APPROVED, DRAFT, PUBLISHED, REVIEW
from guidelines.models import (
    Capability,
    ComponentEntry,
    EntryKind,
    EventKind,
    Guideline,
    GuidelineEvent,
)
from guidelines.services.artifacts import document_revision_store
from guidelines.services.changes import (
    forget_served_at_commit,
    guideline_lock,
    guideline_record_change,
)
from guidelines.services.drafts import draft_copy
from guidelines.services.moves import guideline_supersede

DATED = re.compile(r"(?P<year>[0-9]{4})\.(?P<month>[0-9]{2})")
# The first guideline the committee dated (the legacy Havana list, DOMAIN.md section 2).
FIRST_YEAR = 2014


def release_name(draft: Guideline, name: str, *, today: date | None = None) -> str:
    """The full name of the release of ``draft`` called ``name`` (2017A D4.1).

    ``name`` is ``YYYY.MM``, the month of the Board's approval; an add-on's
    draft is released as ``<add-on>.YYYY.MM`` (either spelling is accepted).
    Refused: anything else, a month that does not exist, a month not yet come.
    """
    name = (name or "").strip()
    family = draft.family
    bare = name.removeprefix(f"{family}.") if family else name
    match = DATED.fullmatch(bare)
    if match is None:
        wanted = f"{family}.YYYY.MM or YYYY.MM" if family else "YYYY.MM"
        raise RuleRefused(
            f"{name!r} is not a release name: a guideline is named {wanted}, the year and "
            "month of its approval (2017A D4.1)"
        )
    year, month = int(match["year"]), int(match["month"])
    # The approval is recorded in its month, or late; never early. A day of grace
    # covers a clock or a time zone a day ahead of ours on the last of a month.
    tomorrow = (today or timezone.localdate()) + timedelta(days=1)
    latest = (tomorrow.year, tomorrow.month)
    if not 1 <= month <= 12 or year < FIRST_YEAR or (year, month) > latest:
        raise RuleRefused(
            f"{bare} is not a real year and month of an approval (2017A D4.1): the month is "
            f"01 to 12, the year {FIRST_YEAR} or later, and not after {latest[0]}.{latest[1]:02d}"
        )
    return f"{family}.{bare}" if family else bare


def dated_part(guideline: Guideline) -> str:
    """``2026.09`` of ``dns.2026.09``; the name itself for the platform's."""
    return guideline.key.removeprefix(f"{guideline.family}.") if guideline.family else guideline.key


def dated(guideline: Guideline) -> bool:
    """Whether the guideline's name ends in YYYY.MM (not next, not 2015.next)."""
    return DATED.fullmatch(dated_part(guideline)) is not None


def published_of_kind(family: str) -> list[Guideline]:
    """The dated published guidelines of a kind, newest first (by name: D4.1)."""
    rows = [g for g in Guideline.objects.filter(status__in=PUBLISHED) if g.family == family]
    return sorted((g for g in rows if dated(g)), key=lambda g: g.key, reverse=True)


def source_of(release: Guideline, draft_source: str | None) -> str | None:
    """Where the release's document lives: its own file, never another's (DOMAIN.md section 6).

    2.0 documents name their raw file; 1.x documents named the repository, and keep it.
    """
    base = settings.GUIDELINE_SOURCE_BASE
    if not release.is_v2:
        return draft_source if draft_source and not draft_source.endswith(".json") else base
    folder = "add-ons/" if release.family else ""
    return f"{base}{folder}{release.key}.json"


def required_names(guideline: Guideline) -> set[str]:
    return set(
        ComponentEntry.objects.filter(
            component__guideline=guideline,
            kind=EntryKind.CAPABILITY,
            status="required",
        ).values_list("name", flat=True)
    )


def guideline_publish(
    *,
    draft: Guideline,
    name: str,
    actor,
    channel: str,
    authority: dict,
    keep: int | None = None,
) -> tuple[Guideline, list[str]]:
    """Create the release ``name`` from ``draft``; the release and the keys it superseded.

    Runs in the caller's transaction (the approval's), which must lock the
    draft first: two approvals of one draft then serialise, and the second
    finds the name taken (VersionConflict). ``authority``: what the approval
    rests on (a ballot, or a reason), recorded with the events.
    """
    keep = settings.APPROVED_GUIDELINES_KEPT if keep is None else keep
    draft = guideline_lock(draft)
    require_approvable(draft)
    family = draft.family
    name = release_name(draft, name)
    if Guideline.objects.filter(key=name).exists():
        raise VersionConflict(
            f"guideline {name} exists already: it was approved (or imported) meanwhile",
            current=Guideline.objects.filter(key=name).values("key", "status", "replaces").first(),
        )
    # Two drafts of one kind approved at once (a second draft can have any name) must
    # not both replace the same guideline: the published rows are locked, in key order,
    # before the history is read. Approvals are rare; serialising them costs nothing.
    list(Guideline.objects.select_for_update().filter(status__in=PUBLISHED).order_by("key"))
    history = published_of_kind(family)
    if history and name <= history[0].key:
        raise RuleRefused(
            f"{name} would be older than {history[0].key}, the newest published guideline of "
            "its kind: a release is named for the month of its approval (2017A D4.1)"
        )
    approved = [g for g in history if g.status == APPROVED]
    previous = approved[0] if approved else _started_from(draft)
    try:
        release = draft_copy(source=draft, name=name, status=APPROVED)
    except IntegrityError:
        raise VersionConflict(f"guideline {name} exists already") from None
    newly = _release_fields(release, draft, previous)
    document_revision_store(release, validate=True)
    GuidelineEvent.objects.create(
        guideline=release,
        kind=EventKind.APPROVED,
        channel=channel,
        actor=actor,
        subject=name,
        summary=f"Approved as {name}, from {draft.key}"
        + (f", replacing {previous.key}" if previous else ""),
        data={**authority, "draft": draft.key, "replaces": previous.key if previous else None},
    )
    superseded = _supersede_beyond(
        [release, *approved], keep=keep, by=name, actor=actor, channel=channel
    )
    _draft_follows(draft, release, newly, actor=actor, channel=channel)
    forget_served_at_commit(name)
    return release, superseded


def require_approvable(draft: Guideline) -> None:
    """RuleRefused unless ``draft`` is a draft (in review or not): what an approval copies."""
    if draft.status not in (DRAFT, REVIEW):
        raise RuleRefused(
            f"{draft.key} is {draft.status}: only a draft, or a draft in review, is approved "
            "as a release (2017A C6.3)"
        )


def _started_from(draft: Guideline) -> Guideline | None:
    """With no approved guideline of its kind (all superseded, as the committee's
    2018.02 is at HEAD), the release replaces the published one its draft replaced."""
    if not draft.replaces:
        return None
    return Guideline.objects.filter(key=draft.replaces, status__in=PUBLISHED).first()


def _release_fields(release: Guideline, draft: Guideline, previous: Guideline | None) -> set[str]:
    """Set what makes the copy the release; the capabilities it requires for the first time."""
    spec = generation_of(release).guideline
    # The first release of its kind replaces nothing: not the draft it was copied from.
    field_set(release, spec, "replaces", previous.key if previous is not None else None)
    field_set(release, spec, "source", source_of(release, draft.source))
    if release.is_v2:
        # 2.0 writes the approval as YYYY.MM (an add-on's as <add-on>.YYYY.MM); 1.x
        # wrote a date, which the draft's chair set and is kept.
        field_set(release, spec, "target_approval", release.key)
    release.save()
    newly = required_names(release) - (required_names(previous) if previous else set())
    capability_spec = generation_of(release).capability
    for capability in Capability.objects.filter(guideline=release, key__in=newly):
        # HACKING D304: a capability required for the first time is required since now.
        # An add-on's capabilities say the month alone, as the committee's files do.
        field_set(capability, capability_spec, "required_since", dated_part(release))
        capability.save(update_fields=["required_since", "layout", "extra"])
    return newly


def _supersede_beyond(
    approved: list[Guideline], *, keep: int, by: str, actor, channel: str
) -> list[str]:
    """Supersede the approved guidelines after the newest ``keep`` (2017A C6.1, C6.2)."""
    superseded = []
    for old in sorted(approved, key=lambda g: g.key, reverse=True)[keep:]:
        guideline_supersede(
            guideline=old,
            actor=actor,
            reason=f"{by} approved; the newest {keep} stay approved",
            channel=channel,
        )
        superseded.append(old.key)
    return superseded


def _draft_follows(
    draft: Guideline, release: Guideline, newly: set[str], *, actor, channel: str
) -> None:
    """The draft goes on to the next cycle: in draft status, replacing the release, and
    saying since when the capabilities the release required first are required."""
    spec = generation_of(draft).guideline
    before = {"status": draft.status, "replaces": draft.replaces}
    field_set(draft, spec, "replaces", release.key)
    field_set(draft, spec, "status", DRAFT)
    draft.save(update_fields=["status", "replaces", "layout", "extra"])
    capability_spec = generation_of(draft).capability
    for capability in Capability.objects.filter(guideline=draft, key__in=newly):
        field_set(capability, capability_spec, "required_since", dated_part(release))
        capability.version += 1  # an editor who read it before gets a conflict
        capability.save(update_fields=["required_since", "version", "layout", "extra"])
    guideline_record_change(
        guideline=draft,
        kind=EventKind.REPLACES_CHANGED,
        actor=actor,
        channel=channel,
        subject=draft.key,
        summary=f"{release.key} approved: {draft.key} now replaces it, for the next cycle",
        before=before,
        after={"status": DRAFT, "replaces": release.key},
        data={
            "release": release.key,
            "required_since": sorted(newly),
            "rule": "2017A C6.3, HACKING D304",
        },
    )
