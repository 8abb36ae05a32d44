from django.urls import path

from guidelines import views

app_name = "guidelines"

urlpatterns = [
    path("", views.guideline_list, name="list"),
    path("drafts/start/", views.draft_start, name="draft-start"),
    path("guidelines/<str:key>/", views.guideline_detail, name="detail"),
    path("guidelines/<str:key>/status/", views.guideline_move, name="move"),
    path("guidelines/<str:key>/compare/", views.guideline_compare, name="compare"),
    path("guidelines/<str:a>/diff/<str:b>/", views.guideline_diff, name="diff"),
]
