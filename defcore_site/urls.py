from django.contrib import admin
from django.urls import include, path

from guidelines.api.urls import refstack_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("guidelines.api.urls", namespace="api")),
    # RefStack served its routes under /v1/ too, and scripts use both.
    path("v1/", include((refstack_urlpatterns, "v1"))),
    path("", include("guidelines.urls")),
]
