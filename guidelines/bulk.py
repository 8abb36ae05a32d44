"""Whole guidelines in and out of the database, at the cost of the JSON.

A large guideline (100,000 tests) is read and written as rows by the tens of
thousands. Django's per-row machinery (a converter per JSON column, signals,
one INSERT parameter list built field by field) costs more than the JSON
itself, so whole-guideline reads and writes go through here:

- ``instances`` reads a query's rows as model instances with the JSON columns
  decoded once per distinct text: the layouts of 100,000 tests are a handful;
- ``insert`` stores rows given as tuples: one ``executemany`` on SQLite, one
  ``COPY`` on PostgreSQL, whatever the size;
- ``cyclic_gc_paused`` keeps Python's cycle collector from walking the
  millions of objects a large guideline is made of, again and again, while it
  is built (it halves the time of both directions).
"""

from __future__ import annotations

import functools
import gc
import io
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import BinaryIO

import orjson
from django.db import connection, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.functions import Cast

_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = True  # as the first holder found it


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector while building a whole guideline.

    The collector is process-wide: threads that build at once share one pause,
    which ends with the last of them, leaving the collector as the first found
    it. Nothing is lost: cycles made meanwhile are collected once it runs
    again. Reference counting frees everything else as usual.
    """
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


class _JsonTexts:
    """Decodes JSON column texts, each distinct text once; every row gets its own copy."""

    def __init__(self):
        # text -> (value, is a layout: {path: [keys]})
        self._parsed: dict[str, tuple[object, bool]] = {}

    def layout(self, text: str | None):
        if text is None:
            return None
        found = self._parsed.get(text)
        if found is None:
            if len(self._parsed) >= 1000:  # layouts are few; verbatim values need not be
                self._parsed.clear()
            value = json.loads(text)
            is_layout = isinstance(value, dict) and all(
                isinstance(keys, list) and all(isinstance(k, str) for k in keys)
                for keys in value.values()
            )
            found = self._parsed[text] = (value, is_layout)
        value, is_layout = found
        if is_layout:
            # Services change a row's layout in place: each row has its own.
            return {path: keys[:] for path, keys in value.items()}
        return json.loads(text)

    @staticmethod
    def value(text: str | None):
        return None if text is None else json.loads(text)


def _plain(model: type[models.Model]) -> bool:
    """Whether instances may be made without ``__init__``: nothing listens to its signals."""
    return not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model))


def maker(model: type[models.Model]):
    """``make(**values)``: a new, unsaved instance, as ``model(**values)`` makes it, faster.

    For the reader of a large guideline, which makes 100,000 of them: the
    defaults are worked out once, not field by field for every instance.
    """
    if not _plain(model):
        return model
    fields = model._meta.concrete_fields
    fresh = [(f.attname, f.default) for f in fields if f.has_default() and callable(f.default)]
    fixed = {f.attname: f.get_default() for f in fields if f.attname not in dict(fresh)}
    relations = {f.name: (f.attname, f.target_field.attname) for f in fields if f.is_relation}
    new = model.__new__

    def make(**values):
        instance = new(model)
        attrs = instance.__dict__
        attrs.update(fixed)
        for attname, default in fresh:
            attrs[attname] = default()
        state = attrs["_state"] = ModelState()
        for name, value in values.items():
            relation = relations.get(name)
            if relation is None:
                attrs[name] = value
            else:
                # As the relation's descriptor sets it: the id, and the object cached.
                attname, target = relation
                attrs[attname] = None if value is None else getattr(value, target)
                state.fields_cache[name] = value
        return instance

    return make


def instances(queryset: models.QuerySet, *, stream: bool = False):
    """The query's rows as model instances, as iterating the query would give, only faster.

    ``stream``: an iterator that reads the rows in chunks as it goes (a
    server-side cursor on PostgreSQL), for a caller that drops each row once
    used; else a list.

    Each instance is made as ``Model.from_db`` makes it, without calling
    ``__init__`` field by field when nothing listens to its init signals.
    """
    model = queryset.model
    fields = model._meta.concrete_fields
    columns = [
        Cast(f.attname, models.TextField()) if isinstance(f, models.JSONField) else f.attname
        for f in fields
    ]
    texts = _JsonTexts()
    decoders = [
        (i, texts.layout if f.name in ("layout", "extra") else texts.value)
        for i, f in enumerate(fields)
        if isinstance(f, models.JSONField)
    ]
    rows = queryset.values_list(*columns)
    if stream:
        rows = rows.iterator(chunk_size=STREAM_CHUNK)
    made = _made(model, rows, decoders, queryset.db)
    return made if stream else list(made)


STREAM_CHUNK = 2000


def _made(model, rows, decoders, db: str) -> Iterator[models.Model]:
    attnames = [f.attname for f in model._meta.concrete_fields]
    plain = _plain(model)
    new = model.__new__
    for row in rows:
        row = list(row)
        for i, decode in decoders:
            row[i] = decode(row[i])
        if plain:
            instance = new(model)
            instance.__dict__.update(zip(attnames, row, strict=True))
            instance._state = ModelState()
        else:
            instance = model(*row)
        instance._state.adding = False
        instance._state.db = db
        yield instance


# -- writing -------------------------------------------------------------------


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[tuple],
    *,
    json_as_text: bool = False,
) -> None:
    """INSERT ``rows`` (tuples of Python values, in ``columns``' order) into ``model``'s table.

    JSON columns take Python values, or their ``json_text`` when
    ``json_as_text``; everything else is stored as given, so callers pass what
    the column holds (ids, not instances). ``rows`` may be a generator that
    reads what it yields: an exception it raises comes out of ``insert``.
    The caller holds the transaction.
    """
    fields = [model._meta.get_field(column) for column in columns]
    names = [field.column for field in fields]
    is_json = [isinstance(field, models.JSONField) and not json_as_text for field in fields]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            lines = (_copy_line(row) for row in _with_json(rows, is_json))
            _copy(cursor, table, names, lines)
            return
        quoted = ", ".join(connection.ops.quote_name(name) for name in names)
        marks = ", ".join(["?"] * len(names))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"

        # sqlite3's own executemany: Django's keeps every row it is given
        # until the last is stored (it peeks at the first through a tee).
        def run(sql, params, many, context):
            return sqlite3.Cursor.executemany(cursor.cursor, sql, params)

        _wrapped(run, cursor, sql, _with_json(rows, is_json), many=True)


# One encoder for every value: json.dumps with an argument makes a new one per call.
_encode_json = json.JSONEncoder(ensure_ascii=False).encode


def json_text(value) -> str | None:
    """The text ``insert`` stores for a JSON column's value (None: SQL NULL)."""
    if value is None:
        return None
    if value == {}:
        return "{}"
    try:
        return orjson.dumps(value).decode()  # five times as fast as json's encoder
    except orjson.JSONEncodeError:  # integers beyond 64 bits
        return _encode_json(value)


def _with_json(rows: Iterable[tuple], is_json: list[bool]) -> Iterator[tuple]:
    at = [i for i, flag in enumerate(is_json) if flag]
    if not at:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for i in at:
            row[i] = json_text(row[i])
        yield row


# COPY's text format: a backslash, a newline, a carriage return and a tab are
# escaped; NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


_NEEDS_ESCAPE = re.compile(r"[\\\n\r\t]")


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    # Most values have nothing to escape: searching is cheaper than translating.
    return text.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def _copy_line(row) -> str:
    """A row in COPY's text format, with its newline."""
    # Nearly always nothing to escape: checked once a row, without a call a value.
    texts = [v if v is None else "t" if v is True else "f" if v is False else str(v) for v in row]
    if any(map(_NEEDS_ESCAPE.search, [text for text in texts if text is not None])):
        return "\t".join(map(_copy_text, row)) + "\n"
    return "\t".join(["\\N" if text is None else text for text in texts]) + "\n"


class _CopyStream(io.TextIOBase):
    """A file COPY reads from, filled row by row: the whole text is never in memory.

    Each read costs what it returns, however long a row: a row longer than a
    read is handed out in slices of it, never copied whole again.
    """

    def __init__(self, text: Iterable[str]):
        self._lines = iter(text)  # the text, in pieces of any length
        self._line = ""
        self._at = 0
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        # psycopg2 cancels the COPY and raises its own error: the exception
        # is kept for ``_copy`` to raise in its place.
        try:
            return self._read(size)
        except Exception as exc:
            self.error = exc
            raise

    def _read(self, size: int) -> str:
        if size is None or size < 0:
            text = self._line[self._at :] + "".join(self._lines)
            self._line, self._at = "", 0
            return text
        pieces = []
        wanted = size
        while wanted > 0:
            if self._at >= len(self._line):
                line = next(self._lines, None)
                if line is None:
                    break
                self._line, self._at = line, 0
            piece = self._line[self._at : self._at + wanted]
            self._at += len(piece)
            wanted -= len(piece)
            pieces.append(piece)
        return "".join(pieces)


def _copy(cursor, table: str, names: list[str], text: Iterable[str]) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    stream = _CopyStream(text)

    def run(sql, params, many, context):
        return cursor.cursor.copy_expert(sql, stream)

    try:
        _wrapped(run, cursor, sql, None, many=False)
    except Exception:
        if stream.error is None:
            raise
        error, stream.error = stream.error, None  # nothing kept alive by the stream
        raise error from None


BLOB_PIECE = 1 << 20  # bytes of a binary value read at a time


def insert_with_blob(
    model: type[models.Model], values: dict, column: str, source: BinaryIO, size: int
) -> None:
    """INSERT one row of ``values`` (attname: Python value) whose binary ``column``
    holds the ``size`` bytes read from ``source``, a piece at a time.

    A published guideline's document can be tens of megabytes: given whole,
    the driver would copy it (PostgreSQL's twice, as hex in the query text).
    Here it goes in by COPY on PostgreSQL, into a blob written in place on
    SQLite. The caller holds the transaction.
    """
    fields = [model._meta.get_field(name) for name in values]
    prepared = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    names = [field.column for field in fields]
    blob_column = model._meta.get_field(column).column
    table = model._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":

            def text():
                yield "".join(_copy_text(value) + "\t" for value in prepared)
                yield "\\\\x"  # COPY's escaping of bytea's hex form, \x
                while piece := source.read(BLOB_PIECE):
                    yield piece.hex()
                yield "\n"

            _copy(cursor, table, [*names, blob_column], text())
            return
        columns = ", ".join(quote(name) for name in [*names, blob_column])
        marks = ", ".join(["?"] * len(names) + ["zeroblob(?)"])
        sql = f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})"

        def run(sql, params, many, context):
            return sqlite3.Cursor.execute(cursor.cursor, sql, params)

        _wrapped(run, cursor, sql, [*prepared, size], many=False)
        with connection.connection.blobopen(table, blob_column, cursor.cursor.lastrowid) as blob:
            while piece := source.read(BLOB_PIECE):
                blob.write(piece)


def _wrapped(run, cursor, sql: str, params, *, many: bool) -> None:
    """``run`` a statement on the driver's cursor, as Django runs every query.

    Through the connection's execute wrappers (connection.execute_wrapper), so
    what counts queries that way sees it too; Django's own query log (DEBUG,
    assertNumQueries) does not.
    """
    for wrapper in reversed(connection.execute_wrappers):
        run = functools.partial(wrapper, run)
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        run(sql, params, many, {"connection": connection, "cursor": cursor})
