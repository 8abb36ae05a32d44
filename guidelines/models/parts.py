"""The parts of a guideline document: programs, components and their lists, designated
sections, test repositories, criteria, capabilities and tests.

See ``guidelines.models.document`` for ``position``, ``layout`` and ``extra``.
"""

from django.db import models
from django.db.models import Q

from guidelines.models.document import DocumentPart, Guideline


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


class OrderedStatus(models.TextChoices):
    """Statuses declared in the committee's order, which pages, diffs and findings list them in."""

    @classmethod
    def rank(cls, status: str) -> int:
        """A sort key: in the declared order, anything else after."""
        try:
            return cls.values.index(status)
        except ValueError:
            return len(cls.values)


class CapabilityStatus(OrderedStatus):
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


class SectionStatus(OrderedStatus):
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
                fields=["guideline", "key"], name="guidelines_criterion_unique_key"
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
                fields=["guideline", "key"], name="guidelines_capability_unique_key"
            ),
        ]
        indexes = [models.Index(fields=["key"], name="guidelines_capability_key_idx")]

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
                fields=["capability", "name"], name="guidelines_test_unique_name"
            ),
        ]
        indexes = [
            models.Index(fields=["idempotent_id"], name="guidelines_test_id_idx"),
            models.Index(fields=["name"], name="guidelines_test_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name
