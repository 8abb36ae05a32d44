"""One JSON error body for the whole API.

``{"error": {"status": 404, "code": "not_found", "message": "...", "fields": {...}}}``:
``message`` says what was wrong and what to do; ``fields`` is there for
validation errors, by field name.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import status as http
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


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


def exception_handler(exc, context):
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


class Conflict(APIException):
    status_code = http.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the guideline's current state."


class PreconditionFailed(APIException):
    status_code = http.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "The guideline changed since you read it; fetch it again."
