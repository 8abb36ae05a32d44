"""A test's flag: the one change a published guideline takes (2017A D2.1)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from guidelines.api.errors import ERRORS
from guidelines.api.lookups import test_or_404
from guidelines.api.parts import TestOutput
from guidelines.models import EventChannel
from guidelines.services import flag_clear, flag_set

TAGS = ["Workspace"]


class TestFlagView(APIView):
    """A test's flag: PUT sets it (allowed on published guidelines too), DELETE removes it.

    One view for both: they are the two writes of one URL.
    """

    class InputSerializer(serializers.Serializer):
        # Blank values reach the service, whose message says what a flag needs.
        date = serializers.CharField(allow_blank=True, help_text="YYYY-MM-DD")
        reason = serializers.CharField(
            allow_blank=True, help_text="Starts with its flag type, [D400] to [D406] (D309)"
        )
        action = serializers.CharField(allow_blank=True, help_text="What will resolve it")

        class Meta:
            ref_name = "TestFlagInput"

    @extend_schema(
        tags=TAGS,
        operation_id="test_flag_set",
        request=InputSerializer,
        responses={200: TestOutput, **ERRORS},
    )
    def put(self, request, pk):
        test = test_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag_set(test=test, actor=request.user, channel=EventChannel.API, **data.validated_data)
        return Response(TestOutput(test_or_404(pk)).data)

    @extend_schema(
        tags=TAGS,
        operation_id="test_flag_clear",
        request=None,
        responses={200: TestOutput, **ERRORS},
    )
    def delete(self, request, pk):
        test = test_or_404(pk)
        flag_clear(test=test, actor=request.user, channel=EventChannel.API)
        return Response(TestOutput(test_or_404(pk)).data)
