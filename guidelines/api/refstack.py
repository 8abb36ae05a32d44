"""The routes tooling hard-codes, as RefStack served them (../shared/docs/REFSTACK.md),
without RefStack's faults: real status codes, HTTP caching, no duplicate lines.

Mounted under both ``/v1/`` and ``/api/v1/``. GET and HEAD are public;
``defcore_site.wsgi`` answers the hot ones straight from ``guidelines.serving``.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from guidelines import serving
from guidelines.api.errors import ERRORS, ErrorBody, error_response
from guidelines.models import EventChannel
from guidelines.selectors import refstack_index
from guidelines.services import guideline_import
from guidelines.testlist import TestListError


class ImportOutcomeSerializer(serializers.Serializer):
    key = serializers.CharField(source="guideline.key")
    outcome = serializers.ChoiceField(["created", "replaced", "unchanged"])
    revision = serializers.IntegerField(source="guideline.revision")
    capabilities = serializers.IntegerField()
    tests = serializers.IntegerField()
    flagged = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class AnyAccept(BaseContentNegotiation):
    """These routes have one representation each; tooling's Accept headers vary.

    refstack-client and curl send anything from nothing to text/plain: none of it
    may turn a test list into a 406, nor ``?format=`` into a 404.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def served(rep: serving.Representation, request) -> HttpResponse:
    status, headers, body = serving.respond(
        rep,
        method=request.method,
        if_none_match=request.headers.get("If-None-Match", ""),
        if_modified_since=request.headers.get("If-Modified-Since", ""),
        accept_encoding=request.headers.get("Accept-Encoding", ""),
    )
    response = HttpResponse(body, status=status)
    if status == 304:
        del response["Content-Type"]  # HttpResponse sets one; a 304 has no body to type
    for name, value in headers:
        response[name] = value
    return response


def plain(status: int, line: str) -> HttpResponse:
    """A one-line reason: tooling that saves the body must not mistake it for a test list."""
    return HttpResponse(line + "\n", status=status, content_type=serving.TEXT)


def inline_index_schema():
    return {
        200: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description='{"powered": [{"name": "2020.06.json", "file": "2020.06.json"}], '
            '"orchestration": [{"name": "2020.06.json", "file": "orchestration.2020.06.json"}]}',
        )
    }


class PublicRead(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    content_negotiation_class = AnyAccept
    # Served from memory in microseconds, and polled by CI farms from few
    # addresses: never throttled (README, "Throttling").
    throttle_classes: list = []


class IndexSchema(AutoSchema):
    def get_operation_id(self):
        # The index and the document share a path prefix; say which is which.
        return super().get_operation_id().replace("_retrieve", "_index")


class GuidelineIndexView(PublicRead):
    schema = IndexSchema()

    @extend_schema(
        tags=["RefStack-compatible"],
        summary="Every guideline, keyed by powered and by add-on (RefStack's shape)",
        responses=inline_index_schema(),
    )
    def get(self, request):
        return Response(refstack_index())


class GuidelineDocumentView(APIView):
    """GET: the guideline document (public). PUT: store one (committee)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    content_negotiation_class = AnyAccept

    def get_authenticators(self):
        # A public read ignores credentials: no session read (no Vary: Cookie for
        # shared caches) and no 401 for a stale token on a document anyone may read.
        request = getattr(self, "request", None)  # None while the schema is generated
        if request is not None and request.method in SAFE_METHODS:
            return []
        return super().get_authenticators()

    def get_throttles(self):
        # Reads are served from memory and polled by CI farms: never throttled.
        # Storing a document is a write like any other.
        if self.request.method in SAFE_METHODS:
            return []
        return super().get_throttles()

    @extend_schema(
        tags=["RefStack-compatible"],
        summary="The guideline document, in its own schema generation",
        description=(
            "The same JSON value the committee published. Strong ETag and "
            "Last-Modified; If-None-Match and If-Modified-Since give 304; gzip on request."
        ),
        responses={
            200: OpenApiTypes.OBJECT,
            304: None,
            404: OpenApiResponse(description="No such guideline"),
        },
    )
    def get(self, request, key: str):
        rep = serving.document(key)
        if rep is None:
            return error_response(404, "not_found", f"No guideline named {key!r}.")
        return served(rep, request)

    @extend_schema(
        tags=["Guidelines"],
        summary="Create a guideline, or replace a draft, from its JSON document",
        description=(
            "The body is a guideline document of any schema generation; storing it is the "
            "chair's. Replacing an existing guideline needs If-Match with the ETag you "
            "read (428 without it, 412 if someone changed it meanwhile), and keeps its "
            "status: statuses move through POST /api/v1/catalog/guidelines/{key}/status. "
            "A published (approved or superseded) guideline is never replaced: it changes "
            "only by test flags (2017A D2.1), 409."
        ),
        request=OpenApiTypes.OBJECT,
        responses={
            200: ImportOutcomeSerializer,
            201: ImportOutcomeSerializer,
            **ERRORS,
            412: ErrorBody,
            428: ErrorBody,
        },
    )
    def put(self, request, key: str):
        result = guideline_import(
            raw=request.body,
            key=key,
            filename=f"{key}.json",
            actor=request.user,
            replace=True,
            if_match=request.headers.get("If-Match"),
            if_match_required=True,
            channel=EventChannel.API,
        )
        status = 201 if result.outcome == "created" else 200
        response = Response(ImportOutcomeSerializer(result).data, status=status)
        # The ETag of what was just stored, the client's next If-Match: never the
        # previous revision that readers get while this one is built.
        rep = serving.document(key, current=True)
        if rep is not None:
            response["ETag"] = rep.etag
        return response


class ReadOnlyGuidelineDocumentView(GuidelineDocumentView):
    """Under /v1/, as in RefStack, documents are only read: a write is 405 for everyone,
    not a 401 suggesting that credentials would help."""

    http_method_names = ["get", "head", "options"]
    authentication_classes: list = []
    permission_classes = [AllowAny]


class GuidelineTestsView(PublicRead):
    @extend_schema(
        tags=["RefStack-compatible"],
        summary="The tests a product must pass, one per line",
        description=(
            "`name[idempotent id]` per line (schema 1.2: bare names), LF, sorted, no "
            "duplicates, ending in a newline; an empty selection is an empty body."
        ),
        parameters=[
            OpenApiParameter(
                "type",
                str,
                description="Comma list of required, advisory, deprecated, removed (default: all)",
            ),
            OpenApiParameter(
                "target",
                str,
                description="A platform, add-on or component "
                "of the guideline (default: platform, or the add-on)",
            ),
            OpenApiParameter("alias", str, description="Also list aliases (default true)"),
            OpenApiParameter("flag", str, description="false drops flagged tests (default true)"),
        ],
        responses={
            (200, "text/plain"): OpenApiTypes.STR,
            (400, "text/plain"): OpenApiResponse(
                OpenApiTypes.STR, description="Bad type or target"
            ),
            (404, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="No such guideline"),
        },
    )
    def get(self, request, key: str):
        try:
            rep = serving.tests(key, request.query_params)
        except TestListError as exc:
            return plain(400, str(exc))
        if rep is None:
            return plain(404, f"No guideline named {key!r}")
        return served(rep, request)
