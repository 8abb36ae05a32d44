"""Capabilities in a draft: propose, edit, move, rename, regroup."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from capabilities.api.common import (
    EDIT_ERRORS,
    TAGS,
    CapabilityOutput,
    capability_output,
)
from capabilities.services import (
    capability_move,
    capability_propose,
    capability_rename,
    capability_update,
    lineage_record,
)
from guidelines.api.errors import ERRORS
from guidelines.api.lookups import capability_or_404, guideline_or_404
from guidelines.api.parts import CapabilityViewSet
from guidelines.models import CapabilityStatus, EventChannel


# A plain string in the OpenAPI document: as an enum, drf-spectacular would
# name it after the other "status" choice sets and warn of the collision.
@extend_schema_field(
    {"type": "string", "description": f"One of {', '.join(CapabilityStatus.values)}"}
)
class CapabilityStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(CapabilityStatus.choices, **kwargs)


VERSION_HELP = (
    "The capability's version you read (its `version`). If someone saved it since, the "
    "answer is 409 with `current`: merge, then send again with current.version."
)


class CapabilityProposeView(APIView):
    """Propose a new capability in a draft, listed in one component (advisory by default)."""

    class InputSerializer(serializers.Serializer):
        class TestInput(serializers.Serializer):
            name = serializers.CharField(help_text="The test's fully qualified name")
            idempotent_id = serializers.CharField(help_text="id-<uuid>, or a bare uuid in add-ons")
            aliases = serializers.ListField(child=serializers.CharField(), required=False)

            class Meta:
                ref_name = "CapabilityProposeTest"

        key = serializers.CharField(help_text="e.g. compute-servers-rescue")
        component = serializers.CharField(help_text="e.g. os_powered_compute")
        status = CapabilityStatusField(default=CapabilityStatus.ADVISORY)
        project = serializers.CharField()
        description = serializers.CharField(allow_blank=True)
        admin = serializers.BooleanField(default=False)
        tests = TestInput(many=True, allow_empty=True)

        class Meta:
            ref_name = "CapabilityProposeInput"

    @extend_schema(
        tags=TAGS,
        operation_id="capability_propose",
        request=InputSerializer,
        responses={201: CapabilityOutput, **ERRORS},
    )
    def post(self, request, key):
        guideline = guideline_or_404(key)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        capability = capability_propose(
            guideline=guideline, actor=request.user, channel=EventChannel.API, **data.validated_data
        )
        location = request.build_absolute_uri(
            reverse("api:capability-detail", args=[capability.pk])
        )
        return Response(
            capability_output(capability.pk), status=201, headers={"Location": location}
        )


# GET /capabilities/<id> is the read viewset's; Django routes by path, not by
# method, so this view, listed first, hands reads over to it.
_capability_read = CapabilityViewSet.as_view({"get": "retrieve"})


class CapabilityUpdateView(APIView):
    """Edit a capability's project, description, admin flag or required_since."""

    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=1, help_text="Required. " + VERSION_HELP)
        project = serializers.CharField(required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        admin = serializers.BooleanField(required=False)
        required_since = serializers.CharField(
            required=False, allow_blank=True, help_text='The release, or "" for not required'
        )

        class Meta:
            ref_name = "CapabilityUpdateInput"

        def validate(self, data):
            if len(data) == 1:
                raise serializers.ValidationError(
                    "Send at least one of project, description, admin, required_since."
                )
            return data

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return _capability_read(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        operation_id="capability_update",
        request=InputSerializer,
        responses={200: CapabilityOutput, **EDIT_ERRORS},
    )
    def patch(self, request, pk):
        capability = capability_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        version = changes.pop("version")
        capability_update(
            capability=capability,
            expected_version=version,
            changes=changes,
            actor=request.user,
            channel=EventChannel.API,
        )
        return Response(capability_output(capability.pk))


class CapabilityMoveView(APIView):
    """List a capability under a status in a component (and under no other status there)."""

    class InputSerializer(serializers.Serializer):
        component = serializers.CharField()
        status = CapabilityStatusField()
        version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)

        class Meta:
            ref_name = "CapabilityMoveInput"

    @extend_schema(
        tags=TAGS,
        operation_id="capability_move",
        request=InputSerializer,
        responses={200: CapabilityOutput, **EDIT_ERRORS},
    )
    def post(self, request, pk):
        capability = capability_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        capability_move(
            capability=capability,
            component=data.validated_data["component"],
            status=data.validated_data["status"],
            expected_version=data.validated_data.get("version"),
            actor=request.user,
            channel=EventChannel.API,
        )
        return Response(capability_output(capability.pk))


class CapabilityRenameView(APIView):
    """Rename a capability everywhere in its guideline; the old name is kept as lineage."""

    class InputSerializer(serializers.Serializer):
        key = serializers.CharField(help_text="The new name")
        version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)

        class Meta:
            ref_name = "CapabilityRenameInput"

    @extend_schema(
        tags=TAGS,
        operation_id="capability_rename",
        request=InputSerializer,
        responses={200: CapabilityOutput, **EDIT_ERRORS},
    )
    def post(self, request, pk):
        capability = capability_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        capability_rename(
            capability=capability,
            new_key=data.validated_data["key"],
            expected_version=data.validated_data.get("version"),
            actor=request.user,
            channel=EventChannel.API,
        )
        return Response(capability_output(capability.pk))


class LineageRecordView(APIView):
    """Record the capabilities of the previous guideline this one was made from (a regroup)."""

    class InputSerializer(serializers.Serializer):
        predecessors = serializers.ListField(child=serializers.CharField(), allow_empty=False)
        note = serializers.CharField(required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "LineageRecordInput"

    @extend_schema(
        tags=TAGS,
        operation_id="capability_lineage_record",
        request=InputSerializer,
        responses={200: CapabilityOutput, **ERRORS},
    )
    def post(self, request, pk):
        capability = capability_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lineage_record(
            capability=capability,
            predecessors=data.validated_data["predecessors"],
            note=data.validated_data["note"],
            actor=request.user,
            channel=EventChannel.API,
        )
        return Response(capability_output(capability.pk))
