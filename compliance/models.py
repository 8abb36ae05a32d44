"""Test runs and the public keys that sign them.

A run is what refstack-client uploads: a cloud's id (``cpid``), how long tempest
ran, and the tests that passed, by name and idempotent id. The tests are kept as
one JSON list on the run, not a row each: a run is written once and read whole
(RefStack's row per test took 24 s to accept 50,000).

An unsigned run is public. A signed run belongs to the owner of the key that
signed it, and is seen by the owner and the foundation's staff until it is shared.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class TestRun(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cpid = models.CharField(max_length=128, help_text="The cloud's id, as the client read it")
    duration_seconds = models.PositiveIntegerField()
    # [[name, uuid or ""], ...] in upload order; uuid is tempest's idempotent id, bare.
    tests = models.JSONField(default=list)
    test_count = models.PositiveIntegerField()
    # From a subunit stream only: the tests that failed or were skipped, [[name, uuid]],
    # so that a report tells "failed" and "not run" from "missing".
    failed = models.JSONField(default=list, blank=True)
    skipped = models.JSONField(default=list, blank=True)
    source = models.CharField(
        max_length=8,
        choices=[("json", "refstack-client JSON"), ("subunit", "subunit v2 stream")],
        default="json",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="test_runs",
        null=True,
        blank=True,
        help_text="The owner of the key that signed it; none for an unsigned run",
    )
    shared = models.BooleanField(default=False, help_text="A signed run its owner made public")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cpid", "-created_at"], name="compliance_run_cpid")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_seconds__lte=2**31 - 1), name="compliance_run_duration_int32"
            ),
            models.CheckConstraint(condition=~Q(cpid=""), name="compliance_run_cpid_given"),
            models.CheckConstraint(
                condition=Q(source__in=["json", "subunit"]), name="compliance_run_source_valid"
            ),
            # Only a signed run has something to share.
            models.CheckConstraint(
                condition=Q(shared=False) | Q(owner__isnull=False),
                name="compliance_run_shared_if_signed",
            ),
        ]

    __test__ = False  # a model, not a pytest test class

    def __str__(self) -> str:
        return f"run {self.id} of {self.cpid}"

    @property
    def signed(self) -> bool:
        return self.owner_id is not None


class PublicKey(models.Model):
    """An OpenSSH RSA public key a user signs uploads with (``refstack-client -i KEY``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="public_keys"
    )
    # "ssh-rsa AAAA...", without the comment: what a signed upload's X-Public-Key is matched on.
    key = models.TextField()
    comment = models.CharField(max_length=200, blank=True)
    # SHA-256 of the key blob, as ssh-keygen -l shows it: unique across users.
    fingerprint = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user}: SHA256:{self.fingerprint}"
