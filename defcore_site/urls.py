"""The site's URLs, composed from each app's own ``urls`` modules.

``/api/v1/`` is one namespace (``api``) made of the workspace's routes
(``capabilities.api.urls``) and the guideline API's (``guidelines.api.urls``),
in that order: the workspace's writes share paths with guideline reads and
hand those reads over.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_safe

from capabilities.api import urls as workspace_api
from compliance.api import urls as compliance_api
from cycles.api import urls as cycles_api
from defcore_site.feeds import EventsFeed
from defcore_site.health import HealthView
from defcore_site.throttling import signin_rate_limited
from guidelines.api import urls as guideline_api
from releases.api import urls as releases_api
from votes.api import urls as votes_api

api_urlpatterns = [
    *workspace_api.urlpatterns,
    *votes_api.urlpatterns,
    *releases_api.urlpatterns,
    *cycles_api.urlpatterns,
    *compliance_api.urlpatterns,
    *guideline_api.urlpatterns,
]

urlpatterns = [
    path("admin/", admin.site.urls),
    # For load balancers: 200 when the database (and Redis, Celery) answer, else 503.
    path("health/", HealthView.as_view(), name="health"),
    # A feed is read: other methods are 405, not a feed.
    path("feeds/events.atom", require_safe(EventsFeed()), name="feed-events"),
    # Signing in leads back to the page that asked (?next=), else to the list.
    path(
        "accounts/login/",
        # The form is posted; Django's view would take a PUT as well and ignore its body.
        # Attempts are limited per address (django-axes locks a username per address).
        signin_rate_limited(
            auth_views.LoginView.as_view(
                redirect_authenticated_user=True,
                http_method_names=["get", "head", "post", "options"],
            )
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include((api_urlpatterns, "api"))),
    # RefStack served its routes under /v1/ too, and scripts use both.
    path(
        "v1/",
        include(
            (
                [*guideline_api.refstack_urlpatterns, *compliance_api.refstack_urlpatterns],
                "v1",
            )
        ),
    ),
    path("", include("committee.urls")),
    path("", include("votes.urls")),
    path("", include("releases.urls")),
    path("", include("cycles.urls")),
    path("", include("compliance.urls")),
    path("", include("capabilities.urls")),
    path("", include("guidelines.urls")),
]

# An unrouted /api/v1/ or /v1/ path answers the API's JSON error, not an HTML page.
handler404 = "defcore_site.views.not_found"
handler500 = "defcore_site.views.failed"
