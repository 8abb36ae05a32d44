"""Writes of guidelines. Each service is one transaction; see each module.

``changes``: the lock, rule check and record every write shares;
``importing``: a whole document from a file or the API; ``drafts``: the next
draft; ``moves``: the life cycle; ``flags``: test flags; ``publishing``: a draft approved as
its release; ``artifacts``: the stored bytes published guidelines are served from.
"""

from guidelines.services.changes import (
    forget_served_at_commit,
    guideline_change_begin,
    guideline_lock,
    guideline_record_change,
)
from guidelines.services.drafts import draft_copy, draft_name_for, guideline_start_draft
from guidelines.services.flags import flag_clear, flag_set, flag_snapshot
from guidelines.services.importing import (
    ImportResult,
    bundle_save,
    guideline_import,
    guideline_key_validate,
)
from guidelines.services.moves import (
    MOVE_SERVICES,
    guideline_open_review,
    guideline_return_to_draft,
    guideline_supersede,
)

__all__ = [
    "MOVE_SERVICES",
    "ImportResult",
    "bundle_save",
    "draft_copy",
    "draft_name_for",
    "flag_clear",
    "flag_set",
    "flag_snapshot",
    "forget_served_at_commit",
    "guideline_change_begin",
    "guideline_import",
    "guideline_key_validate",
    "guideline_lock",
    "guideline_open_review",
    "guideline_record_change",
    "guideline_return_to_draft",
    "guideline_start_draft",
    "guideline_supersede",
]
