"""The chair changes a draft's criteria and weights (2017A A4.1-A4.3)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from capabilities.api.common import TAGS
from capabilities.services import criterion_update
from capabilities.services.scoring import MAX_WEIGHT
from guidelines.api.errors import ERRORS
from guidelines.api.parts import CriterionSerializer, CriterionViewSet
from guidelines.models import Criterion, EventChannel

# GET /criteria/<id> is the read viewset's; Django routes by path, not by
# method, so this view, listed first, hands reads over to it.
_criterion_read = CriterionViewSet.as_view({"get": "retrieve"})


class CriterionUpdateView(APIView):
    """Change a criterion of a draft: frozen once the draft leaves draft status (A4.3)."""

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False)
        description = serializers.CharField(required=False)
        # At most what the database's integer column holds (else a 500).
        weight = serializers.IntegerField(required=False, min_value=0, max_value=MAX_WEIGHT)

        class Meta:
            ref_name = "CriterionInput"

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return _criterion_read(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        operation_id="criterion_update",
        request=InputSerializer,
        responses={200: CriterionSerializer, **ERRORS},
    )
    def patch(self, request, pk):
        criterion = Criterion.objects.filter(pk=pk).first()
        if criterion is None:
            raise NotFound(f"No criterion with id {pk}.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data:
            raise ValidationError({"weight": ["Send at least one of name, description, weight."]})
        criterion = criterion_update(
            criterion=criterion,
            changes=data.validated_data,
            actor=request.user,
            channel=EventChannel.API,
        )
        return Response(CriterionSerializer(criterion).data)
