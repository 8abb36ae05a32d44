"""RefStack's results routes (``/v1/results``, ``/v1/profile/pubkeys``, also under
``/api/v1/``), and the compliance report of a run.

refstack-client posts a run and prints the ``url`` of the answer; it reads nothing
else. Lists and items keep RefStack's shape for the scripts that read them.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, time
from functools import partial

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from committee.models import Channel
from committee.permissions import is_staff
from compliance.models import PublicKey, TestRun, Verification
from compliance.report import report, summary
from compliance.selectors import (
    administered,
    may_see,
    shows_product,
    visible_products,
    visible_runs,
)
from compliance.services import (
    UnknownKey,
    pubkey_delete,
    pubkey_register,
    run_link,
    run_share,
    run_upload,
    run_upload_subunit,
    run_verify,
)
from guidelines.api.errors import ERRORS
from guidelines.api.lookups import guideline_or_404
from guidelines.selectors import guideline_bundle
from guidelines.testlist import TestListError

TAGS = ["Test results (RefStack-compatible)"]
PER_PAGE = 20
STAMP = "%Y-%m-%d %H:%M:%S"


class RefStackSchema(AutoSchema):
    """Operation ids from the whole path: these routes answer under /v1/ and /api/v1/,
    with and without a final slash, and as a list and an item."""

    def get_operation_id(self):
        found = super().get_operation_id()
        if "{" in self.path:
            found = found.replace("_retrieve", "_detail")
        return found + ("_slash" if self.path.endswith("/") else "")


class RawBody(BaseParser):
    """The body as sent: a signature is over these exact bytes, so nothing parses them first."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


def run_url(run: TestRun) -> str:
    """What refstack-client prints for people: the run's page, with its report."""
    return settings.SITE_URL + reverse("compliance:run", args=[run.id])


class RunSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.CharField(help_text="YYYY-MM-DD HH:MM:SS, UTC")
    duration_seconds = serializers.IntegerField()
    verification_status = serializers.IntegerField(help_text="0: not verified")
    meta = serializers.DictField()
    product_version = serializers.JSONField(allow_null=True)
    signed = serializers.BooleanField()
    test_count = serializers.IntegerField()
    url = serializers.CharField()


class RunDetailSerializer(RunSerializer):
    results = serializers.ListField(child=serializers.CharField(), help_text="Test names")
    verifications = serializers.ListField(
        child=serializers.DictField(), help_text="The staff's verifications (guideline, target)"
    )
    user_role = serializers.ChoiceField(["owner", "foundation", "user", "anonymous"])
    cpid = serializers.CharField(required=False, help_text="For the owner and the staff only")


class UploadAnswer(serializers.Serializer):
    test_id = serializers.UUIDField()
    url = serializers.CharField()


def run_data(run: TestRun, user, mine: set | None = None) -> dict:
    """A run as RefStack lists it; ``run`` comes with its product version selected and
    ``verified`` annotated (``runs_listed``). Its product only if ``user`` may know of it
    (``mine``: the vendors ``user`` administers, when a list has read them once)."""
    version = run.product_version
    if version is not None and not shows_product(version.product, user, mine):
        version = None
    return {
        "id": run.id,
        "created_at": run.created_at.astimezone(UTC).strftime(STAMP),
        "duration_seconds": run.duration_seconds,
        "verification_status": 1 if run.verified else 0,
        "meta": {"shared": "true"} if run.shared else {},
        "product_version": (
            {
                "id": version.id,
                "version": version.version,
                "product_info": {"id": version.product_id, "name": version.product.name},
            }
            if version
            else None
        ),
        "signed": run.signed,
        "test_count": run.test_count,
        "url": run_url(run),
    }


def runs_listed(runs):
    return runs.select_related("product_version__product__vendor").annotate(
        verified=Exists(Verification.objects.filter(run=OuterRef("pk")))
    )


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({field: ["a UUID"]}) from None


def _when(value: str, field: str, *, end: bool) -> datetime:
    value = value.strip()
    for form in (STAMP, "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value, form).replace(tzinfo=UTC)
        except ValueError:
            continue
        if form == "%Y-%m-%d":
            parsed = datetime.combine(parsed.date(), time.max if end else time.min, tzinfo=UTC)
        return parsed.replace(tzinfo=UTC)
    raise ValidationError({field: ["YYYY-MM-DD HH:MM:SS or YYYY-MM-DD, UTC"]})


def uploaded(request, upload) -> Response:
    """Store the body with ``upload`` (a compliance service), as the request signed it, and
    answer as refstack-client expects: 201 with the run's id and page."""
    try:
        run = upload(
            body=request.data if isinstance(request.data, bytes) else b"",
            signature=request.headers.get("X-Signature", ""),
            public_key=request.headers.get("X-Public-Key", ""),
        )
    except UnknownKey as exc:
        # RefStack's 401: the signature holds, but the key is nobody's here.
        raise AuthenticationFailed(str(exc)) from None
    return Response({"test_id": run.id, "url": run_url(run)}, status=201)


def run_or_404(pk: str, user) -> TestRun:
    try:
        key = uuid.UUID(pk)
    except ValueError:
        raise NotFound(f"No test run {pk!r}: run ids are UUIDs.") from None
    run = runs_listed(TestRun.objects.filter(pk=key)).first()
    if run is None:
        raise NotFound(f"No test run {pk}.")
    if not may_see(run, user):
        if not user.is_authenticated:
            raise NotAuthenticated("This run is signed: sign in as its owner to read it.")
        raise PermissionDenied("This run is signed and not shared: only its owner reads it.")
    return run


class ResultListView(APIView):
    """GET: runs, newest first, 20 a page. POST: upload a run, as refstack-client does."""

    schema = RefStackSchema()

    parser_classes = [RawBody]

    def get_permissions(self):
        return [AllowAny()]

    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("cpid", str),
            OpenApiParameter("start_date", str, description="YYYY-MM-DD[ HH:MM:SS], UTC"),
            OpenApiParameter("end_date", str, description="YYYY-MM-DD[ HH:MM:SS], UTC"),
            OpenApiParameter("signed", bool, description="Only your own signed runs"),
            OpenApiParameter("verification_status", int, description="1: verified runs only"),
            OpenApiParameter("product_id", str, description="Runs linked to this product"),
            OpenApiParameter("page", int),
        ],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), 400: ERRORS[400]},
    )
    def get(self, request):
        runs = runs_listed(visible_runs(request.user).defer("tests", "failed", "skipped"))
        params = request.query_params
        if params.get("cpid"):
            cpid = params["cpid"]
            runs = runs.filter(cpid=cpid) if "\x00" not in cpid else runs.none()
        if params.get("start_date"):
            runs = runs.filter(created_at__gte=_when(params["start_date"], "start_date", end=False))
        if params.get("end_date"):
            runs = runs.filter(created_at__lte=_when(params["end_date"], "end_date", end=True))
        if params.get("signed", "").lower() in ("true", "1", "yes"):
            if not request.user.is_authenticated:
                raise NotAuthenticated("signed=true lists your own signed runs: sign in first.")
            runs = runs.filter(owner=request.user)
        if params.get("verification_status"):
            wanted = params["verification_status"]
            if wanted not in ("0", "1"):
                raise ValidationError({"verification_status": ["0 (not verified) or 1 (verified)"]})
            runs = runs.filter(verified=wanted == "1")
        if params.get("product_id"):
            product = _uuid(params["product_id"], "product_id")
            # Only a product the caller may know of: the others' runs are not listed by it.
            runs = runs.filter(product_version__product__in=visible_products(request.user)).filter(
                product_version__product=product
            )
        total = runs.count()
        pages = max(1, math.ceil(total / PER_PAGE))
        raw_page = params.get("page", "1")
        number = raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 10
        if not number or not 1 <= int(raw_page) <= pages:
            raise ValidationError({"page": [f"a page from 1 to {pages}"]})
        page = int(raw_page)
        rows = runs.order_by("-created_at", "-id")[(page - 1) * PER_PAGE : page * PER_PAGE]
        mine = set(administered(request.user).values_list("pk", flat=True))
        return Response(
            {
                "results": [RunSerializer(run_data(run, request.user, mine)).data for run in rows],
                "pagination": {"current_page": page, "total_pages": pages},
            }
        )

    @extend_schema(
        tags=TAGS,
        request={"application/json": OpenApiTypes.OBJECT},
        responses={201: UploadAnswer, **ERRORS},
        description='{"cpid", "duration_seconds", "results": [{"name", "uuid"}]}; signed with '
        "X-Signature (hex RSA PKCS#1 v1.5 SHA-256 over the body) and X-Public-Key (OpenSSH).",
    )
    def post(self, request):
        return uploaded(request, run_upload)


class ResultSubunitView(APIView):
    """POST: upload a run as its subunit v2 stream; failures and skips are kept."""

    parser_classes = [RawBody]
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="result_upload_subunit",
        parameters=[
            OpenApiParameter("cpid", str, required=True, description="The cloud's id"),
            OpenApiParameter("duration_seconds", int, required=True),
        ],
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses={201: UploadAnswer, **ERRORS},
        description="The body is tempest's subunit v2 stream (stestr last --subunit); signed "
        "as a JSON upload is, over these bytes.",
    )
    def post(self, request):
        params = request.query_params
        duration = params.get("duration_seconds", "")
        # Digits only, and few: run_fields then names a wrong value (int() of a huge one
        # would be slow, and a sign or space is not a duration).
        seconds = (
            int(duration)
            if duration.isascii() and duration.isdigit() and len(duration) < 12
            else None
        )
        return uploaded(
            request,
            partial(run_upload_subunit, cpid=params.get("cpid"), duration_seconds=seconds),
        )


class ResultDetailView(APIView):
    """GET: a run with its test names. PUT: its owner links it to a product version."""

    schema = RefStackSchema()

    class LinkSerializer(serializers.Serializer):
        product_version_id = serializers.UUIDField(
            allow_null=True, help_text="A version of your vendor's product; null unlinks"
        )

        class Meta:
            ref_name = "RunLink"

    def get_permissions(self):
        return [AllowAny() if self.request.method in ("GET", "HEAD") else IsAuthenticated()]

    @extend_schema(
        tags=TAGS,
        responses={200: RunDetailSerializer, 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request, pk):
        return Response(run_detail(run_or_404(pk, request.user), request.user))

    @extend_schema(
        tags=TAGS, request=LinkSerializer, responses={200: RunDetailSerializer, **ERRORS}
    )
    def put(self, request, pk):
        run = run_or_404(pk, request.user)
        data = self.LinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run_link(
            actor=request.user,
            pk=run.pk,
            version_id=data.validated_data["product_version_id"],
            channel=Channel.API,
        )
        return Response(run_detail(run_or_404(pk, request.user), request.user))


class ResultSharedView(APIView):
    """RefStack's ``shared`` metadata: POST shares a signed run, DELETE makes it private."""

    schema = RefStackSchema()
    permission_classes = [IsAuthenticated]
    parser_classes = [RawBody]  # refstack's UI posted the bare value "true"

    @extend_schema(tags=TAGS, request=None, responses={200: RunDetailSerializer, **ERRORS})
    def post(self, request, pk):
        return self._share(request, pk, shared=True)

    @extend_schema(tags=TAGS, responses={200: RunDetailSerializer, **ERRORS})
    def delete(self, request, pk):
        return self._share(request, pk, shared=False)

    def _share(self, request, pk, *, shared: bool):
        run = run_or_404(pk, request.user)
        run_share(actor=request.user, pk=run.pk, shared=shared, channel=Channel.API)
        return Response(run_detail(run_or_404(pk, request.user), request.user))


class VerificationSerializer(serializers.Serializer):
    run = serializers.UUIDField(source="run_id")
    guideline = serializers.CharField(source="guideline.key")
    target = serializers.CharField()
    verified_at = serializers.DateTimeField()
    capabilities = serializers.DictField(
        child=serializers.BooleanField(),
        help_text="Each capability reported: passed?",
    )


class ResultVerificationView(APIView):
    """POST: the foundation's staff verify a linked run against an approved guideline."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        guideline = serializers.CharField(max_length=100)
        target = serializers.CharField(max_length=100, required=False, allow_blank=True)

        class Meta:
            ref_name = "VerificationInput"

    @extend_schema(
        tags=TAGS,
        operation_id="result_verify",
        request=InputSerializer,
        responses={201: VerificationSerializer, **ERRORS},
    )
    def post(self, request, pk):
        run = run_or_404(pk, request.user)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = run_verify(
            actor=request.user,
            pk=run.pk,
            guideline=guideline_or_404(data.validated_data["guideline"]),
            target=data.validated_data.get("target", ""),
            channel=Channel.API,
        )
        return Response(VerificationSerializer(found).data, status=201)


def run_detail(run: TestRun, user) -> dict:
    """The item of RefStack's GET /v1/results/<id>, and the staff's verifications."""
    data = run_data(run, user)
    del data["url"]
    if run.owner_id is not None and user.is_authenticated and run.owner_id == user.pk:
        role = "owner"
    elif is_staff(user):
        role = "foundation"
    else:
        role = "user" if user.is_authenticated else "anonymous"
    data.update(results=[name for name, _ in run.tests], user_role=role)
    if role in ("owner", "foundation"):
        data["cpid"] = run.cpid
    data["verifications"] = VerificationSerializer(
        run.verifications.select_related("guideline"), many=True
    ).data
    return data


class ReportCapability(serializers.Serializer):
    name = serializers.CharField()
    status = serializers.CharField()
    passed = serializers.BooleanField()
    tests = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ReportSerializer(serializers.Serializer):
    guideline = serializers.CharField()
    target = serializers.CharField()
    compliant = serializers.BooleanField()
    capabilities = ReportCapability(many=True)


class ResultReportView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="result_report",
        summary="Whether a run complies with a guideline, capability by capability",
        parameters=[
            OpenApiParameter("guideline", str, required=True),
            OpenApiParameter("target", str, description="platform, a component or an add-on"),
        ],
        responses={200: ReportSerializer, **ERRORS},
    )
    def get(self, request, pk):
        run = run_or_404(pk, request.user)
        key = request.query_params.get("guideline", "")
        if not key:
            raise ValidationError({"guideline": ["the guideline to check against, e.g. 2020.06"]})
        bundle = guideline_bundle(guideline_or_404(key))
        try:
            found = report(run, bundle, request.query_params.get("target"))
        except TestListError as exc:
            raise ValidationError({"target": [str(exc)]}) from None
        return Response(ReportSerializer(found).data)


class StandingSerializer(serializers.Serializer):
    guideline = serializers.CharField()
    target = serializers.CharField()
    compliant = serializers.BooleanField()
    failing = serializers.ListField(
        child=serializers.CharField(), help_text="Required capabilities that do not pass"
    )


class ResultSummaryView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="result_summary",
        summary="Every approved guideline and target, and whether the run complies with it",
        responses={200: StandingSerializer(many=True), **ERRORS},
    )
    def get(self, request, pk):
        run = run_or_404(pk, request.user)
        return Response(StandingSerializer(summary(run), many=True).data)


class PublicKeySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    key = serializers.CharField()
    comment = serializers.CharField()
    fingerprint = serializers.CharField(help_text="SHA-256 of the key, hex")
    created_at = serializers.DateTimeField()


class PublicKeyListView(APIView):
    schema = RefStackSchema()
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        raw_key = serializers.CharField(max_length=4096, help_text="ssh-rsa AAAA... [comment]")
        self_signature = serializers.CharField(
            max_length=4096, help_text='Hex RSA signature of the bytes "signature"'
        )

        class Meta:
            ref_name = "PublicKeyInput"

    @extend_schema(tags=TAGS, responses={200: PublicKeySerializer(many=True)})
    def get(self, request):
        keys = PublicKey.objects.filter(user=request.user)
        return Response(PublicKeySerializer(keys, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=InputSerializer,
        responses={201: PublicKeySerializer, **ERRORS},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = pubkey_register(user=request.user, **data.validated_data)
        return Response(PublicKeySerializer(key).data, status=201)


class PublicKeyDetailView(APIView):
    schema = RefStackSchema()
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, responses={204: None, **ERRORS})
    def delete(self, request, pk):
        pubkey_delete(user=request.user, pk=pk)
        return Response(status=204)
