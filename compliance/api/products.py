"""The directory for tooling: listed products and their verifications, read-only.

``GET /api/v1/products`` is the directory page as JSON, with the same filters
(guideline, target, kind); ``GET /api/v1/products/<id>`` a product with its
versions and every verification. Products the directory does not list (a private
or pending vendor's, or one not made public) are not here: their vendor's admins
manage them on the pages.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.api.results import VerificationSerializer
from compliance.directory import BadQuery, directory_filters
from compliance.models import Product, ProductKind, Verification
from compliance.selectors import directory, listed_products
from guidelines.api.errors import ERRORS

TAGS = ["Directory of products"]


class VendorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    url = serializers.CharField()


class ProductSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField()
    url = serializers.CharField()
    vendor = VendorSerializer()
    page = serializers.SerializerMethodField(help_text="The product's page in the directory")
    badge = serializers.SerializerMethodField(help_text="Its SVG badge")

    def get_page(self, product) -> str:
        return settings.SITE_URL + reverse(
            "compliance:product", kwargs={"vendor": product.vendor.slug, "product": product.slug}
        )

    def get_badge(self, product) -> str:
        return settings.SITE_URL + reverse(
            "compliance:badge", kwargs={"vendor": product.vendor.slug, "product": product.slug}
        )


class ListedSerializer(ProductSerializer):
    latest_verification = VerificationSerializer(allow_null=True)


class VersionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.CharField()


class ProductDetailSerializer(ProductSerializer):
    versions = VersionSerializer(many=True)
    verifications = VerificationSerializer(many=True, help_text="Newest first")


class ProductListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="products_list",
        summary="Listed products, each with its latest verification",
        parameters=[
            OpenApiParameter("guideline", str, description="Verified against this guideline"),
            OpenApiParameter("target", str, description="platform, a component or an add-on"),
            OpenApiParameter("kind", str, enum=ProductKind.values),
        ],
        responses={200: ListedSerializer(many=True), 400: ERRORS[400]},
    )
    def get(self, request):
        try:
            chosen = directory_filters(request.query_params)
        except BadQuery as exc:
            field, _, message = str(exc).partition(": ")
            raise ValidationError({field: [message]}) from None
        rows = directory(**chosen)
        for row in rows:
            row.product.latest_verification = row.verification
        return Response(ListedSerializer([row.product for row in rows], many=True).data)


class ProductDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="products_detail",
        responses={200: ProductDetailSerializer, 404: ERRORS[404]},
    )
    def get(self, request, pk):
        try:
            key = uuid.UUID(pk)
        except ValueError:
            raise NotFound(f"No product {pk!r}: product ids are UUIDs.") from None
        product: Product | None = listed_products().select_related("vendor").filter(pk=key).first()
        if product is None:
            raise NotFound(f"No product {pk} in the directory.")
        product.verifications = (
            Verification.objects.filter(run__product_version__product=product)
            .select_related("guideline")
            .order_by("-verified_at", "-pk")
        )
        data = ProductDetailSerializer(product).data
        return Response(data)
