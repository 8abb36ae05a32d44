"""Storing a whole guideline document: an import from a file, or a PUT of the API.

Each document is one transaction. A new name stores what the file says, its
status included, and is recorded as an import. An existing name is replaced
only if the life cycle lets its content change (not once published: 2017A
D2.1), only when asked to (``replace``), only if it still is what the caller
read (``if_match``), and never into another status: statuses move through
``guidelines.services.moves``.

A document is read a capability at a time and each is stored as it is read
(``_Incoming``): a guideline of 100,000 tests takes about three times its
size in memory to import, not the fifteen its objects and rows would.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import PurePath

import orjson
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

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
from guidelines.interop_format.outline import outline
from guidelines.interop_format.reader import FormatError, Reading, parse_json
from guidelines.interop_format.writer import write_capability, write_document
from guidelines.lifecycle import PUBLISHED, Change, require_allowed
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
from guidelines.selectors import (
    DocumentDigest,
    SplicedDocument,
    guideline_digest,
    guideline_document_bytes,
)
from guidelines.services.artifacts import WrittenBody, document_revision_before_change
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
    with cyclic_gc_paused():
        incoming = _Incoming(raw)
        # A document for a taken name is read and checked whole before the
        # transaction, so that the row lock is held only while storing.
        checked = incoming.check() if Guideline.objects.filter(key=key).exists() else None
    request = _Request(replace, if_match, if_match_required)

    def store() -> ImportResult:
        return _guideline_store(
            incoming,
            checked,
            request,
            key=key,
            filename=filename,
            actor=actor,
            channel=channel,
        )

    try:
        with cyclic_gc_paused():
            return store()
    except IntegrityError:
        # Two imports of a new name raced: the row lock cannot cover a row
        # that does not exist yet, so the loser hits the unique key. Its
        # transaction is rolled back; a second attempt sees the winner's row.
        if not Guideline.objects.filter(key=key).exists():
            raise
        with cyclic_gc_paused():
            return store()


class _Incoming:
    """A document being imported, read a capability at a time.

    A large guideline is several times its size as Python objects, and as
    many again as rows. So the document is read in two steps: all but its
    capabilities (``outline``: small), then each capability from its own
    bytes, checked, written back, stored and dropped before the next
    (``_Reading.capabilities``). Memory holds the file and its tests as
    compact tuples until their capabilities' ids are known; what is written
    back of a published document goes to a temporary file. A document
    ``outline`` does not expect is parsed whole instead, which reports what
    is wrong with it as always.
    """

    def __init__(self, raw: bytes):
        self.raw = raw
        self.repeated = Report()
        found = outline(raw)
        if found is None:
            self.document = parse_json(raw, self.repeated)
            self.spans = None
        else:
            self.document = parse_json(found.document, self.repeated)
            self.spans = found.capabilities
        # A document that is not a guideline at all is refused here; its
        # outline, read for that, serves the first pass.
        self._unused: _Reading | None = _Reading(self)
        self.status = self._unused.bundle.guideline.status

    def reading(self, *, digest: bool, written: bool) -> _Reading:
        """A new pass over the document (see ``_Reading``)."""
        reading, self._unused = self._unused or _Reading(self), None
        reading.keep(digest=digest, written=written)
        return reading

    def check(self) -> _Checked:
        """Read and check every capability, storing nothing: for the digest and the warnings."""
        reading = self.reading(digest=True, written=False)
        for _ in reading.capabilities():
            pass
        return _Checked(reading.digest.hexdigest(), reading.reading.warnings(), reading.counts)


@dataclass(frozen=True)
class _Checked:
    """What a pass that stores nothing found: all that is kept of it."""

    digest: str
    warnings: list[tuple[str, str]]
    counts: dict


class _Reading:
    """One pass over an incoming document: its outline at once, its capabilities as asked."""

    def __init__(self, incoming: _Incoming):
        self.incoming = incoming
        self.reading = Reading(incoming.document, incoming.repeated.warnings)
        self.bundle = self.reading.bundle
        self.generation = self.reading.generation
        self.capabilities_count = self.tests = self.flagged = 0
        # The exporter must give back what was read; if some construct defeats
        # it, refusing is better than storing a guideline that would come back
        # different.
        around = {**self.reading.outline, "capabilities": {}}
        if not same_json(write_document(self.bundle, capabilities={}), around):
            raise _cannot_keep("/")
        self.digest: DocumentDigest | None = None
        self.written: SplicedDocument | None = None
        self.plain = _plain(self.bundle.guideline, *_outline_rows(self.bundle))

    def keep(self, *, digest: bool, written: bool) -> None:
        """``digest``: compute the document's ``DocumentDigest``; ``written``:
        write the bytes the rows will be exported as (``SplicedDocument``)."""
        if digest:
            self.digest = DocumentDigest(self.bundle)
        if written and SplicedDocument.applies(self.bundle.guideline):
            # On disk, not in memory: it is read back only to be stored.
            out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
            try:
                self.written = SplicedDocument(self.bundle, out)
            except (orjson.JSONEncodeError, ValueError):
                out.close()  # the rows are exported instead
            except BaseException:
                out.close()
                raise

    def close(self) -> None:
        """Give up what was written (its temporary file)."""
        if self.written is not None:
            self.written.out.close()
            self.written = None

    def capabilities(self):
        """(capability, tests), each read, checked and written back; once."""
        incoming, reading, gen = self.incoming, self.reading, self.generation
        if incoming.spans is None:
            items = reading.capabilities_value.items()
        else:
            raw = incoming.raw
            items = (
                (key, reading.parse_capability(key, raw[start:end]))
                for key, start, end in incoming.spans
            )
        for position, (key, obj) in enumerate(items):
            capability, tests = reading.capability(key, obj, position)
            written = write_capability(gen, capability, tests)
            if not _same(written, obj):
                raise _cannot_keep(f"/capabilities/{key}")
            if self.digest is not None:
                self.digest.add(key, written)
            if self.written is not None:
                try:
                    self.written.add(key, written)
                except (orjson.JSONEncodeError, ValueError):
                    self.close()  # the rows are exported instead
            self.plain = self.plain and _plain(capability, *tests)
            self.capabilities_count += 1
            self.tests += len(tests)
            self.flagged += sum(test.is_flagged for test in tests)
            yield capability, tests

    @property
    def counts(self) -> dict:
        return {
            "capabilities": self.capabilities_count,
            "tests": self.tests,
            "flagged": self.flagged,
        }


def _same(written, read) -> bool:
    """``same_json``, quickly when the texts are the same (they nearly always are)."""
    with suppress(orjson.JSONEncodeError):  # integers beyond 64 bits
        if orjson.dumps(written) == orjson.dumps(read):
            return True
    return same_json(written, read)


def _cannot_keep(where: str) -> FormatError:
    return FormatError(
        where,
        "this document uses a construct the importer cannot keep exactly; "
        "nothing was stored (please report it)",
    )


def _check_replaceable(existing: Guideline, status: str, request: _Request) -> None:
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
        served = guideline_document_bytes(existing)
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
    if status != existing.status:
        raise RuleRefused(
            f"guideline {key} is {existing.status} and the new document says "
            f"{status}: a new document does not move a guideline; its status "
            "moves through the life cycle (2017A C6.3)"
        )


@transaction.atomic
def _guideline_store(
    incoming: _Incoming,
    checked: _Checked | None,
    request: _Request,
    *,
    key,
    filename,
    actor,
    channel,
) -> ImportResult:
    # Lock the existing row: two stores of one name serialise, and a store
    # racing a status move sees the status the move left.
    existing = Guideline.objects.select_for_update().filter(key=key).first()
    if existing is not None:
        checked = checked or incoming.check()
        if checked.digest == guideline_digest(existing):
            return ImportResult(existing, "unchanged", checked.warnings, **checked.counts)
        _check_replaceable(existing, incoming.status, request)
        parts_replacing.send(sender=Guideline, guideline=existing)
        _guideline_clear(existing)
        kind = EventKind.REPLACED
    else:
        if request.if_match is not None:
            incoming.check()  # a document that cannot be read says so first
            raise PreconditionFailed(f"there is no guideline named {key!r} to match")
        kind = EventKind.IMPORTED
    # History published elsewhere is served from its bytes, as an approval's
    # would be: kept as they are written while storing, when they can be.
    first_revision = kind == EventKind.IMPORTED and incoming.status in PUBLISHED
    reading = incoming.reading(digest=False, written=first_revision)
    try:
        return _reading_record(
            reading,
            checked,
            kind,
            existing,
            key=key,
            filename=filename,
            actor=actor,
            channel=channel,
            first_revision=first_revision,
        )
    finally:
        reading.close()


def _reading_record(
    reading: _Reading,
    checked: _Checked | None,
    kind: str,
    existing: Guideline | None,
    *,
    key,
    filename,
    actor,
    channel,
    first_revision: bool,
) -> ImportResult:
    """Store the rows as they are read, record the event, keep the first revision."""
    guideline = reading.bundle.guideline
    guideline.key = key
    if existing is not None:
        guideline.pk = existing.pk
        guideline.created_at = existing.created_at
        guideline.revision = existing.revision + 1
        guideline._state.adding = False
    else:
        guideline.pk = None
        guideline.revision = 1
        guideline._state.adding = True
    _reading_store(reading)
    warnings = checked.warnings if checked is not None else reading.reading.warnings()
    if kind == EventKind.REPLACED:
        parts_replaced.send(sender=Guideline, guideline=guideline)
    forget_served_at_commit(key)
    GuidelineEvent.objects.create(
        guideline=guideline,
        kind=kind,
        channel=channel,
        actor=actor,
        # The file's name only: the summary is shown on public pages.
        summary=f"{kind.label} from {PurePath(filename).name}",
        data={
            # Never the server's path: events are public.
            "filename": PurePath(filename).name,
            "sha256": hashlib.sha256(reading.incoming.raw).hexdigest(),
            "status": guideline.status,
            "warnings": [list(w) for w in warnings],
        },
    )
    if first_revision:
        # What was written while storing, unless the rows give back other
        # bytes: then what they give, read afresh.
        if reading.written is not None and reading.plain:
            written = reading.written
            sha256 = written.finish()
            written.out.seek(0)
            body = WrittenBody(written.out, written.size, sha256)
            document_revision_before_change(guideline, body=body)
        else:
            document_revision_before_change(Guideline.objects.get(pk=guideline.pk))
    outcome = "replaced" if kind == EventKind.REPLACED else "created"
    return ImportResult(guideline, outcome, warnings, **reading.counts)


def _outline_rows(bundle: Bundle) -> list:
    rows = [*bundle.criteria, *bundle.test_repositories]
    for parent, children in (*bundle.programs, *bundle.components, *bundle.designated_sections):
        rows.append(parent)
        rows.extend(children)
    return rows


def _plain(*rows) -> bool:
    """Whether the stored rows give back what they write, byte for byte.

    PostgreSQL's jsonb keeps neither the order of an object's keys nor the
    spelling of a number: a verbatim object or float in ``extra`` comes back
    otherwise than it was written (the same JSON value).
    """

    def plain(value) -> bool:
        if isinstance(value, dict | float):
            return False
        return not isinstance(value, list) or all(plain(item) for item in value)

    return all(plain(value) for row in rows if row.extra for value in row.extra.values())


def _reading_store(reading: _Reading) -> None:
    """Store an incoming document's rows as they are read: a statement per table.

    Capabilities go in as they are read; their tests wait, as tuples, for
    the capabilities' new ids, read back by key in one query.
    """
    bundle_save(reading.bundle)  # all but the capabilities
    guideline = reading.bundle.guideline
    columns, at, others = _columns(Test, "capability_id")
    as_json = [
        i
        for i, name in enumerate(columns[:at] + columns[at + 1 :])
        if isinstance(Test._meta.get_field(name), models.JSONField)
    ]
    texts: dict[str, str] = {}  # one copy of each JSON text: the layouts of 100,000 tests are few
    waiting: list[tuple[str, tuple]] = []

    def compact(test) -> tuple:
        values = list(others(test))
        for i in as_json:
            text = bulk.json_text(values[i])
            values[i] = texts.setdefault(text, text) if text is not None else None
        return tuple(values)

    def capabilities():
        for capability, tests in reading.capabilities():
            waiting.extend((capability.key, compact(test)) for test in tests)
            yield guideline.pk, capability

    _insert(Capability, capabilities(), owner_column="guideline_id")
    ids = dict(Capability.objects.filter(guideline=guideline).values_list("key", "pk"))
    bulk.insert(
        Test,
        columns,
        ((*values[:at], ids[key], *values[at:]) for key, values in waiting),
        json_as_text=True,
    )


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
    columns, at, others = _columns(model, owner_column)
    bulk.insert(
        model,
        columns,
        ((*values[:at], owner, *values[at:]) for owner, row in owned for values in [others(row)]),
    )


def _columns(model, owner_column: str):
    """The columns a row of ``model`` is stored in, where its owner's id goes in
    them, and a getter of the others' values from an instance."""
    columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    at = columns.index(owner_column)
    return columns, at, attrgetter(*columns[:at], *columns[at + 1 :])
