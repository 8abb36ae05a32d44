"""Deliberation's routes, mounted under ``/api/v1/`` in the ``api`` namespace."""

from django.urls import path

from votes.api.ballots import BallotDetailView, BallotListView, CloseView, PositionView
from votes.api.comments import (
    CommentDetailView,
    CommentHideView,
    CommentListView,
    CommentReopenView,
    CommentResolveView,
)

urlpatterns = [
    path("ballots", BallotListView.as_view(), name="ballot-list"),
    path("ballots/<int:pk>", BallotDetailView.as_view(), name="ballot-detail"),
    path("ballots/<int:pk>/position", PositionView.as_view(), name="ballot-position"),
    path("ballots/<int:pk>/close", CloseView.as_view(), name="ballot-close"),
    path("comments", CommentListView.as_view(), name="comment-list"),
    path("comments/<int:pk>", CommentDetailView.as_view(), name="comment-detail"),
    path("comments/<int:pk>/resolve", CommentResolveView.as_view(), name="comment-resolve"),
    path("comments/<int:pk>/reopen", CommentReopenView.as_view(), name="comment-reopen"),
    path("comments/<int:pk>/hide", CommentHideView.as_view(), name="comment-hide"),
]
