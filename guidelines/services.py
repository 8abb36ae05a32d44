"""Writes of guidelines: import, draft start. Each is one transaction."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from capabilities.models import Capability, Criterion, Test
from guidelines import serving
from guidelines.interop_format.bundle import Bundle
from guidelines.interop_format.fields import Report, field_set, same_json
from guidelines.interop_format.reader import FormatError, parse_json, read_document
from guidelines.interop_format.specs import GENERATIONS
from guidelines.interop_format.writer import write_document
from guidelines.models import (
    Component,
    ComponentEntry,
    DesignatedSection,
    EventChannel,
    EventKind,
    Guideline,
    GuidelineEvent,
    GuidelineStatus,
    Program,
    ProgramComponent,
    Section,
    TestRepository,
)
from guidelines.selectors import guideline_bundle, guideline_document
from votes.selectors import is_member

GUIDELINE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
BATCH = 2000


class GuidelineError(Exception):
    """A request about guidelines that cannot be carried out, with the reason."""


@dataclass
class ImportResult:
    guideline: Guideline
    outcome: str  # "created", "replaced" or "unchanged"
    warnings: list[tuple[str, str]] = field(default_factory=list)
    capabilities: int = 0
    tests: int = 0
    flagged: int = 0


def guideline_key_validate(key: str) -> None:
    if not GUIDELINE_KEY.match(key):
        raise GuidelineError(
            f"{key!r} is not a usable guideline name: use letters, digits, '.', '_' or '-' "
            "(for example 2020.06, next or orchestration.2020.06)"
        )


def guideline_import(
    *,
    raw: bytes,
    key: str,
    filename: str,
    replace: bool = False,
    actor=None,
    channel: str = EventChannel.IMPORT,
) -> ImportResult:
    """Import one guideline document of any schema generation.

    Raises FormatError for a document that is not a readable guideline and
    GuidelineError when the key is unusable or taken by a different document.
    Importing the document a guideline already holds changes nothing.
    """
    guideline_key_validate(key)
    document = parse_json(raw)
    report = Report()
    bundle = read_document(document, report)
    # The exporter must give back what was read; if some construct defeats
    # it, refusing is better than storing a guideline that would come back
    # different.
    if not same_json(write_document(bundle), document):
        raise FormatError(
            "/",
            "this document uses a construct the importer cannot keep "
            "exactly; nothing was stored (please report it)",
        )
    bundle.guideline.key = key
    counts = {
        "capabilities": len(bundle.capabilities),
        "tests": bundle.test_count,
        "flagged": sum(t.is_flagged for _, tests in bundle.capabilities for t in tests),
    }
    store = partial(
        _guideline_store,
        bundle,
        document,
        report,
        counts,
        raw=raw,
        filename=filename,
        replace=replace,
        actor=actor,
        channel=channel,
    )
    try:
        return store()
    except IntegrityError:
        # Two imports of a new name raced: the row lock below cannot cover a
        # row that does not exist yet, so the loser hits the unique key. Its
        # transaction is rolled back; a second attempt sees the winner's row.
        if not Guideline.objects.filter(key=key).exists():
            raise
        return store()


@transaction.atomic
def _guideline_store(
    bundle, document, report, counts, *, raw, filename, replace, actor, channel
) -> ImportResult:
    key = bundle.guideline.key
    # Lock the existing row so two imports of one key serialise.
    existing = Guideline.objects.select_for_update().filter(key=key).first()
    if existing is not None:
        if same_json(guideline_document(existing), document):
            return ImportResult(existing, "unchanged", report.warnings, **counts)
        if not replace:
            raise GuidelineError(
                f"guideline {key} already exists with different content; "
                "import with --replace to overwrite it"
            )
        _guideline_clear(existing)
        bundle.guideline.pk = existing.pk
        bundle.guideline.created_at = existing.created_at
        bundle.guideline.revision = existing.revision + 1
        bundle.guideline._state.adding = False
        kind = EventKind.REPLACED
    else:
        bundle.guideline.pk = None
        bundle.guideline.revision = 1
        bundle.guideline._state.adding = True
        kind = EventKind.IMPORTED
    bundle_save(bundle)
    _forget_served_at_commit(key)
    GuidelineEvent.objects.create(
        guideline=bundle.guideline,
        kind=kind,
        channel=channel,
        actor=actor,
        # The file's name only: the summary is shown on public pages.
        summary=f"{kind.label} from {PurePath(filename).name}",
        data={
            "filename": filename,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "warnings": [list(w) for w in report.warnings],
        },
    )
    outcome = "replaced" if kind == EventKind.REPLACED else "created"
    return ImportResult(bundle.guideline, outcome, report.warnings, **counts)


def _forget_served_at_commit(key: str) -> None:
    # Tooling must not get the old bytes once the change is visible; other
    # processes notice within SERVING_STAMP_TTL (guidelines.serving).
    transaction.on_commit(lambda: serving.CACHE.forget(key))


def _guideline_clear(guideline: Guideline) -> None:
    for model in (Criterion, Capability, Component, Program, DesignatedSection, TestRepository):
        model.objects.filter(guideline=guideline).delete()


def bundle_save(bundle: Bundle) -> Guideline:
    """Store every row of a bundle. Callers hold the transaction."""
    guideline = bundle.guideline
    try:
        guideline.full_clean(exclude=["layout", "extra"])
    except ValidationError as exc:
        raise GuidelineError(f"guideline {guideline.key}: {exc.messages}") from exc
    guideline.save()

    def create(model, rows):
        for row in rows:
            row.pk = None
            row._state.adding = True
        model.objects.bulk_create(rows, batch_size=BATCH)

    def attach(parent_attr, groups):
        for parent, kids in groups:
            for kid in kids:
                setattr(kid, parent_attr, parent)
        return [kid for _, kids in groups for kid in kids]

    for model, rows in (
        (Criterion, bundle.criteria),
        (TestRepository, bundle.test_repositories),
        (Program, [p for p, _ in bundle.programs]),
        (Component, [c for c, _ in bundle.components]),
        (Capability, [c for c, _ in bundle.capabilities]),
        (DesignatedSection, [d for d, _ in bundle.designated_sections]),
    ):
        for row in rows:
            row.guideline = guideline
        create(model, rows)
    create(ProgramComponent, attach("program", bundle.programs))
    create(ComponentEntry, attach("component", bundle.components))
    create(Test, attach("capability", bundle.capabilities))
    create(Section, attach("designated_section", bundle.designated_sections))
    return guideline


def draft_name_for(source: Guideline) -> str:
    """2017A A1.2: the working name is ``next``; an add-on's is ``<add-on>.next``."""
    return f"{source.family}.next" if source.family else "next"


@transaction.atomic
def guideline_start_draft(
    *,
    source: Guideline,
    name: str | None = None,
    actor=None,
    channel: str = EventChannel.COMMAND,
) -> Guideline:
    """Start a new draft as a copy of ``source`` (2017A A1.1, A1.2).

    The copy differs from its source only in its name, status (draft) and
    ``replaces`` (the source).
    """
    if actor is not None and not is_member(actor):
        raise NotAllowed("starting a draft is for committee members")
    name = name or draft_name_for(source)
    guideline_key_validate(name)
    if Guideline.objects.filter(key=name).exists():
        raise GuidelineError(f"guideline {name} already exists; choose another name with --name")
    # A fresh instance: the bundle's rows become the draft's, and the
    # caller's ``source`` must keep describing the source.
    bundle = guideline_bundle(Guideline.objects.get(pk=source.pk))
    draft = bundle.guideline
    draft.pk = None
    draft._state.adding = True
    draft.key = name
    draft.revision = 1
    spec = GENERATIONS[draft.schema].guideline
    field_set(draft, spec, "doc_id", name)
    field_set(draft, spec, "status", GuidelineStatus.DRAFT)
    field_set(draft, spec, "replaces", source.key)
    bundle_save(bundle)
    _forget_served_at_commit(name)
    GuidelineEvent.objects.create(
        guideline=draft,
        kind=EventKind.DRAFT_STARTED,
        channel=channel,
        actor=actor,
        summary=f"Draft started from {source.key}",
        data={"source": source.key},
    )
    return draft


# Changes to a guideline's content, recorded. Every edit service calls
# guideline_record_change in its transaction.

EDITABLE = {GuidelineStatus.DRAFT, GuidelineStatus.REVIEW}


class NotAllowed(GuidelineError):
    """The change breaks a process rule or the actor's role; the message names which."""


class Conflict(GuidelineError):
    """Someone changed the same thing meanwhile; ``current`` is what it is now."""

    def __init__(self, message: str, current: dict | None = None):
        super().__init__(message)
        self.current = current or {}


def guideline_require_editable(guideline: Guideline, *, what: str) -> None:
    """Published guidelines change only by flags (2017A D2.1, HACKING D301)."""
    if guideline.status not in EDITABLE:
        raise NotAllowed(
            f"{guideline.key} is {guideline.status}: {what} is refused; a published guideline "
            "changes only by test flags (2017A D2.1, HACKING D301)"
        )


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

    Call inside the transaction of the change. The revision feeds draft ETags
    and the served bytes are forgotten at commit.
    """
    if content_changed:
        Guideline.objects.filter(pk=guideline.pk).update(
            revision=models.F("revision") + 1, updated_at=timezone.now()
        )
        guideline.refresh_from_db(fields=["revision", "updated_at"])
        _forget_served_at_commit(guideline.key)
    payload = dict(data or {})
    if before is not None or after is not None:
        payload.update(before=before, after=after)
    return GuidelineEvent.objects.create(
        guideline=guideline,
        kind=kind,
        channel=channel,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        subject=subject,
        summary=summary,
        data=payload,
    )
