"""What happened to a guideline: the append-only event log, and the chair's answers
to process findings."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from guidelines.models.document import Guideline


class EventKind(models.TextChoices):
    IMPORTED = "imported", "Imported"
    REPLACED = "replaced", "Replaced by an import"
    DRAFT_STARTED = "draft_started", "Draft started"
    STATUS_CHANGED = "status_changed", "Status changed"
    CAPABILITY_PROPOSED = "capability_proposed", "Capability proposed"
    CAPABILITY_CHANGED = "capability_changed", "Capability changed"
    CAPABILITY_MOVED = "capability_moved", "Capability moved"
    CAPABILITY_RENAMED = "capability_renamed", "Capability renamed"
    CAPABILITIES_REGROUPED = "capabilities_regrouped", "Capabilities regrouped"
    TEST_FLAGGED = "test_flagged", "Test flagged"
    TEST_UNFLAGGED = "test_unflagged", "Test unflagged"
    SCORED = "scored", "Scored"
    SCORE_WITHDRAWN = "score_withdrawn", "Score withdrawn"
    CONSENSUS_SET = "consensus_set", "Consensus set"
    CRITERION_CHANGED = "criterion_changed", "Criterion changed"
    WORKSHEET_IMPORTED = "worksheet_imported", "Worksheet imported"
    FINDING_OVERRIDDEN = "finding_overridden", "Finding overridden"
    APPROVED = "approved", "Approved as a release"
    REPLACES_CHANGED = "replaces_changed", "Now replaces another guideline"


class EventChannel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    IMPORT = "import", "Import"
    COMMAND = "command", "Command line"


class GuidelineEventQuerySet(models.QuerySet):
    def imports(self):
        return self.filter(kind__in=[EventKind.IMPORTED, EventKind.REPLACED])


class GuidelineEvent(models.Model):
    """The append-only log of what happened to a guideline: who, when, how, what.

    Written by the service that makes the change, in the same transaction.
    ``data`` holds what the kind needs: for an import the file, its digest
    and the importer's warnings; for a draft its source.
    """

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    channel = models.CharField(max_length=16, choices=EventChannel.choices)
    # Always someone: a signed-in person, or the system user for a command an
    # operator ran (committee.system). Events written before there was a system
    # user were given it by migration 0007.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # What the event is about: a capability key, a test, a rule...
    subject = models.TextField(blank=True)
    summary = models.TextField()
    # What the kind needs; for a change, "before" and "after".
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GuidelineEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values),
                name="guidelines_guidelineevent_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=EventChannel.values),
                name="guidelines_guidelineevent_channel_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guideline}: {self.summary}"


class RuleOverride(models.Model):
    """A chair's written answer to a process finding (2017A A7.2).

    The finding stays visible, marked as overridden with the justification.
    """

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="overrides")
    rule = models.CharField(max_length=100)
    subject = models.TextField()
    justification = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["guideline_id", "rule", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "rule", "subject"], name="guidelines_ruleoverride_unique"
            ),
            models.CheckConstraint(
                condition=~Q(justification=""), name="guidelines_ruleoverride_justified"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guideline}: {self.rule} {self.subject}"
