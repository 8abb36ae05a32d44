"""The site's own error pages: JSON for the API's paths, HTML for the rest."""

from django.http import JsonResponse
from django.views.defaults import page_not_found

from defcore_site.middleware import API_ROUTE
from guidelines.api.errors import error_body


def not_found(request, exception=None):
    """404 for a path no route matches. Tooling reading /api/v1/ or /v1/ gets the
    API's JSON error body, as for every other API error, not an HTML page."""
    if API_ROUTE.match(request.path_info):
        message = f"No route answers {request.path_info!r}; the routes are in /api/v1/schema/."
        return JsonResponse(error_body(404, "not_found", message), status=404)
    return page_not_found(request, exception)
