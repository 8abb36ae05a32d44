"""Test lists for tooling: which tests a product must pass, one per line.

The contract is RefStack's (../shared/docs/REFSTACK.md): ``name[idempotent
id as stored]``, LF, sorted, with aliases on lines of their own; schema 1.2
gives bare names. Unlike RefStack there are no duplicate lines, the body ends
with a newline, and the targets come from the guideline itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from guidelines.interop_format.bundle import Bundle
from guidelines.models import CapabilityStatus, EntryKind, ProgramComponentRole, ProgramKind

STATUSES = tuple(CapabilityStatus.values)
TRUE_WORDS = {"true", "yes", "1"}
# RefStack's URLs say target=object for object storage, the 1.x component
# name; in 2.0 the platform is "OpenStack Powered Storage".
TARGET_ALIASES = {"object": "storage"}
PLATFORM_PREFIX = "openstack powered "
COMPONENT_PREFIX = "os_powered_"


class TestListError(ValueError):
    """A parameter tooling got wrong; the message is the one-line reason."""


@dataclass(frozen=True)
class TestListQuery:
    """A normalised request: equal queries share one cached body."""

    types: tuple[str, ...]
    target: str
    alias: bool
    flag: bool


def _slug(name: str) -> str:
    name = name.strip().lower()
    if name.startswith(PLATFORM_PREFIX):
        name = name[len(PLATFORM_PREFIX) :]
    return "-".join(name.split())


def targets(bundle: Bundle) -> dict[str, list[str]]:
    """Target name -> component names, from the guideline's programs and components."""
    found: dict[str, list[str]] = {}
    members = ProgramComponentRole.MEMBER
    for program, refs in bundle.programs:
        if not program.name:
            # 1.x: the platform is the components it requires.
            found["platform"] = [
                r.name for r in refs if r.role == members and r.status == "required"
            ]
        else:
            found.setdefault(_slug(program.name), [r.name for r in refs if r.role == members])
    for component, _ in bundle.components:
        found.setdefault(component.name, [component.name])
        if component.name.startswith(COMPONENT_PREFIX):
            found.setdefault(component.name[len(COMPONENT_PREFIX) :], [component.name])
    for alias, target in TARGET_ALIASES.items():
        if target in found:
            found.setdefault(alias, found[target])
    return found


def default_target(bundle: Bundle, found: dict[str, list[str]]) -> str:
    """``platform``, or for an add-on the add-on itself (RefStack answered 'Invalid target')."""
    kinds = {program.kind for program, _ in bundle.programs}
    if ProgramKind.ADD_ON in kinds and ProgramKind.PLATFORM not in kinds:
        add_on = next(p for p, _ in bundle.programs if p.kind == ProgramKind.ADD_ON)
        return _slug(add_on.name)
    if "platform" in found or not found:
        return "platform"
    return next(iter(found))


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def _tokens(value: str | None) -> list[str]:
    return [token.strip() for token in (value or "").split(",") if token.strip()]


def query_key(params) -> tuple:
    """The parameters in a canonical form, so equal requests share one cached body."""
    types = tuple(sorted({t.strip().lower() for t in _tokens(params.get("type"))}))
    return (
        types,
        (params.get("target") or "").strip().lower(),
        _flag(params.get("alias"), True),
        _flag(params.get("flag"), True),
    )


def parse_query(params, bundle: Bundle) -> TestListQuery:
    """Read RefStack's parameters: type, target, alias, flag."""
    types: tuple[str, ...] = STATUSES
    asked = [t.lower() for t in _tokens(params.get("type"))]
    if asked:  # "type=" and "type=," keep the default, like an absent type
        unknown = [t for t in asked if t not in STATUSES]
        if unknown:
            raise TestListError(
                f"Invalid type {unknown[0]!r}: use one or more of {', '.join(STATUSES)}, "
                "separated by commas"
            )
        types = tuple(s for s in STATUSES if s in asked)
    found = targets(bundle)
    target = (params.get("target") or "").strip().lower() or default_target(bundle, found)
    if target not in found:
        raise TestListError(
            f"Invalid target {target!r} for guideline {bundle.guideline.key}: "
            f"use one of {', '.join(sorted(found))}"
        )
    return TestListQuery(
        types=types,
        target=target,
        alias=_flag(params.get("alias"), True),
        flag=_flag(params.get("flag"), True),
    )


def test_list(bundle: Bundle, query: TestListQuery) -> str:
    components = set(targets(bundle)[query.target])
    selected = {
        entry.name
        for component, entries in bundle.components
        if component.name in components
        for entry in entries
        if entry.kind == EntryKind.CAPABILITY and entry.status in query.types
    }
    bare_names = bundle.guideline.schema == "1.2"
    lines: set[str] = set()
    for capability, tests in bundle.capabilities:
        if capability.key not in selected:
            continue
        for test in tests:
            if test.is_flagged and not query.flag:
                continue
            if bare_names:
                lines.add(test.name)
                continue
            suffix = f"[{test.idempotent_id or ''}]"
            lines.add(test.name + suffix)
            if query.alias:
                lines.update(alias + suffix for alias in test.aliases or [])
    return "".join(line + "\n" for line in sorted(lines))


test_list.__test__ = False  # not a pytest test, despite the name
