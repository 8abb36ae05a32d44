"""Reads behind the workspace pages: the scoring table, pictures, findings, change log.

Shapes arranged for the templates (cells in column order, who scored what as
text, before/after pairs); they decide nothing. The numbers come from
``capabilities.selectors`` (``scoring_table``, ``draft_findings``) and the
pictures from ``capabilities.charts``. Each function costs a fixed number of
queries whatever the number of capabilities, scores or events.

One module per part: ``viewer`` (who is looking, their role), ``table`` (the
scoring table's columns and rows), ``pictures``, ``log`` (the change log),
``workspace`` (the workspace page) and ``capability`` (one capability's page).
The views and tests reach them through this package.
"""

from capabilities.pages.capability import (
    CAPABILITY_EVENTS,
    NON_ADMIN_COLUMN,
    CapabilityPage,
    CriterionScores,
    ScorerValue,
    capability_page,
)
from capabilities.pages.log import (
    Change,
    EventItem,
    event_changes,
    event_items,
    guideline_events,
)
from capabilities.pages.pictures import criteria_svg, dots_svg, totals_svg
from capabilities.pages.table import (
    Cell,
    Column,
    Row,
    ordered_columns,
    scoring_rows,
    table_rows,
)
from capabilities.pages.viewer import Viewer, viewer_for
from capabilities.pages.workspace import (
    RECENT_EVENTS,
    FindingItem,
    WorkspacePage,
    component_names,
    finding_anchor,
    workspace_page,
)

__all__ = [
    "CAPABILITY_EVENTS",
    "NON_ADMIN_COLUMN",
    "RECENT_EVENTS",
    "CapabilityPage",
    "Cell",
    "Change",
    "Column",
    "CriterionScores",
    "EventItem",
    "FindingItem",
    "Row",
    "ScorerValue",
    "Viewer",
    "WorkspacePage",
    "capability_page",
    "component_names",
    "criteria_svg",
    "dots_svg",
    "event_changes",
    "event_items",
    "finding_anchor",
    "guideline_events",
    "ordered_columns",
    "scoring_rows",
    "table_rows",
    "totals_svg",
    "viewer_for",
    "workspace_page",
]
