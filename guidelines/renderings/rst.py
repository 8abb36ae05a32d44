"""reStructuredText laid out as the committee's tools/jsonToRst.py wrote it.

Headings, underline lengths, blank lines, ``None`` for an empty list and the
79-column wrapping of designated sections are theirs (compare
../shared/interop-data/guidelines/2018.02.rst), so a page built from our file
looks like one built from theirs. Like theirs, it renders no tests, flags,
criteria or scores. Unlike theirs, text from the document is escaped: a
guidance or a name can hold no markup, link, directive or new block.
"""

from __future__ import annotations

import re
import textwrap

from .outline import BOILERPLATE, SECTIONS_INTRO, Listed, Outline

# Characters that start inline markup: emphasis, interpreted text and literals,
# references and footnotes (``name_``), substitutions, and the escape itself.
INLINE_MARKUP = re.compile(r"([\\`*_|])")
# "::" ends a paragraph with a literal block; escaping each colon that another
# follows leaves no "::" docutils reads as one.
DOUBLE_COLON = re.compile(r":(?=:)")
# "scheme:rest" is a standalone hyperlink to docutils (javascript: included).
URI_SCHEME = re.compile(r"(?<=[A-Za-z0-9+.\-]):(?=\S)")
# A word of punctuation alone ("====", "..", "--") wrapped onto the second line
# of an item would be read as a section underline.
PUNCTUATION_WORD = re.compile(r"(?<!\S)([^\w\s\\])(?=[^\w\s]*(?!\S))")
# Text that opens a block when it starts a list item: an enumerator ("a.", "(1)",
# "#)") or any punctuation (":field:", "-option", ".. directive", "| line").
BLOCK_START = re.compile(r"^(?:[^\w\\]|\(?[A-Za-z0-9#]+[.)](?:\s|$))")

WRAP_WIDTH = 79
SECTION_RULE = "=" * 30  # jsonToRst's fixed underline for these two sections
SECTIONS_RULE = "=" * 37


def rst_text(text: str) -> str:
    """Text that docutils reads back as itself, on one line."""
    text = " ".join(str(text).split())
    for pattern, replacement in (
        (INLINE_MARKUP, r"\\\1"),
        (DOUBLE_COLON, r"\\:"),
        (URI_SCHEME, r"\\:"),
        (PUNCTUATION_WORD, r"\\\1"),
    ):
        text = pattern.sub(replacement, text)
    return text


def rst_item(text: str) -> str:
    """``rst_text`` for the start of a list item, which must not open a nested block."""
    text = rst_text(text)
    return "\\" + text if BLOCK_START.match(text) else text


def capability_line(listed: Listed) -> str:
    if listed.project:
        return f"* {rst_item(listed.name)} ({rst_text(listed.project)})"
    return f"* {rst_item(listed.name)}"


def render_rst(outline: Outline) -> str:
    title = rst_text(outline.title)
    rule = "=" * len(title)
    lines = [
        rule,
        title,
        rule,
        "",
        f":Status: {rst_text(outline.status)}",
        f":Replaces: {rst_text(outline.replaces) if outline.replaces else 'None'}",
        f":JSON Master: {outline.json_master}",
        "",
        *BOILERPLATE,
        "",
        f"This document was generated from the `master JSON version <{outline.json_master}>`_.",
        "",
        "Releases Covered",
        SECTION_RULE,
        "Applies to " + (", ".join(rst_text(r) for r in outline.releases) or "None"),
        "",
        "Platform Components",
        SECTION_RULE,
    ]
    for label, names in outline.platform:
        lines += [f":{label}: " + (", ".join(rst_text(n) for n in names) or "None"), ""]
    for component in outline.components:
        heading = f"{rst_text(component.title)} Component Capabilities"
        lines += ["", "", "", heading, "=" * len(heading)]
        for group in component.statuses:
            heading = f"{group.label} Capabilities"
            # jsonToRst's status underlines are two longer than the title.
            lines += [heading, "-" * (len(heading) + 2)]
            lines += [capability_line(listed) for listed in group.items] or ["None"]
            lines.append("")
    lines += ["", "Designated Sections", SECTIONS_RULE, "", *SECTIONS_INTRO]
    for group in outline.designated_sections:
        heading = f"{group.label} Designated Sections"
        lines += ["", heading, "-" * len(heading), ""]
        lines += [section_line(entry.project, entry.guidance) for entry in group.items] or ["None"]
    return "\n".join(lines) + "\n"


def section_line(project: str, guidance: str | None) -> str:
    """``* Nova : guidance``, wrapped at 79 columns with a two-space hanging indent."""
    text = f"* {rst_item(project)}"
    if guidance:
        text += f" : {rst_text(guidance)}"
    # Words are never split: a backslash left at the end of a line would escape it.
    return textwrap.fill(text, WRAP_WIDTH, subsequent_indent="  ", break_long_words=False)
