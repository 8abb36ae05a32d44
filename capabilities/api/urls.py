"""The drafting and scoring workspace's routes, mounted under ``/api/v1/`` in the
``api`` namespace by ``defcore_site.urls``, before the guideline API's: PATCH
``capabilities/<id>`` and ``criteria/<id>`` share their paths with the read
routes of ``guidelines.api``, whose views these hand GETs over to."""

from django.urls import path

from capabilities.api import criteria, editing, findings, scores, worksheets

GUIDELINE = "catalog/guidelines/<str:key>/"
CAPABILITY = "capabilities/<int:pk>"

urlpatterns = [
    path(
        GUIDELINE + "capabilities",
        editing.CapabilityProposeView.as_view(),
        name="capability-propose",
    ),
    path(GUIDELINE + "scoring", scores.ScoringView.as_view(), name="guideline-scoring"),
    path(GUIDELINE + "findings", findings.FindingListView.as_view(), name="guideline-findings"),
    path(
        GUIDELINE + "findings/overrides",
        findings.FindingOverrideView.as_view(),
        name="finding-override",
    ),
    path(
        GUIDELINE + "worksheets", worksheets.WorksheetUploadView.as_view(), name="worksheet-upload"
    ),
    path(
        GUIDELINE + "worksheets/<str:name>",
        worksheets.WorksheetDownloadView.as_view(),
        name="worksheet-download",
    ),
    path(CAPABILITY, editing.CapabilityUpdateView.as_view(), name="capability-update"),
    path(CAPABILITY + "/move", editing.CapabilityMoveView.as_view(), name="capability-move"),
    path(CAPABILITY + "/rename", editing.CapabilityRenameView.as_view(), name="capability-rename"),
    path(CAPABILITY + "/lineage", editing.LineageRecordView.as_view(), name="capability-lineage"),
    path(CAPABILITY + "/scores", scores.ScoresView.as_view(), name="scores"),
    path(CAPABILITY + "/scores/<str:criterion>", scores.ScoreView.as_view(), name="score"),
    path(
        CAPABILITY + "/consensus/<str:criterion>",
        scores.ConsensusSetView.as_view(),
        name="consensus-set",
    ),
    path("criteria/<int:pk>", criteria.CriterionUpdateView.as_view(), name="criterion-update"),
]
