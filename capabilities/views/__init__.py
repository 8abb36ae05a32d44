"""The drafting and scoring workspace pages (HTML), one module per page.

Views stay thin: a form checks the input's shape, one service makes the
change as ``request.user`` through the web channel, and the page is read
through ``capabilities.pages``. A service's refusal is shown next to the form
that caused it, with the API's status for it (``guidelines.errors.REFUSALS``):
403 the seat does not allow it, 409 a process rule refuses or someone changed
it meanwhile, 400 anything else.

``common`` holds what they share: lookups that answer 404, URLs, refusals and
the early seat check. ``capabilities/urls.py`` reaches the views through this package.
"""

from capabilities.views.capabilities import (
    capability,
    capability_edit,
    capability_lineage_view,
    capability_move_view,
    capability_rename_view,
    propose,
    test_flag,
    test_unflag,
)
from capabilities.views.log import change_log
from capabilities.views.worksheets import (
    worksheet_download_csv,
    worksheet_download_text,
    worksheets,
)
from capabilities.views.workspace import consensus, override, score, score_withdraw, workspace

__all__ = [
    "capability",
    "capability_edit",
    "capability_lineage_view",
    "capability_move_view",
    "capability_rename_view",
    "change_log",
    "consensus",
    "override",
    "propose",
    "score",
    "score_withdraw",
    "test_flag",
    "test_unflag",
    "worksheet_download_csv",
    "worksheet_download_text",
    "worksheets",
    "workspace",
]
