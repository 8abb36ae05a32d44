"""Writes of the drafting workspace. See each module."""

from capabilities.services.editing import (
    capability_change_begin,
    capability_move,
    capability_propose,
    capability_rename,
    capability_snapshot,
    capability_update,
    lineage_record,
)
from capabilities.services.findings import finding_override
from capabilities.services.scoring import (
    achievements_derive,
    consensus_set,
    criterion_update,
    scores_cast,
    scores_withdraw,
)
from capabilities.services.worksheets import WorksheetReport, worksheet_import

__all__ = [
    "WorksheetReport",
    "achievements_derive",
    "capability_change_begin",
    "capability_move",
    "capability_propose",
    "capability_rename",
    "capability_snapshot",
    "capability_update",
    "consensus_set",
    "criterion_update",
    "finding_override",
    "lineage_record",
    "scores_cast",
    "scores_withdraw",
    "worksheet_import",
]
