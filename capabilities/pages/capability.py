"""One capability's page: its scores by scorer, tests and flags, lineage, history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from capabilities.arithmetic import NON_ADMIN
from capabilities.models import Consensus, Score
from capabilities.pages.log import EventItem, event_items, guideline_events
from capabilities.pages.table import Column, Row, ordered_columns, table_rows
from capabilities.pages.viewer import Viewer
from capabilities.pages.workspace import component_names
from capabilities.selectors import scoring_table
from guidelines.models import Capability, Guideline, Test

CAPABILITY_EVENTS = 30


@dataclass(frozen=True)
class ScorerValue:
    scorer: str
    value: str
    note: str


@dataclass
class CriterionScores:
    column: Column
    consensus: str  # what counts: the consensus, or the document's achievement
    source: str  # "chair", "unanimous", "worksheet", or "" (from the document)
    scores: list[ScorerValue]

    @property
    def disagree(self) -> bool:
        return len({s.value for s in self.scores}) > 1


@dataclass
class CapabilityPage:
    guideline: Guideline
    viewer: Viewer
    capability: Capability
    row: Row
    cutoff: int | None
    criteria: list[CriterionScores]
    tests: list[Test]
    listings: list[tuple[str, str]]
    predecessors: list[str]
    components: list[str]
    events: list[EventItem]


NON_ADMIN_COLUMN = Column(NON_ADMIN, "Non-Admin", None, "Works without admin rights (veto)", True)


def capability_page(guideline: Guideline, capability: Capability, viewer: Viewer) -> CapabilityPage:
    table = scoring_table(guideline)
    columns = ordered_columns(table.criteria)
    rows = table_rows(table, columns, viewer.username)
    row = next(r for r in rows if r.key == capability.key)
    consensus = {c.criterion: c for c in Consensus.objects.filter(capability=capability)}
    scores: dict[str, list[ScorerValue]] = {}
    for score in Score.objects.filter(capability=capability).select_related("scorer"):
        scores.setdefault(score.criterion, []).append(
            ScorerValue(score.scorer.get_username(), score.value, score.note)
        )
    criteria = [
        CriterionScores(
            column=column,
            consensus=cell.value,
            source=consensus[column.key].source if column.key in consensus else "",
            scores=sorted(scores.get(column.key, []), key=lambda s: s.scorer),
        )
        for column, cell in zip([*columns, NON_ADMIN_COLUMN], row.cells, strict=True)
    ]
    events = guideline_events(guideline).filter(
        Q(subject=capability.key) | Q(data__capability=capability.key)
    )
    return CapabilityPage(
        guideline=guideline,
        viewer=viewer,
        capability=capability,
        row=row,
        cutoff=table.cutoff,
        criteria=criteria,
        tests=list(capability.tests.order_by("position")),
        listings=row.score.statuses,
        predecessors=list(capability.lineage.values_list("predecessor", flat=True)),
        components=component_names(guideline),
        events=event_items(events[:CAPABILITY_EVENTS]),
    )
