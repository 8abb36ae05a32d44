"""``/api/v1/`` routes of cycles (mounted in ``defcore_site.urls``), read-only."""

from django.urls import path

from cycles.api.cycles import CycleDetailView, CycleListView

urlpatterns = [
    path("cycles", CycleListView.as_view(), name="cycle-list"),
    path("cycles/<str:name>", CycleDetailView.as_view(), name="cycle-detail"),
]
