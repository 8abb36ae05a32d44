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

from django.conf import settings
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

    def drafts(self):
        return self.filter(status=GuidelineStatus.DRAFT)


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


class ProgramKind(models.TextChoices):
    PLATFORM = "platform", "Platform"
    ADD_ON = "add_on", "Add-on"


class Program(DocumentPart):
    """A platform or an add-on: a named set of components a product can claim.

    1.x documents have one unnamed ``platform`` object (name ``""``) whose
    components carry a status; 2.0 has ``platforms`` and ``add-ons`` keyed by
    name ("OpenStack Powered Platform", "Orchestration").
    """

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="programs")
    kind = models.CharField(max_length=16, choices=ProgramKind.choices)
    name = models.TextField(blank=True)
    description = models.TextField(null=True, blank=True)

    class Meta(DocumentPart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "kind", "name"], name="guidelines_program_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ProgramKind.values), name="guidelines_program_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name or "platform"


class ProgramComponentRole(models.TextChoices):
    MEMBER = "components", "Component"
    REQUIRED_PLATFORM = "required_platform_components", "Required platform component"
    OPTIONAL_PLATFORM = "optional_platform_components", "Optional platform component"


class CapabilityStatus(models.TextChoices):
    REQUIRED = "required", "Required"
    ADVISORY = "advisory", "Advisory"
    DEPRECATED = "deprecated", "Deprecated"
    REMOVED = "removed", "Removed"


class ProgramComponent(DocumentPart):
    """A reference from a program to a component, in document order."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="components")
    role = models.CharField(max_length=32, choices=ProgramComponentRole.choices)
    # 1.x platform lists components by status; 2.0 has no status here (NULL).
    status = models.CharField(
        max_length=16, choices=CapabilityStatus.choices, null=True, blank=True
    )
    name = models.TextField(null=True, blank=True)
    source = models.TextField(null=True, blank=True)

    class Meta(DocumentPart.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=ProgramComponentRole.values),
                name="guidelines_programcomponent_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.name}"


class Component(DocumentPart):
    """``compute``/``object`` (1.x) or ``os_powered_compute`` (2.0)."""

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="components")
    name = models.TextField()

    class Meta(DocumentPart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "name"], name="guidelines_component_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EntryKind(models.TextChoices):
    CAPABILITY = "capabilities", "Capability"
    DESIGNATED_SECTION = "designated_sections", "Designated section"


class ComponentEntry(DocumentPart):
    """One name in a component's status list, in its original order.

    Status belongs to (guideline, component, capability): a capability can be
    required in one component and advisory in another. Names are not foreign
    keys because real guidelines list capabilities they never define; a name
    listed twice is a process finding, not something the database refuses, or
    the committee could not load the files it has to fix.
    """

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=32, choices=EntryKind.choices)
    status = models.CharField(max_length=16, choices=CapabilityStatus.choices)
    name = models.TextField()

    class Meta(DocumentPart.Meta):
        verbose_name_plural = "component entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CapabilityStatus.values),
                name="guidelines_componententry_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values),
                name="guidelines_componententry_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["name"], name="guidelines_entry_name_idx")]

    def __str__(self) -> str:
        return f"{self.status} {self.kind}: {self.name}"


class SectionStatus(models.TextChoices):
    REQUIRED = "required", "Required"
    ADVISORY = "advisory", "Advisory"
    DEPRECATED = "deprecated", "Deprecated"
    REMOVED = "removed", "Removed"
    INFORMATIONAL = "informational", "Informational"


class DesignatedSection(DocumentPart):
    """What code of a project must be present, for one status.

    1.x nests status -> project, 2.0 project -> status; ``position`` is the
    row's order in its document either way.
    """

    guideline = models.ForeignKey(
        Guideline, on_delete=models.CASCADE, related_name="designated_sections"
    )
    project = models.TextField()
    status = models.CharField(max_length=16, choices=SectionStatus.choices)
    guidance = models.TextField(null=True, blank=True)
    comment = models.TextField(null=True, blank=True)

    class Meta(DocumentPart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "project", "status"],
                name="guidelines_designatedsection_unique_status",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SectionStatus.values),
                name="guidelines_designatedsection_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} ({self.status})"


class Section(DocumentPart):
    designated_section = models.ForeignKey(
        DesignatedSection, on_delete=models.CASCADE, related_name="sections"
    )
    name = models.TextField()
    description = models.TextField(null=True, blank=True)
    designated = models.BooleanField(null=True, blank=True)
    comment = models.TextField(null=True, blank=True)

    class Meta(DocumentPart.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["designated_section", "name"], name="guidelines_section_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TestRepository(DocumentPart):
    """Where the tests come from (1.x ``git-sha``/``url``, 2.0 ``reference``/``repository``)."""

    guideline = models.ForeignKey(
        Guideline, on_delete=models.CASCADE, related_name="test_repositories"
    )
    name = models.TextField()
    repository = models.TextField(null=True, blank=True)
    reference = models.TextField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)

    class Meta(DocumentPart.Meta):
        verbose_name_plural = "test repositories"
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "name"], name="guidelines_testrepository_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    IMPORTED = "imported", "Imported"
    REPLACED = "replaced", "Replaced by an import"
    DRAFT_STARTED = "draft_started", "Draft started"
    CAPABILITY_PROPOSED = "capability_proposed", "Capability proposed"
    CAPABILITY_CHANGED = "capability_changed", "Capability changed"
    CAPABILITY_MOVED = "capability_moved", "Capability moved"
    CAPABILITIES_REGROUPED = "capabilities_regrouped", "Capabilities regrouped"
    TEST_FLAGGED = "test_flagged", "Test flagged"
    TEST_UNFLAGGED = "test_unflagged", "Test unflagged"
    SCORED = "scored", "Scored"
    CONSENSUS_SET = "consensus_set", "Consensus set"
    CRITERION_CHANGED = "criterion_changed", "Criterion changed"
    WORKSHEET_IMPORTED = "worksheet_imported", "Worksheet imported"
    FINDING_OVERRIDDEN = "finding_overridden", "Finding overridden"


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
    # NULL: done by an operator on the command line, not a signed-in user.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
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
