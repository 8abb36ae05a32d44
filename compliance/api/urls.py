"""Compliance's routes: RefStack's results and keys, under ``/api/v1/`` and ``/v1/``."""

from django.urls import path

from compliance.api.results import (
    PublicKeyDetailView,
    PublicKeyListView,
    ResultDetailView,
    ResultListView,
    ResultReportView,
)


def refstack_routes():
    return [
        # refstack-client posts to /v1/results/ with the slash; scripts read without it.
        path("results", ResultListView.as_view(), name="result-list"),
        path("results/", ResultListView.as_view(), name="result-list-slash"),
        path("results/<str:pk>", ResultDetailView.as_view(), name="result-detail"),
        path("profile/pubkeys", PublicKeyListView.as_view(), name="pubkey-list"),
        path("profile/pubkeys/<int:pk>", PublicKeyDetailView.as_view(), name="pubkey-detail"),
    ]


urlpatterns = [
    *refstack_routes(),
    path("results/<str:pk>/report", ResultReportView.as_view(), name="result-report"),
]
refstack_urlpatterns = refstack_routes()
