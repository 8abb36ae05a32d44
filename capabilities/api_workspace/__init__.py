"""The drafting and scoring workspace's API, under ``/api/v1/``.

Thin views over capabilities.services (writes) and capabilities.selectors
(reads): each write view validates the body with its ``InputSerializer``,
calls one service with ``actor=request.user`` and ``channel=api``, and answers
with the updated resource. The services check who may (committee member or
chair) and the process rules; ``common.WorkspaceView`` turns their refusals
into the API's error body.
"""

from capabilities.api_workspace.editing import (
    CapabilityMoveView,
    CapabilityProposeView,
    CapabilityRenameView,
    CapabilityUpdateView,
    LineageRecordView,
    TestFlagView,
)
from capabilities.api_workspace.events import GuidelineEventListView
from capabilities.api_workspace.findings import FindingListView, FindingOverrideView
from capabilities.api_workspace.scoring import ConsensusSetView, ScoreCastView, ScoringView
from capabilities.api_workspace.worksheets import WorksheetDownloadView, WorksheetUploadView

__all__ = [
    "CapabilityMoveView",
    "CapabilityProposeView",
    "CapabilityRenameView",
    "CapabilityUpdateView",
    "ConsensusSetView",
    "FindingListView",
    "FindingOverrideView",
    "GuidelineEventListView",
    "LineageRecordView",
    "ScoreCastView",
    "ScoringView",
    "TestFlagView",
    "WorksheetDownloadView",
    "WorksheetUploadView",
]
