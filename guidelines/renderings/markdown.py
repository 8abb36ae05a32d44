"""Markdown (CommonMark, GitHub's flavour included) with the sections of the RST,
then the tests of each required capability with their flags, which reviewers ask for.

Every line starts with markup of its own (a heading, a list marker, a label),
so text from the document never starts a block; inside a line it is escaped,
and names go into code spans.
"""

from __future__ import annotations

import re

from guidelines.display import shown
from guidelines.models import Test

from .outline import BOILERPLATE, SECTIONS_INTRO, Listed, Outline, RequiredCapability

# ASCII punctuation that means something inline in CommonMark or GFM: emphasis,
# code, links and images, raw HTML and entities, tables, strikethrough, and a
# heading's closing "#"s. A backslash before any ASCII punctuation is an escape.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~#!])")
BACKTICKS = re.compile(r"`+")
WHITESPACE = re.compile(r"\s+")
# What opens a block at the start of a line: punctuation ("-", "+", "=", ">")
# or an ordered-list number ("1." "2)").
BLOCK_START = re.compile(r"^(?:(?P<mark>[!-/:-@\[-`{-~])|\d+(?P<number>[.)])(?!\S))")


def md_text(text: str) -> str:
    """Text that reads back as itself, on one line (a newline could open a block)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", WHITESPACE.sub(" ", str(text)))


def md_paragraph(text: str) -> str:
    """``md_text`` for the start of a line: its first character opens no block."""
    text = md_text(text).strip()
    found = BLOCK_START.match(text)
    if found is None or text.startswith("\\"):
        return text
    at = found.start("mark") if found.group("mark") else found.start("number")
    return text[:at] + "\\" + text[at:]


def md_code(text: str) -> str:
    """A code span that holds ``text`` whatever backquotes it contains."""
    text = " ".join(str(text).split())
    longest = max((len(run) for run in BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    # A space on each side keeps a backquote at either end out of the fence.
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def capability_item(listed: Listed) -> str:
    if listed.project:
        return f"- {md_code(listed.name)} ({md_text(listed.project)})"
    if not listed.defined:
        return f"- {md_code(listed.name)} (not defined in this guideline)"
    return f"- {md_code(listed.name)}"


def render_markdown(outline: Outline) -> str:
    url = outline.json_master
    lines = [
        f"# {md_text(outline.title)}",
        "",
        f"- **Status:** {md_text(outline.status)}",
        f"- **Replaces:** {md_text(outline.replaces) if outline.replaces else 'None'}",
        f"- **JSON Master:** <{url}>",
        "",
        " ".join(BOILERPLATE),
        "",
        f"This document was generated from the [master JSON version](<{url}>).",
        "",
        "## Releases Covered",
        "",
        "Applies to " + (", ".join(md_text(r) for r in outline.releases) or "None"),
        "",
        "## Platform Components",
        "",
    ]
    lines += [
        f"- **{label}:** " + (", ".join(md_text(n) for n in names) or "None")
        for label, names in outline.platform
    ]
    for component in outline.components:
        lines += ["", f"## {md_text(component.title)} Component Capabilities"]
        for group in component.statuses:
            lines += ["", f"### {group.label} Capabilities", ""]
            lines += [capability_item(listed) for listed in group.items] or ["None"]
    lines += ["", "## Designated Sections", "", " ".join(SECTIONS_INTRO)]
    for group in outline.designated_sections:
        lines += ["", f"### {group.label} Designated Sections", ""]
        lines += [
            f"- **{md_text(entry.project)}**"
            + (f": {md_text(entry.guidance)}" if entry.guidance else "")
            for entry in group.items
        ] or ["None"]
    lines += ["", "## Tests of the Required Capabilities"]
    if not outline.required:
        lines += ["", "None"]
    for required in outline.required:
        lines += ["", *required_capability(required)]
    return "\n".join(lines) + "\n"


def required_capability(required: RequiredCapability) -> list[str]:
    heading = md_code(required.name)
    if required.project:
        heading += f" ({md_text(required.project)})"
    lines = [f"### {heading}", ""]
    if required.capability is None:
        return [*lines, "Not defined in this guideline: no tests."]
    if required.capability.description:
        lines += [md_paragraph(required.capability.description), ""]
    return lines + ([test_item(test) for test in required.tests] or ["No tests."])


def test_item(test: Test) -> str:
    line = f"- {md_code(test.name)}"
    if test.idempotent_id:
        line += f" ({md_code(test.idempotent_id)})"
    if test.aliases:
        line += "; also named " + ", ".join(md_code(alias) for alias in test.aliases)
    if test.is_flagged:
        line += (
            f"; **flagged** on {md_text(shown(test.flag_date))} "
            f"(reason: {md_text(shown(test.flag_reason))}; "
            f"action: {md_text(shown(test.flag_action))})"
        )
    return line
