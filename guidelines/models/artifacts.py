"""What a published guideline is served from: its bytes, fixed once written.

When a guideline is approved (``releases``), its JSON document is generated
once, validated, and stored here as revision 1 with its SHA-256; tooling is
served those bytes from then on. The only change a published guideline takes
is a test flag (2017A D2.1, HACKING D301, D311): each flag change stores a new
revision, and every revision stays downloadable at its own URL. The
human-readable renderings of a revision (RST, Markdown, HTML) are stored beside
its JSON, by the publishing tasks.

A revision here is the *published* revision (1, 2, ...), not
``Guideline.revision``, which counts every change since the guideline was
created and feeds ETags.
"""

from django.db import models
from django.db.models import Q

from guidelines.models.document import Guideline


class ArtifactFormat(models.TextChoices):
    JSON = "json", "JSON document"
    RST = "rst", "reStructuredText"
    MARKDOWN = "md", "Markdown"
    HTML = "html", "HTML"


class ArtifactQuerySet(models.QuerySet):
    def documents(self):
        return self.filter(format=ArtifactFormat.JSON)


class Artifact(models.Model):
    guideline = models.ForeignKey(Guideline, on_delete=models.PROTECT, related_name="artifacts")
    number = models.PositiveIntegerField(help_text="The published revision: 1 at approval")
    format = models.CharField(max_length=8, choices=ArtifactFormat.choices)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    # Whether the JSON was checked against the corrected schema of its generation:
    # always at approval; history imported as published is stored as it came.
    validated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last, as in the table (migration 0011): SQLite writes a last blob in place.
    body = models.BinaryField()

    objects = ArtifactQuerySet.as_manager()

    class Meta:
        ordering = ["guideline", "number", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "number", "format"], name="guidelines_artifact_once"
            ),
            models.CheckConstraint(
                condition=Q(format__in=ArtifactFormat.values),
                name="guidelines_artifact_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="guidelines_artifact_sha256_hex",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="guidelines_artifact_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.guideline_id} revision {self.number} ({self.format})"

    def save(self, *args, **kwargs):
        # Written once: a published revision that changed would make its digest a lie.
        if self.pk is not None and not self._state.adding:
            raise ValueError("a published artifact is never changed; store a new revision")
        super().save(*args, **kwargs)
