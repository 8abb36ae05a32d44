"""Reads of guidelines. Loading a whole guideline costs a fixed number of queries."""

from __future__ import annotations

import json
import re
from collections import defaultdict

from guidelines.interop_format.bundle import Bundle
from guidelines.interop_format.writer import write_document
from guidelines.models import (
    Capability,
    ComponentEntry,
    Criterion,
    DesignatedSection,
    Guideline,
    ProgramComponent,
    Section,
    Test,
    TestRepository,
)


def _grouped(rows, attr: str) -> dict[int, list]:
    groups: dict[int, list] = defaultdict(list)
    for row in rows:
        groups[getattr(row, attr)].append(row)
    return groups


def guideline_bundle(guideline: Guideline) -> Bundle:
    """Every row of one guideline, in document order: eleven queries, whatever its size."""
    g = guideline
    tests = _grouped(
        Test.objects.filter(capability__guideline=g).order_by("capability_id", "position"),
        "capability_id",
    )
    entries = _grouped(
        ComponentEntry.objects.filter(component__guideline=g).order_by("component_id", "position"),
        "component_id",
    )
    refs = _grouped(
        ProgramComponent.objects.filter(program__guideline=g).order_by("program_id", "position"),
        "program_id",
    )
    sections = _grouped(
        Section.objects.filter(designated_section__guideline=g).order_by(
            "designated_section_id", "position"
        ),
        "designated_section_id",
    )
    return Bundle(
        guideline=g,
        criteria=list(Criterion.objects.filter(guideline=g).order_by("position")),
        programs=[(p, refs[p.pk]) for p in g.programs.order_by("kind", "position")],
        components=[(c, entries[c.pk]) for c in g.components.order_by("position")],
        capabilities=[
            (c, tests[c.pk]) for c in Capability.objects.filter(guideline=g).order_by("position")
        ],
        designated_sections=[
            (d, sections[d.pk])
            for d in DesignatedSection.objects.filter(guideline=g).order_by("position")
        ],
        test_repositories=list(TestRepository.objects.filter(guideline=g).order_by("position")),
    )


def guideline_document(guideline: Guideline) -> dict:
    """The guideline as the committee's JSON document, in its own schema generation."""
    return write_document(guideline_bundle(guideline))


def document_text(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def guideline_get(key: str) -> Guideline | None:
    return Guideline.objects.filter(key=key).first()


def refstack_index() -> dict[str, list[dict[str, str]]]:
    """RefStack's list: ``{"powered": [{"name": "2020.06.json", "file": ...}], "dns": [...]}``."""
    groups: dict[str, list[dict[str, str]]] = {}
    for key in Guideline.objects.order_by("key").values_list("key", flat=True):
        family = Guideline(key=key).family
        name = key[len(family) + 1 :] if family else key
        groups.setdefault(family or "powered", []).append(
            {"name": f"{name}.json", "file": f"{key}.json"}
        )
    return dict(sorted(groups.items()))


def guideline_latest_approved(family: str) -> Guideline | None:
    """The newest approved guideline of a kind: '' (or 'powered') or an add-on's name.

    "Newest" is the latest YYYY.MM name (2017A D4.1: named for Board approval).
    """
    wanted = "" if family in ("", "powered") else family
    approved = [g for g in Guideline.objects.approved() if g.family == wanted]
    dated = [g for g in approved if re.search(r"\d{4}\.\d{2}$", g.key)]
    return max(dated or approved, key=lambda g: g.key, default=None)


def approved_families() -> list[str]:
    """The kinds that have an approved guideline to start a draft from."""
    return sorted({g.family or "powered" for g in Guideline.objects.approved()})
