from django.urls import path

from guidelines import views

app_name = "guidelines"

urlpatterns = [
    path("", views.guideline_list, name="list"),
    path("guidelines/<str:key>/", views.guideline_detail, name="detail"),
]
