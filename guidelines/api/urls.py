"""``/api/v1/``: the application's API, and RefStack's routes (also under ``/v1/``)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from capabilities import api_workspace as workspace
from capabilities.api import CapabilityViewSet, CriterionViewSet, TestViewSet
from guidelines.api.catalog import DraftCreateView, GuidelineCatalogViewSet
from guidelines.api.diff import GuidelineDiffView
from guidelines.api.refstack import (
    GuidelineDocumentView,
    GuidelineIndexView,
    GuidelineTestsView,
    ReadOnlyGuidelineDocumentView,
)

app_name = "api"

# A guideline name may be followed by .json, as in RefStack's URLs.
KEY = r"(?P<key>[^/]+?)(?:\.json)?"


def refstack_routes(document_view):
    return [
        path("guidelines", GuidelineIndexView.as_view(), name="guideline-index"),
        re_path(rf"^guidelines/{KEY}/tests$", GuidelineTestsView.as_view(), name="guideline-tests"),
        re_path(rf"^guidelines/{KEY}$", document_view.as_view(), name="guideline-document"),
    ]


# Under /v1/ (defcore_site.urls), RefStack's routes only read.
refstack_urlpatterns = refstack_routes(ReadOnlyGuidelineDocumentView)

router = SimpleRouter(trailing_slash=False)
router.register("catalog/guidelines", GuidelineCatalogViewSet, basename="catalog-guideline")
router.register("capabilities", CapabilityViewSet, basename="capability")
router.register("tests", TestViewSet, basename="test")
router.register("criteria", CriterionViewSet, basename="criterion")

# The drafting and scoring workspace. Listed before the router: PATCH
# capabilities/<id> shares its path with the router's capability detail (the
# view hands GETs over to it), and the rest stay clear of future router routes.
workspace_urlpatterns = [
    path(
        "catalog/guidelines/<str:key>/capabilities",
        workspace.CapabilityProposeView.as_view(),
        name="capability-propose",
    ),
    path(
        "catalog/guidelines/<str:key>/scoring",
        workspace.ScoringView.as_view(),
        name="guideline-scoring",
    ),
    path(
        "catalog/guidelines/<str:key>/findings",
        workspace.FindingListView.as_view(),
        name="guideline-findings",
    ),
    path(
        "catalog/guidelines/<str:key>/findings/overrides",
        workspace.FindingOverrideView.as_view(),
        name="finding-override",
    ),
    path(
        "catalog/guidelines/<str:key>/events",
        workspace.GuidelineEventListView.as_view(),
        name="guideline-events",
    ),
    path(
        "catalog/guidelines/<str:key>/worksheets",
        workspace.WorksheetUploadView.as_view(),
        name="worksheet-upload",
    ),
    path(
        "catalog/guidelines/<str:key>/worksheets/<str:name>",
        workspace.WorksheetDownloadView.as_view(),
        name="worksheet-download",
    ),
    path(
        "capabilities/<int:pk>", workspace.CapabilityUpdateView.as_view(), name="capability-update"
    ),
    path(
        "capabilities/<int:pk>/move", workspace.CapabilityMoveView.as_view(), name="capability-move"
    ),
    path(
        "capabilities/<int:pk>/rename",
        workspace.CapabilityRenameView.as_view(),
        name="capability-rename",
    ),
    path(
        "capabilities/<int:pk>/lineage",
        workspace.LineageRecordView.as_view(),
        name="capability-lineage",
    ),
    path(
        "capabilities/<int:pk>/scores/<str:criterion>",
        workspace.ScoreCastView.as_view(),
        name="score-cast",
    ),
    path(
        "capabilities/<int:pk>/consensus/<str:criterion>",
        workspace.ConsensusSetView.as_view(),
        name="consensus-set",
    ),
    path("tests/<int:pk>/flag", workspace.TestFlagView.as_view(), name="test-flag"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("drafts", DraftCreateView.as_view(), name="drafts"),
    *workspace_urlpatterns,
    *router.urls,
    re_path(
        r"^guidelines/(?P<a>[^/]+?)(?:\.json)?/diff/(?P<b>[^/]+?)(?:\.json)?$",
        GuidelineDiffView.as_view(),
        name="guideline-diff",
    ),
    *refstack_routes(GuidelineDocumentView),
]
