"""``{% load comments %}{% comments_for object %}``: the review comments on a
guideline, a capability, a test or a ballot, with the forms to post, reply,
edit, resolve, reopen and hide.

A tag library in ``votes``, so that the pages of the lower apps (guidelines,
capabilities) show threads without importing ``votes``: templates load tag
libraries by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template

from committee.permissions import RULES, Action, Standing, standing_in
from votes.comments import body_shown, may_edit, may_resolve, target_field, threads_on
from votes.models import Comment
from votes.models.comments import MAX_COMMENT_LENGTH, MAX_HIDE_REASON_LENGTH

register = template.Library()


@dataclass
class Shown:
    """A comment as the viewer sees it, with the controls they are offered."""

    comment: Comment
    body_shown: bool
    can_edit: bool
    can_resolve: bool
    can_hide: bool
    replies: list[Shown] = field(default_factory=list)


def shown(comment: Comment, user, standing: Standing) -> Shown:
    return Shown(
        comment=comment,
        body_shown=body_shown(comment, standing),
        can_edit=may_edit(comment, user) and not comment.is_hidden,
        can_resolve=may_resolve(comment, user, standing),
        can_hide=standing in RULES[Action.COMMENT_HIDE].standings and not comment.is_hidden,
    )


@register.inclusion_tag("votes/_comments.html", takes_context=True)
def comments_for(context, target, level: int = 2, title: str = "Comments"):
    request = context["request"]
    user = request.user
    standing = standing_in(request)
    kind = target_field(target)
    threads = []
    for thread in threads_on(target):
        first = shown(thread.comment, user, standing)
        first.replies = [shown(reply, user, standing) for reply in thread.replies]
        threads.append(first)
    target_id = target.key if kind == "guideline" else str(target.pk)
    return {
        "threads": threads,
        "count": sum(1 + len(t.replies) for t in threads),
        "target_type": kind,
        "target_id": target_id,
        "prefix": f"{kind}-{target.pk}",
        "next": request.get_full_path(),
        "user": user,
        "can_comment": standing in RULES[Action.COMMENT].standings,
        "signed_in": user.is_authenticated,
        "max_length": MAX_COMMENT_LENGTH,
        "max_reason": MAX_HIDE_REASON_LENGTH,
        # A thread inside a section (a test's, on its capability's page) is one level down.
        "level": level,
        "title": title,
    }
