"""Writes of the drafting workspace. See each module."""

from capabilities.services.editing import (
    capability_move,
    capability_propose,
    capability_rename,
    capability_snapshot,
    capability_update,
    flag_clear,
    flag_set,
    lineage_record,
)
from capabilities.services.findings import finding_override
from capabilities.services.scoring import (
    achievements_derive,
    consensus_set,
    criterion_update,
    score_cast,
)
from capabilities.services.worksheets import worksheet_import

__all__ = [
    "achievements_derive",
    "capability_move",
    "capability_propose",
    "capability_rename",
    "capability_snapshot",
    "capability_update",
    "consensus_set",
    "criterion_update",
    "lineage_record",
    "score_cast",
    "flag_set",
    "finding_override",
    "flag_clear",
    "worksheet_import",
]
