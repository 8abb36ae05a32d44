"""The site's own error pages: JSON for the API's paths, HTML for the rest."""

from django.views.defaults import page_not_found, server_error

from defcore_site.middleware import error_response, is_api


def not_found(request, exception=None):
    """404 for a path no route matches. Tooling reading /api/v1/ or /v1/ gets the
    API's JSON error body, as for every other API error, not an HTML page."""
    if is_api(request.path_info):
        message = f"No route answers {request.path_info!r}; the routes are in /api/v1/schema/."
        return error_response(request.path_info, 404, "not_found", message)
    return page_not_found(request, exception)


def failed(request):
    """500: the API's JSON error body on its paths; no detail either way (it is logged)."""
    if is_api(request.path_info):
        message = "The server failed to answer; the failure is logged. Please report it."
        return error_response(request.path_info, 500, "server_error", message)
    return server_error(request)
