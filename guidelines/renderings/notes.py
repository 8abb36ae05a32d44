"""Release notes: what a guideline changes from the one it replaces, for people to read.

Built on ``guidelines.diff.guideline_diff`` (the diff page's and the API's
changes), read as the capability lifecycle DOMAIN.md section 2.7 describes:
new -> advisory -> required -> deprecated -> removed -> deleted. That diff does
not compare designated sections, so they are compared here. The notes are
first built as plain structures (``Notes``), then written as Markdown or as an
HTML fragment, so both say the same; the same rows give the same text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from guidelines.diff import guideline_diff
from guidelines.display import shown
from guidelines.models import (
    CapabilityStatus,
    DesignatedSection,
    Guideline,
    Program,
    ProgramKind,
    SectionStatus,
)
from guidelines.pages import FIELD_LABELS
from guidelines.selectors import guideline_bundle

from .markdown import md_code, md_paragraph, md_text
from .outline import add_on_names, component_title, components, is_add_on, project_title


@dataclass(frozen=True)
class Code:
    """A name (capability, test, field value) written as code."""

    text: str


# One line of the notes: text and names, escaped by each writer in its own way.
Line = tuple["str | Code", ...]


@dataclass
class Group:
    title: str
    items: list[Line]


@dataclass
class Section:
    title: str
    groups: list[Group] = field(default_factory=list)
    # Lines listed right under the title, for a section without groups.
    items: list[Line] = field(default_factory=list)


@dataclass
class Notes:
    title: str
    intro: str
    sections: list[Section]


# A capability moved to a status: the lifecycle step it took. Statuses outside
# these ("advisory/required", listed twice after a bad rebase) say so plainly.
MOVED = {
    CapabilityStatus.REQUIRED: "newly required",
    CapabilityStatus.ADVISORY: "newly advisory",
    CapabilityStatus.DEPRECATED: "deprecated",
    CapabilityStatus.REMOVED: "removed",
}
# The order a component's groups are listed in: the lifecycle's, then additions
# and deletions (no longer listed at all).
KINDS = (*MOVED.values(), "added", "deleted")


def release_notes(new: Guideline, previous: Guideline | None) -> Notes:
    if previous is None:
        return first_notes(new)
    diff = guideline_diff(previous, new)
    return Notes(
        title=f"Release notes for {new.key}",
        intro=f"Changes from {previous.key} ({previous.status}) to {new.key} ({new.status}).",
        sections=[
            Section("Metadata", items=metadata_lines(diff["metadata"])),
            Section("Capabilities", groups=capability_groups(diff["components"], new)),
            Section("Tests", groups=test_groups(diff["tests"])),
            Section("Designated sections", groups=section_groups(previous, new)),
        ],
    )


def metadata_lines(changes: list[dict]) -> list[Line]:
    """Each changed field but the name, which the title already gives."""
    return [
        (
            f"{FIELD_LABELS.get(c['field'], c['field'].replace('_', ' ').capitalize())}: ",
            Code(shown(c["from"])),
            " → ",
            Code(shown(c["to"])),
        )
        for c in changes
        if c["field"] != "key"
    ]


def capability_groups(changed_components: list[dict], new: Guideline) -> list[Group]:
    """Per component, the capabilities that took a lifecycle step, were added or deleted."""
    add_ons = list(
        Program.objects.filter(guideline=new, kind=ProgramKind.ADD_ON)
        .order_by("position", "pk")
        .values_list("name", flat=True)
    )
    groups = []
    for component in changed_components:
        title = component_title(component["name"], add_ons)
        if component["from"] is None:
            title += " (new component)"
        elif component["to"] is None:
            title += " (component dropped)"
        found: dict[str, list[Line]] = {kind: [] for kind in KINDS}
        for moved in component["moved"]:
            kind = MOVED.get(moved["to"], f"now {moved['to']}")
            found.setdefault(kind, []).append(
                (Code(moved["capability"]), f" (was {moved['from']})")
            )
        found["added"] = [(Code(a["capability"]), f" as {a['status']}") for a in component["added"]]
        found["deleted"] = [
            (Code(r["capability"]), f" (was {r['status']})") for r in component["removed"]
        ]
        groups += [
            Group(f"{title}: {kind} ({len(items)})", items)
            for kind, items in found.items()
            if items
        ]
    return groups


def flag_words(flag: dict) -> str:
    return (
        f" on {shown(flag['date'])} (reason: {shown(flag['reason'])}; "
        f"action: {shown(flag['action'])})"
    )


def test_groups(tests: dict) -> list[Group]:
    def where(test: dict) -> Line:
        return (Code(test["name"]), " in ", Code(test["capability"]))

    found = [
        ("Added", [where(t) for t in tests["added"]]),
        ("Removed", [where(t) for t in tests["removed"]]),
        ("Newly flagged", [(*where(t), flag_words(t["flag"])) for t in tests["flagged"]]),
    ]
    return [Group(f"{title} ({len(items)})", items) for title, items in found if items]


def section_groups(previous: Guideline, new: Guideline) -> list[Group]:
    """Designated sections by project: added, dropped, moved between statuses, or with
    new guidance for a status they keep."""
    old = {(s.project, s.status): s for s in designated_sections(previous)}
    now = {(s.project, s.status): s for s in designated_sections(new)}
    old_statuses, new_statuses = statuses_by_project(old), statuses_by_project(now)
    added = [key for key in now if key[0] not in old_statuses]
    dropped = [key for key in old if key[0] not in new_statuses]
    moved = [p for p, statuses in new_statuses.items() if old_statuses.get(p, statuses) != statuses]
    reworded = [key for key in now if key in old and old[key].guidance != now[key].guidance]

    def named(key: tuple[str, str]) -> str:
        project, status = key
        return f"{project_title(project)} ({status})"

    found = [
        ("Added", [(f"{named(key)}: {shown(now[key].guidance)}",) for key in added]),
        ("Dropped", [(f"{named(key)}: {shown(old[key].guidance)}",) for key in dropped]),
        (
            "Status changed",
            [
                (
                    f"{project_title(p)}: {', '.join(old_statuses[p])} → "
                    f"{', '.join(new_statuses[p])}",
                )
                for p in moved
            ],
        ),
        (
            "Guidance changed",
            [
                (f"{named(key)}: {shown(old[key].guidance)} → {shown(now[key].guidance)}",)
                for key in reworded
            ],
        ),
    ]
    return [Group(f"{title} ({len(items)})", items) for title, items in found if items]


def statuses_by_project(sections: dict) -> dict[str, list[str]]:
    """Project -> its statuses in the committee's order, projects in document order."""
    found: dict[str, list[str]] = {}
    for project, status in sections:
        found.setdefault(project, []).append(status)
    return {p: sorted(statuses, key=SectionStatus.rank) for p, statuses in found.items()}


def designated_sections(guideline: Guideline) -> list[DesignatedSection]:
    return list(DesignatedSection.objects.filter(guideline=guideline).order_by("position", "pk"))


def first_notes(new: Guideline) -> Notes:
    """For a guideline with nothing before it: what it holds, counted."""
    bundle = guideline_bundle(new)
    names = add_on_names(bundle)
    kind = f"{names[0]} add-on" if is_add_on(bundle) and names else "platform"
    lines: list[Line] = []
    for component in components(bundle):
        counts = ", ".join(f"{len(g.items)} {g.status}" for g in component.statuses)
        lines.append((f"{component.title} component: {counts}",))
    tests = [test for _, tests in bundle.capabilities for test in tests]
    lines += [
        (f"{len(bundle.capabilities)} capabilities defined",),
        (f"{len(tests)} tests, {sum(t.is_flagged for t in tests)} flagged",),
        (f"{len(bundle.designated_sections)} designated sections",),
    ]
    return Notes(
        title=f"Release notes for {new.key}",
        intro=(
            f"{new.key} is the first {kind} guideline: there is no guideline before it "
            "to compare with."
        ),
        sections=[Section("Contents", items=lines)],
    )


# Writers


def md_line(line: Line) -> str:
    return "".join(md_code(run.text) if isinstance(run, Code) else md_text(run) for run in line)


def release_notes_markdown(new: Guideline, previous: Guideline | None) -> str:
    """The notes as a Markdown document."""
    notes = release_notes(new, previous)
    lines = [f"# {md_text(notes.title)}", "", md_paragraph(notes.intro)]
    for section in notes.sections:
        lines += ["", f"## {md_text(section.title)}", ""]
        if not section.items and not section.groups:
            lines.append("No changes.")
        lines += [f"- {md_line(line)}" for line in section.items]
        for group in section.groups:
            lines += [f"### {md_text(group.title)}", ""]
            lines += [f"- {md_line(line)}" for line in group.items]
            lines.append("")
        while lines[-1] == "":
            lines.pop()
    return "\n".join(lines) + "\n"


def html_line(line: Line) -> SafeString:
    return mark_safe(
        "".join(
            format_html("<code>{}</code>", run.text)
            if isinstance(run, Code)
            else format_html("{}", run)
            for run in line
        )
    )


def html_items(lines: list[Line]) -> list[SafeString]:
    rows = format_html_join("\n", "<li>{}</li>", ((html_line(line),) for line in lines))
    return [mark_safe("<ul>"), rows, mark_safe("</ul>")]


def release_notes_html(new: Guideline, previous: Guideline | None) -> str:
    """The notes as an HTML fragment for a page: one ``section`` headed by an ``h2``."""
    notes = release_notes(new, previous)
    lines = [
        mark_safe('<section class="release-notes">'),
        format_html("<h2>{}</h2>", notes.title),
        format_html("<p>{}</p>", notes.intro),
    ]
    for section in notes.sections:
        lines += [mark_safe("<section>"), format_html("<h3>{}</h3>", section.title)]
        if not section.items and not section.groups:
            lines.append(mark_safe("<p>No changes.</p>"))
        if section.items:
            lines += html_items(section.items)
        for group in section.groups:
            lines += [format_html("<h4>{}</h4>", group.title), *html_items(group.items)]
        lines.append(mark_safe("</section>"))
    lines.append(mark_safe("</section>"))
    # Every part above is escaped (format_html) or literal markup: the whole is safe.
    return mark_safe("\n".join(lines) + "\n")
