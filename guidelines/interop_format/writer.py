"""Write a guideline document from its rows, in the guideline's own schema generation."""

from __future__ import annotations

from typing import Any

from guidelines.models import EntryKind, ProgramKind, Test

from .bundle import Bundle
from .fields import write_object
from .specs import CAPABILITY_STATUSES, GENERATIONS, Generation


def write_document(bundle: Bundle, *, capabilities: Any = None) -> dict:
    """The document of ``bundle``; ``capabilities``: a value to write in their place."""
    gen = GENERATIONS[bundle.guideline.schema]
    guideline = bundle.guideline
    if capabilities is None:
        capabilities = {
            capability.key: write_capability(gen, capability, tests)
            for capability, tests in bundle.capabilities
        }
    children = {
        "criteria": {c.key: write_object(c, gen.criterion, {}) for c in bundle.criteria},
        "capabilities": capabilities,
        "components": {
            component.name: write_object(component, gen.component, _status_lists(entries))
            for component, entries in bundle.components
        },
        "designated_sections": _designated_sections(gen, bundle),
        "test_repositories": {
            repo.name: write_object(repo, gen.test_repository, {})
            for repo in bundle.test_repositories
        },
    }
    if gen.v2:
        for name, kind, spec in (
            ("platforms", ProgramKind.PLATFORM, gen.platform),
            ("add_ons", ProgramKind.ADD_ON, gen.add_on),
        ):
            children[name] = {
                program.name: write_object(program, spec, _program_lists(gen, refs))
                for program, refs in bundle.programs
                if program.kind == kind
            }
    else:
        platforms = [(p, refs) for p, refs in bundle.programs if p.kind == ProgramKind.PLATFORM]
        if platforms:
            program, refs = platforms[0]
            lists = {f"components/{status}": [] for status in CAPABILITY_STATUSES}
            for ref in refs:
                lists[f"components/{ref.status}"].append(ref.name)
            children["platform"] = write_object(program, gen.platform, lists)
    return write_object(guideline, gen.guideline, children)


def write_capability(gen: Generation, capability, tests: list[Test]) -> dict:
    return write_object(capability, gen.capability, {"tests": _tests(gen, tests)})


def _tests(gen: Generation, tests: list[Test]):
    if gen.tests_as_list:
        return [test.name for test in tests]
    return {test.name: write_object(test, gen.test, {}) for test in tests}


def _status_lists(entries) -> dict[str, list[str]]:
    lists = {f"{kind}/{status}": [] for kind in EntryKind.values for status in CAPABILITY_STATUSES}
    for entry in entries:
        lists[f"{entry.kind}/{entry.status}"].append(entry.name)
    return lists


def _program_lists(gen: Generation, refs) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {}
    for ref in refs:
        lists.setdefault(ref.role, []).append(write_object(ref, gen.program_component, {}))
    return lists


def _designated_sections(gen: Generation, bundle: Bundle) -> dict:
    """Group rows by the outer key: status in 1.x, project in 2.0."""
    guideline = bundle.guideline
    outer: dict[str, dict] = {key: {} for key in guideline.layout.get(gen.sections_path, [])}
    for row, sections in bundle.designated_sections:
        first, second = (row.project, row.status) if gen.v2 else (row.status, row.project)
        outer.setdefault(first, {})[second] = write_object(
            row,
            gen.designated_section,
            {"sections": {s.name: write_object(s, gen.section, {}) for s in sections}},
        )
    return outer
