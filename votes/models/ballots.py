"""Deliberation: ballots and the positions members take on them.

A ballot asks the committee one question about one guideline. Its electorate
is fixed when it opens (the members seated then: ``Voter``), and so are its
quorum and threshold. Positions are append-only: a member's change adds a row,
and only the latest (``current``) counts; the database allows one current
position per member per ballot. The outcome is computed once, when the ballot
closes, and stored with its tally (``votes.rules`` does the arithmetic).

Seats and roles live in ``committee``; every change is recorded in
``committee.models.Event``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from guidelines.models import Guideline


class BallotKind(models.TextChoices):
    APPROVAL = "approval", "Approval of a draft"
    CAPABILITIES = "capabilities", "Capability status changes in a draft"
    FLAG = "flag", "A flag request"
    QUESTION = "question", "A question"


class BallotStatus(models.TextChoices):
    OPEN = "open", "Open"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    NO_QUORUM = "no_quorum", "No quorum"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PositionValue(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    ABSTAIN = "abstain", "Abstain"
    # Left out of the base: a member with a conflict of interest says so.
    RECUSE = "recuse", "Recuse"
    # Prevents a pass while it stands; only its author can lift it (Gerrit's sticky -2).
    BLOCK = "block", "Block"


class Ballot(models.Model):
    guideline = models.ForeignKey(Guideline, on_delete=models.PROTECT, related_name="ballots")
    kind = models.CharField(max_length=16, choices=BallotKind.choices)
    question = models.TextField()
    # What the ballot is about, by kind: capabilities: [{"capability", "component",
    # "status"}]; flag: {"test", "date", "reason", "action"}; approval: {"revision"}, the
    # draft's revision voted on; question: {}.
    subject = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=BallotStatus.choices, default="open")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()
    # Fixed at opening, as the electorate is.
    quorum = models.PositiveIntegerField(help_text="Positions other than recuse needed")
    threshold_numerator = models.PositiveSmallIntegerField(default=2)
    threshold_denominator = models.PositiveSmallIntegerField(default=3)
    positions_visible = models.BooleanField(
        default=True, help_text="Whether positions and the tally show while the ballot is open"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    close_reason = models.TextField(blank=True)
    # Written once, at closing, and never recomputed.
    tally = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=BallotKind.values), name="votes_ballot_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=BallotStatus.values), name="votes_ballot_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opened_at")), name="votes_ballot_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(threshold_denominator__gt=0)
                & Q(threshold_numerator__lte=F("threshold_denominator")),
                name="votes_ballot_threshold_is_a_fraction",
            ),
            # Open means not closed; every other status means closed, with its tally.
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_at__isnull=True) & Q(tally__isnull=True))
                | (~Q(status="open") & Q(closed_at__isnull=False) & Q(tally__isnull=False)),
                name="votes_ballot_closed_with_tally",
            ),
        ]

    def __str__(self) -> str:
        return f"Ballot {self.pk} on {self.guideline.key}: {self.question[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status == BallotStatus.OPEN

    @property
    def threshold(self) -> str:
        return f"{self.threshold_numerator}/{self.threshold_denominator}"


class Voter(models.Model):
    """A member of a ballot's electorate: seated when it opened."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="voters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "user"], name="votes_voter_once_per_ballot")
        ]

    def __str__(self) -> str:
        return f"{self.user} on ballot {self.ballot_id}"


class Position(models.Model):
    """One position a voter took; a change adds a row and the latest is ``current``."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="positions")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(max_length=16, choices=PositionValue.choices)
    # Required for block (why) and recuse (the conflict of interest).
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__in=PositionValue.values), name="votes_position_value_valid"
            ),
            models.UniqueConstraint(
                fields=["ballot", "voter"],
                condition=Q(current=True),
                name="votes_one_current_position",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter}: {self.value}"
