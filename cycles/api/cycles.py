"""``/api/v1/cycles``: the cycle calendar, read-only for everyone.

Each cycle comes with its seven milestones (2017A timeline, S-3 to S+3) and
where each stands on the day of the request (UTC): done, current or upcoming.
The chair sets the calendar on the pages (``/cycles/``).
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from cycles.selectors import CycleCalendar, cycle_calendar, cycle_calendars, cycle_get
from cycles.timeline import STEP_KEYS, State
from guidelines.api.errors import ERRORS
from guidelines.api.pagination import Pagination

TAGS = ["Cycles"]
STATES = [state.value for state in State]


# Patterns, not enums: drf-spectacular hoists every enum into a component named
# after its field ("StateEnum"), and other apps' "state" fields have other values.
def _one_of(values) -> str:
    return "^(" + "|".join(values) + ")$"


@extend_schema_field({"type": "string", "pattern": _one_of(STATES)})
class StateField(serializers.CharField):
    """done, current or upcoming."""


@extend_schema_field({"type": "string", "pattern": _one_of(STEP_KEYS)})
class MilestoneKeyField(serializers.CharField):
    """draft, new_capabilities, scoring, review, self_testing, flagging or approval."""


@extend_schema_field({"type": "string", "pattern": _one_of(STEP_KEYS), "nullable": True})
class OptionalMilestoneKeyField(serializers.CharField):
    """A milestone's key, or null."""


class MilestoneSerializer(serializers.Serializer):
    key = MilestoneKeyField(help_text=", ".join(STEP_KEYS))
    code = serializers.CharField(help_text='2017A\'s name for it: "S-3" to "S+3"')
    offset_months = serializers.IntegerField(
        source="offset", help_text="Calendar months from the summit"
    )
    label = serializers.CharField()
    lead = serializers.CharField(help_text="Who leads it, as 2017A's timeline says")
    meaning = serializers.CharField()
    rule = serializers.CharField(help_text="Where process 2017A says so")
    date = serializers.DateField()
    state = StateField(help_text="done, current or upcoming, relative to today")


class CycleLinks(serializers.Serializer):
    self = serializers.URLField()
    page = serializers.URLField()


class CycleSerializer(serializers.Serializer):
    name = serializers.CharField(
        source="cycle.name", help_text="The guideline it leads to, YYYY.MM (2017A D4)"
    )
    summit = serializers.DateField(source="cycle.summit")
    guideline = serializers.CharField(
        source="cycle.guideline_key", help_text='The draft it prepares, such as "next"; "" if none'
    )
    state = StateField(
        help_text="upcoming before S-3, done after S+3, current in between (both days in)"
    )
    current = serializers.BooleanField(
        source="is_current",
        help_text="The site's current cycle: under way today (the earlier summit if two are), "
        "else the next to start",
    )
    today = serializers.DateField(help_text="The day the states are relative to (UTC)")
    current_milestone = OptionalMilestoneKeyField(
        source="current_milestone.key",
        allow_null=True,
        default=None,
        help_text="The key of the milestone under way; null before S-3 and after S+3",
    )
    next_milestone = OptionalMilestoneKeyField(
        source="next_milestone.key",
        allow_null=True,
        default=None,
        help_text="The key of the next milestone; null once S+3 has come",
    )
    set_by = serializers.CharField(
        source="cycle.set_by.username", help_text="Who set the summit date last"
    )
    set_at = serializers.DateTimeField(source="cycle.set_at")
    milestones = MilestoneSerializer(many=True)
    links = serializers.SerializerMethodField()

    @extend_schema_field(CycleLinks)
    def get_links(self, calendar: CycleCalendar) -> dict:
        request = self.context["request"]
        name = calendar.cycle.name
        return {
            "self": request.build_absolute_uri(reverse("api:cycle-detail", args=[name])),
            "page": request.build_absolute_uri(reverse("cycles:detail", args=[name])),
        }


class CycleListView(generics.ListAPIView):
    """Every cycle, the latest summit first, each with its milestones."""

    serializer_class = CycleSerializer
    pagination_class = Pagination
    filter_backends: list = []

    def get_queryset(self):
        # Calendars, not rows: the milestones are derived. A few cycles a year.
        return cycle_calendars()

    @extend_schema(tags=TAGS, operation_id="cycle_list")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CycleDetailView(APIView):
    """One cycle, its milestones, and where it stands today."""

    @extend_schema(
        tags=TAGS,
        operation_id="cycle_detail",
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, description="YYYY.MM")],
        responses={200: CycleSerializer, 404: ERRORS[404]},
    )
    def get(self, request, name):
        cycle = cycle_get(name)
        if cycle is None:
            raise NotFound(f"No cycle named {name!r}.")
        data = CycleSerializer(cycle_calendar(cycle), context={"request": request}).data
        return Response(data)
