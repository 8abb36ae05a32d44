"""Human-readable renderings (RST, Markdown, HTML), release notes and ``export_guideline
--format``, on the project's own test guidelines (tests/data/guidelines).

Each rendering is read back with a parser of its own (a small RST reader below,
markdown-it for Markdown, the standard library's HTML parser) and compared with
the rows, so a test fails when a rendering drops, reorders or invents anything.
"""

from __future__ import annotations

import copy
import os
import re
import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from markdown_it import MarkdownIt

from guidelines.interop_format.fields import Report
from guidelines.interop_format.reader import parse_json, read_document
from guidelines.models import Capability, Component, ComponentEntry, DesignatedSection, Guideline
from guidelines.renderings import FILE_SUFFIX, FORMATS, MEDIA_TYPES, render, render_bundle
from guidelines.renderings.notes import release_notes_html, release_notes_markdown
from guidelines.selectors import document_text, guideline_bundle, guideline_document

from .helpers import import_doc, import_project, project_doc, project_path

pytestmark = pytest.mark.django_db

STATUSES = (
    ("required", "Required"),
    ("advisory", "Advisory"),
    ("deprecated", "Deprecated"),
    ("removed", "Removed"),
)
# What a reader calls each component of the project's data: 2.0's read as 1.x's.
TITLES = {
    "compute": "Compute",
    "object": "Object",
    "os_powered_compute": "Compute",
    "os_powered_storage": "Object",
    "os_powered_orchestration": "Orchestration",
}
# 1.2, 1.4, 1.6, 2.0, a draft, and an add-on.
KEYS = ["2021.01", "2022.01", "2023.01", "2024.01", "next", "orchestration.2024.01"]


def unescape_rst(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


# A reader of the RST layout, written apart from the renderer (the committee's
# file is read with it too, in test_renderings_real.py).

UNDERLINE = re.compile(r"^([=\-])\1*$")


@dataclass
class RstDoc:
    title: str
    fields: dict[str, str]  # the header's :Status:, :Replaces:, :JSON Master:
    header: list[str]  # the header's other lines, blank ones dropped
    sections: list[tuple[str, str, int]]  # (title, underline character, underline length)
    releases: list[str]
    platform: dict[str, str]
    components: list[tuple[str, list[tuple[str, list[str]]]]]
    designated: list[tuple[str, list[str]]]
    intro: list[str] = field(default_factory=list)  # lines under "Designated Sections"


def rst_items(body: list[str]) -> list[str]:
    """``* item`` lines with their indented continuations joined, or [] for "None"."""
    items: list[str] = []
    for line in body:
        if line.startswith("* "):
            items.append(line[2:])
        elif line.startswith("  ") and items:
            items[-1] += " " + line.strip()
        elif line.strip() not in ("", "None"):
            raise AssertionError(f"unexpected line in a list: {line!r}")
    return items


def rst_fields(body: list[str]) -> dict[str, str]:
    found = {}
    for line in body:
        if match := re.match(r"^:([^:]+): (.*)$", line):
            found[match.group(1)] = match.group(2)
    return found


def read_rst(text: str) -> RstDoc:
    lines = text.split("\n")
    assert lines[0] == lines[2] and UNDERLINE.match(lines[0]), "title with over- and underline"
    assert len(lines[0]) == len(lines[1]), "title rules as long as the title"
    header: list[str] = []
    sections: list[tuple[str, str, int, list[str]]] = []
    i = 3
    while i < len(lines):
        line, after = lines[i], lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and UNDERLINE.match(after) and len(after) >= len(line):
            sections.append((line, after[0], len(after), []))
            i += 2
            continue
        (sections[-1][3] if sections else header).append(line)
        i += 1
    bodies = {title: body for title, _, _, body in sections}
    components: list[tuple[str, list[tuple[str, list[str]]]]] = []
    designated: list[tuple[str, list[str]]] = []
    in_designated = False
    for title, char, _, body in sections:
        if char == "=":
            in_designated = title == "Designated Sections"
            if title.endswith(" Component Capabilities"):
                components.append((title.removesuffix(" Component Capabilities"), []))
        elif in_designated:
            designated.append((title.removesuffix(" Designated Sections"), rst_items(body)))
        elif components:
            components[-1][1].append((title.removesuffix(" Capabilities"), rst_items(body)))
    return RstDoc(
        title=lines[1],
        fields=rst_fields(header),
        header=[line for line in header if line.strip() and not line.startswith(":")],
        sections=[(title, char, length) for title, char, length, _ in sections],
        releases=[line for line in bodies.get("Releases Covered", []) if line.strip()],
        platform=rst_fields(bodies.get("Platform Components", [])),
        components=components,
        designated=designated,
        intro=[line for line in bodies.get("Designated Sections", []) if line.strip()],
    )


# Markdown and HTML, read back into headings with their paragraphs and list items.


@dataclass
class Block:
    level: int
    title: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def read_markdown(text: str) -> list[Block]:
    tokens = MarkdownIt("commonmark").parse(text)
    blocks: list[Block] = [Block(0, "")]
    for i, token in enumerate(tokens):
        if token.type != "inline":
            continue
        plain = "".join(
            child.content for child in token.children if child.type in ("text", "code_inline")
        )
        opener = tokens[i - 1]
        if opener.type == "heading_open":
            blocks.append(Block(int(opener.tag[1]), plain))
        elif any(t.type == "list_item_open" for t in tokens[max(0, i - 2) : i]):
            blocks[-1].items.append(plain)
        else:
            blocks[-1].paragraphs.append(plain)
    return blocks


TEXT_TAGS = ("h1", "h2", "h3", "h4", "p", "li", "title", "dt", "dd")


class HtmlReader(HTMLParser):
    """Headings, paragraphs and list items; and every tag and attribute, to check them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = [Block(0, "")]
        self.tags: list[tuple[str, dict]] = []
        self.open: list[str] = []
        self.text: list[str] | None = None
        self.title = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "!doctype"):
            self.open.append(tag)
        if tag in TEXT_TAGS:
            self.text = []

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()
        if self.text is None or tag not in TEXT_TAGS:
            return
        # As a browser shows it: runs of white space are one space.
        text, self.text = " ".join("".join(self.text).split()), None
        if tag[0] == "h":
            self.blocks.append(Block(int(tag[1]), text))
        elif tag == "li":
            self.blocks[-1].items.append(text)
        elif tag in ("p", "dt", "dd"):
            self.blocks[-1].paragraphs.append(text)
        elif tag == "title":
            self.title = text

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def read_html(text: str) -> HtmlReader:
    reader = HtmlReader()
    reader.feed(text)
    reader.close()
    assert reader.open == [], "every element closed"
    return reader


# Expectations from the rows


def capability_line(name: str, projects: dict[str, str | None], fmt: str) -> str:
    if projects.get(name):
        return f"{name} ({projects[name].capitalize()})"
    if name not in projects and fmt != "rst":
        return f"{name} (not defined in this guideline)"
    return name


def expected_components(guideline: Guideline, fmt: str) -> list[tuple[str, list]]:
    """[(component title, [(status label, capability lines)])] from the rows, per format."""
    projects = dict(Capability.objects.filter(guideline=guideline).values_list("key", "project"))
    result = []
    for component in Component.objects.filter(guideline=guideline).order_by("name"):
        entries = ComponentEntry.objects.filter(component=component, kind="capabilities")
        result.append(
            (
                TITLES[component.name],
                [
                    (
                        label,
                        [
                            capability_line(name, projects, fmt)
                            for name in entries.filter(status=status)
                            .order_by("position")
                            .values_list("name", flat=True)
                        ],
                    )
                    for status, label in STATUSES
                ],
            )
        )
    return result


def expected_designated(guideline: Guideline, separator: str) -> list[tuple[str, list[str]]]:
    rows = DesignatedSection.objects.filter(guideline=guideline).order_by("project")
    return [
        (
            label,
            [
                f"{row.project.capitalize()}{separator}{' '.join(row.guidance.split())}"
                for row in rows.filter(status=status)
            ],
        )
        for status, label in STATUSES
    ]


def imported(key: str) -> Guideline:
    return import_project(key)[0]


# The public API


def test_each_format_has_a_media_type_and_a_file_suffix():
    assert FORMATS == ("json", "rst", "md", "html")
    assert MEDIA_TYPES == {
        "json": "application/json",
        "rst": "text/x-rst; charset=utf-8",
        "md": "text/markdown; charset=utf-8",
        "html": "text/html; charset=utf-8",
    }
    assert FILE_SUFFIX == {"json": ".json", "rst": ".rst", "md": ".md", "html": ".html"}


def test_an_unknown_format_is_refused_naming_it_and_the_allowed_ones():
    guideline = imported("2024.01")

    with pytest.raises(ValueError, match=r"unknown format 'pdf': use one of json, rst, md, html"):
        render(guideline, "pdf")
    with pytest.raises(ValueError, match=r"'RST'"):
        render_bundle(guideline_bundle(guideline), "RST")


@pytest.mark.parametrize("key", ["2021.01", "2024.01"])
def test_json_is_the_committee_document_the_exporter_writes(key):
    guideline = imported(key)

    expected = document_text(guideline_document(guideline))
    assert render(guideline, "json") == expected
    assert render_bundle(guideline_bundle(guideline), "json") == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_bundle_gives_what_render_reads_itself(fmt):
    guideline = imported("next")

    assert render_bundle(guideline_bundle(guideline), fmt) == render(guideline, fmt)


@pytest.mark.parametrize("key", ["2021.01", "2024.01", "orchestration.2024.01"])
def test_render_bundle_needs_no_database_a_bundle_read_from_a_file_renders_the_same(
    key, django_assert_num_queries
):
    """What publishing does: render a revision from its stored JSON, not from the rows."""
    guideline = imported(key)
    bundle = read_document(parse_json(project_path(key).read_bytes(), Report()), Report())
    bundle.guideline.key = key

    with django_assert_num_queries(0):
        rendered = {fmt: render_bundle(bundle, fmt) for fmt in FORMATS}

    assert rendered == {fmt: render(guideline, fmt) for fmt in FORMATS}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", ["2021.01", "2024.01", "orchestration.2024.01"])
def test_the_same_rows_give_the_same_bytes_ending_with_one_newline(key, fmt):
    guideline = imported(key)

    first = render(guideline, fmt)
    again = render(Guideline.objects.get(pk=guideline.pk), fmt)

    assert first == again
    assert first.endswith("\n") and not first.endswith("\n\n")


# reStructuredText


@pytest.mark.parametrize("key", KEYS)
def test_rst_lists_each_components_capabilities_by_status_as_the_rows_do(key):
    guideline = imported(key)

    doc = read_rst(render(guideline, "rst"))

    assert doc.components == expected_components(guideline, "rst")
    assert doc.designated == expected_designated(guideline, " : ")


@pytest.mark.parametrize("key", KEYS)
def test_rst_has_the_committees_sections_in_their_order(key):
    guideline = imported(key)

    doc = read_rst(render(guideline, "rst"))

    expected = [("Releases Covered", "=", 30), ("Platform Components", "=", 30)]
    for title, statuses in expected_components(guideline, "rst"):
        heading = f"{title} Component Capabilities"
        expected.append((heading, "=", len(heading)))
        # jsonToRst's status underlines are two longer than their titles.
        expected += [(f"{label} Capabilities", "-", len(label) + 15) for label, _ in statuses]
    expected.append(("Designated Sections", "=", 37))
    # Informational designated sections are not rendered, as jsonToRst skips them.
    expected += [(f"{label} Designated Sections", "-", len(label) + 20) for _, label in STATUSES]
    assert doc.sections == expected
    assert doc.title == f"OpenStack Interoperability Guideline {key}"


def test_rst_header_gives_status_replaces_releases_and_the_json_master():
    guideline = imported("2022.01")

    doc = read_rst(render(guideline, "rst"))

    assert doc.fields == {
        "Status": guideline.status,
        "Replaces": guideline.replaces,
        # The project's files give https://example.org/interop/ as their source:
        # not a file, so the committee's own URL is given.
        "JSON Master": "https://opendev.org/openstack/interop/raw/branch/master/2022.01.json",
    }
    assert doc.releases == ["Applies to " + ", ".join(r.capitalize() for r in guideline.releases)]
    assert doc.header[-1] == (
        "This document was generated from the `master JSON version "
        "<https://opendev.org/openstack/interop/raw/branch/master/2022.01.json>`_."
    )


def test_rst_platform_components_of_1x_2_0_and_an_add_on():
    platform_1x = read_rst(render(imported("2021.01"), "rst")).platform
    platform_2_0 = read_rst(render(imported("2024.01"), "rst")).platform
    add_on = read_rst(render(imported("orchestration.2024.01"), "rst")).platform

    # 1.x lists its platform's components by status.
    assert platform_1x == {
        "Required": "Compute, Object",
        "Advisory": "None",
        "Deprecated": "None",
        "Removed": "None",
    }
    # 2.0 platforms have no status: what a platform names is required to claim it.
    assert platform_2_0 == platform_1x
    # An add-on requires the platform components it names.
    assert add_on == platform_1x


def test_json_master_is_the_documents_own_url_only_when_it_names_this_guideline():
    doc = project_doc("2024.01")
    doc["metadata"]["source"] = "https://example.org/interop/raw/2024.01.json"
    own = import_doc(doc, "2024.01").guideline
    other = copy.deepcopy(doc)
    other["metadata"]["source"] = "https://example.org/interop/raw/dns.next.json"
    copied = import_doc(other, "2024.02").guideline

    assert read_rst(render(own, "rst")).fields["JSON Master"] == doc["metadata"]["source"]
    assert read_rst(render(copied, "rst")).fields["JSON Master"] == (
        "https://opendev.org/openstack/interop/raw/branch/master/2024.02.json"
    )
    add_on = read_rst(render(imported("orchestration.2024.01"), "rst"))
    assert add_on.fields["JSON Master"] == (
        "https://opendev.org/openstack/interop/raw/branch/master/add-ons/orchestration.2024.01.json"
    )


def test_rst_designated_sections_wrap_at_79_columns_with_a_hanging_indent():
    doc = project_doc("2024.01")
    long = "The API, the engine and every plugin that backs a required capability. " * 3
    doc["designated_sections"]["nova"]["required"]["guidance"] = long
    guideline = import_doc(doc, "2024.01").guideline

    text = render(guideline, "rst")

    start = text.index("* Nova : ")
    item = text[start:].split("\n* ")[0].split("\n\n")[0]
    # jsonToRst's own call.
    assert item == textwrap.fill(f"* Nova : {long}", 79, subsequent_indent="  ")
    assert item.splitlines() == [
        "* Nova : The API, the engine and every plugin that backs a required capability.",
        "  The API, the engine and every plugin that backs a required capability. The",
        "  API, the engine and every plugin that backs a required capability.",
    ]
    # All but the two lines that hold the JSON Master URL, which is never split.
    long_lines = [line for line in text.splitlines() if len(line) > 79]
    assert [line.split(" ")[0] for line in long_lines] == [":JSON", "This"]


def test_a_listed_capability_the_guideline_does_not_define_has_no_project():
    guideline = imported("2023.06")  # lists volumes-v2-attach-detach without defining it

    doc = read_rst(render(guideline, "rst"))
    md = read_markdown(render(guideline, "md"))

    compute = dict(doc.components)["Compute"]
    assert dict(compute)["Removed"] == ["volumes-v2-attach-detach"]
    removed = next(b for b in md if b.title == "Removed Capabilities")
    assert removed.items == ["volumes-v2-attach-detach (not defined in this guideline)"]


# Markdown and HTML


def headings_of(blocks: list[Block]) -> list[tuple[int, str]]:
    return [(b.level, b.title) for b in blocks if b.level]


def component_lists(blocks: list[Block]) -> list[tuple[str, list]]:
    """The component sections read back from Markdown or HTML, in the RST's shape."""
    found: list[tuple[str, list]] = []
    for block in blocks:
        if block.level == 2:
            current = block.title.removesuffix(" Component Capabilities")
            if current != block.title:
                found.append((current, []))
            else:
                current = None
        elif block.level == 3 and found and current:
            items = block.items if block.items else []
            assert block.items or block.paragraphs == ["None"], block
            found[-1][1].append((block.title.removesuffix(" Capabilities"), items))
    return found


def designated_lists(blocks: list[Block]) -> list[tuple[str, list[str]]]:
    return [
        (b.title.removesuffix(" Designated Sections"), b.items)
        for b in blocks
        if b.level == 3 and b.title.endswith(" Designated Sections")
    ]


def read(fmt: str, text: str) -> list[Block]:
    return read_markdown(text) if fmt == "md" else read_html(text).blocks


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("key", KEYS)
def test_markdown_and_html_list_what_the_rst_lists(key, fmt):
    guideline = imported(key)

    blocks = read(fmt, render(guideline, fmt))

    assert component_lists(blocks) == expected_components(guideline, fmt)
    assert designated_lists(blocks) == expected_designated(guideline, ": ")
    rst_sections = [title for title, _, _ in read_rst(render(guideline, "rst")).sections]
    # The RST's sections, in its order, then the tests of the required capabilities.
    titles = [title for level, title in headings_of(blocks) if level in (2, 3)]
    assert titles[: len(rst_sections)] == rst_sections
    assert titles[len(rst_sections)] == "Tests of the Required Capabilities"
    assert headings_of(blocks)[0] == (1, f"OpenStack Interoperability Guideline {key}")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_markdown_and_html_give_each_required_capabilitys_tests_and_flags(fmt):
    guideline = imported("2024.01")

    blocks = read(fmt, render(guideline, fmt))

    tests_at = next(
        i for i, b in enumerate(blocks) if b.title == "Tests of the Required Capabilities"
    )
    shown = {b.title.split(" (")[0]: b for b in blocks[tests_at + 1 :]}
    required = ComponentEntry.objects.filter(
        component__guideline=guideline, kind="capabilities", status="required"
    ).order_by("component__name", "position")
    expected_order = list(dict.fromkeys(required.values_list("name", flat=True)))
    assert list(shown) == expected_order
    flagged = 0
    for capability in Capability.objects.filter(guideline=guideline, key__in=expected_order):
        block = shown[capability.key]
        assert block.paragraphs == ([capability.description] if capability.description else [])
        tests = list(capability.tests.order_by("position"))
        assert len(block.items) == len(tests)
        for test, item in zip(tests, block.items, strict=True):
            assert item.startswith(f"{test.name} ({test.idempotent_id})")
            for alias in test.aliases or []:
                assert alias in item
            if test.is_flagged:
                flagged += 1
                assert item.endswith(
                    f"; flagged on {test.flag_date} (reason: {test.flag_reason}; "
                    f"action: {test.flag_action})"
                )
            else:
                assert "flagged" not in item
    assert flagged == 3  # tests/data/guidelines/README.md: 2024.01 has three flags


def test_schema_1_2_tests_are_names_and_their_flags_have_no_details():
    guideline = imported("2021.01")

    blocks = read_markdown(render(guideline, "md"))

    flagged = [item for b in blocks for item in b.items if "flagged" in item]
    assert flagged
    assert all(item.endswith("; flagged on — (reason: —; action: —)") for item in flagged)


def test_html_is_a_standalone_accessible_document_without_inline_style_or_script():
    guideline = imported("2024.01")
    text = render(guideline, "html")

    reader = read_html(text)

    assert text.startswith("<!DOCTYPE html>\n")
    tags = [tag for tag, _ in reader.tags]
    assert ("html", {"lang": "en"}) in reader.tags
    assert reader.title == "OpenStack Interoperability Guideline 2024.01"
    assert tags.count("h1") == 1 and tags.count("main") == 1
    assert "script" not in tags and "style" not in tags
    assert not [attrs for _, attrs in reader.tags if "style" in attrs]
    levels = [b.level for b in reader.blocks if b.level]
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False))
    assert all(attrs["href"].startswith("https://") for tag, attrs in reader.tags if tag == "a")


# Debian's Chromium, as the browser tests use it (tests/browser/conftest.py).
CHROMIUM = Path("/usr/bin/chromium")
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def axe_in_chromium(html: str) -> tuple[str, list[dict]]:
    """(page title, axe-core's WCAG 2.1 AA violations) for ``html`` in headless Chromium.

    The browser starts and stops here, after the test's database work: Playwright's
    event loop left running would give Django's later queries another connection.
    """
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (make browser installs it)"
        if os.environ.get("REQUIRE_INTEROP_DATA") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.set_content(html)
            return page.title(), Axe().run(page, options=WCAG_21_AA).response["violations"]
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("key", ["2021.01", "orchestration.2024.01"])
def test_html_passes_axe_cores_wcag_2_1_aa_rules_in_a_browser(key):
    html = render(imported(key), "html")

    title, violations = axe_in_chromium(html)

    assert [(v["id"], v["help"]) for v in violations] == []
    assert title == f"OpenStack Interoperability Guideline {key}"


# Hostile text: escaped in every format


SCRIPT = "<script>alert(1)</script>"
RST_MARKUP = (
    ".. raw:: html\n\n   <script>alert(2)</script>\n\n`click <javascript:alert(3)>`_ *x* |s| n_ ::"
)


@pytest.fixture
def hostile():
    doc = project_doc("2024.01")
    caps = doc["capabilities"]
    caps["compute-servers-list"]["description"] = f"{SCRIPT} [a](javascript:alert(4)) *b*"
    caps["compute-servers-list"]["project"] = 'nova <img src=x onerror="alert(5)">'
    doc["designated_sections"]["nova"]["required"]["guidance"] = RST_MARKUP
    return import_doc(doc, "2024.01").guideline


def test_html_escapes_descriptions_projects_and_guidance(hostile):
    text = render(hostile, "html")

    reader = read_html(text)

    assert "<script" not in text and "<img" not in text
    assert {tag for tag, _ in reader.tags} <= {
        "!doctype", "html", "head", "meta", "title", "body", "main", "h1", "h2", "h3",
        "dl", "dt", "dd", "p", "a", "section", "ul", "li", "code", "strong",
    }  # fmt: skip
    paragraphs = [p for b in reader.blocks for p in b.paragraphs]
    assert f"{SCRIPT} [a](javascript:alert(4)) *b*" in paragraphs
    items = [i for b in reader.blocks for i in b.items]
    assert 'compute-servers-list (Nova <img src=x onerror="alert(5)">)' in items
    assert f"Nova: {' '.join(RST_MARKUP.split())}" in items


def test_markdown_escapes_so_that_a_renderer_shows_the_text_and_runs_nothing(hostile):
    text = render(hostile, "md")

    html = MarkdownIt("commonmark").render(text)  # raw HTML allowed: it must find none
    blocks = read_markdown(text)

    assert "<script" not in html and "<img" not in html
    # Only the JSON Master links: the description's [a](javascript:...) is text.
    assert set(re.findall(r'href="([^"]*)"', html)) == {
        "https://opendev.org/openstack/interop/raw/branch/master/2024.01.json"
    }
    assert "<em>" not in html
    paragraphs = [p for b in blocks for p in b.paragraphs]
    assert f"{SCRIPT} [a](javascript:alert(4)) *b*" in paragraphs
    items = [i for b in blocks for i in b.items]
    assert 'compute-servers-list (Nova <img src=x onerror="alert(5)">)' in items
    assert f"Nova: {' '.join(RST_MARKUP.split())}" in items


def test_rst_escapes_markup_so_no_directive_link_or_block_comes_through(hostile):
    text = render(hostile, "rst")

    doc = read_rst(text)

    # Nothing starts a line but the layout's own lines: no ".. raw::", no new block.
    starts = {line.split(" ")[0] for line in text.splitlines() if line and line[0] != " "}
    assert starts <= {"*", ":Status:", ":Replaces:", ":JSON", ":Required:", ":Advisory:",
                      ":Deprecated:", ":Removed:", "None", "This", "sections", "be", "Releases",
                      "Platform", "Applies", "Compute", "Object", "Designated", "The", "this",
                      "Required", "Advisory", "Deprecated", "Removed", "OpenStack"} | {
        line for line in text.splitlines() if UNDERLINE.match(line)
    }  # fmt: skip
    nova = next(item for item in dict(doc.designated)["Required"] if item.startswith("Nova"))
    assert "\\`click <javascript\\:alert(3)>\\`\\_" in nova and "\\*x\\* \\|s\\| n\\_ \\::" in nova
    assert unescape_rst(nova) == f"Nova : {' '.join(RST_MARKUP.split())}"
    assert '(Nova <img src=x onerror="alert(5)">)' in text  # plain text to docutils


def test_rst_item_text_that_would_open_a_block_is_escaped():
    doc = project_doc("2021.01")
    doc["designated-sections"]["required"]["nova"]["guidance"] = "x " * 35 + "==== " + "y " * 40
    doc["designated-sections"]["required"][".. raw:: html"] = {"guidance": "a. b"}
    guideline = import_doc(doc, "2021.01").guideline

    lines = render(guideline, "rst").splitlines()

    assert "* \\.. raw\\:: html : a. b" in lines
    assert (
        "  \\==== y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y y" in lines
    )


# export_guideline --format


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("export_guideline", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_writes_each_format_to_standard_output(fmt):
    guideline = imported("next")  # a draft: anything may be exported, published or not

    out, _ = run("next", "--format", fmt)

    assert out == render(guideline, fmt)


def test_export_defaults_to_the_json_document():
    guideline = imported("2021.01")

    out, _ = run("2021.01")

    assert out == document_text(guideline_document(guideline))


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_writes_each_format_to_a_file(tmp_path, fmt):
    guideline = imported("orchestration.2024.01")
    target = tmp_path / f"orchestration.2024.01{FILE_SUFFIX[fmt]}"

    _, err = run("orchestration.2024.01", "--format", fmt, "--output", str(target))

    assert target.read_text(encoding="utf-8") == render(guideline, fmt)
    assert f"wrote orchestration.2024.01 as {fmt} to {target}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left


def test_export_refuses_an_unknown_format_before_writing_anything(tmp_path):
    imported("2024.01")
    target = tmp_path / "out.pdf"

    with pytest.raises(CommandError, match=r"--format: unknown format 'pdf': use one of json, rst"):
        run("2024.01", "--format", "pdf", "--output", str(target))
    assert not target.exists()


def test_export_refuses_an_unknown_guideline_saying_where_it_looked():
    with pytest.raises(CommandError, match=r"no guideline named '2099.01' in the database"):
        run("2099.01", "--format", "rst")


def test_export_refuses_an_output_folder_that_does_not_exist(tmp_path):
    imported("2024.01")

    with pytest.raises(CommandError, match="does not exist"):
        run("2024.01", "--format", "md", "--output", str(tmp_path / "missing" / "x.md"))


# Release notes


def notes_blocks(new: Guideline, previous: Guideline | None) -> tuple[list[Block], list[Block]]:
    md = read_markdown(release_notes_markdown(new, previous))
    html = read_html(release_notes_html(new, previous)).blocks
    # Both say the same: headings one level deeper in the HTML fragment.
    assert [(b.level + 1, b.title, b.items) for b in md if b.level] == [
        (b.level, b.title, b.items) for b in html if b.level
    ]
    return md, html


def section(blocks: list[Block], title: str) -> list[Block]:
    """The blocks under the level-2 heading ``title``, up to the next one."""
    start = next(i for i, b in enumerate(blocks) if b.level == 2 and b.title == title)
    end = next((i for i, b in enumerate(blocks) if i > start and b.level <= 2), len(blocks))
    return blocks[start:end]


def group(blocks: list[Block], title: str, within: str | None = None) -> list[str]:
    """The items under heading ``title``, the first one or the one in section ``within``."""
    return next(
        b.items for b in (section(blocks, within) if within else blocks) if b.title == title
    )


def test_release_notes_say_what_changed_from_the_guideline_replaced():
    old, new = import_project("2023.06", "2024.01")

    md, _ = notes_blocks(new, old)

    assert md[1].title == "Release notes for 2024.01"
    assert md[1].paragraphs == ["Changes from 2023.06 (superseded) to 2024.01 (approved)."]
    assert [b.title for b in md if b.level == 2] == [
        "Metadata",
        "Capabilities",
        "Tests",
        "Designated sections",
    ]
    # Every changed field but the name, which the title gives.
    assert group(md, "Metadata") == [
        "Status: superseded → approved",
        "Id in the document: 2023.06 → 2024.01",
        "Replaces: 2023.01 → 2023.06",
        "Releases: yoga, zed, 2023.1 → zed, 2023.1, 2023.2",
        "Target approval: 2023.06 → 2024.01",
    ]
    assert group(md, "Compute: newly required (1)") == ["volumes-v3-metadata (was advisory)"]
    assert sorted(group(md, "Compute: deleted (3)")) == [
        "volumes-v2-attach-detach (was removed)",
        "volumes-v2-create-delete (was required)",
        "volumes-v2-list (was required)",
    ]
    removed = group(md, "Removed (3)", "Tests")
    assert all(item.split(" in ")[1].startswith("volumes-v2-") for item in removed)
    [flagged] = group(md, "Newly flagged (1)", "Tests")
    assert flagged.startswith("tempest.api.image.v2.test_images.ListUserImagesTest")
    assert " in images-v2-list on 2023-11-20 (reason: [D403] " in flagged
    assert next(b for b in md if b.title == "Designated sections").paragraphs == ["No changes."]


def test_release_notes_name_each_lifecycle_step_per_component():
    old, new = import_project("2024.01", "next")

    md, _ = notes_blocks(new, old)

    assert group(md, "Compute: newly advisory (3)") == [
        "volumes-v3-metadata (was required)",
        "compute-flavors-list (was required)",
        "identity-v3-tokens-create (was required)",
    ]
    assert group(md, "Compute: added (2)") == [
        "volumes-v2-list as removed",
        "volumes-v2-create-delete as removed",
    ]


def test_release_notes_name_deprecations_removals_and_deletions():
    deprecating, removing = import_project("2022.06", "2023.01")
    before = import_project("2022.01")[0]

    deprecated, _ = notes_blocks(deprecating, before)
    removed, _ = notes_blocks(removing, deprecating)

    assert group(deprecated, "Compute: deprecated (1)") == [
        "identity-v2-tokens-create (was required)"
    ]
    # 2022.06 breaks A4.5 on purpose: compute-keypairs goes from required to removed.
    assert group(deprecated, "Compute: removed (1)") == ["compute-keypairs (was required)"]
    assert group(removed, "Compute: removed (1)") == ["identity-v2-tokens-create (was deprecated)"]
    assert group(removed, "Compute: deleted (1)") == ["compute-keypairs (was removed)"]
    assert group(removed, "Status changed (2)", "Designated sections") == [
        "Glance: advisory → required",
        "Cinder: advisory → required",
    ]
    assert group(removed, "Added (1)", "Designated sections") == [
        "Neutron (advisory): The API is designated; plugins are not."
    ]


def test_release_notes_match_components_across_schema_generations():
    old, new = import_project("2023.01", "2023.06")

    md, _ = notes_blocks(new, old)

    titles = [b.title for b in section(md, "Capabilities") if b.level == 3]
    assert titles == [
        "Compute: newly required (1)",
        "Compute: added (3)",
        "Compute: deleted (1)",
    ]


def test_release_notes_give_designated_section_changes_escaped():
    old = imported("2023.06")
    doc = project_doc("2024.01")
    sections = doc["designated_sections"]
    sections["nova"]["required"]["guidance"] = f"Now {SCRIPT} *all* of it."
    del sections["glance"]
    sections["horizon"] = {"informational": {"guidance": "Not a core capability."}}
    sections["keystone"]["deprecated"] = {"guidance": "The v2 API."}
    new = import_doc(doc, "2024.01").guideline

    md, _ = notes_blocks(new, old)
    html = release_notes_html(new, old)

    assert group(md, "Added (1)", "Designated sections") == [
        "Horizon (informational): Not a core capability."
    ]
    assert group(md, "Dropped (1)", "Designated sections") == [
        "Glance (required): The API is designated; image stores are not."
    ]
    assert group(md, "Status changed (1)") == ["Keystone: required → required, deprecated"]
    assert group(md, "Guidance changed (1)") == [
        "Nova (required): By default, designated except the scheduler and the virt drivers."
        f" → Now {SCRIPT} *all* of it."
    ]
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<script" not in MarkdownIt("commonmark").render(release_notes_markdown(new, old))


def test_release_notes_of_a_first_guideline_count_what_it_holds():
    guideline = imported("2021.01")

    md, _ = notes_blocks(guideline, None)

    assert md[1].paragraphs == [
        "2021.01 is the first platform guideline: there is no guideline before it to compare with."
    ]
    counts = []
    for title, statuses in expected_components(guideline, "md"):
        words = ", ".join(f"{len(items)} {label.lower()}" for label, items in statuses)
        counts.append(f"{title} component: {words}")
    tests = [t for c in Capability.objects.filter(guideline=guideline) for t in c.tests.all()]
    counts += [
        f"{Capability.objects.filter(guideline=guideline).count()} capabilities defined",
        f"{len(tests)} tests, {sum(t.is_flagged for t in tests)} flagged",
        f"{DesignatedSection.objects.filter(guideline=guideline).count()} designated sections",
    ]
    assert group(md, "Contents") == counts


def test_release_notes_of_a_first_add_on_name_the_add_on():
    guideline = imported("orchestration.2024.01")

    md, _ = notes_blocks(guideline, None)

    assert md[1].paragraphs[0].startswith("orchestration.2024.01 is the first Orchestration add-on")
    assert (
        group(md, "Contents")[0]
        == "Orchestration component: 3 required, 0 advisory, 0 deprecated, 0 removed"
    )


def test_release_notes_html_is_a_fragment_and_the_notes_are_deterministic():
    old, new = import_project("2023.06", "2024.01")

    html = release_notes_html(new, old)

    assert html.startswith('<section class="release-notes">\n<h2>') and html.endswith(
        "</section>\n"
    )
    assert "<html" not in html and "<h1" not in html and "style" not in html
    assert html == release_notes_html(new, old)
    assert release_notes_markdown(new, old) == release_notes_markdown(new, old)
