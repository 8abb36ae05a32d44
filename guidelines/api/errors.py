"""One JSON error body for the whole API, and one mapping from refusals to statuses.

``{"error": {"status": 404, "code": "not_found", "message": "...", "fields": {...}}}``:
``message`` says what was wrong and what to do; ``fields`` is there for
validation errors, by field name. A service's refusal, wherever it is raised,
gets the status and code of ``guidelines.errors.REFUSALS`` (403 no seat, 409 a
process rule or a stale version with ``current``, 412/428 If-Match, 400 bad
input); a document that is not a readable guideline is 400
``invalid_document`` with ``where``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from guidelines.errors import VersionConflict, refusal_of
from guidelines.interop_format.reader import FormatError


def error_body(status: int, code: str, message: str, fields: dict | None = None) -> dict:
    error = {"status": status, "code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def error_response(status: int, code: str, message: str, fields: dict | None = None) -> Response:
    return Response(error_body(status, code, message, fields), status=status)


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


def refusal_response(exc: Exception) -> Response | None:
    """The error response for a service's refusal (``guidelines.errors.REFUSALS``)."""
    if isinstance(exc, FormatError):
        return error_response(400, "invalid_document", str(exc), {"where": [exc.where]})
    refusal = refusal_of(exc)
    if refusal is None:
        return None
    response = error_response(*refusal, str(exc))
    if isinstance(exc, VersionConflict):
        response.data["current"] = exc.current
    return response


def exception_handler(exc, context):
    refused = refusal_response(exc)
    if refused is not None:
        return refused
    # Django's own exceptions become DRF's, so they get a code like the rest.
    if isinstance(exc, Http404):
        exc = NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, APIException) and hasattr(exc, "get_codes"):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else code
    fields = None
    if isinstance(exc, ValidationError) and isinstance(exc.detail, dict):
        fields = exc.detail
        message = "The request has invalid values: " + _flatten(exc.detail)
        code = "invalid"
    else:
        message = _flatten(getattr(exc, "detail", str(exc)))
    response.data = error_body(response.status_code, str(code), message, fields)
    return response


# The error bodies, for the OpenAPI document.


class ErrorDetail(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField(help_text="What was wrong, naming the rule or role refused")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For invalid bodies: the problems by field name",
    )


class ErrorBody(serializers.Serializer):
    error = ErrorDetail()

    class Meta:
        ref_name = "Error"


# What every write may answer besides success: bad input, no credentials, no
# seat, no such object, a process rule.
ERRORS = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody}
