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
API_ROUTE = re.compile(r"/(api/)?v1/")


def body_limit(request) -> tuple[int, str]:
    """The largest body this request may send, and the setting that says so."""
    if request.method == "PUT" and DOCUMENT_ROUTE.fullmatch(request.path_info):
        return settings.MAX_DOCUMENT_BYTES, "MAX_DOCUMENT_BYTES"
    if request.content_type == "multipart/form-data" or WORKSHEET_ROUTE.fullmatch(
        request.path_info
    ):
        return settings.MAX_UPLOAD_BYTES, "MAX_UPLOAD_BYTES"
    return settings.MAX_BODY_BYTES, "MAX_BODY_BYTES"


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
        if "\x00" in request.path_info:
            return not_found(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads an unreadable length as no body
        limit, setting = body_limit(request)
        if length > limit:
            return too_large(request, length, limit, setting)
        return self.get_response(request)


def not_found(request):
    message = "No such page: the path contains a NUL character."
    if API_ROUTE.match(request.path_info):
        return JsonResponse(error_body(404, "not_found", message), status=404)
    return HttpResponse(message, status=404, content_type="text/plain; charset=utf-8")


def too_large(request, length: int, limit: int, setting: str):
    message = (
        f"The request body is {length} bytes; this route accepts at most {limit} bytes ({setting})."
    )
    if API_ROUTE.match(request.path_info):
        return JsonResponse(error_body(413, "too_large", message), status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
