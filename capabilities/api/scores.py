"""Scores: each member's, the chair's consensus, and the table of totals against the cut-off."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from capabilities.api.common import TAGS
from capabilities.models import ScoreValue
from capabilities.selectors import CapabilityScore, scoring_table
from capabilities.services import consensus_set, scores_cast, scores_withdraw
from guidelines.api.errors import ERRORS
from guidelines.api.lookups import capability_or_404, guideline_or_404
from guidelines.api.parts import Status
from guidelines.models import Capability, EventChannel

VALUE_ERRORS = {
    "invalid_choice": '"{input}" is not a score: use 1 (met), 0 (not met) or ? (not decided).'
}


class ScoringRow(serializers.Serializer):
    """One capability's line of the scoring table (capabilities.selectors.CapabilityScore)."""

    id = serializers.IntegerField(source="capability.pk")
    key = serializers.CharField()
    version = serializers.IntegerField(source="capability.version")
    status = serializers.CharField(source="main_status", help_text="required, advisory, ...")
    statuses = serializers.SerializerMethodField()
    values = serializers.DictField(
        child=serializers.CharField(), help_text="criterion -> 1, 0 or ?: the consensus once scored"
    )
    non_admin = serializers.CharField(help_text="1, 0 (vetoes the total) or ?")
    total = serializers.IntegerField(
        source="total.value",
        help_text="Sum of the weights met; negative while undecided (tabulate_scores.py)",
    )
    complete = serializers.BooleanField(source="total.complete")
    qualifies = serializers.SerializerMethodField()
    scored = serializers.BooleanField(
        help_text="The values are the committee's consensus, not the document's achievements"
    )
    disagreements = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="criterion -> scorer -> value, where scorers disagree",
    )
    scores = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="criterion -> scorer -> value",
    )

    @extend_schema_field(Status(many=True))
    def get_statuses(self, row):
        return [{"component": component, "status": status} for component, status in row.statuses]

    def get_qualifies(self, row) -> bool:
        """At or over the cut-off, and complete (2017A A4.4)."""
        return row.total.qualifies(self.context["cutoff"])


def scoring_row(capability: Capability) -> tuple[CapabilityScore, int | None]:
    """The capability's line of the table after a score changed, and the cut-off."""
    table = scoring_table(capability.guideline)
    return next(row for row in table.rows if row.capability.pk == capability.pk), table.cutoff


class ScoringView(APIView):
    """Every capability's values, total and disagreements, with the criteria and the cut-off."""

    class OutputSerializer(serializers.Serializer):
        class CriterionOutput(serializers.Serializer):
            key = serializers.CharField()
            name = serializers.CharField(allow_null=True)
            weight = serializers.IntegerField(allow_null=True)

            class Meta:
                ref_name = "ScoringCriterion"

        guideline = serializers.CharField()
        status = serializers.CharField()
        cutoff = serializers.IntegerField(allow_null=True)
        criteria = CriterionOutput(many=True)
        met_counts = serializers.DictField(
            child=serializers.IntegerField(), help_text="criterion -> capabilities meeting it"
        )
        capabilities = ScoringRow(many=True)

        class Meta:
            ref_name = "ScoringTable"

    @extend_schema(
        tags=TAGS,
        operation_id="guideline_scoring",
        responses={200: OutputSerializer, 404: ERRORS[404]},
    )
    def get(self, request, key):
        guideline = guideline_or_404(key)
        table = scoring_table(guideline)
        data = {
            "guideline": guideline.key,
            "status": guideline.status,
            "cutoff": table.cutoff,
            "criteria": table.criteria,
            "met_counts": table.met_counts(),
            "capabilities": table.rows,
        }
        return Response(self.OutputSerializer(data, context={"cutoff": table.cutoff}).data)


class ScoreOutput(serializers.Serializer):
    """What your scores are now, with the capability's line of the table."""

    scorer = serializers.CharField()
    values = serializers.DictField(
        child=serializers.CharField(), help_text="criterion -> your score (1, 0 or ?)"
    )
    capability = ScoringRow(help_text="The capability's line of the table, after the change")

    class Meta:
        ref_name = "ScoresOutput"


def scores_output(request, capability: Capability) -> Response:
    row, cutoff = scoring_row(capability)
    output = {
        "scorer": request.user.get_username(),
        "values": {
            criterion: by_scorer[request.user.get_username()]
            for criterion, by_scorer in row.scores.items()
            if request.user.get_username() in by_scorer
        },
        "capability": row,
    }
    return Response(ScoreOutput(output, context={"cutoff": cutoff}).data)


class ScoresView(APIView):
    """Your own scores of a capability: several criteria in one call, or withdraw them all.

    PUT ``{"values": {"deployed": "1", "doc": "0", "non-admin": "1"}, "note": "..."}``
    scores every criterion given, all or none, recorded as one change. DELETE
    withdraws every score you gave the capability.
    """

    class InputSerializer(serializers.Serializer):
        values = serializers.DictField(
            child=serializers.ChoiceField(ScoreValue.choices, error_messages=VALUE_ERRORS),
            allow_empty=False,
            help_text="criterion (or non-admin) -> 1, 0 or ?",
        )
        note = serializers.CharField(required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "ScoresCastInput"

    @extend_schema(
        tags=TAGS,
        operation_id="scores_cast",
        request=InputSerializer,
        responses={200: ScoreOutput, **ERRORS},
    )
    def put(self, request, pk):
        capability = capability_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scores_cast(
            capability=capability,
            actor=request.user,
            channel=EventChannel.API,
            **data.validated_data,
        )
        return scores_output(request, capability)

    @extend_schema(
        tags=TAGS,
        operation_id="scores_withdraw",
        request=None,
        responses={200: ScoreOutput, **ERRORS},
    )
    def delete(self, request, pk):
        capability = capability_or_404(pk)
        scores_withdraw(capability=capability, actor=request.user, channel=EventChannel.API)
        return scores_output(request, capability)


class ScoreView(APIView):
    """Your own score of a capability on one criterion (or ``non-admin``): 1, 0 or ?.

    DELETE withdraws it.
    """

    class InputSerializer(serializers.Serializer):
        value = serializers.ChoiceField(ScoreValue.choices, error_messages=VALUE_ERRORS)
        note = serializers.CharField(required=False, allow_blank=True, default="")

        class Meta:
            ref_name = "ScoreCastInput"

    class OutputSerializer(serializers.Serializer):
        criterion = serializers.CharField()
        value = serializers.CharField(allow_null=True, help_text="null once withdrawn")
        note = serializers.CharField()
        scorer = serializers.CharField()
        capability = ScoringRow(help_text="The capability's line of the table, after the score")

        class Meta:
            ref_name = "ScoreCastOutput"

    def answer(self, request, capability: Capability, criterion: str):
        score = capability.scores.filter(scorer=request.user, criterion=criterion).first()
        row, cutoff = scoring_row(capability)
        output = {
            "criterion": criterion,
            "value": score.value if score else None,
            "note": score.note if score else "",
            "scorer": request.user.get_username(),
            "capability": row,
        }
        return Response(self.OutputSerializer(output, context={"cutoff": cutoff}).data)

    @extend_schema(
        tags=TAGS,
        operation_id="score_cast",
        request=InputSerializer,
        responses={200: OutputSerializer, **ERRORS},
    )
    def put(self, request, pk, criterion):
        capability = capability_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scores_cast(
            capability=capability,
            actor=request.user,
            values={criterion: data.validated_data["value"]},
            note=data.validated_data["note"],
            channel=EventChannel.API,
        )
        return self.answer(request, capability, criterion)

    @extend_schema(
        tags=TAGS,
        operation_id="score_withdraw",
        request=None,
        responses={200: OutputSerializer, **ERRORS},
    )
    def delete(self, request, pk, criterion):
        capability = capability_or_404(pk)
        scores_withdraw(
            capability=capability,
            actor=request.user,
            criteria=[criterion],
            channel=EventChannel.API,
        )
        return self.answer(request, capability, criterion)


class ConsensusSetView(APIView):
    """The committee's score on one criterion, set by the chair where scorers disagree."""

    class InputSerializer(serializers.Serializer):
        value = serializers.ChoiceField(ScoreValue.choices, error_messages=VALUE_ERRORS)

        class Meta:
            ref_name = "ConsensusSetInput"

    class OutputSerializer(serializers.Serializer):
        criterion = serializers.CharField()
        value = serializers.CharField()
        source = serializers.CharField(help_text="chair, unanimous or worksheet")
        set_by = serializers.CharField(allow_null=True)
        capability = ScoringRow(help_text="The capability's line of the table, after the change")

        class Meta:
            ref_name = "ConsensusSetOutput"

    @extend_schema(
        tags=TAGS,
        operation_id="consensus_set",
        request=InputSerializer,
        responses={200: OutputSerializer, **ERRORS},
    )
    def put(self, request, pk, criterion):
        capability = capability_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        (consensus,) = consensus_set(
            capability=capability,
            values={criterion: data.validated_data["value"]},
            actor=request.user,
            channel=EventChannel.API,
        )
        row, cutoff = scoring_row(capability)
        output = {
            "criterion": consensus.criterion,
            "value": consensus.value,
            "source": consensus.source,
            "set_by": consensus.set_by.get_username() if consensus.set_by else None,
            "capability": row,
        }
        return Response(self.OutputSerializer(output, context={"cutoff": cutoff}).data)
