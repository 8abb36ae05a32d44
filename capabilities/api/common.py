"""What the workspace's API views share: tags, error bodies, the capability they answer.

The views are plain DRF views: they validate the body, call one service with
``actor=request.user`` and ``channel=api``, and answer with the changed
resource. A service's refusal becomes the API's error body in
``guidelines.api.errors`` (403 no seat, 409 a process rule or a stale version).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from guidelines.api.errors import ERRORS, ErrorBody
from guidelines.api.parts import CapabilityTestOutput, Status, statuses_of
from guidelines.models import Capability

TAGS = ["Workspace"]


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


# An edit with a version may also answer 409 with the current values.
EDIT_ERRORS = {**ERRORS, 409: ConflictBody}


# What the writes answer: the capability they changed.


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
