"""The scoring table as the pages show it: columns in the worksheet's order, rows of cells."""

from __future__ import annotations

from dataclasses import dataclass

from capabilities.arithmetic import CRITERIA_ORDER, NON_ADMIN
from capabilities.pages.viewer import Viewer
from capabilities.selectors import CapabilityScore, ScoringTable, scoring_table
from guidelines.models import Capability, CapabilityStatus, Criterion, Guideline


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

    @property
    def scored_by_viewer(self) -> bool:
        """The viewer has scores of their own here, which they may withdraw."""
        return any(cell.mine is not None for cell in self.cells)


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
            )
            for c in columns
        ]
        cells.append(
            _cell(NON_ADMIN, score.non_admin, score.scores.get(NON_ADMIN, {}), viewer, True)
        )
        rows.append(Row(score, cells, score.total.qualifies(table.cutoff)))
    return rows
