"""Compliance's routes: RefStack's results and keys, under ``/api/v1/`` and ``/v1/``."""

from django.urls import path

from compliance.api.products import ProductDetailView, ProductListView
from compliance.api.results import (
    PublicKeyDetailView,
    PublicKeyListView,
    ResultDetailView,
    ResultListView,
    ResultReportView,
    ResultSharedView,
    ResultSubunitView,
    ResultSummaryView,
    ResultVerificationView,
)


def refstack_routes():
    return [
        # refstack-client posts to /v1/results/ with the slash; scripts read without it.
        path("results", ResultListView.as_view(), name="result-list"),
        path("results/", ResultListView.as_view(), name="result-list-slash"),
        path("results/<str:pk>", ResultDetailView.as_view(), name="result-detail"),
        path("results/<str:pk>/meta/shared", ResultSharedView.as_view(), name="result-shared"),
        path("profile/pubkeys", PublicKeyListView.as_view(), name="pubkey-list"),
        path("profile/pubkeys/<int:pk>", PublicKeyDetailView.as_view(), name="pubkey-detail"),
    ]


urlpatterns = [
    # The directory, for tooling: listed products and their verifications.
    path("products", ProductListView.as_view(), name="product-list"),
    path("products/<str:pk>", ProductDetailView.as_view(), name="product-detail"),
    # Before results/<pk>, which would take "subunit" for an id.
    path("results/subunit", ResultSubunitView.as_view(), name="result-subunit"),
    *refstack_routes(),
    path("results/<str:pk>/report", ResultReportView.as_view(), name="result-report"),
    path("results/<str:pk>/summary", ResultSummaryView.as_view(), name="result-summary"),
    path(
        "results/<str:pk>/verifications",
        ResultVerificationView.as_view(),
        name="result-verifications",
    ),
]
refstack_urlpatterns = refstack_routes()
