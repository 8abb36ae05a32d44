"""Publishing's routes, mounted under ``/api/v1/`` in the ``api`` namespace."""

from django.urls import path

from releases.api.releases import (
    ApprovalView,
    BundleView,
    ReleaseDetailView,
    ReleaseListView,
    StepRetryView,
)

urlpatterns = [
    path("releases", ReleaseListView.as_view(), name="release-list"),
    path("releases/<str:key>", ReleaseDetailView.as_view(), name="release-detail"),
    path("releases/<str:key>/bundle", BundleView.as_view(), name="release-bundle"),
    path(
        "releases/<str:key>/steps/<str:step>/retry",
        StepRetryView.as_view(),
        name="release-step-retry",
    ),
    path(
        "catalog/guidelines/<str:key>/approval", ApprovalView.as_view(), name="guideline-approval"
    ),
]
