"""The application's own guideline API: metadata, targets, components, drafts.

``/api/v1/guidelines`` keeps RefStack's shape for old scripts, so the list
with metadata lives at ``/api/v1/catalog/guidelines``.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from guidelines import testlist
from guidelines.api.errors import ERRORS, error_response
from guidelines.api.lookups import guideline_or_404
from guidelines.interop_format.bundle import Bundle
from guidelines.models import (
    Artifact,
    EntryKind,
    EventChannel,
    Guideline,
    GuidelineStatus,
    ProgramKind,
)
from guidelines.selectors import guideline_bundle, guideline_get, guideline_latest_approved
from guidelines.services import guideline_start_draft


class Kind:
    PLATFORM = "platform"
    ADD_ON = "add_on"


def catalog_queryset():
    # The published revision tooling is served now, and its digest (None for drafts).
    latest = Artifact.objects.documents().filter(guideline=OuterRef("pk")).order_by("-number")
    return (
        Guideline.objects.annotate(
            published_revision=Subquery(latest.values("number")[:1]),
            sha256=Subquery(latest.values("sha256")[:1]),
            capability_count=Count("capabilities", distinct=True),
            test_count=Count("capabilities__tests", distinct=True),
            add_on_count=Count(
                "programs", filter=Q(programs__kind=ProgramKind.ADD_ON), distinct=True
            ),
            platform_count=Count(
                "programs", filter=Q(programs__kind=ProgramKind.PLATFORM), distinct=True
            ),
        )
        .prefetch_related("programs__components", "components")
        .order_by("key")
    )


def kind_of(guideline: Guideline) -> str:
    if guideline.add_on_count and not guideline.platform_count:
        return Kind.ADD_ON
    return Kind.PLATFORM


def _targets(guideline: Guideline) -> tuple[dict[str, list[str]], str]:
    # Two fields of one row read it: computed once per guideline instance.
    if hasattr(guideline, "_targets"):
        return guideline._targets
    # Programs and components are prefetched: a partial bundle is all targets need.
    bundle = Bundle(
        guideline=guideline,
        programs=[(p, list(p.components.all())) for p in guideline.programs.all()],
        components=[(c, []) for c in guideline.components.all()],
    )
    found = testlist.targets(bundle)
    guideline._targets = (found, testlist.default_target(bundle, found))
    return guideline._targets


class GuidelineFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=GuidelineStatus.choices)
    kind = django_filters.ChoiceFilter(
        choices=[(Kind.PLATFORM, "Platform"), (Kind.ADD_ON, "Add-on")], method="filter_kind"
    )
    family = django_filters.CharFilter(
        method="filter_family", help_text="'powered', or an add-on such as 'orchestration'"
    )

    class Meta:
        model = Guideline
        fields = ["status", "schema"]

    def filter_kind(self, queryset, name, value):
        add_on = Q(add_on_count__gt=0, platform_count=0)
        return queryset.filter(add_on) if value == Kind.ADD_ON else queryset.exclude(add_on)

    def filter_family(self, queryset, name, value):
        # The family is read from the name (Guideline.family); there are a few
        # dozen guidelines, so deciding in Python keeps one definition of it.
        wanted = "" if value == "powered" else value
        keys = [
            k
            for k in Guideline.objects.values_list("key", flat=True)
            if Guideline(key=k).family == wanted
        ]
        return queryset.filter(key__in=keys)


class Links(serializers.Serializer):
    self = serializers.URLField()
    document = serializers.URLField()
    tests = serializers.URLField()
    page = serializers.URLField()
    capabilities = serializers.URLField()
    components = serializers.URLField()
    revisions = serializers.URLField()


class GuidelineSerializer(serializers.ModelSerializer):
    family = serializers.CharField(help_text="'' for the powered platform, else the add-on")
    kind = serializers.SerializerMethodField()
    capability_count = serializers.IntegerField()
    test_count = serializers.IntegerField()
    published_revision = serializers.IntegerField(
        allow_null=True, help_text="The published revision served now; null for a draft"
    )
    sha256 = serializers.CharField(
        allow_null=True,
        help_text="Hex SHA-256 of the document served now, if published (its Repr-Digest)",
    )
    targets = serializers.SerializerMethodField()
    default_target = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Guideline
        fields = [
            "key",
            "family",
            "kind",
            "status",
            "schema",
            "target_approval",
            "replaces",
            "releases",
            "cutoff_score",
            "revision",
            "published_revision",
            "sha256",
            "updated_at",
            "capability_count",
            "test_count",
            "targets",
            "default_target",
            "links",
        ]

    @extend_schema_field(serializers.ChoiceField([Kind.PLATFORM, Kind.ADD_ON]))
    def get_kind(self, guideline) -> str:
        return kind_of(guideline)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_targets(self, guideline):
        return sorted(_targets(guideline)[0])

    def get_default_target(self, guideline) -> str:
        return _targets(guideline)[1]

    @extend_schema_field(Links)
    def get_links(self, guideline):
        request = self.context["request"]
        key = guideline.key

        def url(name, *args):
            return request.build_absolute_uri(reverse(name, args=args))

        return {
            "self": url("api:catalog-guideline-detail", key),
            "document": url("api:guideline-document", key),
            "tests": url("api:guideline-tests", key),
            "page": url("guidelines:detail", key),
            "capabilities": url("api:capability-list") + f"?guideline={key}",
            "components": url("api:catalog-guideline-components", key),
            "revisions": url("api:guideline-revisions", key),
        }


class ComponentSerializer(serializers.Serializer):
    name = serializers.CharField()
    capabilities = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    designated_sections = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField())
    )


@extend_schema(tags=["Guidelines"])
class GuidelineCatalogViewSet(viewsets.ReadOnlyModelViewSet):
    """Guidelines with their status, schema, approval target, releases and targets."""

    serializer_class = GuidelineSerializer
    filterset_class = GuidelineFilter
    lookup_field = "key"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return catalog_queryset()

    @extend_schema(responses=ComponentSerializer(many=True), filters=False)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def components(self, request, key=None):
        """The guideline's components: capability and designated-section names by status."""
        guideline = guideline_or_404(key)
        bundle = guideline_bundle(guideline)
        data = []
        for component, entries in bundle.components:
            lists = {kind: {} for kind in EntryKind.values}
            for entry in entries:
                lists[entry.kind].setdefault(entry.status, []).append(entry.name)
            data.append({"name": component.name, **lists})
        return Response(ComponentSerializer(data, many=True).data)


class DraftInput(serializers.Serializer):
    source = serializers.CharField(required=False, help_text="The guideline to copy, e.g. 2020.06")
    family = serializers.CharField(
        required=False,
        help_text="Or: copy the latest approved guideline of a kind: powered, or an add-on "
        "such as orchestration (2017A A1.1)",
    )
    name = serializers.CharField(
        required=False, help_text="Default: next, or <add-on>.next for an add-on"
    )

    def validate(self, data):
        if ("source" in data) == ("family" in data):
            raise serializers.ValidationError(
                {"source": ["Name either the source guideline or the family, not both."]}
            )
        return data


class DraftCreateView(APIView):
    """Start a draft as a copy of a guideline (2017A A1.1, A1.2); for committee members."""

    @extend_schema(
        tags=["Guidelines"], request=DraftInput, responses={201: GuidelineSerializer, **ERRORS}
    )
    def post(self, request):
        data = DraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        if "family" in data.validated_data:
            family = data.validated_data["family"]
            source = guideline_latest_approved(family)
            missing = (f"No approved guideline of kind {family!r} to copy.", "family")
        else:
            source = guideline_get(data.validated_data["source"])
            missing = (f"No guideline named {data.validated_data['source']!r} to copy.", "source")
        if source is None:
            return error_response(400, "invalid", missing[0], {missing[1]: ["Not found."]})

        # A taken name (even one taken by a start racing this one) is a 409
        # conflict naming the guideline that has it; an unusable name is a 400.
        draft = guideline_start_draft(
            source=source,
            name=data.validated_data.get("name"),
            actor=request.user,
            channel=EventChannel.API,
        )
        created = catalog_queryset().get(pk=draft.pk)
        return Response(GuidelineSerializer(created, context={"request": request}).data, status=201)
