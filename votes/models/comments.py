"""Review comments: anyone signed in comments on a guideline, a capability, a
test or a ballot, in threads of replies.

A comment's target is one of four foreign keys, and the database allows
exactly one of them to be set (``votes_comment_one_target``): no generic
relation that a typo in a content type could point at nothing. A reply names
its ``parent`` and the thread's first comment (``root``); it is on the same
target as its parent (``votes.comments`` sees to it).

The body is Markdown. It is rendered to sanitised HTML once, when it is written
(``votes.markdown``), and that HTML is stored beside it: reads far outnumber
writes, and a page then never runs the sanitiser. Each body the comment ever
had is a ``CommentRevision``, append-only; the comment's ``body`` is the latest.
A comment is never deleted: a chair hides it, and the row says who, when and why.
"""

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import Q

from guidelines.models import Capability, Guideline, Test
from votes.models.ballots import Ballot

# The longest body a comment may have, in characters.
MAX_COMMENT_LENGTH = 20_000
MAX_HIDE_REASON_LENGTH = 2_000
TARGETS = ("guideline", "capability", "test", "ballot")


def _exactly_one_target() -> Q:
    """One target set and the other three NULL, for each of the four in turn."""
    return reduce(
        operator.or_,
        (Q(**{f"{name}__isnull": name != chosen for name in TARGETS}) for chosen in TARGETS),
    )


class Comment(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The target: exactly one of these. PROTECT: a comment outlives nothing it is about.
    guideline = models.ForeignKey(
        Guideline, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    capability = models.ForeignKey(
        Capability, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    test = models.ForeignKey(
        Test, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    ballot = models.ForeignKey(
        Ballot, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    # A reply: the comment it answers, and the thread's first comment.
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    root = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="thread"
    )
    # While a guideline's document is replaced, a comment on one of its capabilities
    # or tests holds on to the guideline and names the part here
    # ("capability:KEY" or "test:KEY:NAME"), then finds the new row by that name.
    # Left set when the new document has no such part: the thread keeps its place.
    anchor = models.CharField(max_length=600, blank=True)
    body = models.TextField(help_text="Markdown, as its author wrote it: the latest revision")
    body_html = models.TextField(help_text="The body rendered and sanitised when it was written")
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_target(), name="votes_comment_one_target"
            ),
            # A reply knows its thread; a first comment is its own.
            models.CheckConstraint(
                condition=(Q(parent__isnull=True) & Q(root__isnull=True))
                | (Q(parent__isnull=False) & Q(root__isnull=False)),
                name="votes_comment_reply_has_root",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolved_by__isnull=True)
                | Q(resolved_at__isnull=False, resolved_by__isnull=False),
                name="votes_comment_resolved_by_someone",
            ),
            # Hidden says by whom and why.
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True, hidden_by__isnull=True, hidden_reason="")
                | (Q(hidden_at__isnull=False, hidden_by__isnull=False) & ~Q(hidden_reason="")),
                name="votes_comment_hidden_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["root", "created_at"], name="votes_comment_thread_order")]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author}"

    @property
    def target(self):
        """The guideline, capability, test or ballot the comment is about."""
        for name in TARGETS:
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None

    @property
    def target_type(self) -> str:
        return next(name for name in TARGETS if getattr(self, f"{name}_id") is not None)

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class CommentRevision(models.Model):
    """One body a comment had: the first when posted, one more for each edit.
    Never updated nor deleted; the comment's ``body`` is the latest."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    body_html = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["comment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "number"], name="votes_comment_revision_once"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="votes_comment_revision_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.comment_id} revision {self.number}"
