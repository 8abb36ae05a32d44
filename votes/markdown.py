"""Comments' Markdown, rendered to HTML that no script can get into.

Two layers, each enough on its own for what it guards:

- markdown-it-py with ``html=False``: raw HTML in the source is text, shown as
  written (``<script>`` reads as ``<script>``); its link validation already
  refuses ``javascript:``, ``vbscript:``, ``file:`` and ``data:`` URLs.
- nh3 (ammonia) then keeps only an allow-list of tags and attributes, links
  only to http, https and mailto (relative links lose their ``href``), and
  gives every link ``rel="nofollow noopener"``.

Headings are not Markdown here (``# x`` stays a line of text): a comment's
headings would break the outline of the page it is shown on. Images are not
either: the site's pages load images from the site only (CSP), and an image
from elsewhere would tell its host who reads the comment.

Bodies are rendered once, when written, and the HTML is stored
(``Comment.body_html``); :func:`render` is deterministic, so rendering a
stored body again gives what a new policy would store.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener"

_MARKDOWN = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable(["table", "strikethrough"])
    .disable(["heading", "lheading", "image", "html_block", "html_inline"])
)


def render(source: str) -> str:
    """Sanitised HTML for a comment's Markdown source."""
    html = _MARKDOWN.render(source)
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        url_relative="deny",
    ).strip()
