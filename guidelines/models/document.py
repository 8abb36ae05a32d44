"""The relational model of an interop guideline document.

A guideline is stored as rows (components, capabilities, tests, criteria, ...)
that the rest of the application queries, scores, votes on and diffs. Every
row that stands for a JSON object of the document also keeps what is needed
to give that object back exactly as the committee wrote it:

- ``position``: where the object stood among its siblings (JSON objects and
  lists keep their order through import and export);
- ``layout``: the keys of the object (and of its nested plain objects) in
  document order, spelled as in the document, e.g. ``required-since`` in a
  2.0 file. ``{}`` means "no document behind this row": the exporter uses the
  schema generation's default layout. Presence of a key is decided here, so a
  field that was absent stays absent;
- ``extra``: JSON values the model does not represent, kept verbatim and keyed
  by a JSON pointer relative to the object (``"acheivements"``,
  ``"metadata/scoring/criteria"``). They are unknown or misspelled keys, and
  values of an unexpected type or spelling (``"admin": "false"``,
  ``"status": "superceded"``). On export a verbatim value wins over the column
  that interprets it, so services that change a field drop its verbatim copy
  (see ``interop_format.fields.field_set``).
"""

from django.db import models
from django.db.models import Q


class DocumentPart(models.Model):
    position = models.PositiveIntegerField(default=0)
    layout = models.JSONField(default=dict, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["position"]


class GuidelineStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "Review"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class SchemaGeneration(models.TextChoices):
    V1_2 = "1.2", "1.2"
    V1_3 = "1.3", "1.3"
    V1_4 = "1.4", "1.4"
    V1_5 = "1.5", "1.5"
    V1_6 = "1.6", "1.6"
    V2_0 = "2.0", "2.0"


class GuidelineQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=GuidelineStatus.APPROVED)


class Guideline(DocumentPart):
    """One guideline document: ``2020.06``, ``next``, ``orchestration.2020.06``."""

    # The name the committee and tooling use (the file name without .json).
    key = models.CharField(max_length=100, unique=True)
    schema = models.CharField(max_length=8, choices=SchemaGeneration.choices)
    status = models.CharField(
        max_length=16, choices=GuidelineStatus.choices, default=GuidelineStatus.DRAFT
    )
    # The document's own "id"; usually the key, but real files disagree
    # (orchestration.2018.02 says "orchestration.next"). NULL: no id key.
    doc_id = models.TextField(null=True, blank=True)
    reference = models.TextField(null=True, blank=True)
    source = models.TextField(null=True, blank=True)
    replaces = models.TextField(null=True, blank=True)
    releases = models.JSONField(null=True, blank=True)
    # 1.x writes "YYYY-MM-DD", 2.0 "YYYY.MM" (add-ons "<add-on>.YYYY.MM").
    target_approval = models.TextField(null=True, blank=True)
    cutoff_score = models.IntegerField(null=True, blank=True)
    # Goes up with every change to the guideline's content: what tooling's
    # caches (ETag) and the editors' conflict checks compare.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GuidelineQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=GuidelineStatus.values),
                name="guidelines_guideline_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(schema__in=SchemaGeneration.values),
                name="guidelines_guideline_schema_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def family(self) -> str:
        """'' for the powered platform, else the add-on or vertical prefix.

        ``orchestration.2020.06`` and ``orchestration.next`` are add-on
        ``orchestration``; ``2020.06``, ``next`` and the old ``2015.next`` are
        the powered platform.
        """
        head, sep, _ = self.key.partition(".")
        if not sep or head.isdigit() or head == "next":
            return ""
        return head

    @property
    def is_v2(self) -> bool:
        return self.schema == SchemaGeneration.V2_0
