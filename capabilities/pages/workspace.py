"""The workspace page: the scoring table, pictures, findings, recent changes, worksheets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.safestring import SafeString

from capabilities.models import Worksheet
from capabilities.pages.log import EventItem, event_items, guideline_events
from capabilities.pages.pictures import criteria_svg, dots_svg, totals_svg
from capabilities.pages.table import Column, Row, ordered_columns, table_rows
from capabilities.pages.viewer import Viewer
from capabilities.selectors import FindingView, ScoringTable, draft_findings, scoring_table
from guidelines.models import Guideline

RECENT_EVENTS = 12


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
        findings=[FindingItem(view) for view in draft_findings(guideline, table=table)],
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
