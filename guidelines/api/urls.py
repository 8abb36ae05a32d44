"""``/api/v1/``: the application's API, and RefStack's routes (also under ``/v1/``)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

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

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("drafts", DraftCreateView.as_view(), name="drafts"),
    *router.urls,
    re_path(
        r"^guidelines/(?P<a>[^/]+?)(?:\.json)?/diff/(?P<b>[^/]+?)(?:\.json)?$",
        GuidelineDiffView.as_view(),
        name="guideline-diff",
    ),
    *refstack_routes(GuidelineDocumentView),
]
