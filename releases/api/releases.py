"""``/api/v1/releases`` and the approval: approve a draft, follow its publishing,
retry a failed step, download the bundle."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from committee.models import Channel
from guidelines import serving
from guidelines.api.errors import ERRORS
from guidelines.api.lookups import guideline_or_404, nameable
from guidelines.api.refstack import PublicRead, served
from releases.models import Release, StepName, StepStatus
from releases.selectors import progress, release_get, releases
from releases.services import guideline_approve, step_retry

TAGS = ["Releases"]
ZIP = "application/zip"


class StepSerializer(serializers.Serializer):
    name = serializers.ChoiceField(StepName.values)
    status = serializers.ChoiceField(StepStatus.values)
    attempts = serializers.IntegerField()
    error = serializers.CharField(help_text="Why it failed; empty unless failed")
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class ReleaseLinks(serializers.Serializer):
    self = serializers.CharField()
    page = serializers.CharField()
    document = serializers.CharField()
    revisions = serializers.CharField()
    notes = serializers.CharField()
    bundle = serializers.CharField(allow_null=True, help_text="Null until the bundle is built")


class ReleaseSerializer(serializers.Serializer):
    key = serializers.CharField()
    draft = serializers.CharField()
    replaces = serializers.CharField(allow_null=True)
    superseded = serializers.ListField(child=serializers.CharField())
    ballot = serializers.IntegerField(allow_null=True)
    approved_elsewhere = serializers.CharField()
    approved_by = serializers.CharField()
    approved_at = serializers.DateTimeField()
    sha256 = serializers.CharField(help_text="Of the approved JSON document (revision 1)")
    bundle_sha256 = serializers.CharField(help_text="Of the bundle; empty until built")
    state = serializers.ChoiceField(["running", "done", "failed"])
    steps = StepSerializer(many=True)
    links = ReleaseLinks()


def release_data(release: Release) -> dict:
    key = release.key
    state = progress(release)
    first = release.guideline.artifacts.documents().filter(number=1).values("sha256").first()
    return ReleaseSerializer(
        {
            "key": key,
            "draft": release.draft.key,
            "replaces": release.replaces.key if release.replaces else None,
            "superseded": release.superseded,
            "ballot": release.ballot_id,
            "approved_elsewhere": release.approved_elsewhere,
            "approved_by": release.approved_by.get_username(),
            "approved_at": release.approved_at,
            "sha256": first["sha256"] if first else "",
            "bundle_sha256": release.bundle_sha256,
            "state": state["state"],
            "steps": state["steps"],
            "links": {
                "self": reverse("api:release-detail", args=[key]),
                "page": reverse("releases:detail", args=[key]),
                "document": reverse("api:guideline-document", args=[key]),
                "revisions": reverse("api:guideline-revisions", args=[key]),
                "notes": reverse("releases:notes", args=[key]),
                "bundle": reverse("api:release-bundle", args=[key])
                if release.bundle_sha256
                else None,
            },
        }
    ).data


def release_or_404(key: str) -> Release:
    release = release_get(key) if nameable(key) else None
    if release is None:
        raise NotFound(f"No release named {key!r}.")
    return release


class ReleaseListView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="release_list",
        summary="Releases approved here, newest first, with their publishing progress",
        responses={200: ReleaseSerializer(many=True)},
    )
    def get(self, request):
        return Response([release_data(r) for r in releases()])


class ReleaseDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="release_detail",
        responses={200: ReleaseSerializer, 404: ERRORS[404]},
    )
    def get(self, request, key):
        return Response(release_data(release_or_404(key)))


class ApprovalView(APIView):
    """Approve a draft as its release ``YYYY.MM``: the chair, after a passed approval ballot.

    History approved before this site is recorded by operators, with
    ``manage.py approve_guideline --approved-elsewhere``, not here.
    """

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(
            max_length=100, help_text="YYYY.MM, the month of approval (an add-on's prefix optional)"
        )
        ballot = serializers.IntegerField(
            min_value=1,
            max_value=2**31 - 1,
            help_text="The passed approval ballot on the draft as it is now",
        )

        class Meta:
            ref_name = "ApprovalInput"

    @extend_schema(
        tags=TAGS,
        operation_id="guideline_approve",
        request=InputSerializer,
        responses={201: ReleaseSerializer, **ERRORS},
    )
    def post(self, request, key):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        release = guideline_approve(
            draft=guideline_or_404(key),
            name=values["name"],
            ballot=values["ballot"],
            actor=request.user,
            channel=Channel.API,
        )
        return Response(release_data(release_or_404(release.key)), status=201)


class StepRetryView(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="release_step_retry",
        request=None,
        responses={202: ReleaseSerializer, **ERRORS},
    )
    def post(self, request, key, step):
        release = release_or_404(key)
        step_retry(release=release, step=step, actor=request.user, channel=Channel.API)
        return Response(release_data(release_or_404(key)), status=202)


def bundle_response(release: Release, request):
    """The bundle as a download, with its ETag and Repr-Digest; 404 until it is built."""
    if not release.bundle_sha256:
        raise Http404(f"the bundle of {release.key} is not built yet")
    rep = serving.stored(bytes(release.bundle), ZIP, release.approved_at.timestamp())
    response = served(rep, request)
    response["Content-Disposition"] = f'attachment; filename="{release.key}.zip"'
    return response


class BundleView(PublicRead):
    @extend_schema(
        tags=TAGS,
        operation_id="release_bundle",
        summary="The release bundle: JSON, renderings, notes, worksheet, ballot record, "
        "event log and SHA256SUMS, in one zip",
        responses={
            (200, ZIP): OpenApiResponse(OpenApiTypes.BINARY),
            304: OpenApiResponse(description="Not modified"),
            404: ERRORS[404],
        },
    )
    def get(self, request, key):
        return bundle_response(release_or_404(key), request)
