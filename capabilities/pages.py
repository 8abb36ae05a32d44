"""Reads behind the workspace pages: the scoring table, pictures, findings, change log.

Shapes arranged for the templates (cells in column order, who scored what as
text, before/after pairs); they decide nothing. The numbers come from
``capabilities.selectors`` (``scoring_table``, ``draft_findings``) and the
pictures from ``capabilities.charts``. Each function costs a fixed number of
queries whatever the number of capabilities, scores or events.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from capabilities import charts
from capabilities.models import NON_ADMIN, Capability, Consensus, Criterion, Score, Test, Worksheet
from capabilities.scoring import CRITERIA_ORDER
from capabilities.selectors import (
    CapabilityScore,
    FindingView,
    ScoringTable,
    draft_findings,
    scoring_table,
)
from guidelines.models import CapabilityStatus, Guideline, GuidelineEvent, GuidelineStatus
from guidelines.services import EDITABLE
from votes.selectors import is_chair, is_member

RECENT_EVENTS = 12
CAPABILITY_EVENTS = 30


# Who is looking, and what the page offers them. The services decide; this
# only avoids offering a control the service would refuse.


@dataclass(frozen=True)
class Viewer:
    username: str
    role: str  # "chair", "member", "reviewer" (signed in, no seat) or "" (anonymous)
    status: str  # the guideline's

    @property
    def is_member(self) -> bool:
        return self.role in {"chair", "member"}

    @property
    def is_chair(self) -> bool:
        return self.role == "chair"

    @property
    def can_score(self) -> bool:
        """Scores are frozen once the draft leaves draft status (2017A A4.3)."""
        return self.is_member and self.status == GuidelineStatus.DRAFT

    @property
    def can_decide(self) -> bool:
        return self.is_chair and self.status == GuidelineStatus.DRAFT

    @property
    def can_edit(self) -> bool:
        """Published guidelines change only by flags (2017A D2.1)."""
        return self.is_member and self.status in EDITABLE

    @property
    def can_flag(self) -> bool:
        return self.is_member

    @property
    def can_unflag(self) -> bool:
        return self.is_member and self.status in EDITABLE

    @property
    def can_override(self) -> bool:
        return self.is_chair

    @property
    def can_import(self) -> bool:
        return self.is_chair and self.status == GuidelineStatus.DRAFT


def viewer_for(user, guideline: Guideline) -> Viewer:
    if not (user and user.is_authenticated):
        return Viewer("", "", guideline.status)
    role = "chair" if is_chair(user) else "member" if is_member(user) else "reviewer"
    return Viewer(user.get_username(), role, guideline.status)


# The scoring table


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    weight: int | None
    description: str
    group_start: bool  # first of a worksheet group of three (after the first group)


@dataclass
class Cell:
    key: str
    value: str  # the consensus, 1/0/?
    scored_by: str  # "member 1, member2 0" or ""
    disagree: bool
    mine: str | None  # the viewer's own score
    group_start: bool = False  # first of a worksheet group: the table draws a line before it

    @property
    def title(self) -> str:
        if self.disagree:
            return f"Scorers disagree: {self.scored_by}"
        return f"Scored by {self.scored_by}" if self.scored_by else ""


@dataclass
class Row:
    score: CapabilityScore
    cells: list[Cell]  # in column order, then Non-Admin
    qualifies: bool

    @property
    def key(self) -> str:
        return self.score.key

    @property
    def capability(self) -> Capability:
        return self.score.capability

    @property
    def criteria_cells(self) -> list[Cell]:
        return self.cells[:-1]

    @property
    def non_admin(self) -> Cell:
        return self.cells[-1]

    @property
    def under_cutoff_but_required(self) -> bool:
        """The A4.4 finding, seen in the table."""
        return self.score.main_status == CapabilityStatus.REQUIRED and not self.qualifies

    @property
    def disagreements(self) -> int:
        return sum(cell.disagree for cell in self.cells)

    def current_values(self) -> dict[str, str]:
        """What the table shows: criterion (and Non-Admin) -> value."""
        return {cell.key: cell.value for cell in self.cells}

    def my_values(self) -> dict[str, str | None]:
        return {cell.key: cell.mine for cell in self.cells}


def ordered_columns(criteria: list[Criterion]) -> list[Column]:
    """The worksheet's order (deployed, tools, clients | future, ...), others after it.

    Documents keep criteria in alphabetical order; the committee reads them in
    the worksheet's four groups of three.
    """
    rank = {key: n for n, key in enumerate(CRITERIA_ORDER)}
    ordered = sorted(criteria, key=lambda c: (rank.get(c.key, len(rank)), c.position))
    columns, previous_group = [], None
    for criterion in ordered:
        group = rank[criterion.key] // 3 if criterion.key in rank else None
        columns.append(
            Column(
                key=criterion.key,
                name=criterion.name or criterion.key,
                weight=criterion.weight,
                description=criterion.description or "",
                group_start=previous_group is not None and group != previous_group,
            )
        )
        previous_group = group
    return columns


def _cell(key: str, value: str, by_scorer: dict[str, str], viewer: str, group_start: bool) -> Cell:
    return Cell(
        key=key,
        value=value,
        scored_by=", ".join(f"{name} {v}" for name, v in sorted(by_scorer.items())),
        disagree=len(set(by_scorer.values())) > 1,
        mine=by_scorer.get(viewer) if viewer else None,
        group_start=group_start,
    )


def scoring_rows(guideline: Guideline, viewer: Viewer) -> tuple[list[Column], list[Row]]:
    """The table's columns and rows alone, for a write that needs what the viewer saw."""
    table = scoring_table(guideline)
    columns = ordered_columns(table.criteria)
    return columns, table_rows(table, columns, viewer.username)


def table_rows(table: ScoringTable, columns: list[Column], viewer: str = "") -> list[Row]:
    rows = []
    for score in table.rows:
        cells = [
            _cell(
                c.key,
                score.values.get(c.key, "?"),
                score.scores.get(c.key, {}),
                viewer,
                c.group_start,
            )  # fmt: skip
            for c in columns
        ]
        cells.append(
            _cell(NON_ADMIN, score.non_admin, score.scores.get(NON_ADMIN, {}), viewer, True)
        )
        rows.append(Row(score, cells, score.total.qualifies(table.cutoff)))
    return rows


# The pictures


def _total_items(table: ScoringTable) -> list[charts.TotalItem]:
    return [
        charts.TotalItem(
            key=row.key,
            total=row.total.value,
            status=row.main_status,
            complete=row.total.complete,
            vetoed=row.total.vetoed,
        )
        for row in table.rows
    ]


def totals_svg(table: ScoringTable) -> SafeString:
    maximum = sum(table.weights.values())
    chart = charts.totals_chart(_total_items(table), cutoff=table.cutoff, maximum=maximum)
    # render_svg escapes every text it writes.
    return mark_safe(charts.render_svg(chart, chart_id="chart-totals"))


def dots_svg(table: ScoringTable) -> SafeString:
    """The same totals for a phone, where a bar per named capability does not fit."""
    maximum = sum(table.weights.values())
    chart = charts.dots_chart(_total_items(table), cutoff=table.cutoff, maximum=maximum)
    return mark_safe(
        charts.render_svg(chart, chart_id="chart-dots", css_class="chart chart--narrow")
    )


def criteria_svg(table: ScoringTable, columns: list[Column]) -> SafeString:
    met = table.met_counts()
    items = [charts.CriterionItem(c.key, c.name, c.weight or 0, met.get(c.key, 0)) for c in columns]
    chart = charts.criteria_chart(items, capabilities=len(table.rows))
    return mark_safe(
        charts.render_svg(chart, chart_id="chart-criteria", css_class="chart chart--criteria")
    )


# The change log


@dataclass(frozen=True)
class Change:
    name: str  # "" for a single value
    before: str
    after: str


def shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {shown(v)}" for k, v in value.items())
    if value == "":
        return '""'
    return str(value)


def event_changes(event: GuidelineEvent) -> list[Change]:
    """The before/after of an event, field by field where both are objects."""
    data = event.data or {}
    if "before" not in data and "after" not in data:
        return []
    before, after = data.get("before"), data.get("after")
    if isinstance(before, dict) or isinstance(after, dict):
        before, after = before or {}, after or {}
        names = [*before, *(k for k in after if k not in before)]
        # A score's criterion names the change rather than being one.
        fixed = {k for k in names if before.get(k) == after.get(k)}
        label = " ".join(shown(before[k]) for k in names if k in fixed and k == "criterion")
        return [
            Change(
                f"{label} {k}".strip() if label else k, shown(before.get(k)), shown(after.get(k))
            )
            for k in names
            if k not in fixed and k != "version"
        ]
    return [Change("", shown(before), shown(after))]


@dataclass
class EventItem:
    event: GuidelineEvent
    changes: list[Change]

    @property
    def who(self) -> str:
        return self.event.actor.get_username() if self.event.actor else "an operator"

    @property
    def notes(self) -> list[str]:
        return list((self.event.data or {}).get("notes", []))


def event_items(events) -> list[EventItem]:
    return [EventItem(event, event_changes(event)) for event in events]


def guideline_events(guideline: Guideline):
    """Newest first, with who did it: one query per slice."""
    return guideline.events.select_related("actor").order_by("-created_at", "-id")


# The workspace page


def finding_anchor(rule: str, subject: str) -> str:
    """A stable id for a finding: rules and subjects hold spaces, dots and slashes."""
    digest = hashlib.sha1(f"{rule}\n{subject}".encode(), usedforsecurity=False).hexdigest()
    return f"finding-{digest[:12]}"


@dataclass
class FindingItem:
    view: FindingView

    @property
    def anchor(self) -> str:
        return finding_anchor(*self.view.finding.key)

    @property
    def finding(self):
        return self.view.finding

    @property
    def override(self):
        return self.view.override


@dataclass
class WorkspacePage:
    guideline: Guideline
    viewer: Viewer
    table: ScoringTable
    columns: list[Column]
    rows: list[Row]
    findings: list[FindingItem]
    events: list[EventItem]
    event_count: int
    worksheets: list[Worksheet]
    components: list[str]
    totals_svg: SafeString
    dots_svg: SafeString
    criteria_svg: SafeString
    replaced: Guideline | None = None

    @property
    def cutoff(self) -> int | None:
        return self.table.cutoff

    @property
    def qualifying(self) -> int:
        return sum(row.qualifies for row in self.rows)

    @property
    def disagreements(self) -> int:
        return sum(row.disagreements for row in self.rows)

    @property
    def overridden(self) -> int:
        return sum(1 for item in self.findings if item.override)

    @property
    def open_findings(self) -> int:
        return len(self.findings) - self.overridden

    @property
    def weights_total(self) -> int:
        return sum(self.table.weights.values())

    def row(self, key: str) -> Row | None:
        return next((row for row in self.rows if row.key == key), None)

    def finding(self, rule: str, subject: str) -> FindingItem | None:
        return next((f for f in self.findings if f.finding.key == (rule, subject)), None)


def workspace_page(guideline: Guideline, viewer: Viewer) -> WorkspacePage:
    table = scoring_table(guideline)
    columns = ordered_columns(table.criteria)
    events = guideline_events(guideline)
    return WorkspacePage(
        guideline=guideline,
        viewer=viewer,
        table=table,
        columns=columns,
        rows=table_rows(table, columns, viewer.username),
        findings=[FindingItem(view) for view in draft_findings(guideline)],
        events=event_items(events[:RECENT_EVENTS]),
        event_count=events.count(),
        worksheets=list(guideline.worksheets.order_by("name")),
        components=component_names(guideline),
        totals_svg=totals_svg(table),
        dots_svg=dots_svg(table),
        criteria_svg=criteria_svg(table, columns),
        replaced=Guideline.objects.filter(key=guideline.replaces).first()
        if guideline.replaces
        else None,
    )


def component_names(guideline: Guideline) -> list[str]:
    return list(guideline.components.order_by("position").values_list("name", flat=True))


# One capability's page: its scores by scorer, tests and flags, lineage, history


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
