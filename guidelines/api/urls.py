"""``/api/v1/``: the guideline API, and RefStack's routes (also under ``/v1/``).

``defcore_site.urls`` mounts these together with the workspace's routes
(``capabilities.api.urls``), in one ``api`` namespace.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from guidelines.api.catalog import DraftCreateView, GuidelineCatalogViewSet
from guidelines.api.diff import GuidelineDiffView
from guidelines.api.events import GuidelineEventListView
from guidelines.api.flags import TestFlagView
from guidelines.api.moves import GuidelineMoveView
from guidelines.api.parts import CapabilityViewSet, CriterionViewSet, TestViewSet
from guidelines.api.refstack import (
    GuidelineDocumentView,
    GuidelineIndexView,
    GuidelineTestsView,
    ReadOnlyGuidelineDocumentView,
)
from guidelines.api.revisions import RevisionFileView, RevisionListView
from guidelines.api.schema import SchemaView

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

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    # The split view serves its script as a file: the page policy allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("drafts", DraftCreateView.as_view(), name="drafts"),
    path("catalog/guidelines/<str:key>/status", GuidelineMoveView.as_view(), name="guideline-move"),
    path(
        "catalog/guidelines/<str:key>/events",
        GuidelineEventListView.as_view(),
        name="guideline-events",
    ),
    path("tests/<int:pk>/flag", TestFlagView.as_view(), name="test-flag"),
    *router.urls,
    re_path(
        rf"^guidelines/{KEY}/revisions$", RevisionListView.as_view(), name="guideline-revisions"
    ),
    path(
        "guidelines/<str:key>/revisions/<int:number>.<str:fmt>",
        RevisionFileView.as_view(),
        name="guideline-revision",
    ),
    re_path(
        r"^guidelines/(?P<a>[^/]+?)(?:\.json)?/diff/(?P<b>[^/]+?)(?:\.json)?$",
        GuidelineDiffView.as_view(),
        name="guideline-diff",
    ),
    *refstack_routes(GuidelineDocumentView),
]
