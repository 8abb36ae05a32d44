"""Scoring worksheets: upload one (its scores become the consensus), download txt or csv."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from capabilities.api.common import TAGS
from capabilities.selectors import worksheet_csv, worksheet_filename, worksheet_text
from capabilities.services import worksheet_import
from capabilities.services.worksheets import worksheet_name_problem
from guidelines.api.errors import ERRORS
from guidelines.api.lookups import guideline_or_404
from guidelines.models import EventChannel


class WorksheetUploadView(APIView):
    """Import a worksheet (like scoring.txt) into a draft: the chair's.

    Each line naming a capability sets its consensus scores, and its
    achievements follow; other lines are kept as written. ``notes`` reports
    those lines and typed totals the arithmetic disagrees with. Download the
    worksheet again, totals and asterisks recomputed, from
    ``GET /api/v1/catalog/guidelines/{key}/worksheets/{name}?format=txt|csv``
    (the ``download`` links of the answer).
    """

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, help_text="e.g. scoring.txt")
        # Sent as the committee wrote it: the export gives it back byte for byte.
        text = serializers.CharField(trim_whitespace=False)

        class Meta:
            ref_name = "WorksheetUploadInput"

        def validate_name(self, name):
            problem = worksheet_name_problem(name)
            if problem:
                raise ValidationError(problem)
            return name

    class OutputSerializer(serializers.Serializer):
        class Links(serializers.Serializer):
            txt = serializers.URLField()
            csv = serializers.URLField()

            class Meta:
                ref_name = "WorksheetLinks"

        name = serializers.CharField()
        matched = serializers.IntegerField(help_text="Lines that set a capability's scores")
        notes = serializers.ListField(child=serializers.CharField(), help_text="Per line")
        download = Links()

        class Meta:
            ref_name = "WorksheetReport"

    @extend_schema(
        tags=TAGS,
        operation_id="worksheet_import",
        request=InputSerializer,
        responses={201: OutputSerializer, **ERRORS},
    )
    def post(self, request, key):
        guideline = guideline_or_404(key)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = worksheet_import(
            guideline=guideline, actor=request.user, channel=EventChannel.API, **data.validated_data
        )
        name = report.worksheet.name
        url = request.build_absolute_uri(reverse("api:worksheet-download", args=[key, name]))
        output = {
            "name": name,
            "matched": report.matched,
            "notes": report.notes,
            "download": {"txt": f"{url}?format=txt", "csv": f"{url}?format=csv"},
        }
        return Response(self.OutputSerializer(output).data, status=201)


class WorksheetTextRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "txt"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode(self.charset)


class WorksheetCSVRenderer(WorksheetTextRenderer):
    media_type = "text/csv"
    format = "csv"


@extend_schema(
    tags=["Workspace"],
    parameters=[OpenApiParameter("format", str, enum=["txt", "csv"], description="default txt")],
    responses={(200, "text/plain"): OpenApiTypes.STR, (200, "text/csv"): OpenApiTypes.STR},
)
class WorksheetDownloadView(APIView):
    """The worksheet with totals and asterisks recomputed: ``?format=txt`` (default) or ``csv``.

    txt is scoring.txt as the committee writes it; csv is tabulated_scores.csv.
    """

    renderer_classes = [WorksheetTextRenderer, WorksheetCSVRenderer]

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            raise ValidationError({"format": ["Use txt or csv."]}) from None

    def finalize_response(self, request, response, *args, **kwargs):
        # Only a worksheet is text. Errors, and OPTIONS' description of the
        # route, are JSON like the rest of the API, whatever format was asked for.
        if isinstance(response, Response) and not isinstance(response.data, str):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def get(self, request, key, name):
        guideline = guideline_or_404(key)
        worksheet = guideline.worksheets.filter(name=name).first()
        if worksheet is None:
            names = ", ".join(guideline.worksheets.values_list("name", flat=True)) or "none"
            raise NotFound(f"{guideline.key} has no worksheet named {name!r} (it has: {names}).")
        csv = request.accepted_renderer.format == "csv"
        render = worksheet_csv if csv else worksheet_text
        filename = worksheet_filename(worksheet, csv=csv)
        # Whatever the name holds (quotes, line breaks from before names were
        # checked), the header is quoted or encoded as RFC 6266 says.
        return Response(
            render(worksheet),
            headers={"Content-Disposition": content_disposition_header(True, filename)},
        )
