"""Reads of guidelines. Loading a whole guideline costs a fixed number of queries."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from typing import BinaryIO

import orjson
from django.db import connection, transaction

from guidelines.bulk import cyclic_gc_paused, instances
from guidelines.interop_format.bundle import Bundle
from guidelines.interop_format.specs import GENERATIONS
from guidelines.interop_format.writer import write_capability, write_document
from guidelines.models import (
    Capability,
    ComponentEntry,
    Criterion,
    DesignatedSection,
    Guideline,
    ProgramComponent,
    Section,
    Test,
    TestRepository,
)


def _grouped(rows, attr: str) -> dict[int, list]:
    groups: dict[int, list] = defaultdict(list)
    for row in rows:
        groups[getattr(row, attr)].append(row)
    return groups


def guideline_bundle(guideline: Guideline) -> Bundle:
    """Every row of one guideline, in document order: eleven queries, whatever its size."""
    tests = _grouped(instances(_tests_of(guideline)), "capability_id")
    capabilities = instances(_capabilities_of(guideline))
    return _bundle(guideline, [(c, tests[c.pk]) for c in capabilities])


def _capabilities_of(guideline: Guideline):
    return Capability.objects.filter(guideline=guideline).order_by("position", "pk")


def _tests_of(guideline: Guideline):
    # In the capabilities' order, so that both can be read side by side.
    return Test.objects.filter(capability__guideline=guideline).order_by(
        "capability__position", "capability_id", "position"
    )


@contextmanager
def _one_snapshot():
    """The streams read side by side see the same guideline.

    In a caller's transaction, the caller holds the guideline's row lock, which
    every change of its rows takes first (``guidelines.services.changes``).
    Otherwise one transaction of their own: one snapshot on SQLite, and on
    PostgreSQL once REPEATABLE READ (each statement has its own otherwise).
    """
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _capabilities_streamed(guideline: Guideline):
    """(capability, tests) in document order, read as two streams side by side:
    each is made, used and dropped, so memory holds one capability at a time.
    Callers read them in ``_one_snapshot``."""
    tests = instances(_tests_of(guideline), stream=True)
    pending = next(tests, None)
    for capability in instances(_capabilities_of(guideline), stream=True):
        own = []
        while pending is not None and pending.capability_id == capability.pk:
            own.append(pending)
            pending = next(tests, None)
        yield capability, own


def _bundle(g: Guideline, capabilities) -> Bundle:
    entries = _grouped(
        instances(
            ComponentEntry.objects.filter(component__guideline=g).order_by(
                "component_id", "position"
            )
        ),
        "component_id",
    )
    refs = _grouped(
        ProgramComponent.objects.filter(program__guideline=g).order_by("program_id", "position"),
        "program_id",
    )
    sections = _grouped(
        Section.objects.filter(designated_section__guideline=g).order_by(
            "designated_section_id", "position"
        ),
        "designated_section_id",
    )
    return Bundle(
        guideline=g,
        criteria=list(Criterion.objects.filter(guideline=g).order_by("position")),
        programs=[(p, refs[p.pk]) for p in g.programs.order_by("kind", "position")],
        components=[(c, entries[c.pk]) for c in g.components.order_by("position")],
        capabilities=capabilities,
        designated_sections=[
            (d, sections[d.pk])
            for d in DesignatedSection.objects.filter(guideline=g).order_by("position")
        ],
        test_repositories=list(TestRepository.objects.filter(guideline=g).order_by("position")),
    )


def guideline_document(guideline: Guideline) -> dict:
    """The guideline as the committee's JSON document, in its own schema generation.

    Its capabilities and tests, nearly all the rows of a large guideline, are
    read as a stream and written as they come: memory holds the document, not
    the rows too.
    """
    with _one_snapshot():
        # write_document reads the capabilities once, in order.
        return write_document(_bundle(guideline, _capabilities_streamed(guideline)))


# From this many capabilities on (at least 1: none leaves nothing to splice), a
# document is written a capability at a time.
STREAM_ABOVE = 1000


def guideline_document_bytes(guideline: Guideline) -> bytes:
    """``document_bytes(guideline_document(guideline))``, in less memory.

    Each capability is written and dropped as its rows come (``SplicedDocument``):
    memory never holds the document's objects, only its bytes. Where that
    cannot give the same bytes (values orjson refuses, verbatim values stored
    under the capabilities), and below STREAM_ABOVE capabilities, where it is
    faster, the whole document is written.
    """
    if (
        not SplicedDocument.applies(guideline)
        or Capability.objects.filter(guideline=guideline).count() < STREAM_ABOVE
    ):
        # Small (every real guideline: 2020.06 has 79 capabilities): faster whole.
        return document_bytes(guideline_document(guideline))
    try:
        spliced = _fed(guideline, SplicedDocument)
    except (orjson.JSONEncodeError, ValueError):
        return document_bytes(guideline_document(guideline))
    return spliced.bytes()


def _fed(guideline: Guideline, sink):
    """``sink`` made of the guideline's rows but its capabilities, then given each
    capability, written, as its rows come (``SplicedDocument``, ``DocumentDigest``)."""
    gen = GENERATIONS[guideline.schema]
    # A large guideline's objects, made and dropped by the million: see bulk.
    with cyclic_gc_paused(), _one_snapshot():
        fed = sink(_bundle(guideline, []))
        for capability, tests in _capabilities_streamed(guideline):
            fed.add(capability.key, write_capability(gen, capability, tests))
        return fed


class SplicedDocument:
    """``document_bytes`` of a document given its capabilities one at a time.

    The document around the capabilities is written with a placeholder in
    their place; each capability given is written, indented to its depth, to
    ``out`` (memory by default; an importer gives a temporary file), and
    dropped. Raises orjson.JSONEncodeError for a value orjson refuses (the
    caller writes the document whole instead).
    """

    @staticmethod
    def applies(guideline: Guideline) -> bool:
        """False when verbatim values stored under the capabilities would go amiss."""
        return not any(
            path == "capabilities" or path.startswith("capabilities/") for path in guideline.extra
        )

    def __init__(self, bundle: Bundle, out: BinaryIO | None = None):
        token = f"capabilities-{secrets.token_hex(16)}"
        around = orjson.dumps(
            write_document(bundle, capabilities=token),
            option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE,
        )
        quoted = orjson.dumps(token)
        at = around.index(quoted)
        line_start = around.rindex(b"\n", 0, at) + 1
        self._indent = len(around[line_start:at]) - len(around[line_start:at].lstrip(b" "))
        self._inner = b"\n" + b" " * (self._indent + 2)
        self._after = around[at + len(quoted) :]
        self._first = True
        self.out = _Pieces() if out is None else out
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._write(around[:at] + b"{")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self._sha256.update(data)
        self.size += len(data)

    def add(self, key: str, capability: dict) -> None:
        value = orjson.dumps(capability, option=orjson.OPT_INDENT_2)
        self._write(
            (b"" if self._first else b",")
            + self._inner
            + orjson.dumps(key)
            + b": "
            + value.replace(b"\n", self._inner)
        )
        self._first = False

    def finish(self) -> str:
        """Write the rest of the document; its SHA-256 (hex) comes back."""
        closing = b"}" if self._first else b"\n" + b" " * self._indent + b"}"
        self._write(closing + self._after)
        return self._sha256.hexdigest()

    def bytes(self) -> bytes:
        self.finish()
        return self.out.getvalue()


class _Pieces:
    """Bytes written in pieces, joined once: a growing buffer is copied as it grows."""

    def __init__(self):
        self._pieces: list[bytes] = []

    def write(self, data: bytes) -> None:
        self._pieces.append(data)

    def getvalue(self) -> bytes:
        pieces, self._pieces = self._pieces, []
        return b"".join(pieces)

    def close(self) -> None:
        self._pieces = []


class DocumentDigest:
    """A digest of a document's JSON value, given its capabilities one at a time.

    Two documents have the same digest when they hold the same value, as
    ``same_json`` compares them: the order of an object's keys does not count
    (the capabilities' included), 1, 1.0 and true differ. Numbers count as
    PostgreSQL stores them, so that a document imported again is unchanged:
    -0.0 is 0.0, and a whole float from 1e16 up is the integer.
    """

    def __init__(self, bundle: Bundle):
        self._around = hashlib.sha256(_canonical(write_document(bundle, capabilities={})))
        # Each capability's own digest (32 bytes), hashed in order at the end.
        self._capabilities: list[bytes] = []

    def add(self, key: str, capability: dict) -> None:
        self._capabilities.append(hashlib.sha256(_canonical([key, capability])).digest())

    def hexdigest(self) -> str:
        digest = self._around.copy()
        for own in sorted(self._capabilities):
            digest.update(own)
        return digest.hexdigest()


def _canonical(value) -> bytes:
    text = _sorted_text(value)
    if _STORED_OTHERWISE.search(text):
        text = _sorted_text(_as_stored(value))
    return text + b"\n"


# A negative zero, or a number written with an exponent: perhaps a float that
# PostgreSQL's jsonb gives back otherwise (-0.0 as 0.0, 1e20 as an integer).
_STORED_OTHERWISE = re.compile(rb"-0\.0|\de")


def _as_stored(value):
    """``value`` as jsonb gives it back: the same number, whichever way it is stored."""
    if isinstance(value, float):
        if value == 0:
            return 0.0
        if value.is_integer() and abs(value) >= 1e16:  # written 1e16 and up
            # The number its shortest spelling says (1.5e300 is 15 and 299
            # zeros), as jsonb keeps it; not the float's binary value.
            return int(Decimal(repr(value)))
        return value
    if isinstance(value, dict):
        return {key: _as_stored(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_stored(item) for item in value]
    return value


def _sorted_text(value) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # integers beyond 64 bits
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8", "surrogatepass")


def guideline_digest(guideline: Guideline) -> str:
    """``DocumentDigest`` of the guideline's document as stored, a capability at a time."""
    return _fed(guideline, DocumentDigest).hexdigest()


def document_bytes(document: dict) -> bytes:
    """``document_text(document)`` in UTF-8: what is served and stored."""
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        with cyclic_gc_paused():
            return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def document_text(document: dict) -> str:
    """The document as the committee's files are written: ``json.dumps(indent=2,
    ensure_ascii=False)`` and a newline.

    orjson writes those bytes ten times as fast (json's indenting encoder is
    pure Python). Only floats may be spelled otherwise (0.00001 for 1e-05: the
    same number; NaN and Infinity, which the reader refuses, would be null);
    documents with values it refuses (integers beyond 64 bits, unpaired
    surrogates) are written by json.
    """
    return document_bytes(document).decode()


def guideline_get(key: str) -> Guideline | None:
    return Guideline.objects.filter(key=key).first()


def refstack_index() -> dict[str, list[dict[str, str]]]:
    """RefStack's list: ``{"powered": [{"name": "2020.06.json", "file": ...}], "dns": [...]}``."""
    groups: dict[str, list[dict[str, str]]] = {}
    for key in Guideline.objects.order_by("key").values_list("key", flat=True):
        family = Guideline(key=key).family
        name = key[len(family) + 1 :] if family else key
        groups.setdefault(family or "powered", []).append(
            {"name": f"{name}.json", "file": f"{key}.json"}
        )
    return dict(sorted(groups.items()))


def guideline_latest_approved(family: str) -> Guideline | None:
    """The newest approved guideline of a kind: '' (or 'powered') or an add-on's name.

    "Newest" is the latest YYYY.MM name (2017A D4.1: named for Board approval).
    """
    wanted = "" if family in ("", "powered") else family
    approved = [g for g in Guideline.objects.approved() if g.family == wanted]
    dated = [g for g in approved if re.search(r"\d{4}\.\d{2}$", g.key)]
    return max(dated or approved, key=lambda g: g.key, default=None)


def approved_families() -> list[str]:
    """The kinds that have an approved guideline to start a draft from."""
    return sorted({g.family or "powered" for g in Guideline.objects.approved()})
