"""The publishing pages."""

from django.urls import path

from releases import views

app_name = "releases"

urlpatterns = [
    path("releases/", views.release_list, name="list"),
    path("releases/<str:key>/", views.release_detail, name="detail"),
    path("releases/<str:key>/notes/", views.release_notes, name="notes"),
    path("releases/<str:key>/bundle.zip", views.release_bundle, name="bundle"),
    path(
        "releases/<str:key>/steps/<str:step>/retry/",
        views.release_step_retry,
        name="step-retry",
    ),
    path("guidelines/<str:key>/approve/", views.guideline_approve_view, name="approve"),
]
