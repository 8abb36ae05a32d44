"""The cycles pages: the calendar, one cycle's timeline, and the chair's forms."""

from django.urls import path

from cycles import views

app_name = "cycles"

urlpatterns = [
    path("cycles/", views.cycle_list, name="list"),
    # Before <name>: no cycle is called "summit" (names are YYYY.MM).
    path("cycles/summit/", views.cycle_summit, name="summit"),
    path("cycles/<str:name>/", views.cycle_detail, name="detail"),
]
