"""Deliberation's pages: the forms of the comment threads."""

from django.urls import path

from votes.views import ballots, comments, log

app_name = "votes"

urlpatterns = [
    path("ballots/", ballots.ballot_list, name="ballots"),
    path("ballots/<int:pk>/", ballots.ballot_detail, name="ballot"),
    path("ballots/<int:pk>/position/", ballots.ballot_position, name="ballot_position"),
    path("ballots/<int:pk>/close/", ballots.ballot_close_view, name="ballot_close"),
    path("guidelines/<str:key>/ballots/new/", ballots.ballot_new, name="ballot_new"),
    path("dashboard/", ballots.dashboard, name="dashboard"),
    path("committee/log/", log.event_log, name="log"),
    path("comments/post/", comments.comment_post_view, name="comment_post"),
    path("comments/<int:pk>/edit/", comments.comment_edit_view, name="comment_edit"),
    path("comments/<int:pk>/resolve/", comments.comment_resolve_view, name="comment_resolve"),
    path("comments/<int:pk>/reopen/", comments.comment_reopen_view, name="comment_reopen"),
    path("comments/<int:pk>/hide/", comments.comment_hide_view, name="comment_hide"),
]
