"""Bounds on what a request may send, checked before anything reads it."""

import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from guidelines.api.errors import error_body
from guidelines.api.urls import KEY

# Storing a whole guideline document (PUT /api/v1/guidelines/<key>) may send
# far more than any other request: real guidelines are up to a few MB, and the
# performance benchmarks store documents of tens of MB.
DOCUMENT_ROUTE = re.compile(rf"/api/v1/guidelines/{KEY}")
# A scoring worksheet comes as a file (the web form) or as JSON text (the API).
WORKSHEET_ROUTE = re.compile(r"/api/v1/catalog/guidelines/[^/]+/worksheets")
# refstack-client uploads a whole test run.
RESULTS_ROUTE = re.compile(r"/(api/)?v1/results(/subunit)?/?")
API_ROUTE = re.compile(r"/(api/)?v1/")


def body_limit(method: str, path: str, content_type: str) -> tuple[int, str]:
    """The largest body a request may send, and the setting that says so."""
    if method == "PUT" and DOCUMENT_ROUTE.fullmatch(path):
        return settings.MAX_DOCUMENT_BYTES, "MAX_DOCUMENT_BYTES"
    if content_type == "multipart/form-data" or WORKSHEET_ROUTE.fullmatch(path):
        return settings.MAX_UPLOAD_BYTES, "MAX_UPLOAD_BYTES"
    if method == "POST" and RESULTS_ROUTE.fullmatch(path):
        # A full tempest run: 50,000 results are about 8 MB.
        return settings.MAX_RESULTS_BYTES, "MAX_RESULTS_BYTES"
    return settings.MAX_BODY_BYTES, "MAX_BODY_BYTES"


def content_length(meta) -> int:
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads an unreadable length as no body


def is_api(path: str) -> bool:
    return API_ROUTE.match(path) is not None


def error_response(path: str, status: int, code: str, message: str):
    """The API's JSON error body on its paths, the message as plain text elsewhere."""
    if is_api(path):
        return JsonResponse(error_body(status, code, message), status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestLimitsMiddleware:
    """413 for a body over its limit, with a message naming the limit; 404 for a
    path with a NUL character.

    Content-Length is what Django reads a body by (a body without one is read as
    empty), so checking it bounds every parser, DRF's included, before the
    authentication and permission checks that would otherwise come after parsing.
    No route has a NUL in it, and PostgreSQL refuses one in any text it is asked
    to compare, so such a path would otherwise fail deep in a lookup.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if "\x00" in path:
            message = "No such page: the path contains a NUL character."
            return error_response(path, 404, "not_found", message)
        length = content_length(request.META)
        limit, setting = body_limit(request.method, path, request.content_type)
        if length > limit:
            message = (
                f"The request body is {length} bytes; this route accepts at most "
                f"{limit} bytes ({setting})."
            )
            return error_response(path, 413, "too_large", message)
        return self.get_response(request)
