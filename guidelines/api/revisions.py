"""``/api/v1/guidelines/<key>/revisions``: every published revision, at its own URL.

A published guideline is served from stored bytes (``guidelines.models.Artifact``):
revision 1 is the document approved; each flag change since is a new revision
(2017A D2.1, HACKING D301). Each revision's JSON and renderings stay here,
immutable, with ``Repr-Digest`` (RFC 9530) and an ETag.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from guidelines import serving
from guidelines.api.errors import ERRORS
from guidelines.api.lookups import guideline_or_404
from guidelines.api.refstack import PublicRead, served
from guidelines.models import Artifact, ArtifactFormat

TAGS = ["Published revisions"]
MAX_NUMBER = 2**31 - 1
MEDIA_TYPES = {
    ArtifactFormat.JSON: serving.JSON,
    ArtifactFormat.RST: "text/x-rst; charset=utf-8",
    ArtifactFormat.MARKDOWN: "text/markdown; charset=utf-8",
    ArtifactFormat.HTML: "text/html; charset=utf-8",
}


class RevisionFileSerializer(serializers.Serializer):
    format = serializers.ChoiceField(ArtifactFormat.values)
    url = serializers.CharField()
    sha256 = serializers.CharField(help_text="Hex SHA-256 of the file's bytes")
    size = serializers.IntegerField()


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="1 is the approved document; a flag adds one")
    created_at = serializers.DateTimeField()
    validated = serializers.BooleanField(
        help_text="Checked against the corrected JSON schema of its generation"
    )
    sha256 = serializers.CharField(help_text="Of the JSON document")
    files = RevisionFileSerializer(many=True)


def revision_url(key: str, number: int, fmt: str) -> str:
    return reverse("api:guideline-revision", kwargs={"key": key, "number": number, "fmt": fmt})


def revisions_of(guideline) -> list[dict]:
    """Each published revision with its files, oldest first (bodies not read)."""
    rows = Artifact.objects.filter(guideline=guideline).defer("body").order_by("number", "format")
    revisions: dict[int, dict] = {}
    for artifact in rows:
        entry = revisions.setdefault(artifact.number, {"number": artifact.number, "files": []})
        if artifact.format == ArtifactFormat.JSON:
            entry.update(
                created_at=artifact.created_at,
                validated=artifact.validated,
                sha256=artifact.sha256,
            )
        entry["files"].append(
            {
                "format": artifact.format,
                "url": revision_url(guideline.key, artifact.number, artifact.format),
                "sha256": artifact.sha256,
                "size": artifact.size,
            }
        )
    return [entry for entry in revisions.values() if "sha256" in entry]


class RevisionListView(PublicRead):
    @extend_schema(
        tags=TAGS,
        operation_id="guideline_revisions",
        summary="A published guideline's revisions, each with its files and digests",
        responses={200: RevisionSerializer(many=True), 404: ERRORS[404]},
    )
    def get(self, request, key):
        return Response(RevisionSerializer(revisions_of(guideline_or_404(key)), many=True).data)


class RevisionFileView(PublicRead):
    @extend_schema(
        tags=TAGS,
        operation_id="guideline_revision_file",
        summary="One file of a published revision: its JSON or a rendering, never changed",
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR),
            304: OpenApiResponse(description="Not modified"),
            404: ERRORS[404],
        },
    )
    def get(self, request, key, number, fmt):
        guideline = guideline_or_404(key)
        artifact = None
        # A number past the column's range names nothing (and must not reach the database).
        if fmt in MEDIA_TYPES and 1 <= number <= MAX_NUMBER:
            artifact = Artifact.objects.filter(
                guideline=guideline, number=number, format=fmt
            ).first()
        if artifact is None:
            raise NotFound(f"{guideline.key} has no published revision {number} as {fmt}.")
        rep = serving.stored(
            bytes(artifact.body), MEDIA_TYPES[fmt], artifact.created_at.timestamp()
        )
        return served(rep, request)
