"""A guideline as rows in memory: what the reader makes and the writer reads.

The same structure is loaded from the database (``guidelines.selectors``) and
saved to it (``guidelines.services``), so import, export and drafting share
one path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guidelines.models import (
    Capability,
    Component,
    ComponentEntry,
    Criterion,
    DesignatedSection,
    Guideline,
    Program,
    ProgramComponent,
    Section,
    Test,
    TestRepository,
)


@dataclass
class Bundle:
    guideline: Guideline
    criteria: list[Criterion] = field(default_factory=list)
    programs: list[tuple[Program, list[ProgramComponent]]] = field(default_factory=list)
    components: list[tuple[Component, list[ComponentEntry]]] = field(default_factory=list)
    capabilities: list[tuple[Capability, list[Test]]] = field(default_factory=list)
    designated_sections: list[tuple[DesignatedSection, list[Section]]] = field(default_factory=list)
    test_repositories: list[TestRepository] = field(default_factory=list)

    @property
    def test_count(self) -> int:
        return sum(len(tests) for _, tests in self.capabilities)
