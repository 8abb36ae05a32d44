"""Where each capability is in a document's text, without making its objects.

A large guideline (100,000 tests) parsed whole is several times its size in
Python objects, and its rows as many again. The importer reads it instead in
two steps: the document with its capabilities left out (an empty object in
their place), then each capability from its own bytes, stored and dropped
before the next (``guidelines.services.importing``).

``outline`` finds those bytes. It walks the top-level object and the
capabilities object member by member; every value is parsed to find its end
(by json's own scanner, the fastest at it), and its objects are dropped as
they are made. The file is read as Latin-1, a character per byte, so that
the text takes no more memory than the file whatever its characters (as
UTF-8, one emoji makes every character four bytes) and its offsets are the
file's; JSON's own characters are ASCII either way, and the UTF-8 of the
file is checked apart. Anything it does not expect (text that is not JSON, a
document or capabilities that are not objects, a key given twice at either
level, a number Python will not read) gives ``None``: the document is then
read whole, which reports what is wrong with it as always.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from json.decoder import WHITESPACE, scanstring


@dataclass
class Outline:
    document: bytes  # the document with ``{}`` in place of its capabilities
    # (key, start, end) of each capability's value, as offsets in the file's bytes
    capabilities: list[tuple[str, int, int]]


class _Unexpected(Exception):
    pass


def _nothing(pairs) -> None:
    return None


# Parses a value to find its end, keeping nothing of it. The strict reading
# (numbers, repeated keys, depth) is done on each capability's own text.
_skip = json.JSONDecoder(object_pairs_hook=_nothing).raw_decode
_space = WHITESPACE.match


def outline(raw: bytes) -> Outline | None:
    """The document's outline and where its capabilities are, or None to read it whole."""
    if not _utf8(raw):
        return None
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return _outline(raw.decode("latin-1"), bom, raw)
    except (_Unexpected, ValueError, IndexError, RecursionError):
        # ValueError: json's JSONDecodeError; IndexError: the text ended early.
        return None


def _utf8(raw: bytes) -> bool:
    """Whether ``raw`` is UTF-8, checked a piece at a time."""
    if raw.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for at in range(0, len(raw), _PIECE):
            decoder.decode(view[at : at + _PIECE])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_PIECE = 1 << 20


def _outline(text: str, bom: int, raw: bytes) -> Outline:
    """``text``: ``raw`` as Latin-1, its offsets the file's."""
    spans: list[tuple[str, int, int]] = []
    where: list[int] = []  # start and end of the capabilities' value

    def top_member(key: str, at: int) -> int:
        if key != "capabilities":
            return _skip(text, at)[1]
        if text[at] != "{":
            raise _Unexpected
        end = _members(text, raw, at, capability)
        where[:] = [at, end]
        return end

    def capability(key: str, at: int) -> int:
        end = _skip(text, at)[1]
        spans.append((key, at, end))
        return end

    start = _space(text, bom).end()
    if text[start] != "{":
        raise _Unexpected
    end = _members(text, raw, start, top_member)
    if _space(text, end).end() != len(text) or not where:
        raise _Unexpected
    begin, finish = where
    return Outline(raw[:begin] + b"{}" + raw[finish:], spans)


def _members(text: str, raw: bytes, at: int, member) -> int:
    """Call ``member(key, start of its value)`` for each member of the object at ``at``.

    ``member`` returns where the value ends. Returns where the object ends.
    """
    seen: set[str] = set()
    at = _space(text, at + 1).end()
    if text[at] == "}":
        return at + 1
    while True:
        if text[at] != '"':
            raise _Unexpected
        key, end = scanstring(text, at + 1)
        if not key.isascii():  # read as Latin-1: read it again, as UTF-8
            key = scanstring(raw[at:end].decode("utf-8"), 1)[0]
        if key in seen:
            raise _Unexpected  # the last value wins: read whole, as json.load would
        seen.add(key)
        at = _space(text, end).end()
        if text[at] != ":":
            raise _Unexpected
        at = _space(text, member(key, _space(text, at + 1).end())).end()
        if text[at] == "}":
            return at + 1
        if text[at] != ",":
            raise _Unexpected
        at = _space(text, at + 1).end()
