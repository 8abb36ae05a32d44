"""The drafting and scoring workspace's own records: each member's scores, the
committee's consensus, lineage of regrouped capabilities, scoring worksheets.

The capabilities, tests and criteria they are about are parts of the guideline
document (``guidelines.models``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from capabilities.arithmetic import NON_ADMIN, UNDECIDED
from guidelines.models import Capability, Guideline


class ScoreValue(models.TextChoices):
    MET = "1", "Met"
    NOT_MET = "0", "Not met"
    UNDECIDED = UNDECIDED, "Not decided"


__all__ = [
    "NON_ADMIN",
    "Consensus",
    "ConsensusSource",
    "Lineage",
    "Score",
    "ScoreValue",
    "WrittenAchievements",
]


class Score(models.Model):
    """One committee member's verdict on one criterion of one capability."""

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="scores")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A criterion key of the capability's guideline, or NON_ADMIN.
    criterion = models.CharField(max_length=100)
    value = models.CharField(max_length=1, choices=ScoreValue.choices)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["capability_id", "criterion", "scorer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "scorer", "criterion"],
                name="capabilities_score_one_per_scorer",
            ),
            models.CheckConstraint(
                condition=Q(value__in=ScoreValue.values), name="capabilities_score_value_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capability} {self.criterion}={self.value} by {self.scorer}"


class ConsensusSource(models.TextChoices):
    CHAIR = "chair", "Set by the chair"
    UNANIMOUS = "unanimous", "All scorers agree"
    WORKSHEET = "worksheet", "Imported from a worksheet"


class Consensus(models.Model):
    """The committee's score of a capability on one criterion: what totals count."""

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="consensus")
    criterion = models.CharField(max_length=100)
    value = models.CharField(max_length=1, choices=ScoreValue.choices)
    source = models.CharField(max_length=16, choices=ConsensusSource.choices)
    # NULL for automatic consensus and imports from the command line.
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "consensus scores"
        ordering = ["capability_id", "criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "criterion"], name="capabilities_consensus_one_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(value__in=ScoreValue.values),
                name="capabilities_consensus_value_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=ConsensusSource.values),
                name="capabilities_consensus_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capability} {self.criterion}={self.value} ({self.source})"


class Lineage(models.Model):
    """A capability of a draft made from one of the previous guideline (2017A A2.3).

    Renames and regroups (2015.07 regrouped 46 capabilities at once) are
    recorded so the A4.5/A4.6 checks follow a capability into its successors.
    """

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="lineage")
    # The key in the previous guideline; not a foreign key, as the previous
    # guideline may not define it (or may not be on this site).
    predecessor = models.TextField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["capability_id", "predecessor"]
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "predecessor"], name="capabilities_lineage_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} -> {self.capability}"


class Worksheet(models.Model):
    """A scoring worksheet of a guideline, as the committee writes it (scoring.txt).

    ``lines`` are the file's lines: prose as strings, score lines as objects
    (name, prefix, template; values only for names that are not capabilities
    of the guideline, since a capability's values are its consensus scores).
    """

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="worksheets")
    name = models.CharField(max_length=200)
    lines = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["guideline_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "name"], name="capabilities_worksheet_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guideline}: {self.name}"


class WrittenAchievements(models.Model):
    """A capability's achievements as its document wrote them, before the consensus replaced them.

    Once every criterion has a consensus, a capability's achievements are
    derived from it (``capabilities.services.scoring.achievements_derive``).
    If the consensus becomes incomplete again (a member withdraws their
    scores, scorers come to disagree), the document's own achievements come
    back from here: withdrawing a score undoes what it did.
    """

    capability = models.OneToOneField(
        Capability, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    achievements = models.JSONField(null=True, blank=True)
    # Whether the document had an "achievements" key (its layout listed it).
    listed = models.BooleanField()
    # The misspelled copy some real files carry ("acheivements"), dropped on derivation.
    misspelled = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.capability} as written"
