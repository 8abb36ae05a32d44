"""Declarative mapping between JSON objects of a guideline and model rows.

A ``Spec`` lists the members a JSON object may have: ``Field`` (a value held
in a column), ``Nested`` (a plain object folded into the same row, like 2.0
``metadata``), ``Child`` (a container whose content becomes other rows; the
caller reads and writes it) and ``Quiet`` (legacy keys the schema documents
but the model does not use; kept verbatim without a warning).

``read_object`` and ``write_object`` walk the same spec, so what one reads the
other writes back. See guidelines.models for ``layout`` and ``extra``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from guidelines.lifecycle import DOCUMENT_SPELLINGS

MISSING: Any = object()


class Mismatch(Exception):
    """A value the codec cannot interpret; it is kept verbatim."""


@dataclass(frozen=True)
class Codec:
    name: str
    decode: Callable[[Any], Any]
    encode: Callable[[Any], Any] = lambda value: value


def _text(value):
    if isinstance(value, str):
        return value
    raise Mismatch("expected a string")


def _bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise Mismatch("expected true or false")


def _int(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise Mismatch("expected an integer")


def _text_list(value):
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise Mismatch("expected a list of strings")


TEXT = Codec("string", _text)
BOOL = Codec("boolean", _bool)
INT = Codec("integer", _int)
# Schema 1.4-1.6 write the cut-off score as a string ("74").
INT_AS_TEXT = Codec("integer written as a string", _int, lambda value: str(value))
TEXT_LIST = Codec("list of strings", _text_list)


def status_codec(review_spelling: str) -> Codec:
    """Guideline status; 1.x says "review", the 2.0 enum says "advisory"."""

    def decode(value):
        if isinstance(value, str) and value in DOCUMENT_SPELLINGS:
            return str(DOCUMENT_SPELLINGS[value])
        raise Mismatch("expected one of draft, " + review_spelling + ", approved, superseded")

    def encode(value):
        return review_spelling if value == "review" else value

    return Codec("status", decode, encode)


@dataclass(frozen=True)
class Field:
    attr: str
    codec: Codec
    keys: tuple[str, ...]  # accepted spellings, the generation's own first


@dataclass(frozen=True)
class Nested:
    keys: tuple[str, ...]
    spec: Spec
    # Row attribute saying whether the object is there (a test's flag).
    present_attr: str | None = None


@dataclass(frozen=True)
class Child:
    name: str
    keys: tuple[str, ...]
    # Written even when empty for a row without a layout (a new row).
    required: bool = True


@dataclass(frozen=True)
class Quiet:
    keys: tuple[str, ...]


Member = Field | Nested | Child | Quiet


@dataclass(frozen=True)
class Spec:
    members: tuple[Member, ...]
    by_key: dict[str, Member] = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "by_key", {key: m for m in self.members for key in m.keys})

    def known_keys(self) -> list[str]:
        return [key for m in self.members for key in m.keys]


def spec(*members: Member) -> Spec:
    return Spec(members)


def pointer_join(base: str, key: str) -> str:
    """JSON pointer (RFC 6901) segment join, relative paths without a leading '/'."""
    escaped = key.replace("~", "~0").replace("/", "~1")
    return f"{base}/{escaped}" if base else escaped


def pointer_split(path: str) -> list[str]:
    if not path:
        return []
    return [part.replace("~1", "/").replace("~0", "~") for part in path.split("/")]


def same_json(a: Any, b: Any) -> bool:
    """JSON value equality that tells 1 from true and 1 from 1.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def describe(value: Any) -> str:
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class ChildValue:
    value: Any
    doc_path: str  # JSON pointer in the document, for messages
    row_path: str  # JSON pointer relative to the row, for extra and layout


class Report:
    """What the importer noticed, as (JSON pointer, message) pairs."""

    def __init__(self):
        self.warnings: list[tuple[str, str]] = []

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(("/" + path if path else "/", message))


def read_object(
    row: Any,
    spec: Spec,
    obj: dict,
    *,
    report: Report,
    doc_path: str,
    row_path: str = "",
    children: dict[str, ChildValue] | None = None,
) -> dict[str, ChildValue]:
    """Fill ``row`` from ``obj``; return its Child containers by name."""
    children = {} if children is None else children
    keys: list[str] = []
    seen: set[int] = set()
    for key, value in obj.items():
        keys.append(key)
        member = spec.by_key.get(key)
        if isinstance(member, Field):
            if id(member) not in seen:
                seen.add(id(member))
                # The pointers are made only when something is reported or kept.
                _read_field(row, member, value, report=report, at=(row_path, doc_path, key))
                continue
        elif member is not None and not isinstance(member, Nested):
            seen.add(id(member))
        at_row = pointer_join(row_path, key)
        at_doc = pointer_join(doc_path, key)
        if isinstance(member, Field | Nested) and id(member) in seen:
            row.extra[at_row] = value
            report.warn(at_doc, f"'{key}' repeats another spelling of the same field; kept as is")
            continue
        if isinstance(member, Nested):
            seen.add(id(member))
            if member.present_attr:
                setattr(row, member.present_attr, bool(value))
            if isinstance(value, dict):
                read_object(
                    row,
                    member.spec,
                    value,
                    report=report,
                    doc_path=at_doc,
                    row_path=at_row,
                    children=children,
                )
            else:
                row.extra[at_row] = value
                report.warn(at_doc, f"expected an object, got {describe(value)}; kept as is")
        elif isinstance(member, Child):
            children[member.name] = ChildValue(value, at_doc, at_row)
        elif isinstance(member, Quiet):
            row.extra[at_row] = value
        else:
            row.extra[at_row] = value
            report.warn(at_doc, unknown_key_message(key, spec.known_keys()))
    row.layout[row_path] = keys
    return children


def unknown_key_message(key: str, known: list[str]) -> str:
    guess = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
    return f"unknown key '{key}'{hint}; kept as is"


def _read_field(row, member: Field, value, *, report: Report, at: tuple[str, str, str]):
    """``at``: the row's path, the document's path and the key, joined only when needed."""
    row_path, doc_path, key = at
    try:
        decoded = member.codec.decode(value)
    except Mismatch as exc:
        row.extra[pointer_join(row_path, key)] = value
        report.warn(
            pointer_join(doc_path, key), f"{exc}, got {describe(value)} {_short(value)}; kept as is"
        )
        return
    setattr(row, member.attr, decoded)
    encoded = member.codec.encode(decoded)
    # Most values come back as the very object read (a name, a flag).
    if encoded is not value and not same_json(encoded, value):
        # Understood, but written unusually ("false" for false): keep the
        # spelling so the document comes back as it was.
        row.extra[pointer_join(row_path, key)] = value
        report.warn(
            pointer_join(doc_path, key),
            f"{_short(value)} read as {_short(member.codec.encode(decoded))}"
            f" ({member.codec.name}); kept as written",
        )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def write_object(
    row: Any,
    spec: Spec,
    children: dict[str, Any],
    *,
    row_path: str = "",
) -> dict:
    """Build the JSON object of ``row`` at ``row_path``; ``children`` are built by the caller.

    A row with a layout writes the keys of its layout, in that order; a row
    without one (created in the application) writes every member it has.
    """
    if not row.extra:
        return _write_plain(row, spec, children, row_path)
    new_row = not row.layout
    layout = [] if new_row else row.layout.get(row_path, [])
    out: dict = {}
    done: set[int] = set()

    def emit(key: str, member: Member | None, in_layout: bool) -> None:
        at_row = pointer_join(row_path, key)
        if at_row in row.extra:
            out[key] = row.extra[at_row]
            if member is not None:
                done.add(id(member))
            return
        if member is None or id(member) in done:
            return
        value = _member_value(row, member, children, at_row=at_row, present=in_layout or new_row)
        if value is not MISSING:
            out[key] = value
            done.add(id(member))

    for key in layout:
        emit(key, spec.by_key.get(key), in_layout=True)
    for member in spec.members:
        if id(member) not in done and not isinstance(member, Quiet):
            emit(member.keys[0], member, in_layout=False)
    # Verbatim keys at this level that the layout does not place.
    prefix = row_path + "/" if row_path else ""
    for path, value in row.extra.items():
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            if rest and "/" not in rest:
                key = pointer_split(rest)[0]
                if key not in out:
                    out[key] = value
    return out


# write_object for a row with nothing verbatim: the rows of a large guideline,
# nearly all. The same walk, its steps worked out once per spec and layout.
_STEPS: dict[tuple, tuple] = {}


def _steps(spec: Spec, keys: tuple[str, ...], new_row: bool) -> tuple:
    """(key, member, present) in the order write_object tries them."""
    found = _STEPS.get((id(spec), keys, new_row))
    if found is None:
        steps = [(key, spec.by_key[key], True) for key in keys if key in spec.by_key]
        steps += [(m.keys[0], m, new_row) for m in spec.members if not isinstance(m, Quiet)]
        found = tuple(
            (key, member, present)
            for key, member, present in steps
            if not isinstance(member, Quiet)
        )
        if len(_STEPS) > 4096:  # layouts are few; never let odd documents grow this
            _STEPS.clear()
        _STEPS[(id(spec), keys, new_row)] = found
        _STEPS[(id(spec), "spec")] = spec  # keeps id(spec) from being reused
    return found


def _write_plain(row: Any, spec: Spec, children: dict[str, Any], row_path: str) -> dict:
    new_row = not row.layout
    keys = () if new_row else tuple(row.layout.get(row_path, ()))
    out: dict = {}
    done: set[int] = set()
    for key, member, present in _steps(spec, keys, new_row):
        if id(member) in done:
            continue
        if isinstance(member, Field):
            value = getattr(row, member.attr)
            if value is None or not present:
                continue
            out[key] = member.codec.encode(value)
        elif isinstance(member, Nested):
            if member.present_attr is not None:
                present = bool(getattr(row, member.present_attr))
            if not present:
                continue
            out[key] = _write_plain(row, member.spec, children, pointer_join(row_path, key))
        else:  # Child
            if member.name not in children:
                continue
            value = children[member.name]
            in_layout = present and not new_row
            if not (value or in_layout or (present and member.required)):
                continue
            out[key] = value
        done.add(id(member))
    return out


def _member_value(row, member: Member, children, *, at_row: str, present: bool):
    if isinstance(member, Field):
        value = getattr(row, member.attr)
        return MISSING if value is None or not present else member.codec.encode(value)
    if isinstance(member, Nested):
        if member.present_attr is not None:
            present = bool(getattr(row, member.present_attr))
        return write_object(row, member.spec, children, row_path=at_row) if present else MISSING
    if isinstance(member, Child):
        if member.name not in children:
            return MISSING
        value = children[member.name]
        # An absent container stays absent unless rows were added to it; a
        # new row gets its required containers, empty.
        in_layout = present and bool(row.layout)
        if not (value or in_layout or (present and member.required)):
            return MISSING
        return deep_apply(value, row.extra, at_row)
    return MISSING


def deep_apply(value: Any, extra: dict, base: str) -> Any:
    """Put verbatim values stored below ``base`` into a container built from rows."""
    prefix = base + "/"
    pending = [(p[len(prefix) :], v) for p, v in extra.items() if p.startswith(prefix)]
    if not pending or not isinstance(value, dict):
        return value
    value = dict(value)
    for rest, item in pending:
        parts = pointer_split(rest)
        target = value
        for part in parts[:-1]:
            nested = target.get(part)
            nested = dict(nested) if isinstance(nested, dict) else {}
            target[part] = nested
            target = nested
        target[parts[-1]] = item
    return value


def field_set(row: Any, spec: Spec, attr: str, value: Any) -> None:
    """Change one field of an imported or new row, as services must.

    Drops the verbatim copy of the field, so the new value is what gets
    exported, and records in the layout that the field is present (or, for
    ``None``, absent).
    """
    for base, keys in find_field_paths(spec, attr):
        spelled = [pointer_join(base, key) for key in keys]
        for path in spelled:
            row.extra.pop(path, None)
        setattr(row, attr, value)
        if not row.layout:
            continue
        level = row.layout.setdefault(base, [])
        present = [key for key in level if key in keys]
        if value is None:
            row.layout[base] = [key for key in level if key not in keys]
        elif not present:
            level.append(keys[0])
            # Make sure every enclosing object is written too.
            parts = pointer_split(base)
            for depth in range(len(parts)):
                parent = "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts[:depth])
                siblings = row.layout.setdefault(parent, [])
                if parts[depth] not in siblings:
                    siblings.append(parts[depth])


def find_field_paths(spec: Spec, attr: str, base: str = "") -> list[tuple[str, tuple[str, ...]]]:
    found = []
    for member in spec.members:
        if isinstance(member, Field) and member.attr == attr:
            found.append((base, member.keys))
        elif isinstance(member, Nested):
            found += find_field_paths(member.spec, attr, pointer_join(base, member.keys[0]))
    return found
