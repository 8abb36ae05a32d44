"""Storing a whole guideline document: an import from a file, or a PUT of the API.

Each document is one transaction. A new name stores what the file says, its
status included, and is recorded as an import. An existing name is replaced
only if the life cycle lets its content change (not once published: 2017A
D2.1), only when asked to (``replace``), only if it still is what the caller
read (``if_match``), and never into another status: statuses move through
``guidelines.services.moves``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from committee.permissions import Action, require
from guidelines import bulk, serving
from guidelines.bulk import cyclic_gc_paused
from guidelines.errors import (
    GuidelineError,
    PreconditionFailed,
    PreconditionRequired,
    RuleRefused,
)
from guidelines.interop_format.bundle import Bundle
from guidelines.interop_format.fields import Report, same_json
from guidelines.interop_format.reader import FormatError, parse_json, read_document
from guidelines.interop_format.writer import write_document
from guidelines.lifecycle import Change, require_allowed
from guidelines.models import (
    Capability,
    Component,
    ComponentEntry,
    Criterion,
    DesignatedSection,
    EventChannel,
    EventKind,
    Guideline,
    GuidelineEvent,
    Program,
    ProgramComponent,
    Section,
    Test,
    TestRepository,
)
from guidelines.selectors import document_bytes, guideline_document
from guidelines.services.artifacts import document_revision_before_change
from guidelines.services.changes import forget_served_at_commit
from guidelines.signals import parts_replaced, parts_replacing

GUIDELINE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass
class ImportResult:
    guideline: Guideline
    outcome: str  # "created", "replaced" or "unchanged"
    warnings: list[tuple[str, str]] = field(default_factory=list)
    capabilities: int = 0
    tests: int = 0
    flagged: int = 0


@dataclass(frozen=True)
class _Request:
    """What the caller asked of an existing guideline of the same name."""

    replace: bool
    if_match: str | None
    if_match_required: bool


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
    actor,
    replace: bool = False,
    if_match: str | None = None,
    if_match_required: bool = False,
    channel: str = EventChannel.IMPORT,
) -> ImportResult:
    """Store one guideline document of any schema generation under ``key``.

    Raises FormatError for a document that is not a readable guideline;
    GuidelineError when the name is unusable or taken by a different document
    and ``replace`` is false; RuleRefused when the guideline's status does not
    take a new document; PreconditionRequired / PreconditionFailed when
    ``if_match`` (the ETag the caller read) is missing but required, or stale.
    Storing the document a guideline already holds changes nothing.
    """
    require(actor, Action.GUIDELINE_STORE)
    guideline_key_validate(key)
    # Reading and checking the document is the slow part: done before the
    # transaction, so the row lock is held only while storing.
    report = Report()
    with cyclic_gc_paused():
        document = parse_json(raw, report)
        bundle = read_document(document, report)
        # The exporter must give back what was read; if some construct defeats
        # it, refusing is better than storing a guideline that would come back
        # different.
        written = write_document(bundle)
        if not same_json(written, document):
            raise FormatError(
                "/",
                "this document uses a construct the importer cannot keep "
                "exactly; nothing was stored (please report it)",
            )
        # The rows and what they write stand for the document from here: a
        # large one is not kept three times over.
        del document
    bundle.guideline.key = key
    counts = {
        "capabilities": len(bundle.capabilities),
        "tests": bundle.test_count,
        "flagged": sum(t.is_flagged for _, tests in bundle.capabilities for t in tests),
    }
    request = _Request(replace, if_match, if_match_required)

    def store() -> ImportResult:
        return _guideline_store(
            bundle,
            written,
            report,
            counts,
            request,
            raw=raw,
            filename=filename,
            actor=actor,
            channel=channel,
        )

    try:
        return store()
    except IntegrityError:
        # Two imports of a new name raced: the row lock cannot cover a row
        # that does not exist yet, so the loser hits the unique key. Its
        # transaction is rolled back; a second attempt sees the winner's row.
        if not Guideline.objects.filter(key=key).exists():
            raise
        return store()


def _check_replaceable(
    existing: Guideline, current: dict, bundle: Bundle, request: _Request
) -> None:
    """Whether ``existing`` may take the new document: every rule, in the order a person fixes."""
    key = existing.key
    require_allowed(key, existing.status, Change.CONTENT, what="replacing its document")
    if request.if_match is None and request.if_match_required:
        raise PreconditionRequired(
            f"guideline {key} exists: send If-Match with the ETag you read, so that nobody's "
            "change made meanwhile is overwritten"
        )
    if request.if_match is not None:
        # The ETag of what is stored now, under the row lock: not a cached copy.
        served = document_bytes(current)
        if not serving.if_match_satisfied(request.if_match, serving.etags_of(served)):
            raise PreconditionFailed(
                f"guideline {key} changed since you read it (revision {existing.revision} now); "
                "fetch it again and apply your change to it"
            )
    elif not request.replace:
        raise GuidelineError(
            f"guideline {key} already exists with different content; "
            "import with --replace to overwrite it"
        )
    if bundle.guideline.status != existing.status:
        raise RuleRefused(
            f"guideline {key} is {existing.status} and the new document says "
            f"{bundle.guideline.status}: a new document does not move a guideline; its status "
            "moves through the life cycle (2017A C6.3)"
        )


@transaction.atomic
def _guideline_store(
    bundle, written, report, counts, request: _Request, *, raw, filename, actor, channel
) -> ImportResult:
    key = bundle.guideline.key
    # Lock the existing row: two stores of one name serialise, and a store
    # racing a status move sees the status the move left.
    existing = Guideline.objects.select_for_update().filter(key=key).first()
    if existing is not None:
        current = guideline_document(existing)
        # ``written`` is the new document as read (same_json above).
        if same_json(current, written):
            return ImportResult(existing, "unchanged", report.warnings, **counts)
        _check_replaceable(existing, current, bundle, request)
        parts_replacing.send(sender=Guideline, guideline=existing)
        _guideline_clear(existing)
        bundle.guideline.pk = existing.pk
        bundle.guideline.created_at = existing.created_at
        bundle.guideline.revision = existing.revision + 1
        bundle.guideline._state.adding = False
        kind = EventKind.REPLACED
    else:
        if request.if_match is not None:
            raise PreconditionFailed(f"there is no guideline named {key!r} to match")
        bundle.guideline.pk = None
        bundle.guideline.revision = 1
        bundle.guideline._state.adding = True
        kind = EventKind.IMPORTED
    bundle_save(bundle)
    if kind == EventKind.REPLACED:
        parts_replaced.send(sender=Guideline, guideline=bundle.guideline)
    forget_served_at_commit(key)
    GuidelineEvent.objects.create(
        guideline=bundle.guideline,
        kind=kind,
        channel=channel,
        actor=actor,
        # The file's name only: the summary is shown on public pages.
        summary=f"{kind.label} from {PurePath(filename).name}",
        data={
            # Never the server's path: events are public.
            "filename": PurePath(filename).name,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "status": bundle.guideline.status,
            "warnings": [list(w) for w in report.warnings],
        },
    )
    if kind == EventKind.IMPORTED:
        # History published elsewhere is served from its bytes, as an approval's would be.
        # What was just written, unless the rows give back other bytes: then
        # what they give, read afresh (the bundle's rows are as written).
        if _kept_as_written(bundle):
            document_revision_before_change(bundle.guideline, document=written)
        else:
            document_revision_before_change(Guideline.objects.get(pk=bundle.guideline.pk))
    outcome = "replaced" if kind == EventKind.REPLACED else "created"
    return ImportResult(bundle.guideline, outcome, report.warnings, **counts)


def _kept_as_written(bundle: Bundle) -> bool:
    """Whether the stored rows give back what the bundle writes, byte for byte.

    PostgreSQL's jsonb keeps neither the order of an object's keys nor the
    spelling of a number: a verbatim object or float in ``extra`` comes back
    otherwise than it was written (the same JSON value).
    """

    def plain(value) -> bool:
        if isinstance(value, dict | float):
            return False
        return not isinstance(value, list) or all(plain(item) for item in value)

    rows = [bundle.guideline, *bundle.criteria, *bundle.test_repositories]
    for parent, children in (
        *bundle.programs,
        *bundle.components,
        *bundle.capabilities,
        *bundle.designated_sections,
    ):
        rows.append(parent)
        rows.extend(children)
    return all(plain(value) for row in rows if row.extra for value in row.extra.values())


def _guideline_clear(guideline: Guideline) -> None:
    for model in (Criterion, Capability, Component, Program, DesignatedSection, TestRepository):
        model.objects.filter(guideline=guideline).delete()


def bundle_save(bundle: Bundle) -> Guideline:
    """Store every row of a bundle, as new rows. Callers hold the transaction.

    Rows go in as tuples, a table at a time (``guidelines.bulk.insert``): one
    statement per table whatever the size. A parent's new ids are read back by
    its natural key (unique in the guideline), one query per parent table, and
    set on the parents; the bundle's other rows are not updated, and callers
    read the guideline back from the database.
    """
    guideline = bundle.guideline
    try:
        guideline.full_clean(exclude=["layout", "extra"])
    except ValidationError as exc:
        raise GuidelineError(f"guideline {guideline.key}: {exc.messages}") from exc
    guideline.save()
    with cyclic_gc_paused():
        for model, rows in (
            (Criterion, bundle.criteria),
            (TestRepository, bundle.test_repositories),
        ):
            _insert(model, ((guideline.pk, row) for row in rows), owner_column="guideline_id")
        for model, groups, natural, child_model, parent_field in (
            (Program, bundle.programs, ("kind", "name"), ProgramComponent, "program"),
            (Component, bundle.components, ("name",), ComponentEntry, "component"),
            (Capability, bundle.capabilities, ("key",), Test, "capability"),
            (
                DesignatedSection,
                bundle.designated_sections,
                ("project", "status"),
                Section,
                "designated_section",
            ),
        ):
            parents = [parent for parent, _ in groups]
            _insert(model, ((guideline.pk, p) for p in parents), owner_column="guideline_id")
            ids = {
                tuple(row[:-1]): row[-1]
                for row in model.objects.filter(guideline=guideline).values_list(*natural, "pk")
            }
            for parent in parents:
                parent.pk = ids[tuple(getattr(parent, attr) for attr in natural)]
                parent.guideline = guideline
                parent._state.adding = False
            _insert(
                child_model,
                ((parent.pk, child) for parent, children in groups for child in children),
                owner_column=f"{parent_field}_id",
            )
    return guideline


def _insert(model, owned, *, owner_column: str) -> None:
    """Store unsaved instances of ``model`` as new rows, in one statement.

    ``owned``: (owner's id, instance) pairs; the id goes in ``owner_column``
    (the guideline's, or the parent row's).
    """
    columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    at = columns.index(owner_column)
    others = attrgetter(*columns[:at], *columns[at + 1 :])
    bulk.insert(
        model,
        columns,
        ((*values[:at], owner, *values[at:]) for owner, row in owned for values in [others(row)]),
    )
