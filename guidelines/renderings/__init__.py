"""A guideline for people to read: reStructuredText, Markdown or HTML, or its JSON.

``render(guideline, "rst")`` reads the guideline's rows (``guideline_bundle``)
and lays them out; ``render_bundle`` does the same for a caller that already
holds the bundle. The RST is laid out as the committee's tools/jsonToRst.py
wrote it (DOMAIN.md section 4), for any schema generation; Markdown and HTML
have the same sections, then each required capability's tests and flags. The
same rows always give the same text, ending with one newline.
"""

from __future__ import annotations

from guidelines.interop_format.bundle import Bundle
from guidelines.interop_format.writer import write_document
from guidelines.models import Guideline
from guidelines.selectors import document_text, guideline_bundle, guideline_document_bytes

from .html import render_html
from .markdown import render_markdown
from .outline import outline
from .rst import render_rst

FORMATS = ("json", "rst", "md", "html")
MEDIA_TYPES = {
    "json": "application/json",
    "rst": "text/x-rst; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
FILE_SUFFIX = {"json": ".json", "rst": ".rst", "md": ".md", "html": ".html"}
WRITERS = {"rst": render_rst, "md": render_markdown, "html": render_html}


def check_format(fmt: str) -> str:
    """``fmt`` if it is one of FORMATS, else ValueError naming it and the allowed ones."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return fmt


def render(guideline: Guideline, fmt: str) -> str:
    """``guideline`` in format ``fmt`` (one of FORMATS); json is the committee's document."""
    if check_format(fmt) == "json":  # before reading eleven queries' worth of rows
        return guideline_document_bytes(guideline).decode()
    return render_bundle(guideline_bundle(guideline), fmt)


def render_bundle(bundle: Bundle, fmt: str) -> str:
    """The guideline held in ``bundle`` in format ``fmt``, without reading the database."""
    if check_format(fmt) == "json":
        # What guideline_document gives, from the rows already read.
        return document_text(write_document(bundle))
    return WRITERS[fmt](outline(bundle))
