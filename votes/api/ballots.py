"""``/api/v1/ballots``: open, read, vote on and close ballots."""

from __future__ import annotations

import re

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from committee.models import Channel
from guidelines.api.errors import ERRORS
from guidelines.api.lookups import guideline_or_404, nameable
from guidelines.api.pagination import Pagination
from votes.models import Ballot, BallotKind, BallotStatus, PositionValue
from votes.selectors import ballot_state, ballots, voting_in
from votes.services import ballot_close, ballot_open, position_set

TAGS = ["Ballots"]
THRESHOLD = re.compile(r"^(\d{1,3})/(\d{1,3})$")


class PositionSerializer(serializers.Serializer):
    voter = serializers.CharField(source="voter.username")
    position = serializers.CharField(source="value")
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class TallySerializer(serializers.Serializer):
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    abstain = serializers.IntegerField()
    recuse = serializers.IntegerField()
    block = serializers.IntegerField()


class NeedsSerializer(serializers.Serializer):
    quorum = serializers.IntegerField(help_text="More positions (not recusals) for quorum")
    yes = serializers.IntegerField(allow_null=True, help_text="More yes to meet the threshold")
    blocks = serializers.IntegerField(help_text="Blocks standing")
    text = serializers.CharField(help_text='"needs 2 more yes"')


class BallotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    guideline = serializers.CharField(source="guideline.key")
    kind = serializers.CharField()
    question = serializers.CharField()
    subject = serializers.JSONField()
    status = serializers.ChoiceField(BallotStatus.values)
    opened_by = serializers.CharField(source="opened_by.username")
    opened_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField(source="closed_by.username", allow_null=True, default=None)
    close_reason = serializers.CharField()
    quorum = serializers.IntegerField()
    threshold = serializers.CharField(help_text="Share of yes among yes, no and block")
    positions_visible = serializers.BooleanField()
    electorate = serializers.IntegerField(help_text="Members seated when it opened")
    tally = TallySerializer(
        allow_null=True, help_text="Null while open with hidden positions; stored at closing"
    )
    taking_part = serializers.IntegerField(allow_null=True)
    needs = NeedsSerializer(allow_null=True, help_text="While open and visible")
    positions = PositionSerializer(many=True, help_text="Current positions, when visible")
    my_position = PositionSerializer(allow_null=True, help_text="The caller's current position")


def ballot_data(ballot: Ballot, request, voter_of: set[int] | None = None) -> dict:
    state = ballot_state(ballot, request.user, voter_of)
    data = {
        "id": ballot.pk,
        "guideline": ballot.guideline,
        "kind": ballot.kind,
        "question": ballot.question,
        "subject": ballot.subject,
        "status": ballot.status,
        "opened_by": ballot.opened_by,
        "opened_at": ballot.opened_at,
        "closes_at": ballot.closes_at,
        "closed_at": ballot.closed_at,
        "closed_by": ballot.closed_by,
        "close_reason": ballot.close_reason,
        "quorum": ballot.quorum,
        "threshold": ballot.threshold,
        "positions_visible": ballot.positions_visible,
        "electorate": state["electorate"],
        "tally": state["tally"],
        "taking_part": state["taking_part"],
        "needs": state["needs"],
        "positions": state["positions"],
        "my_position": state["mine"],
    }
    return BallotSerializer(data).data


class BallotListView(APIView):
    """Ballots, newest first; the chair opens one with POST."""

    class InputSerializer(serializers.Serializer):
        guideline = serializers.CharField(help_text="The guideline's name: 2026.06, next...")
        kind = serializers.ChoiceField(BallotKind.values)
        question = serializers.CharField()
        closes_at = serializers.DateTimeField(help_text="With a time zone; in the future")
        quorum = serializers.IntegerField(
            required=False, min_value=1, help_text="Default: half the electorate"
        )
        threshold = serializers.RegexField(
            THRESHOLD, required=False, help_text='A fraction, default "2/3"'
        )
        positions_visible = serializers.BooleanField(required=False, default=True)
        subject = serializers.JSONField(
            required=False,
            help_text='capabilities: [{"capability", "component", "status"}]; flag: {"test": id}',
        )

        class Meta:
            ref_name = "BallotOpenInput"

    @extend_schema(
        tags=TAGS,
        operation_id="ballot_list",
        parameters=[
            OpenApiParameter("guideline", str),
            OpenApiParameter("status", str, enum=BallotStatus.values),
            OpenApiParameter("kind", str, enum=BallotKind.values),
        ],
        responses={200: BallotSerializer(many=True)},
    )
    def get(self, request):
        found = ballots()
        params = request.query_params
        for name, choices in (("status", BallotStatus.values), ("kind", BallotKind.values)):
            value = params.get(name)
            if value and value not in choices:
                raise ValidationError({name: [f"one of {', '.join(choices)}"]})
            if value:
                found = found.filter(**{name: value})
        key = params.get("guideline")
        if key:
            found = found.filter(guideline__key=key) if nameable(key) else found.none()
        paginator = Pagination()
        page = paginator.paginate_queryset(found, request, view=self)
        voter_of = voting_in(request.user, [b.pk for b in page])
        return paginator.get_paginated_response([ballot_data(b, request, voter_of) for b in page])

    @extend_schema(
        tags=TAGS,
        operation_id="ballot_open",
        request=InputSerializer,
        responses={201: BallotSerializer, **ERRORS},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        threshold = (2, 3)
        if "threshold" in values:
            numerator, denominator = THRESHOLD.match(values["threshold"]).groups()
            threshold = (int(numerator), int(denominator))
        ballot = ballot_open(
            guideline=guideline_or_404(values["guideline"]),
            kind=values["kind"],
            question=values["question"],
            closes_at=values["closes_at"],
            quorum=values.get("quorum"),
            threshold=threshold,
            positions_visible=values["positions_visible"],
            subject=values.get("subject"),
            actor=request.user,
            channel=Channel.API,
        )
        return Response(ballot_data(ballot_or_404(ballot.pk), request), status=201)


def ballot_or_404(pk: int) -> Ballot:
    return get_object_or_404(ballots(), pk=pk)


class BallotDetailView(APIView):
    @extend_schema(
        tags=TAGS, operation_id="ballot_detail", responses={200: BallotSerializer, 404: ERRORS[404]}
    )
    def get(self, request, pk):
        return Response(ballot_data(ballot_or_404(pk), request))


class PositionView(APIView):
    """The caller's position on a ballot: one of its electorate, while it is open."""

    class InputSerializer(serializers.Serializer):
        position = serializers.ChoiceField(PositionValue.values)
        reason = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            help_text="Required for block (why) and recuse (the conflict of interest)",
        )

        class Meta:
            ref_name = "PositionInput"

    @extend_schema(
        tags=TAGS,
        operation_id="ballot_position_set",
        request=InputSerializer,
        responses={200: BallotSerializer, **ERRORS},
    )
    def put(self, request, pk):
        ballot = ballot_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        position_set(
            ballot=ballot,
            actor=request.user,
            value=data.validated_data["position"],
            reason=data.validated_data["reason"],
            channel=Channel.API,
        )
        return Response(ballot_data(ballot_or_404(pk), request))


class CloseView(APIView):
    """The chair closes a ballot early (a reason is required) or withdraws it."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, default="")
        withdraw = serializers.BooleanField(required=False, default=False)

        class Meta:
            ref_name = "BallotCloseInput"

    @extend_schema(
        tags=TAGS,
        operation_id="ballot_close",
        request=InputSerializer,
        responses={200: BallotSerializer, **ERRORS},
    )
    def post(self, request, pk):
        ballot = ballot_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ballot_close(
            ballot=ballot,
            actor=request.user,
            reason=data.validated_data["reason"],
            withdraw=data.validated_data["withdraw"],
            channel=Channel.API,
        )
        return Response(ballot_data(ballot_or_404(pk), request))
