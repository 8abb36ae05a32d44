"""Moving a guideline through its life cycle (draft -> review -> approved -> superseded)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from guidelines.api.catalog import GuidelineSerializer, catalog_queryset
from guidelines.api.errors import ERRORS
from guidelines.api.lookups import guideline_or_404
from guidelines.lifecycle import MOVES
from guidelines.models import EventChannel
from guidelines.services import MOVE_SERVICES

MOVES_HELP = "; ".join(f"{m.source} -> {m.target}: {m.label.lower()} ({m.rule})" for m in MOVES)


class GuidelineMoveView(APIView):
    """Move a guideline to another status: the chair's, along the declared life cycle."""

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            sorted(MOVE_SERVICES), help_text=f"The status to move to. Allowed moves: {MOVES_HELP}"
        )
        reason = serializers.CharField(help_text="Why: recorded with the move")

        class Meta:
            ref_name = "GuidelineMoveInput"

    @extend_schema(
        tags=["Guidelines"],
        operation_id="guideline_move",
        request=InputSerializer,
        responses={200: GuidelineSerializer, **ERRORS},
    )
    def post(self, request, key):
        guideline = guideline_or_404(key)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        move = MOVE_SERVICES[data.validated_data["status"]]
        move(
            guideline=guideline,
            actor=request.user,
            reason=data.validated_data["reason"],
            channel=EventChannel.API,
        )
        moved = catalog_queryset().get(pk=guideline.pk)
        return Response(GuidelineSerializer(moved, context={"request": request}).data)
