"""Where each capability is in a document's text, without making its objects.

A large guideline (100,000 tests) parsed whole is several times its size in
Python objects, and its rows as many again. The importer reads it instead in
two steps: the document with its capabilities left out (an empty object in
their place), then each capability from its own bytes, stored and dropped
before the next (``guidelines.services.importing``).

``outline`` finds those bytes. It walks the top-level object and the
capabilities object member by member; every value is parsed to find its end
(by json's own scanner, the fastest at it), and its objects are dropped as
they are made. Anything it does not expect (text that is not JSON, a document
or capabilities that are not objects, a key given twice at either level)
gives ``None``: the document is then read whole, which reports what is wrong
with it as always.
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
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw.decode("utf-8-sig")
        return _outline(text, bom, raw)
    except (_Unexpected, ValueError, IndexError, RecursionError, UnicodeError):
        # ValueError: json's JSONDecodeError; IndexError: the text ended early.
        return None


def _outline(text: str, bom: int, raw: bytes) -> Outline:
    spans: list[tuple[str, int, int]] = []
    where: list[int] = []  # start and end of the capabilities' value

    def top_member(key: str, at: int) -> int:
        if key != "capabilities":
            return _skip(text, at)[1]
        if text[at] != "{":
            raise _Unexpected
        end = _members(text, at, capability)
        where[:] = [at, end]
        return end

    def capability(key: str, at: int) -> int:
        end = _skip(text, at)[1]
        spans.append((key, at, end))
        return end

    start = _space(text, 0).end()
    if text[start] != "{":
        raise _Unexpected
    end = _members(text, start, top_member)
    if _space(text, end).end() != len(text) or not where:
        raise _Unexpected
    begin, finish = where
    document = (text[:begin] + "{}" + text[finish:]).encode("utf-8")
    offsets = _byte_offsets(text, bom, raw, [at for _, s, e in spans for at in (s, e)])
    found = [(key, offsets[2 * i], offsets[2 * i + 1]) for i, (key, _, _) in enumerate(spans)]
    return Outline(document, found)


def _members(text: str, at: int, member) -> int:
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
        key, at = scanstring(text, at + 1)
        if key in seen:
            raise _Unexpected  # the last value wins: read whole, as json.load would
        seen.add(key)
        at = _space(text, at).end()
        if text[at] != ":":
            raise _Unexpected
        at = _space(text, member(key, _space(text, at + 1).end())).end()
        if text[at] == "}":
            return at + 1
        if text[at] != ",":
            raise _Unexpected
        at = _space(text, at + 1).end()


def _byte_offsets(text: str, bom: int, raw: bytes, chars: list[int]) -> list[int]:
    """The offsets in ``raw`` of increasing offsets in ``text``, its decoding."""
    if len(text) + bom == len(raw):  # one byte a character
        return [bom + at for at in chars]
    offsets = []
    char, byte = 0, bom
    for at in chars:
        byte += len(text[char:at].encode("utf-8"))
        char = at
        offsets.append(byte)
    return offsets
