"""Review comments: posting, replying, editing, resolving, reopening and hiding
(the services), and reading threads as a viewer may see them.

Each service is one transaction, checks who may (``committee.permissions``),
and records what it did (``committee.record``: ``comment.posted``,
``comment.edited``, ``comment.resolved``, ``comment.reopened``,
``comment.hidden``) in that transaction. Refusals: ``NotAllowed`` (403) for
who, ``RuleRefused`` (409) for a hidden comment, ``GuidelineError`` (400) for
bad input.

Who may:

- post and reply: anyone signed in (``Action.COMMENT``);
- edit: the author only, nobody else, the chair included;
- resolve and reopen: the author or a chair;
- hide: a chair (``Action.COMMENT_HIDE``), saying why. A hidden comment shows
  "hidden by X: why" to everyone, and its body to chairs only.

Edits keep history as ``CommentRevision`` rows, not in the event log: the event
log is read more widely (feeds, webhooks, the chair's browser), and a hidden
comment's text must stay where only chairs see it. The events say which
revision replaced which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from committee.models import Channel
from committee.permissions import RULES, Action, NotAllowed, Standing, require
from committee.record import record
from guidelines.errors import GuidelineError, RuleRefused
from guidelines.models import Capability, Guideline, Test
from votes import notifications
from votes.markdown import render
from votes.models import Ballot, Comment, CommentRevision
from votes.models.comments import MAX_COMMENT_LENGTH, MAX_HIDE_REASON_LENGTH

# The model of each target, by the comment's field for it.
TARGET_MODELS = {"guideline": Guideline, "capability": Capability, "test": Test, "ballot": Ballot}


def target_field(target) -> str:
    """The comment's field for a target: "guideline", "capability", "test" or "ballot"."""
    for name, model in TARGET_MODELS.items():
        if isinstance(target, model):
            return name
    raise GuidelineError("a comment is on a guideline, a capability, a test or a ballot")


def guideline_of(target) -> Guideline:
    if isinstance(target, Guideline):
        return target
    if isinstance(target, Test):
        return target.capability.guideline
    return target.guideline


def target_label(target) -> str:
    """How a summary names the target: "capability compute-servers-list in next"."""
    name = target_field(target)
    if name == "guideline":
        return f"guideline {target.key}"
    if name == "capability":
        return f"capability {target.key} in {target.guideline.key}"
    if name == "test":
        return f"test {target.name[:120]} in {target.capability.guideline.key}"
    return f"ballot {target.pk}"


def _body_checked(body) -> str:
    body = body if isinstance(body, str) else ""
    if not body.strip():
        raise GuidelineError("a comment needs some text")
    if len(body) > MAX_COMMENT_LENGTH:
        raise GuidelineError(
            f"a comment is at most {MAX_COMMENT_LENGTH:,} characters; this one is {len(body):,}"
        )
    if "\x00" in body:
        raise GuidelineError("a comment cannot contain the NUL character")
    return body


def _locked(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().get(pk=comment.pk)


def _record(kind: str, comment: Comment, actor, channel: str, summary: str, data: dict) -> None:
    target = comment.target
    record(
        kind=kind,
        actor=actor,
        subject=comment,
        channel=channel,
        guideline_key=guideline_of(target).key,
        summary=summary,
        data={
            "target": {"type": comment.target_type, "id": str(target.pk)},
            "parent": comment.parent_id,
            **data,
        },
    )


@transaction.atomic
def comment_post(
    *, body: str, actor, target=None, parent: Comment | None = None, channel: str = Channel.WEB
) -> Comment:
    """A new thread on ``target``, or a reply to ``parent`` (on its target: give
    either, or both if they agree)."""
    require(actor, Action.COMMENT)
    body = _body_checked(body)
    if parent is None and target is None:
        raise GuidelineError("a comment is on a guideline, a capability, a test or a ballot")
    if parent is not None:
        parent = Comment.objects.get(pk=parent.pk)
        if target is not None and (
            target_field(target) != parent.target_type or target.pk != parent.target.pk
        ):
            raise GuidelineError(
                f"a reply is on its parent's target: comment {parent.pk} is on "
                f"{target_label(parent.target)}"
            )
        target = parent.target
    name = target_field(target)
    now = timezone.now()
    html = render(body)
    comment = Comment.objects.create(
        author=actor,
        **{name: target},
        parent=parent,
        root=(parent.root or parent) if parent is not None else None,
        body=body,
        body_html=html,
        created_at=now,
    )
    CommentRevision.objects.create(comment=comment, number=1, body=body, body_html=html, at=now)
    _record(
        "comment.posted",
        comment,
        actor,
        channel,
        f"{actor.get_username()} "
        + (f"replied to comment {parent.pk}" if parent else "commented")
        + f" on {target_label(target)}",
        {"revision": 1, "length": len(body)},
    )
    notifications.comment_posted(comment)  # e-mail to the thread, after the commit
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, body: str, actor, channel: str = Channel.WEB) -> Comment:
    """A new body for the actor's own comment; the earlier one is kept as a revision."""
    require(actor, Action.COMMENT)
    comment = _locked(comment)
    if comment.author_id != actor.pk:
        raise NotAllowed(
            f"Editing a comment is for its author only: comment {comment.pk} is "
            f"{comment.author.get_username()}'s, and nobody edits another's comment.",
            action=Action.COMMENT,
        )
    if comment.is_hidden:
        raise RuleRefused(f"comment {comment.pk} is hidden by a chair: it can no longer change")
    body = _body_checked(body)
    if body == comment.body:
        return comment
    before = comment.revisions.aggregate(last=Max("number"))["last"] or 0
    now = timezone.now()
    comment.body = body
    comment.body_html = render(body)
    comment.edited_at = now
    comment.save(update_fields=["body", "body_html", "edited_at"])
    CommentRevision.objects.create(
        comment=comment, number=before + 1, body=body, body_html=comment.body_html, at=now
    )
    _record(
        "comment.edited",
        comment,
        actor,
        channel,
        f"{actor.get_username()} edited comment {comment.pk}",
        {"before": before, "after": before + 1, "length": len(body)},
    )
    return comment


def _author_or_chair(comment: Comment, actor, standing: Standing, what: str) -> None:
    if comment.author_id != actor.pk and standing != Standing.CHAIR:
        raise NotAllowed(
            f"{what} a comment is for its author or the chair: comment {comment.pk} is "
            f"{comment.author.get_username()}'s.",
            action=Action.COMMENT,
        )


@transaction.atomic
def comment_resolve(*, comment: Comment, actor, channel: str = Channel.WEB) -> Comment:
    """Mark a comment resolved: its author or a chair. Resolved already: nothing changes."""
    standing = require(actor, Action.COMMENT)
    comment = _locked(comment)
    _author_or_chair(comment, actor, standing, "Resolving")
    if comment.is_resolved:
        return comment
    comment.resolved_at = timezone.now()
    comment.resolved_by = actor
    comment.save(update_fields=["resolved_at", "resolved_by"])
    _record(
        "comment.resolved",
        comment,
        actor,
        channel,
        f"{actor.get_username()} resolved comment {comment.pk}",
        {},
    )
    return comment


@transaction.atomic
def comment_reopen(*, comment: Comment, actor, channel: str = Channel.WEB) -> Comment:
    """Reopen a resolved comment: its author or a chair. Open already: nothing changes."""
    standing = require(actor, Action.COMMENT)
    comment = _locked(comment)
    _author_or_chair(comment, actor, standing, "Reopening")
    if not comment.is_resolved:
        return comment
    resolved = {
        "resolved_by": comment.resolved_by.get_username(),
        "resolved_at": comment.resolved_at.isoformat(),
    }
    comment.resolved_at = None
    comment.resolved_by = None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    _record(
        "comment.reopened",
        comment,
        actor,
        channel,
        f"{actor.get_username()} reopened comment {comment.pk}",
        resolved,
    )
    return comment


@transaction.atomic
def comment_hide(*, comment: Comment, reason: str, actor, channel: str = Channel.WEB) -> Comment:
    """A chair hides a comment, saying why. It is kept, with who hid it and why."""
    require(actor, Action.COMMENT_HIDE)
    reason = (reason if isinstance(reason, str) else "").strip()
    if not reason:
        raise GuidelineError("hiding a comment needs its reason: it is shown in its place")
    if len(reason) > MAX_HIDE_REASON_LENGTH:
        raise GuidelineError(f"the reason is at most {MAX_HIDE_REASON_LENGTH:,} characters")
    if "\x00" in reason:
        raise GuidelineError("the reason cannot contain the NUL character")
    comment = _locked(comment)
    if comment.is_hidden:
        raise RuleRefused(
            f"comment {comment.pk} was hidden already, by {comment.hidden_by.get_username()} "
            f"on {comment.hidden_at:%Y-%m-%d %H:%M} UTC"
        )
    comment.hidden_at = timezone.now()
    comment.hidden_by = actor
    comment.hidden_reason = reason
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _record(
        "comment.hidden",
        comment,
        actor,
        channel,
        f"{actor.get_username()} hid comment {comment.pk}: {reason[:200]}",
        {"reason": reason},
    )
    return comment


# Reading


def comments():
    return Comment.objects.select_related(
        "author",
        "resolved_by",
        "hidden_by",
        "guideline",
        "capability__guideline",
        "test__capability__guideline",
        "ballot__guideline",
    )


def comments_on(target):
    """Every comment on ``target``, first comments and replies, oldest first."""
    return comments().filter(**{target_field(target): target})


@dataclass
class Thread:
    """A first comment and its replies, oldest first (each names its ``parent``)."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def threads_of(roots) -> list[Thread]:
    """The threads of some first comments, their replies fetched in one query."""
    roots = list(roots)
    by_root = {root.pk: Thread(root) for root in roots}
    for reply in comments().filter(root__in=roots).order_by("created_at", "pk"):
        by_root[reply.root_id].replies.append(reply)
    return [by_root[root.pk] for root in roots]


def threads_on(target) -> list[Thread]:
    return threads_of(comments_on(target).filter(parent__isnull=True).order_by("created_at", "pk"))


def body_shown(comment: Comment, standing: Standing) -> bool:
    """A hidden comment's body is for chairs only."""
    return not comment.is_hidden or standing == Standing.CHAIR


def may_edit(comment: Comment, user) -> bool:
    return bool(user and user.is_authenticated and comment.author_id == user.pk)


def may_resolve(comment: Comment, user, standing: Standing) -> bool:
    return standing == Standing.CHAIR or (
        may_edit(comment, user) and standing in RULES[Action.COMMENT].standings
    )


# For notifications and the dashboard


def thread_participants(comment: Comment) -> list:
    """Everyone who wrote in ``comment``'s thread (its first comment and every
    reply, hidden ones included), by username: whom to tell of a new reply.
    The caller leaves out whoever made the change."""
    root_pk = comment.root_id or comment.pk
    authors = Comment.objects.filter(Q(pk=root_pk) | Q(root_id=root_pk)).values("author")
    return list(get_user_model().objects.filter(pk__in=authors).order_by("username"))


def comment_path(comment: Comment) -> str:
    """Where the page shows the comment: its target's page, at the comment."""
    target = comment.target
    if comment.ballot_id is not None:
        path = reverse("votes:ballot", args=[comment.ballot_id])
    elif comment.capability_id is not None:
        path = reverse("capabilities:capability", args=[target.guideline.key, target.key])
    elif comment.test_id is not None:
        # Tests have no page of their own: their capability's shows them.
        capability = target.capability
        path = reverse("capabilities:capability", args=[capability.guideline.key, capability.key])
    else:
        path = reverse("guidelines:detail", args=[target.key])
    return f"{path}#comment-{comment.pk}"


def threads_awaiting_reply(user) -> list[Comment]:
    """First comments of the open threads ``user`` wrote in whose latest comment is
    someone else's: the threads waiting for their answer, latest activity first.
    One query: each thread's latest visible comment is a subquery."""
    if user is None or not user.is_authenticated:
        return []
    mine = Comment.objects.filter(author=user)
    latest = Comment.objects.filter(
        Q(pk=OuterRef("pk")) | Q(root=OuterRef("pk")), hidden_at__isnull=True
    ).order_by("-created_at", "-pk")
    return list(
        comments()
        .filter(
            Q(pk__in=mine.values("root")) | Q(pk__in=mine.filter(root__isnull=True).values("pk")),
            resolved_at__isnull=True,
            hidden_at__isnull=True,
        )
        .annotate(
            latest_author=Subquery(latest.values("author")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1]),
        )
        .exclude(latest_author=user.pk)
        .order_by("-latest_at", "-pk")
    )


def detach_from_parts(sender, guideline, **kwargs):
    """Before a guideline's capabilities and tests are replaced (guidelines.signals):
    their comments hold on to the guideline, naming the part in ``anchor``."""
    on_capabilities = Comment.objects.filter(capability__guideline=guideline).select_related(
        "capability"
    )
    for comment in on_capabilities:
        Comment.objects.filter(pk=comment.pk).update(
            guideline=guideline, capability=None, anchor=f"capability:{comment.capability.key}"
        )
    on_tests = Comment.objects.filter(test__capability__guideline=guideline).select_related(
        "test__capability"
    )
    for comment in on_tests:
        Comment.objects.filter(pk=comment.pk).update(
            guideline=guideline,
            test=None,
            anchor=f"test:{comment.test.capability.key}:{comment.test.name}",
        )


def reattach_to_parts(sender, guideline, **kwargs):
    """After the new parts are stored: each comment finds its capability or test
    again by name. One the new document lacks stays on the guideline, anchored."""
    for comment in Comment.objects.filter(guideline=guideline).exclude(anchor=""):
        kind, _, name = comment.anchor.partition(":")
        if kind == "capability":
            found = Capability.objects.filter(guideline=guideline, key=name).first()
            change = {"capability": found}
        else:
            capability_key, _, test_name = name.partition(":")
            found = Test.objects.filter(
                capability__guideline=guideline, capability__key=capability_key, name=test_name
            ).first()
            change = {"test": found}
        if found is not None:
            Comment.objects.filter(pk=comment.pk).update(guideline=None, anchor="", **change)
