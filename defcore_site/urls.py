from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from guidelines.api.urls import refstack_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    # Signing in leads back to the page that asked (?next=), else to the list.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("guidelines.api.urls", namespace="api")),
    # RefStack served its routes under /v1/ too, and scripts use both.
    path("v1/", include((refstack_urlpatterns, "v1"))),
    path("", include("capabilities.urls")),
    path("", include("guidelines.urls")),
]
