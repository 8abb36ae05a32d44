"""A release: the guideline approved as ``YYYY.MM``, what its approval rests on, and
the publishing work that follows it.

The approval itself (the release guideline, its validated JSON revision 1, the
superseding, the draft going on) commits in one transaction
(``releases.services.guideline_approve``). What takes longer runs after the
commit as Celery tasks, one ``PublishingStep`` each, in order: the renderings,
the bundle, the announcement (feed and webhooks). A step that failed can be
retried; each step is written so that running it twice changes nothing more.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from guidelines.models import Guideline
from votes.models import Ballot


class Release(models.Model):
    guideline = models.OneToOneField(Guideline, on_delete=models.PROTECT, related_name="release")
    # The draft it was approved from: it goes on, replacing the release.
    draft = models.ForeignKey(Guideline, on_delete=models.PROTECT, related_name="+")
    replaces = models.ForeignKey(
        Guideline, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # What the approval rests on: a passed approval ballot, or, for history
    # approved before this site, the reason recorded by whoever entered it.
    ballot = models.OneToOneField(
        Ballot, on_delete=models.PROTECT, related_name="release", null=True, blank=True
    )
    approved_elsewhere = models.TextField(blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now)
    superseded = models.JSONField(default=list, blank=True, help_text="Keys it superseded")
    # Taken at approval, for the bundle: the draft's worksheets and the findings
    # the chair overrode, which the next cycle's drafting will change.
    record = models.JSONField(default=dict, blank=True)
    bundle = models.BinaryField(null=True, blank=True)
    bundle_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-approved_at", "-pk"]
        constraints = [
            # Exactly one authority: a ballot, or a reason.
            models.CheckConstraint(
                condition=(Q(ballot__isnull=False) & Q(approved_elsewhere=""))
                | (Q(ballot__isnull=True) & ~Q(approved_elsewhere="")),
                name="releases_release_one_authority",
            ),
            # A bundle comes with its digest, and never one without the other.
            models.CheckConstraint(
                condition=(Q(bundle__isnull=True) & Q(bundle_sha256=""))
                | (Q(bundle__isnull=False) & Q(bundle_sha256__regex=r"^[0-9a-f]{64}$")),
                name="releases_release_bundle_digest",
            ),
        ]

    def __str__(self) -> str:
        return self.guideline.key if self.guideline_id else "release"

    @property
    def key(self) -> str:
        return self.guideline.key


class StepName(models.TextChoices):
    RENDERINGS = "renderings", "Renderings (RST, Markdown, HTML)"
    BUNDLE = "bundle", "Release bundle"
    ANNOUNCE = "announce", "Announcement (feed and webhooks)"


# The order they run in: the bundle holds the renderings; the announcement links the bundle.
STEP_ORDER = (StepName.RENDERINGS, StepName.BUNDLE, StepName.ANNOUNCE)


class StepStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PublishingStep(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=16, choices=StepName.choices)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=StepStatus.choices, default="pending")
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["release", "position"]
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="releases_step_once"),
            models.CheckConstraint(
                condition=Q(name__in=StepName.values), name="releases_step_name_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=StepStatus.values), name="releases_step_status_valid"
            ),
            # Failed says why; nothing else keeps an error.
            models.CheckConstraint(
                condition=(Q(status="failed") & ~Q(error="")) | (~Q(status="failed") & Q(error="")),
                name="releases_step_error_iff_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.release_id}: {self.name} {self.status}"
