"""A guideline's change log: who changed what, before and after, through which channel."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from guidelines.api.lookups import guideline_or_404
from guidelines.models import EventChannel, EventKind, GuidelineEvent


class EventFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=EventKind.choices)
    channel = django_filters.ChoiceFilter(choices=EventChannel.choices)
    subject = django_filters.CharFilter(help_text="A capability key, a test name, a worksheet...")

    class Meta:
        model = GuidelineEvent
        fields = ["kind", "channel", "subject"]


class EventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", help_text='"system" for a command an operator ran'
    )
    data = serializers.JSONField(help_text='For a change: "before" and "after"')

    class Meta:
        model = GuidelineEvent
        fields = ["id", "kind", "channel", "actor", "subject", "summary", "data", "created_at"]
        ref_name = "GuidelineEvent"


@extend_schema(tags=["Workspace"])
class GuidelineEventListView(generics.ListAPIView):
    """Every change to a guideline, newest first; filter by kind, channel and subject."""

    serializer_class = EventOutput
    filterset_class = EventFilter
    queryset = GuidelineEvent.objects.none()  # for the schema; get_queryset is per guideline

    @extend_schema(operation_id="guideline_events")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view
            return GuidelineEvent.objects.none()
        guideline = guideline_or_404(self.kwargs["key"])
        return guideline.events.select_related("actor").order_by("-created_at", "-id")
