"""Capabilities, their tests, and the criteria they are scored against.

See guidelines.models for ``position``, ``layout`` and ``extra``.
"""

from django.db import models

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
