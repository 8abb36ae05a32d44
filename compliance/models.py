"""Test runs and the public keys that sign them; vendors, their products, and the
staff's verifications of runs that make up the public directory.

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
from django.db.models.functions import Lower


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
    product_version = models.ForeignKey(
        "ProductVersion",
        on_delete=models.PROTECT,
        related_name="runs",
        null=True,
        blank=True,
        help_text="The product this cloud runs: by a unique cpid match, or by its owner",
    )
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


class VendorStatus(models.TextChoices):
    # RefStack's life: a vendor starts private, asks the foundation, and becomes official.
    PRIVATE = "private", "Private"
    PENDING = "pending", "Waiting for the foundation's approval"
    OFFICIAL = "official", "Official"


class Vendor(models.Model):
    """A company that ships products; its admins manage them and link runs to them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    status = models.CharField(
        max_length=10, choices=VendorStatus.choices, default=VendorStatus.PRIVATE
    )
    admins = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="vendors")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="compliance_vendor_name_unique"),
            models.CheckConstraint(
                condition=Q(status__in=VendorStatus.values), name="compliance_vendor_status_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="compliance_vendor_name_given"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def official(self) -> bool:
        return self.status == VendorStatus.OFFICIAL


class VendorInvitation(models.Model):
    """An admin's invitation to another user to administer the vendor too.

    Nobody becomes a vendor's admin without accepting: an admin's signed runs link
    themselves to the vendor's products (and are public once linked to a listed one).
    """

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vendor_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "user"], name="compliance_invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} to {self.vendor}"


class ProductKind(models.TextChoices):
    DISTRIBUTION = "distribution", "Distribution"
    PUBLIC_CLOUD = "public-cloud", "Public cloud"
    HOSTED_PRIVATE_CLOUD = "hosted-private-cloud", "Hosted private cloud"


class Product(models.Model):
    """A distribution, a public cloud or a hosted private cloud of a vendor.

    The directory lists a product once it is public and its vendor official.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    kind = models.CharField(max_length=24, choices=ProductKind.choices)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)
    public = models.BooleanField(default=False, help_text="Listed in the directory")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["vendor__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "slug"], name="compliance_product_slug"),
            models.UniqueConstraint("vendor", Lower("name"), name="compliance_product_name_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=ProductKind.values), name="compliance_product_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="compliance_product_name_given"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor.name} {self.name}"


class ProductVersion(models.Model):
    """A release of a product; ``cpid`` names the cloud that runs it, when one does."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=50)
    cpid = models.CharField(max_length=128, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version"], name="compliance_version_unique"
            ),
            models.CheckConstraint(condition=~Q(version=""), name="compliance_version_given"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.version}"


class Verification(models.Model):
    """The staff's word that a run complies with a guideline for a target.

    The report's outcome is kept as it was when verified (which capabilities
    passed), so the directory compares products without re-reading their runs. A
    verified run changes no more: neither its link, nor its sharing.
    """

    run = models.ForeignKey(TestRun, on_delete=models.PROTECT, related_name="verifications")
    guideline = models.ForeignKey(
        "guidelines.Guideline", on_delete=models.PROTECT, related_name="verifications"
    )
    target = models.CharField(max_length=100)
    # {capability key: passed} for every capability the report covered.
    capabilities = models.JSONField(default=dict)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verifications"
    )
    verified_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-verified_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "guideline", "target"], name="compliance_verification_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.guideline_id} {self.target}"
