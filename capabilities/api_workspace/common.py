"""What every workspace view shares: lookups that answer 404, refusals as HTTP, outputs."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from capabilities.api import FlagSerializer, Status, statuses_of
from capabilities.models import Capability, Test
from guidelines.api.errors import error_response
from guidelines.models import Guideline
from guidelines.services import Conflict as EditConflict
from guidelines.services import GuidelineError, NotAllowed

TAGS = ["Workspace"]


class WorkspaceView(APIView):
    """A workspace view: the services' refusals become the API's error body.

    NotAllowed (a role or a process rule, named in the message) is 403;
    Conflict is 409 with ``current``, what the client merges before it saves
    again; any other GuidelineError is bad input, 400.
    """

    def handle_exception(self, exc):
        # NotAllowed and Conflict are GuidelineErrors too: they go first.
        if isinstance(exc, NotAllowed):
            return error_response(403, "not_allowed", str(exc))
        if isinstance(exc, EditConflict):
            response = error_response(409, "conflict", str(exc))
            response.data["current"] = exc.current
            return response
        if isinstance(exc, GuidelineError):
            return error_response(400, "invalid", str(exc))
        return super().handle_exception(exc)


def guideline_or_404(key: str) -> Guideline:
    guideline = Guideline.objects.filter(key=key).first()
    if guideline is None:
        raise NotFound(f"No guideline named {key!r}.")
    return guideline


def capability_or_404(pk: int) -> Capability:
    capability = Capability.objects.select_related("guideline").filter(pk=pk).first()
    if capability is None:
        raise NotFound(f"No capability with id {pk}.")
    return capability


def test_or_404(pk: int) -> Test:
    test = Test.objects.select_related("capability__guideline").filter(pk=pk).first()
    if test is None:
        raise NotFound(f"No test with id {pk}.")
    return test


# The error bodies, for the OpenAPI document (guidelines.api.errors writes them).


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
        ref_name = "WorkspaceError"


class CapabilitySnapshot(serializers.Serializer):
    key = serializers.CharField()
    version = serializers.IntegerField()
    project = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    admin = serializers.BooleanField(allow_null=True)
    required_since = serializers.CharField(allow_null=True)
    achievements = serializers.ListField(child=serializers.CharField(), allow_null=True)


class ConflictBody(ErrorBody):
    current = CapabilitySnapshot(help_text="The capability as it is now: merge, then save again")

    class Meta:
        ref_name = "WorkspaceConflict"


ERRORS = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody}


# What the writes answer: the capability or the test they changed.


class CapabilityTestOutput(serializers.ModelSerializer):
    flag = serializers.SerializerMethodField()

    class Meta:
        model = Test
        fields = ["id", "name", "idempotent_id", "aliases", "is_flagged", "flag"]
        ref_name = "WorkspaceCapabilityTest"

    @extend_schema_field(FlagSerializer(allow_null=True))
    def get_flag(self, test):
        return FlagSerializer(test).data if test.is_flagged else None


class TestOutput(CapabilityTestOutput):
    guideline = serializers.CharField(source="capability.guideline.key")
    capability = serializers.CharField(source="capability.key")

    class Meta(CapabilityTestOutput.Meta):
        fields = ["id", "guideline", "capability", *CapabilityTestOutput.Meta.fields[1:]]
        ref_name = "WorkspaceTest"


class CapabilityOutput(serializers.ModelSerializer):
    guideline = serializers.CharField(source="guideline.key")
    version = serializers.IntegerField(help_text="Send it back with the next edit")
    achievements = serializers.ListField(child=serializers.CharField(), allow_null=True)
    statuses = serializers.SerializerMethodField()
    predecessors = serializers.SerializerMethodField()
    tests = CapabilityTestOutput(many=True)

    class Meta:
        model = Capability
        fields = [
            "id",
            "guideline",
            "key",
            "version",
            "project",
            "description",
            "admin",
            "required_since",
            "achievements",
            "statuses",
            "predecessors",
            "tests",
        ]
        ref_name = "WorkspaceCapability"

    @extend_schema_field(Status(many=True))
    def get_statuses(self, capability):
        found = statuses_of({(capability.guideline_id, capability.key)})
        return found.get((capability.guideline_id, capability.key), [])

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_predecessors(self, capability):
        """Capabilities of the previous guideline this one was made from (renames, regroups)."""
        return [row.predecessor for row in capability.lineage.all()]


def capability_output(pk: int) -> dict:
    """The capability as it is after a write, read again with its tests and lineage."""
    capability = (
        Capability.objects.select_related("guideline")
        .prefetch_related("tests", "lineage")
        .get(pk=pk)
    )
    return CapabilityOutput(capability).data
