"""Capabilities, their tests, and the criteria they are scored against.

See guidelines.models for ``position``, ``layout`` and ``extra``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from guidelines.models import DocumentPart, Guideline


class Criterion(DocumentPart):
    """A scoring criterion of one guideline (``deployed``, weight 8, ...)."""

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="criteria")
    key = models.TextField()
    name = models.TextField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    weight = models.IntegerField(null=True, blank=True)

    class Meta(DocumentPart.Meta):
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "key"], name="capabilities_criterion_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class Capability(DocumentPart):
    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="capabilities")
    key = models.TextField()
    achievements = models.JSONField(null=True, blank=True)
    admin = models.BooleanField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    project = models.TextField(null=True, blank=True)
    # "" means "not required" (d096a9f); NULL means the key is absent.
    required_since = models.TextField(null=True, blank=True)
    # Goes up with each edit: an editor who read an older version gets a
    # conflict instead of silently overwriting someone else's change.
    version = models.PositiveIntegerField(default=1)

    class Meta(DocumentPart.Meta):
        verbose_name_plural = "capabilities"
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "key"], name="capabilities_capability_unique_key"
            ),
        ]
        indexes = [models.Index(fields=["key"], name="capabilities_cap_key_idx")]

    def __str__(self) -> str:
        return self.key


class Test(DocumentPart):
    """A test of a capability, keyed by its fully qualified name."""

    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="tests")
    name = models.TextField()
    # As stored: "id-<uuid>" in platform files, a bare uuid in add-ons.
    idempotent_id = models.TextField(null=True, blank=True)
    aliases = models.JSONField(null=True, blank=True)
    # A flagged test is not required (2017A D2). The flag object is present
    # when is_flagged is true; its fields may still be missing.
    is_flagged = models.BooleanField(default=False)
    flag_date = models.TextField(null=True, blank=True)
    flag_reason = models.TextField(null=True, blank=True)
    flag_action = models.TextField(null=True, blank=True)

    # Not a pytest test class, despite the name.
    __test__ = False

    class Meta(DocumentPart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "name"], name="capabilities_test_unique_name"
            ),
        ]
        indexes = [
            models.Index(fields=["idempotent_id"], name="capabilities_test_id_idx"),
            models.Index(fields=["name"], name="capabilities_test_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class ScoreValue(models.TextChoices):
    MET = "1", "Met"
    NOT_MET = "0", "Not met"
    UNDECIDED = "?", "Not decided"


# Besides the guideline's criteria, every capability answers the Non-Admin
# question: 1 if it works without admin rights (CoreCriteria's veto).
NON_ADMIN = "non-admin"


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
