"""Reads behind the HTML pages: the guideline list and one guideline's page.

Each function costs a fixed number of queries whatever the size of the data:
the list is one query, a guideline's page is ``guideline_bundle`` plus two.
The shapes returned here are arranged for reading (grouped by status, with
capabilities looked up by name); they decide nothing about the guideline.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Subquery

from guidelines.diff import guideline_diff
from guidelines.display import shown
from guidelines.lifecycle import Change, allows
from guidelines.models import (
    Capability,
    CapabilityStatus,
    Component,
    Criterion,
    DesignatedSection,
    EntryKind,
    Guideline,
    GuidelineEvent,
    Program,
    ProgramComponent,
    ProgramComponentRole,
    ProgramKind,
    Section,
    SectionStatus,
    Test,
    TestRepository,
)
from guidelines.selectors import guideline_bundle

PLATFORM_TITLE = "OpenStack Powered Platform"


# The guideline list


@dataclass
class GuidelineGroup:
    family: str  # '' for the powered platform, else the add-on prefix
    title: str
    guidelines: list[Guideline]


def is_next(key: str) -> bool:
    """``next`` and ``orchestration.next``: the drafts being written now."""
    return key == "next" or key.endswith(".next")


def newest_first(guidelines: list[Guideline]) -> list[Guideline]:
    """Drafts named next first, then the dated guidelines, latest first."""
    by_key = sorted(guidelines, key=lambda g: g.key, reverse=True)
    return sorted(by_key, key=lambda g: not is_next(g.key))


def guideline_groups() -> list[GuidelineGroup]:
    """Every guideline with its capability and test counts, grouped by family.

    The powered platform comes first, then one group per add-on in name order.
    One query.
    """
    add_on_name = (
        Program.objects.filter(guideline=OuterRef("pk"), kind=ProgramKind.ADD_ON)
        .order_by("position")
        .values("name")[:1]
    )
    guidelines = Guideline.objects.annotate(
        capability_count=Count("capabilities", distinct=True),
        test_count=Count("capabilities__tests", distinct=True),
        add_on_name=Subquery(add_on_name),
    ).order_by("key")
    families: dict[str, list[Guideline]] = defaultdict(list)
    for guideline in guidelines:
        families[guideline.family].append(guideline)
    return [
        GuidelineGroup(family, _family_title(family, members), newest_first(members))
        for family, members in sorted(families.items(), key=lambda item: (item[0] != "", item[0]))
    ]


def _family_title(family: str, members: list[Guideline]) -> str:
    if not family:
        return PLATFORM_TITLE
    # The add-on's own spelling ("DNS") reads better than title case ("Dns").
    spelled = {g.add_on_name for g in members if (g.add_on_name or "").lower() == family.lower()}
    name = min(spelled) if spelled else family.title()
    return f"{name} add-on"


# One guideline's page


@dataclass
class StatusGroup:
    """Items under one status, e.g. the required capabilities of a component."""

    status: str  # '' when the document gives no status (2.0 program components)
    label: str
    items: list


@dataclass
class Listing:
    """A capability name in a component's list; ``capability`` is None if undefined."""

    name: str
    capability: Capability | None


@dataclass
class ProgramPart:
    program: Program
    title: str
    members: list[StatusGroup]
    required_platform: list[ProgramComponent]
    optional_platform: list[ProgramComponent]


@dataclass
class ComponentPart:
    component: Component
    capabilities: list[StatusGroup]  # of Listing
    designated_sections: list[StatusGroup]  # of project names (2.0 only)
    listed: int


@dataclass
class CapabilityPart:
    capability: Capability
    tests: list[Test]
    # (component name, status) for every component list naming this capability.
    listings: list[tuple[str, str]]
    flagged: int


@dataclass
class ProjectSections:
    project: str
    by_status: list[tuple[DesignatedSection, list[Section]]]


@dataclass
class GuidelinePage:
    guideline: Guideline
    # The guideline named by ``replaces``, when this site has it.
    replaced: Guideline | None
    programs: list[ProgramPart]
    components: list[ComponentPart]
    capabilities: list[CapabilityPart]
    undefined: list[str]
    unlisted: list[str]
    criteria: list[Criterion]
    criteria_total: int
    designated_sections: list[ProjectSections]
    test_repositories: list[TestRepository]
    last_import: GuidelineEvent | None
    warnings: list[list[str]] = field(default_factory=list)
    # The other guidelines, for the "Compare with" form: its own family first.
    compare_with: list[Guideline] = field(default_factory=list)

    @property
    def takes_edits(self) -> bool:
        """Its status lets its content change: a draft, or a guideline in review."""
        return allows(self.guideline.status, Change.CONTENT)

    @property
    def test_count(self) -> int:
        return sum(len(part.tests) for part in self.capabilities)

    @property
    def flagged_count(self) -> int:
        return sum(part.flagged for part in self.capabilities)


CAPABILITY_STATUS_LABELS = dict(CapabilityStatus.choices)


def _by_status(pairs: list[tuple[str | None, object]]) -> list[StatusGroup]:
    """Group (status, item) pairs in the committee's status order, items in document order."""
    groups: dict[str, list] = defaultdict(list)
    for status, item in pairs:
        groups[status or ""].append(item)
    order = list(CapabilityStatus.values) + sorted(set(groups) - set(CapabilityStatus.values))
    return [
        StatusGroup(
            status, CAPABILITY_STATUS_LABELS.get(status, status or "Components"), groups[status]
        )
        for status in order
        if groups.get(status)
    ]


def guideline_page(guideline: Guideline) -> GuidelinePage:
    """Everything the guideline page shows: ``guideline_bundle`` plus two queries."""
    bundle = guideline_bundle(guideline)
    capabilities = {cap.key: cap for cap, _ in bundle.capabilities}
    listings: dict[str, list[tuple[str, str]]] = defaultdict(list)
    undefined: list[str] = []

    components = []
    for component, entries in bundle.components:
        capability_entries = [e for e in entries if e.kind == EntryKind.CAPABILITY]
        for entry in capability_entries:
            listings[entry.name].append((component.name, entry.status))
            if entry.name not in capabilities and entry.name not in undefined:
                undefined.append(entry.name)
        components.append(
            ComponentPart(
                component=component,
                capabilities=_by_status(
                    [
                        (e.status, Listing(e.name, capabilities.get(e.name)))
                        for e in capability_entries
                    ]
                ),
                designated_sections=_by_status(
                    [(e.status, e.name) for e in entries if e.kind == EntryKind.DESIGNATED_SECTION]
                ),
                listed=len(capability_entries),
            )
        )

    programs = []
    for program, refs in bundle.programs:
        members = [r for r in refs if r.role == ProgramComponentRole.MEMBER]
        programs.append(
            ProgramPart(
                program=program,
                title=program.name or "Platform",
                members=_by_status([(r.status, r) for r in members]),
                required_platform=[
                    r for r in refs if r.role == ProgramComponentRole.REQUIRED_PLATFORM
                ],
                optional_platform=[
                    r for r in refs if r.role == ProgramComponentRole.OPTIONAL_PLATFORM
                ],
            )
        )

    projects: dict[str, list[tuple[DesignatedSection, list[Section]]]] = defaultdict(list)
    for designated, sections in bundle.designated_sections:
        projects[designated.project].append((designated, sections))
    designated_sections = [
        ProjectSections(project, sorted(pairs, key=lambda pair: SectionStatus.rank(pair[0].status)))
        for project, pairs in projects.items()
    ]

    # One query serves both the replaced guideline and the compare form's choices.
    everyone = list(Guideline.objects.order_by("key"))
    replaced = next((g for g in everyone if g.key == guideline.replaces), None)
    last_import = guideline.events.imports().first()

    return GuidelinePage(
        guideline=guideline,
        replaced=replaced,
        programs=programs,
        components=components,
        capabilities=[
            CapabilityPart(
                capability=cap,
                tests=tests,
                listings=listings.get(cap.key, []),
                flagged=sum(t.is_flagged for t in tests),
            )
            for cap, tests in bundle.capabilities
        ],
        undefined=undefined,
        unlisted=[cap.key for cap, _ in bundle.capabilities if cap.key not in listings],
        criteria=bundle.criteria,
        criteria_total=sum(c.weight or 0 for c in bundle.criteria),
        designated_sections=designated_sections,
        test_repositories=bundle.test_repositories,
        last_import=last_import,
        warnings=list(last_import.data.get("warnings", [])) if last_import else [],
        compare_with=compare_choices(guideline, everyone),
    )


# Comparing two guidelines


def compare_choices(guideline: Guideline, everyone: list[Guideline]) -> list[Guideline]:
    """The guidelines to compare ``guideline`` with: the one it replaces first, then its
    own family newest first, then the other families."""
    others = [g for g in newest_first(everyone) if g.pk != guideline.pk]
    return sorted(others, key=lambda g: (g.key != guideline.replaces, g.family != guideline.family))


def compare_order(guideline: Guideline, other: Guideline) -> tuple[Guideline, Guideline]:
    """(from, to) for the compare form: the older first, so the diff reads as a changelog."""
    newer, older = newest_first([guideline, other])
    return older, newer


@dataclass
class ShownChange:
    """One field's change, with both values written out for reading."""

    field: str
    old: str
    new: str

    @property
    def long(self) -> bool:
        """Too long to read side by side: shown one above the other."""
        return len(self.old) + len(self.new) > 60


@dataclass
class KeyedChanges:
    """The changed fields of one criterion or capability definition."""

    key: str
    changes: list[ShownChange]


@dataclass
class TestGroup:
    kind: str
    title: str
    items: list[dict]


@dataclass
class DiffPage:
    old: Guideline
    new: Guideline
    diff: dict
    # (count, words, anchor) for each kind of change that happened.
    summary: list[tuple[int, str, str]]
    metadata: list[ShownChange]
    criteria_changed: list[KeyedChanges]
    components: list[dict]  # only those with a change
    renamed_components: list[dict]  # matched under different names (1.x and 2.0)
    capabilities_changed: list[KeyedChanges]
    tests: list[TestGroup]

    @property
    def total(self) -> int:
        return self.diff["summary"]["total"]


# Singular, plural, and where on the page; in guidelines.diff.SUMMARY_KINDS order.
SUMMARY_WORDS = {
    "metadata": ("metadata field changed", "metadata fields changed", "metadata"),
    "criteria_added": ("criterion added", "criteria added", "criteria"),
    "criteria_removed": ("criterion removed", "criteria removed", "criteria"),
    "criteria_changed": ("criterion changed", "criteria changed", "criteria"),
    "components_added": ("component added", "components added", "components"),
    "components_removed": ("component removed", "components removed", "components"),
    "capabilities_added": ("capability added", "capabilities added", "components"),
    "capabilities_removed": ("capability removed", "capabilities removed", "components"),
    "capabilities_moved": (
        "capability moved between statuses",
        "capabilities moved between statuses",
        "components",
    ),
    "capabilities_defined": (
        "capability definition added",
        "capability definitions added",
        "capabilities",
    ),
    "capabilities_undefined": (
        "capability definition dropped",
        "capability definitions dropped",
        "capabilities",
    ),
    "capabilities_changed": (
        "capability definition changed",
        "capability definitions changed",
        "capabilities",
    ),
    "tests_added": ("test added", "tests added", "tests-added"),
    "tests_removed": ("test removed", "tests removed", "tests-removed"),
    "tests_renamed": ("test renamed", "tests renamed", "tests-renamed"),
    "tests_moved": (
        "test moved to another capability",
        "tests moved to another capability",
        "tests-moved",
    ),
    "tests_aliases_changed": (
        "test with changed aliases",
        "tests with changed aliases",
        "tests-aliases_changed",
    ),
    "tests_idempotent_id_changed": (
        "test with a new idempotent id",
        "tests with a new idempotent id",
        "tests-idempotent_id_changed",
    ),
    "tests_flagged": ("test flagged", "tests flagged", "tests-flagged"),
    "tests_unflagged": ("test unflagged", "tests unflagged", "tests-unflagged"),
    "tests_flag_changed": ("flag changed", "flags changed", "tests-flag_changed"),
}

# The page's order: what reviewers ask about first.
TEST_GROUP_TITLES = {
    "renamed": "Renamed",
    "added": "Added",
    "removed": "Removed",
    "flagged": "Flagged",
    "unflagged": "Unflagged",
    "flag_changed": "Flag changed",
    "moved": "Moved to another capability",
    "aliases_changed": "Aliases changed",
    "idempotent_id_changed": "Idempotent id changed",
}

FIELD_LABELS = {
    "doc_id": "Id in the document",
    "target_approval": "Target approval",
    "cutoff_score": "Cutoff score",
    "required_since": "Required since",
    "admin": "Admin only",
}


def _shown_changes(changes: list[dict]) -> list[ShownChange]:
    return [
        ShownChange(
            FIELD_LABELS.get(c["field"], c["field"].replace("_", " ").capitalize()),
            shown(c["from"]),
            shown(c["to"]),
        )
        for c in changes
    ]


def diff_page(old: Guideline, new: Guideline) -> DiffPage:
    """The changes from ``old`` to ``new``, arranged for reading: ``guideline_diff``'s queries."""
    diff = guideline_diff(old, new)
    summary = []
    for kind, count in diff["summary"].items():
        if kind in SUMMARY_WORDS and count:
            one, many, anchor = SUMMARY_WORDS[kind]
            summary.append((count, one if count == 1 else many, anchor))
    components = diff["components"]
    return DiffPage(
        old=old,
        new=new,
        diff=diff,
        summary=summary,
        metadata=_shown_changes(diff["metadata"]),
        criteria_changed=[
            KeyedChanges(c["key"], _shown_changes(c["changes"]))
            for c in diff["criteria"]["changed"]
        ],
        components=[c for c in components if c["added"] or c["removed"] or c["moved"]],
        renamed_components=[
            c for c in components if c["from"] and c["to"] and c["from"] != c["to"]
        ],
        capabilities_changed=[
            KeyedChanges(c["capability"], _shown_changes(c["changes"]))
            for c in diff["capabilities"]["changed"]
        ],
        tests=[
            TestGroup(kind, title, _test_items(kind, diff["tests"][kind]))
            for kind, title in TEST_GROUP_TITLES.items()
            if diff["tests"][kind]
        ],
    )


def _test_items(kind: str, items: list[dict]) -> list[dict]:
    """Aliases show what was ``gained`` and ``lost``; a flag change only the fields that
    changed, as ``shown``."""
    if kind == "aliases_changed":
        return [
            {
                **item,
                "gained": [a for a in item["to"] if a not in item["from"]],
                "lost": [a for a in item["from"] if a not in item["to"]],
            }
            for item in items
        ]
    if kind != "flag_changed":
        return items
    return [
        {
            **item,
            "shown": _shown_changes(
                [
                    {"field": name, "from": item["from"][name], "to": item["to"][name]}
                    for name in ("date", "reason", "action")
                    if item["from"][name] != item["to"][name]
                ]
            ),
        }
        for item in items
    ]
