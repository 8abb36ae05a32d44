"""The process findings on a guideline, and the chair's overrides of them (2017A A7.2)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from capabilities.api.common import TAGS
from capabilities.selectors import draft_findings
from capabilities.services import finding_override
from guidelines.api.errors import ERRORS
from guidelines.api.lookups import guideline_or_404
from guidelines.models import EventChannel


class OverrideOutput(serializers.Serializer):
    justification = serializers.CharField()
    by = serializers.CharField(source="by.username")
    at = serializers.DateTimeField(source="created_at")

    class Meta:
        ref_name = "FindingOverride"


class FindingOutput(serializers.Serializer):
    """capabilities.selectors.FindingView: a finding and the chair's answer, if any."""

    rule = serializers.CharField(source="finding.rule", help_text='e.g. "2017A A4.6"')
    subject = serializers.CharField(source="finding.subject")
    message = serializers.CharField(source="finding.message")
    override = OverrideOutput(allow_null=True)

    class Meta:
        ref_name = "Finding"


class FindingListView(APIView):
    """The process rules' findings on a guideline against the one it replaces."""

    @extend_schema(
        tags=TAGS,
        operation_id="guideline_findings",
        responses={200: FindingOutput(many=True), 404: ERRORS[404]},
    )
    def get(self, request, key):
        guideline = guideline_or_404(key)
        return Response(FindingOutput(draft_findings(guideline), many=True).data)


class FindingOverrideView(APIView):
    """The chair accepts a finding with a written justification; it stays listed, marked."""

    class InputSerializer(serializers.Serializer):
        rule = serializers.CharField(help_text='As the finding names it, e.g. "Non-Admin"')
        subject = serializers.CharField()
        justification = serializers.CharField()

        class Meta:
            ref_name = "FindingOverrideInput"

    @extend_schema(
        tags=TAGS,
        operation_id="finding_override",
        request=InputSerializer,
        responses={201: FindingOutput, **ERRORS},
    )
    def post(self, request, key):
        guideline = guideline_or_404(key)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        override = finding_override(
            guideline=guideline, actor=request.user, channel=EventChannel.API, **data.validated_data
        )
        found = next(
            view
            for view in draft_findings(guideline)
            if view.finding.key == (override.rule, override.subject)
        )
        return Response(FindingOutput(found).data, status=201)
