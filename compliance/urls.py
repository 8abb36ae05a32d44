"""Compliance's pages."""

from django.urls import path

from compliance import views

app_name = "compliance"

urlpatterns = [
    path("results/<uuid:pk>/", views.run_page, name="run"),
]
