"""Capabilities, tests and criteria across guidelines, for tooling and the pages: reads.

A capability's status belongs to (guideline, component, capability), so each
capability and test row carries its ``statuses``: one entry per component
list naming the capability.
"""

from __future__ import annotations

from collections import defaultdict

import django_filters
from django.db.models import Count, Exists, OuterRef, Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from guidelines.models import (
    Capability,
    CapabilityStatus,
    ComponentEntry,
    Criterion,
    EntryKind,
    Test,
)


def statuses_of(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], list[dict]]:
    """(guideline id, capability key) -> [{component, status}], in one query."""
    if not pairs:
        return {}
    guideline_ids = {g for g, _ in pairs}
    names = {n for _, n in pairs}
    rows = (
        ComponentEntry.objects.filter(
            kind=EntryKind.CAPABILITY, component__guideline_id__in=guideline_ids, name__in=names
        )
        .order_by("component__position", "position")
        .values_list("component__guideline_id", "name", "component__name", "status")
    )
    found: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for guideline_id, name, component, status in rows:
        if (guideline_id, name) in pairs:
            found[(guideline_id, name)].append({"component": component, "status": status})
    return found


class Status(serializers.Serializer):
    component = serializers.CharField()
    status = serializers.ChoiceField(CapabilityStatus.choices)


class WithStatuses(serializers.Serializer):
    """Reads ``statuses`` from the context prepared by the view, not per row."""

    def statuses(self, guideline_id: int, key: str) -> list[dict]:
        return self.context.get("statuses", {}).get((guideline_id, key), [])


class CapabilitySerializer(serializers.ModelSerializer, WithStatuses):
    guideline = serializers.CharField(source="guideline.key")
    statuses = serializers.SerializerMethodField()
    test_count = serializers.IntegerField()

    class Meta:
        model = Capability
        fields = [
            "guideline",
            "key",
            "project",
            "admin",
            "description",
            "required_since",
            "achievements",
            "statuses",
            "test_count",
        ]

    @extend_schema_field(Status(many=True))
    def get_statuses(self, capability):
        return self.statuses(capability.guideline_id, capability.key)


class FlagSerializer(serializers.Serializer):
    date = serializers.CharField(source="flag_date", allow_null=True)
    reason = serializers.CharField(source="flag_reason", allow_null=True)
    action = serializers.CharField(source="flag_action", allow_null=True)


class TestSerializer(serializers.ModelSerializer, WithStatuses):
    guideline = serializers.CharField(source="capability.guideline.key")
    guideline_status = serializers.CharField(source="capability.guideline.status")
    capability = serializers.CharField(source="capability.key")
    flag = serializers.SerializerMethodField()
    statuses = serializers.SerializerMethodField()
    required = serializers.SerializerMethodField()

    class Meta:
        model = Test
        fields = [
            "guideline",
            "guideline_status",
            "capability",
            "name",
            "idempotent_id",
            "aliases",
            "is_flagged",
            "flag",
            "statuses",
            "required",
        ]

    @extend_schema_field(FlagSerializer(allow_null=True))
    def get_flag(self, test):
        return FlagSerializer(test).data if test.is_flagged else None

    @extend_schema_field(Status(many=True))
    def get_statuses(self, test):
        return self.statuses(test.capability.guideline_id, test.capability.key)

    def get_required(self, test) -> bool:
        """Must a product pass it: required somewhere in its guideline and not flagged."""
        statuses = self.get_statuses(test)
        return not test.is_flagged and any(s["status"] == "required" for s in statuses)


class CriterionSerializer(serializers.ModelSerializer):
    guideline = serializers.CharField(source="guideline.key")

    class Meta:
        model = Criterion
        fields = ["guideline", "key", "name", "description", "weight"]


def _listed(**conditions):
    """The capability is named in a component list of its guideline matching ``conditions``."""
    entries = ComponentEntry.objects.filter(
        kind=EntryKind.CAPABILITY,
        component__guideline=OuterRef("guideline"),
        name=OuterRef("key"),
        **conditions,
    )
    return Exists(entries)


class CapabilityFilter(django_filters.FilterSet):
    guideline = django_filters.CharFilter(field_name="guideline__key")
    component = django_filters.CharFilter(method="filter_listing")
    status = django_filters.MultipleChoiceFilter(
        choices=CapabilityStatus.choices, method="filter_listing"
    )
    project = django_filters.CharFilter()
    search = django_filters.CharFilter(method="filter_search", help_text="in name or description")

    class Meta:
        model = Capability
        fields = ["guideline", "project"]

    def filter_listing(self, queryset, name, value):
        # component and status filter together: "required in os_powered_compute".
        if name == "status" and not value:
            return queryset
        conditions = {}
        component = self.form.cleaned_data.get("component")
        statuses = self.form.cleaned_data.get("status")
        if component:
            conditions["component__name"] = component
        if statuses:
            conditions["status__in"] = statuses
        return queryset.filter(_listed(**conditions))

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(key__icontains=value) | Q(description__icontains=value))


class TestFilter(django_filters.FilterSet):
    idempotent_id = django_filters.CharFilter(help_text="as stored: id-<uuid> or a bare uuid")
    name = django_filters.CharFilter(method="filter_name", help_text="the test's name or an alias")
    guideline = django_filters.CharFilter(field_name="capability__guideline__key")
    capability = django_filters.CharFilter(field_name="capability__key")
    flagged = django_filters.TypedChoiceFilter(
        field_name="is_flagged",
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
    )

    class Meta:
        model = Test
        fields = ["idempotent_id", "guideline", "capability"]

    def filter_name(self, queryset, name, value):
        # Aliases are a JSON list; a text match narrows, the exact check is in Python.
        candidates = Test.objects.filter(Q(name=value) | Q(aliases__icontains=value))
        ids = [
            pk
            for pk, test_name, aliases in candidates.values_list("pk", "name", "aliases")
            if test_name == value or value in (aliases or [])
        ]
        return queryset.filter(pk__in=ids)


class CriterionFilter(django_filters.FilterSet):
    guideline = django_filters.CharFilter(field_name="guideline__key")

    class Meta:
        model = Criterion
        fields = ["guideline", "key"]


class StatusesInContext:
    """List views compute every row's statuses with one query for the page."""

    def pairs(self, rows) -> set[tuple[int, str]]:
        raise NotImplementedError

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        context = {**self.get_serializer_context(), "statuses": statuses_of(self.pairs(rows))}
        data = self.get_serializer_class()(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)


@extend_schema(tags=["Capabilities and tests"])
class CapabilityViewSet(StatusesInContext, viewsets.ReadOnlyModelViewSet):
    """Capabilities; filter by guideline, component, status, project; search by name."""

    serializer_class = CapabilitySerializer
    filterset_class = CapabilityFilter
    queryset = (
        Capability.objects.select_related("guideline")
        .annotate(test_count=Count("tests"))
        .order_by("guideline__key", "position")
    )

    def pairs(self, rows):
        return {(c.guideline_id, c.key) for c in rows}

    def retrieve(self, request, *args, **kwargs):
        capability = self.get_object()
        context = {
            **self.get_serializer_context(),
            "statuses": statuses_of({(capability.guideline_id, capability.key)}),
        }
        return Response(self.get_serializer_class()(capability, context=context).data)


@extend_schema(tags=["Capabilities and tests"])
class TestViewSet(StatusesInContext, viewsets.ReadOnlyModelViewSet):
    """Tests across guidelines: which guidelines require this test?"""

    serializer_class = TestSerializer
    filterset_class = TestFilter
    queryset = Test.objects.select_related("capability__guideline").order_by(
        "capability__guideline__key", "capability__position", "position"
    )

    def pairs(self, rows):
        return {(t.capability.guideline_id, t.capability.key) for t in rows}


@extend_schema(tags=["Capabilities and tests"])
class CriterionViewSet(viewsets.ReadOnlyModelViewSet):
    """Scoring criteria and their weights, per guideline."""

    serializer_class = CriterionSerializer
    filterset_class = CriterionFilter
    queryset = Criterion.objects.select_related("guideline").order_by("guideline__key", "position")


# What writes that change a test answer (flags here, the workspace's capability
# edits): the test with its flag.


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
