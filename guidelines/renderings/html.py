"""A standalone HTML5 document with the sections of the Markdown rendering.

Built for the site's Content-Security-Policy and WCAG 2.1 AA: no script, no
``style`` element or attribute, the language declared, a title, one ``h1``
and headings that never skip a level, lists for lists and ``dl`` for fields.
Every value from the document goes through ``format_html``, which escapes it.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from guidelines.display import shown
from guidelines.models import Test

from .outline import BOILERPLATE, SECTIONS_INTRO, Listed, Outline, RequiredCapability

NONE = mark_safe("<p>None</p>")


def capability_item(listed: Listed) -> SafeString:
    if listed.project:
        return format_html("<li><code>{}</code> ({})</li>", listed.name, listed.project)
    if not listed.defined:
        return format_html("<li><code>{}</code> (not defined in this guideline)</li>", listed.name)
    return format_html("<li><code>{}</code></li>", listed.name)


def listing(items: list[SafeString]) -> list[SafeString]:
    """A ``ul`` of ready items, or "None" as the RST says for an empty list."""
    if not items:
        return [NONE]
    return [mark_safe("<ul>"), *items, mark_safe("</ul>")]


def fields(pairs: list[tuple[str, SafeString | str]]) -> list[SafeString]:
    rows = format_html_join("\n", "<dt>{}</dt><dd>{}</dd>", pairs)
    return [mark_safe("<dl>"), rows, mark_safe("</dl>")]


def render_html(outline: Outline) -> str:
    url = outline.json_master
    lines: list[SafeString] = [
        mark_safe("<!DOCTYPE html>"),
        mark_safe('<html lang="en">'),
        mark_safe("<head>"),
        mark_safe('<meta charset="utf-8">'),
        mark_safe('<meta name="viewport" content="width=device-width, initial-scale=1">'),
        format_html("<title>{}</title>", outline.title),
        mark_safe("</head>"),
        mark_safe("<body>"),
        mark_safe("<main>"),
        format_html("<h1>{}</h1>", outline.title),
        *fields(
            [
                ("Status", outline.status),
                ("Replaces", outline.replaces or "None"),
                ("JSON Master", format_html('<a href="{}">{}</a>', url, url)),
            ]
        ),
        format_html("<p>{}</p>", " ".join(BOILERPLATE)),
        format_html(
            '<p>This document was generated from the <a href="{}">master JSON version</a>.</p>',
            url,
        ),
        mark_safe("<section>"),
        mark_safe("<h2>Releases Covered</h2>"),
        format_html("<p>Applies to {}</p>", ", ".join(outline.releases) or "None"),
        mark_safe("</section>"),
        mark_safe("<section>"),
        mark_safe("<h2>Platform Components</h2>"),
        *fields([(label, ", ".join(names) or "None") for label, names in outline.platform]),
        mark_safe("</section>"),
    ]
    for component in outline.components:
        lines += [
            mark_safe("<section>"),
            format_html("<h2>{} Component Capabilities</h2>", component.title),
        ]
        for group in component.statuses:
            lines += [
                mark_safe("<section>"),
                format_html("<h3>{} Capabilities</h3>", group.label),
                *listing([capability_item(listed) for listed in group.items]),
                mark_safe("</section>"),
            ]
        lines.append(mark_safe("</section>"))
    lines += [
        mark_safe("<section>"),
        mark_safe("<h2>Designated Sections</h2>"),
        format_html("<p>{}</p>", " ".join(SECTIONS_INTRO)),
    ]
    for group in outline.designated_sections:
        items = [
            format_html("<li><strong>{}</strong>: {}</li>", e.project, e.guidance)
            if e.guidance
            else format_html("<li><strong>{}</strong></li>", e.project)
            for e in group.items
        ]
        lines += [
            mark_safe("<section>"),
            format_html("<h3>{} Designated Sections</h3>", group.label),
            *listing(items),
            mark_safe("</section>"),
        ]
    lines += [
        mark_safe("</section>"),
        mark_safe("<section>"),
        mark_safe("<h2>Tests of the Required Capabilities</h2>"),
    ]
    if not outline.required:
        lines.append(NONE)
    for required in outline.required:
        lines += required_capability(required)
    lines += [
        mark_safe("</section>"),
        mark_safe("</main>"),
        mark_safe("</body>"),
        mark_safe("</html>"),
    ]
    return "\n".join(lines) + "\n"


def required_capability(required: RequiredCapability) -> list[SafeString]:
    heading = format_html("<code>{}</code>", required.name)
    if required.project:
        heading = format_html("{} ({})", heading, required.project)
    lines = [mark_safe("<section>"), format_html("<h3>{}</h3>", heading)]
    if required.capability is None:
        lines.append(mark_safe("<p>Not defined in this guideline: no tests.</p>"))
    else:
        if required.capability.description:
            lines.append(format_html("<p>{}</p>", required.capability.description))
        tests = [test_item(test) for test in required.tests]
        lines += listing(tests) if tests else [mark_safe("<p>No tests.</p>")]
    lines.append(mark_safe("</section>"))
    return lines


def test_item(test: Test) -> SafeString:
    parts = [format_html("<code>{}</code>", test.name)]
    if test.idempotent_id:
        parts.append(format_html(" (<code>{}</code>)", test.idempotent_id))
    if test.aliases:
        names = format_html_join(", ", "<code>{}</code>", ((alias,) for alias in test.aliases))
        parts.append(format_html("; also named {}", names))
    if test.is_flagged:
        parts.append(
            format_html(
                "; <strong>flagged</strong> on {} (reason: {}; action: {})",
                shown(test.flag_date),
                shown(test.flag_reason),
                shown(test.flag_action),
            )
        )
    return format_html("<li>{}</li>", mark_safe("".join(parts)))
