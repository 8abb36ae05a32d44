"""Reading compliance as the caller may see it: RefStack's visibility of runs, the
vendors one administers, and the public directory."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from committee.permissions import is_staff
from compliance.models import Product, TestRun, Vendor, VendorStatus, Verification

# A run linked to a product the directory lists is public: the vendor published it.
LISTED = Q(product_version__product__public=True) & Q(
    product_version__product__vendor__status=VendorStatus.OFFICIAL
)


def visible_runs(user):
    """Unsigned, shared and listed runs for everyone; one's own too; every run for the staff."""
    runs = TestRun.objects.all()
    if is_staff(user):
        return runs
    public = Q(owner__isnull=True) | Q(shared=True) | LISTED
    if getattr(user, "is_authenticated", False):
        return runs.filter(public | Q(owner=user))
    return runs.filter(public)


def may_see(run: TestRun, user) -> bool:
    if run.owner_id is None or run.shared or is_staff(user):
        return True
    if getattr(user, "is_authenticated", False) and run.owner_id == user.pk:
        return True
    return (
        run.product_version_id is not None
        and listed_products().filter(versions=run.product_version_id).exists()
    )


def administered(user):
    """The vendors ``user`` administers (every vendor for the staff)."""
    if is_staff(user):
        return Vendor.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Vendor.objects.none()
    return Vendor.objects.filter(admins=user)


def visible_vendors(user):
    """Official vendors for everyone; private and pending ones for their admins and staff."""
    if is_staff(user):
        return Vendor.objects.all()
    if getattr(user, "is_authenticated", False):
        return Vendor.objects.filter(Q(status=VendorStatus.OFFICIAL) | Q(admins=user)).distinct()
    return Vendor.objects.filter(status=VendorStatus.OFFICIAL)


def listed_products():
    """What the directory lists: public products of official vendors."""
    return Product.objects.filter(public=True, vendor__status=VendorStatus.OFFICIAL)


def visible_products(user):
    """Listed products for everyone; a vendor's others for its admins and the staff."""
    if is_staff(user):
        return Product.objects.all()
    listed = Q(public=True, vendor__status=VendorStatus.OFFICIAL)
    if getattr(user, "is_authenticated", False):
        return Product.objects.filter(listed | Q(vendor__admins=user)).distinct()
    return Product.objects.filter(listed)


@dataclass
class Listing:
    product: Product
    verification: Verification | None  # the latest, among those the filters keep


def directory(*, guideline: str = "", target: str = "", kind: str = "") -> list[Listing]:
    """Listed products, each with its latest verification.

    With a guideline or a target, only products verified against it are listed, each
    with its latest such verification.
    """
    products = listed_products().select_related("vendor")
    if kind:
        products = products.filter(kind=kind)
    verifications = Verification.objects.filter(
        run__product_version__product__in=products
    ).select_related("guideline", "run__product_version")
    if guideline:
        verifications = verifications.filter(guideline__key=guideline)
    if target:
        verifications = verifications.filter(target=target)
    latest: dict = {}
    for verification in verifications.order_by("-verified_at", "-pk"):
        latest.setdefault(verification.run.product_version.product_id, verification)
    rows = [Listing(product, latest.get(product.pk)) for product in products]
    if guideline or target:
        rows = [row for row in rows if row.verification is not None]
    return sorted(rows, key=lambda row: (row.product.vendor.name.lower(), row.product.name.lower()))


def latest_verification(product: Product, guideline: str = "", target: str = ""):
    found = Verification.objects.filter(run__product_version__product=product).select_related(
        "guideline", "run__product_version", "verified_by"
    )
    if guideline:
        found = found.filter(guideline__key=guideline)
    if target:
        found = found.filter(target=target)
    return found.order_by("-verified_at", "-pk").first()


def shows_product(product: Product | None, user, mine: set | None = None) -> bool:
    """Whether ``user`` may know of ``product``: listed, or theirs to manage (or the staff's).

    A run may be public (shared) while its product is not: the run's page and
    RefStack's items then say nothing of the product.
    """
    if product is None:
        return False
    if is_staff(user) or (product.public and product.vendor.official):
        return True
    if mine is not None:  # the vendors ``user`` administers, read once for a whole list
        return product.vendor_id in mine
    return bool(
        getattr(user, "is_authenticated", False)
        and product.vendor.admins.filter(pk=user.pk).exists()
    )
