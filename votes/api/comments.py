"""``/api/v1/comments``: review comments on a guideline, a capability, a test or
a ballot, in threads; editing one's own, resolving, reopening, and hiding (the chair).

A hidden comment keeps its place in its thread with who hid it and why; its
``body`` and ``html`` are null except for chairs.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from committee.models import Channel
from committee.permissions import standing_of
from guidelines.api.errors import ERRORS
from guidelines.api.lookups import capability_or_404, guideline_or_404, test_or_404
from guidelines.api.pagination import Pagination
from votes.comments import (
    body_shown,
    comment_edit,
    comment_hide,
    comment_post,
    comment_reopen,
    comment_resolve,
    comments,
    comments_on,
    guideline_of,
    threads_of,
)
from votes.models import Ballot, Comment
from votes.models.comments import MAX_COMMENT_LENGTH, MAX_HIDE_REASON_LENGTH, TARGETS

TAGS = ["Comments"]
MAX_ID = 2**63 - 1

TARGET_PARAMETERS = [
    OpenApiParameter("guideline", str, description="A guideline's name: 2026.06, next..."),
    OpenApiParameter("capability", int, description="A capability's id"),
    OpenApiParameter("test", int, description="A test's id"),
    OpenApiParameter("ballot", int, description="A ballot's id"),
]


class TargetSerializer(serializers.Serializer):
    type = serializers.ChoiceField(TARGETS)
    id = serializers.CharField(help_text="A guideline's name, or the id of the others")


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    target = TargetSerializer()
    guideline = serializers.CharField(help_text="The guideline the target belongs to")
    parent = serializers.IntegerField(allow_null=True, help_text="The comment this one answers")
    author = serializers.CharField()
    body = serializers.CharField(
        allow_null=True, help_text="Markdown; null when hidden, except for chairs"
    )
    html = serializers.CharField(
        allow_null=True, help_text="The body rendered and sanitised; null when hidden"
    )
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    revisions = serializers.IntegerField(help_text="Bodies it has had: 1 until edited")
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(allow_null=True)
    hidden_at = serializers.DateTimeField(allow_null=True)
    hidden_by = serializers.CharField(allow_null=True)
    hidden_reason = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "Comment"


class ThreadSerializer(CommentSerializer):
    replies = CommentSerializer(many=True, help_text="Oldest first; each names its parent")

    class Meta:
        ref_name = "CommentThread"


def comment_data(comment: Comment, standing, *, replies=None) -> dict:
    shown = body_shown(comment, standing)
    target = comment.target
    data = {
        "id": comment.pk,
        "target": {
            "type": comment.target_type,
            "id": target.key if comment.target_type == "guideline" else str(target.pk),
        },
        "guideline": guideline_of(target).key,
        "parent": comment.parent_id,
        "author": comment.author.get_username(),
        "body": comment.body if shown else None,
        "html": comment.body_html if shown else None,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "revisions": comment.revisions.count() if comment.edited_at else 1,
        "resolved_at": comment.resolved_at,
        "resolved_by": comment.resolved_by.get_username() if comment.resolved_by else None,
        "hidden_at": comment.hidden_at,
        "hidden_by": comment.hidden_by.get_username() if comment.hidden_by else None,
        "hidden_reason": comment.hidden_reason if comment.is_hidden else None,
    }
    if replies is not None:
        data["replies"] = [comment_data(reply, standing) for reply in replies]
        return ThreadSerializer(data).data
    return CommentSerializer(data).data


class TargetQuerySerializer(serializers.Serializer):
    guideline = serializers.CharField(required=False)
    capability = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    test = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    ballot = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


def target_in(request, *, required: bool = True):
    """The one target the query names (?guideline=, ?capability=, ?test=, ?ballot=)."""
    query = TargetQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    named = query.validated_data
    if len(named) > 1:
        raise ValidationError({name: ["name one target only"] for name in named})
    if not named:
        if not required:
            return None
        raise ValidationError({"target": [f"name the target: ?{'=, ?'.join(TARGETS)}="]})
    (name, value) = next(iter(named.items()))
    if name == "guideline":
        return guideline_or_404(value)
    if name == "capability":
        return capability_or_404(value)
    if name == "test":
        return test_or_404(value)
    ballot = Ballot.objects.select_related("guideline").filter(pk=value).first()
    if ballot is None:
        raise NotFound(f"No ballot with id {value}.")
    return ballot


def comment_or_404(pk: int) -> Comment:
    return get_object_or_404(comments(), pk=pk)


class CommentListView(GenericAPIView):
    """The threads on one target, oldest first; anyone signed in posts with POST."""

    pagination_class = Pagination
    filter_backends = []

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(
            max_length=MAX_COMMENT_LENGTH, trim_whitespace=False, help_text="Markdown"
        )
        parent = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            max_value=MAX_ID,
            help_text="The comment this one answers; the target is then its parent's",
        )

        class Meta:
            ref_name = "CommentPostInput"

    # What OPTIONS describes for POST.
    serializer_class = InputSerializer

    @extend_schema(
        tags=TAGS,
        operation_id="comment_list",
        description=(
            "The threads on the target named (one of guideline, capability, test, ballot), "
            "or on every target without one; oldest first, each with its replies."
        ),
        parameters=TARGET_PARAMETERS,
        responses={200: ThreadSerializer(many=True), 400: ERRORS[400], 404: ERRORS[404]},
    )
    def get(self, request):
        target = target_in(request, required=False)
        standing = standing_of(request.user)
        found = comments() if target is None else comments_on(target)
        roots = found.filter(parent__isnull=True).order_by("created_at", "pk")
        page = self.paginate_queryset(roots)
        return self.get_paginated_response(
            [
                comment_data(thread.comment, standing, replies=thread.replies)
                for thread in threads_of(page)
            ]
        )

    @extend_schema(
        tags=TAGS,
        operation_id="comment_post",
        description=(
            "Anyone signed in starts a thread on the target named, or replies to "
            "`parent` (on its target)."
        ),
        parameters=TARGET_PARAMETERS,
        request=InputSerializer,
        responses={201: CommentSerializer, **ERRORS},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        parent = None
        if values.get("parent") is not None:
            parent = Comment.objects.filter(pk=values["parent"]).first()
            if parent is None:
                raise ValidationError({"parent": [f"there is no comment {values['parent']}"]})
        target = target_in(request, required=parent is None)
        comment = comment_post(
            target=target,
            parent=parent,
            body=values["body"],
            actor=request.user,
            channel=Channel.API,
        )
        return Response(comment_data(comment, standing_of(request.user)), status=201)


class CommentDetailView(APIView):
    """One comment; its author edits it with PATCH (nobody else may, the chair included)."""

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(
            max_length=MAX_COMMENT_LENGTH, trim_whitespace=False, help_text="Markdown"
        )

        class Meta:
            ref_name = "CommentEditInput"

    @extend_schema(
        tags=TAGS,
        operation_id="comment_detail",
        responses={200: CommentSerializer, 404: ERRORS[404]},
    )
    def get(self, request, pk):
        return Response(comment_data(comment_or_404(pk), standing_of(request.user)))

    @extend_schema(
        tags=TAGS,
        operation_id="comment_edit",
        request=InputSerializer,
        responses={200: CommentSerializer, **ERRORS},
    )
    def patch(self, request, pk):
        comment = comment_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comment_edit(
            comment=comment,
            body=data.validated_data["body"],
            actor=request.user,
            channel=Channel.API,
        )
        return Response(comment_data(comment_or_404(pk), standing_of(request.user)))


class CommentResolveView(APIView):
    """The author or a chair marks the comment resolved (again: nothing changes)."""

    @extend_schema(
        tags=TAGS,
        operation_id="comment_resolve",
        request=None,
        responses={200: CommentSerializer, **ERRORS},
    )
    def post(self, request, pk):
        comment_resolve(comment=comment_or_404(pk), actor=request.user, channel=Channel.API)
        return Response(comment_data(comment_or_404(pk), standing_of(request.user)))


class CommentReopenView(APIView):
    """The author or a chair reopens a resolved comment."""

    @extend_schema(
        tags=TAGS,
        operation_id="comment_reopen",
        request=None,
        responses={200: CommentSerializer, **ERRORS},
    )
    def post(self, request, pk):
        comment_reopen(comment=comment_or_404(pk), actor=request.user, channel=Channel.API)
        return Response(comment_data(comment_or_404(pk), standing_of(request.user)))


class CommentHideView(APIView):
    """A chair hides an abusive comment, saying why; it is kept, and shown as hidden."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(
            max_length=MAX_HIDE_REASON_LENGTH, help_text='Shown in its place: "hidden by X: why"'
        )

        class Meta:
            ref_name = "CommentHideInput"

    @extend_schema(
        tags=TAGS,
        operation_id="comment_hide",
        request=InputSerializer,
        responses={200: CommentSerializer, **ERRORS},
    )
    def post(self, request, pk):
        comment = comment_or_404(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment_hide(
            comment=comment,
            reason=data.validated_data["reason"],
            actor=request.user,
            channel=Channel.API,
        )
        return Response(comment_data(comment_or_404(pk), standing_of(request.user)))
