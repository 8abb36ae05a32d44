"""What every human-readable rendering of a guideline says, before any markup.

The layout is the committee's tools/jsonToRst.py (DOMAIN.md section 4): a
header, the releases covered, the platform components, each component's
capabilities by status, then the designated sections. That tool only read
schema 1.x; for 2.0 this module derives the same sections (see
``platform_fields``) so a 2.0 guideline reads like a 1.x one. The RST,
Markdown and HTML writers only lay this out, so the three say the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from guidelines.diff import COMPONENTS_1X_AS_2_0
from guidelines.interop_format.bundle import Bundle
from guidelines.models import (
    Capability,
    CapabilityStatus,
    EntryKind,
    ProgramComponentRole,
    ProgramKind,
    SectionStatus,
    Test,
)

TITLE_PREFIX = "OpenStack Interoperability Guideline"
# Where the committee publishes its files; the fallback for JSON Master.
OPENDEV_RAW = "https://opendev.org/openstack/interop/raw/branch/master/"
# A URL taken from a document goes into RST, Markdown and HTML links as it is, so
# only characters none of them gives a meaning to there: no quotes, brackets,
# parentheses, backquotes, asterisks, bars or spaces.
PLAIN_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$+,;=%]+")
# 2.0 names its components os_powered_<what>; the rest of the name is what a reader calls it.
COMPONENT_PREFIX = "os_powered_"
NAMES_2_0_AS_1X = {new: old for old, new in COMPONENTS_1X_AS_2_0.items()}

CAPABILITY_STATUSES = tuple(CapabilityStatus.choices)
# jsonToRst lists every designated-section status but informational.
SECTION_STATUSES = tuple(
    (value, label) for value, label in SectionStatus.choices if value != SectionStatus.INFORMATIONAL
)
BOILERPLATE = (
    "This document outlines the mandatory capabilities and designated",
    "sections required to exist in a software installation in order to",
    "be eligible to use marks controlled by the OpenStack Foundation.",
)
SECTIONS_INTRO = (
    "The following designated sections apply to the same releases as",
    "this specification.",
)


@dataclass(frozen=True)
class Listed:
    """A capability in a component's status list. ``project`` is None when the
    guideline does not define the capability (2018.02 lists two it lost) or
    gives it no project."""

    name: str
    project: str | None
    defined: bool


@dataclass(frozen=True)
class StatusList:
    status: str  # "required"
    label: str  # "Required"
    items: list


@dataclass(frozen=True)
class ComponentOutline:
    name: str  # as stored: "compute", "os_powered_storage"
    title: str  # as read: "Compute", "Object"
    statuses: list[StatusList]  # of Listed, always the four statuses


@dataclass(frozen=True)
class SectionEntry:
    project: str  # "Nova"
    guidance: str | None


@dataclass(frozen=True)
class RequiredCapability:
    """A capability required in at least one component, with its tests (None: undefined)."""

    name: str
    capability: Capability | None
    tests: list[Test]

    @property
    def project(self) -> str | None:
        return project_title(self.capability.project) if self.capability else None


@dataclass(frozen=True)
class Outline:
    key: str
    status: str
    replaces: str | None
    json_master: str
    releases: list[str]  # "Newton", ...
    platform: list[tuple[str, list[str]]]  # (field label, component titles)
    components: list[ComponentOutline]
    designated_sections: list[StatusList]  # of SectionEntry
    required: list[RequiredCapability]

    @property
    def title(self) -> str:
        return f"{TITLE_PREFIX} {self.key}"


def project_title(project: str | None) -> str | None:
    """``nova`` -> ``Nova``, as jsonToRst writes it (str.capitalize)."""
    return project.capitalize() if project else None


def component_title(name: str, add_on_names: list[str] | tuple[str, ...] = ()) -> str:
    """What a reader calls a component: ``compute`` and ``os_powered_compute`` are "Compute".

    2.0 renamed the 1.x components, so the 2.0 ones read as the 1.x did and a
    2018.02 rendering says "Object" like the committee's. An add-on's component
    takes the add-on's own spelling ("DNS", not "Dns").
    """
    plain = NAMES_2_0_AS_1X.get(name, name).removeprefix(COMPONENT_PREFIX)
    for add_on in add_on_names:
        if add_on.lower() == plain.lower():
            return add_on
    return plain.replace("_", " ").capitalize()


def is_add_on(bundle: Bundle) -> bool:
    return any(program.kind == ProgramKind.ADD_ON for program, _ in bundle.programs)


def add_on_names(bundle: Bundle) -> list[str]:
    return [program.name for program, _ in bundle.programs if program.kind == ProgramKind.ADD_ON]


def json_master(bundle: Bundle) -> str:
    """The document's own URL if its ``source`` is one, else the committee's raw URL.

    ``source`` counts only when it is a plain http(s) URL of a file named after
    this guideline: 1.x files give the repository there, 2018.02 the DNS
    add-on's file (copied, DOMAIN.md section 1), and a draft started from
    2020.06 still names 2020.06.json.
    """
    guideline = bundle.guideline
    own_file = f"{guideline.key}.json"
    source = (guideline.source or "").strip()
    if PLAIN_URL.fullmatch(source) and source.rsplit("/", 1)[-1] == own_file:
        return source
    folder = "add-ons/" if is_add_on(bundle) else ""
    return f"{OPENDEV_RAW}{folder}{own_file}"


def platform_fields(bundle: Bundle) -> list[tuple[str, list[str]]]:
    """(label, component titles) for Required, Advisory, Deprecated, Removed.

    1.x says it: ``platform`` lists components by status. 2.0 platforms have no
    status; every component a platform names is required to claim it, so they
    are Required and the other statuses are empty. An add-on requires the
    platform components it names (``required_platform_components``); the ones
    it names as optional get an ``Optional`` field after the four.
    """
    names = add_on_names(bundle)
    by_status: dict[str, list[str]] = {status: [] for status, _ in CAPABILITY_STATUSES}
    optional: list[str] = []
    for program, refs in bundle.programs:
        for ref in refs:
            if ref.role == ProgramComponentRole.OPTIONAL_PLATFORM:
                target = optional
            elif ref.role == ProgramComponentRole.REQUIRED_PLATFORM:
                target = by_status[CapabilityStatus.REQUIRED]
            elif program.kind == ProgramKind.PLATFORM:
                target = by_status.get(ref.status or CapabilityStatus.REQUIRED)
            else:
                continue  # an add-on's own components: rendered as components
            title = component_title(ref.name or "", names)
            if ref.name and target is not None and title not in target:
                target.append(title)
    fields = [(label, by_status[status]) for status, label in CAPABILITY_STATUSES]
    if optional:
        fields.append(("Optional", optional))
    return fields


def components(bundle: Bundle) -> list[ComponentOutline]:
    """Each component, in name order as jsonToRst sorts them, its lists in document order."""
    defined = {cap.key: cap for cap, _ in bundle.capabilities}
    names = add_on_names(bundle)
    result = []
    for component, entries in sorted(bundle.components, key=lambda pair: pair[0].name):
        statuses = []
        for status, label in CAPABILITY_STATUSES:
            items = [
                Listed(
                    e.name,
                    project_title(defined[e.name].project) if e.name in defined else None,
                    e.name in defined,
                )
                for e in entries
                if e.kind == EntryKind.CAPABILITY and e.status == status
            ]
            statuses.append(StatusList(status, label, items))
        result.append(
            ComponentOutline(component.name, component_title(component.name, names), statuses)
        )
    return result


def designated_sections(bundle: Bundle) -> list[StatusList]:
    """Per status, each project's guidance, sorted by project as jsonToRst sorts them."""
    result = []
    for status, label in SECTION_STATUSES:
        rows = sorted(
            (section for section, _ in bundle.designated_sections if section.status == status),
            key=lambda section: section.project,
        )
        entries = [SectionEntry(project_title(s.project) or "", s.guidance) for s in rows]
        result.append(StatusList(status, label, entries))
    return result


def required_capabilities(
    bundle: Bundle, outlined: list[ComponentOutline]
) -> list[RequiredCapability]:
    """Every capability required in some component, once, in the order they are listed."""
    tests = {cap.key: (cap, cap_tests) for cap, cap_tests in bundle.capabilities}
    seen: dict[str, RequiredCapability] = {}
    for component in outlined:
        required = [
            listed
            for group in component.statuses
            if group.status == "required"
            for listed in group.items
        ]
        for listed in required:
            if listed.name not in seen:
                capability, cap_tests = tests.get(listed.name, (None, []))
                seen[listed.name] = RequiredCapability(listed.name, capability, list(cap_tests))
    return list(seen.values())


def outline(bundle: Bundle) -> Outline:
    guideline = bundle.guideline
    outlined = components(bundle)
    return Outline(
        key=guideline.key,
        status=guideline.status,
        replaces=guideline.replaces,
        json_master=json_master(bundle),
        releases=[str(release).capitalize() for release in guideline.releases or []],
        platform=platform_fields(bundle),
        components=outlined,
        designated_sections=designated_sections(bundle),
        required=required_capabilities(bundle, outlined),
    )
