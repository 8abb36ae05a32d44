"""Writes of vendors and their products.

A vendor starts private, known to its admins and the staff. Its admins submit it
(pending) and the foundation's staff make it official, or send it back private
with a reason. Products belong to a vendor, are a distribution, a public cloud or
a hosted private cloud, and have versions; a version's ``cpid`` lets signed runs of
that cloud link themselves to it (``compliance.services.runs``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from committee.models import Channel
from committee.permissions import Action, NotAllowed, is_staff, require
from committee.record import record
from compliance.models import (
    Product,
    ProductKind,
    ProductVersion,
    Vendor,
    VendorInvitation,
    VendorStatus,
)
from guidelines.errors import GuidelineError, RuleRefused, VersionConflict


def require_admin(actor, vendor: Vendor) -> None:
    """Refuse unless ``actor`` administers ``vendor`` or is the staff."""
    require(actor, Action.VENDOR_MANAGE)
    if is_staff(actor) or vendor.admins.filter(pk=actor.pk).exists():
        return
    # Not the vendor's name: a private vendor's is its admins' business.
    raise NotAllowed(
        "Managing a vendor and its products is for its admins: you are not one of them.",
        action=Action.VENDOR_MANAGE,
    )


def _text(value, field: str, *, limit: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise GuidelineError(f"{field}: text expected")
    if required and not text:
        raise GuidelineError(f"{field}: required")
    if len(text) > limit:
        raise GuidelineError(f"{field}: at most {limit} characters")
    if "\x00" in text:
        raise GuidelineError(f"{field}: no NUL characters")
    return text


def _url(value) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    url = _text(value, "url", limit=200, required=False)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise GuidelineError("url: an http or https address") from None
    return url


def _slug(name: str, field: str) -> str:
    slug = slugify(name)[:100]
    if not slug:
        raise GuidelineError(f"{field}: needs a letter or digit")
    return slug


def _vendor_locked(pk) -> Vendor:
    vendor = Vendor.objects.select_for_update().filter(pk=pk).first()
    if vendor is None:
        raise GuidelineError(f"there is no vendor {pk}")
    return vendor


@transaction.atomic
def vendor_create(*, actor, name, description="", url="", channel: str = Channel.WEB) -> Vendor:
    """A private vendor, administered by whoever registers it."""
    require(actor, Action.VENDOR_CREATE)
    name = _text(name, "name", limit=100)
    fields = {
        "name": name,
        "slug": _slug(name, "name"),
        "description": _text(description, "description", limit=5000, required=False),
        "url": _url(url),
    }
    taken = Vendor.objects.filter(name__iexact=name) | Vendor.objects.filter(slug=fields["slug"])
    if taken.exists():
        raise VersionConflict(f"name: a vendor named {name!r} exists already")
    try:
        with transaction.atomic():
            vendor = Vendor.objects.create(**fields)
    except IntegrityError:
        raise VersionConflict(f"name: a vendor named {name!r} exists already") from None
    vendor.admins.add(actor)
    record(
        kind="vendor.created",
        actor=actor,
        subject=vendor,
        channel=channel,
        summary=f"Vendor {vendor.name} registered",
    )
    return vendor


@transaction.atomic
def vendor_admin_add(*, actor, pk, username, channel: str = Channel.WEB) -> VendorInvitation | None:
    """Invite ``username`` to administer the vendor; they become an admin by accepting
    (``invitation_answer``). None if they are one already."""
    vendor = _vendor_locked(pk)
    require_admin(actor, vendor)
    username = _text(username, "username", limit=150)
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise GuidelineError(f"username: nobody is signed up as {username!r}")
    if vendor.admins.filter(pk=user.pk).exists():
        return None
    invitation, created = VendorInvitation.objects.get_or_create(
        vendor=vendor, user=user, defaults={"invited_by": actor}
    )
    if created:
        record(
            kind="vendor.admin_invited",
            actor=actor,
            subject=vendor,
            channel=channel,
            summary=f"{user.username} is invited to administer {vendor.name}",
            data={"username": user.username},
        )
    return invitation


@transaction.atomic
def invitation_answer(*, actor, pk, accept: bool, channel: str = Channel.WEB) -> Vendor:
    """The invited user accepts (and administers the vendor from then on) or declines."""
    require(actor, Action.VENDOR_JOIN)
    invitation = (
        VendorInvitation.objects.select_for_update().select_related("vendor").filter(pk=pk).first()
    )
    if invitation is None or invitation.user_id != actor.pk:
        raise GuidelineError(f"you have no invitation {pk}")
    vendor = invitation.vendor
    invitation.delete()
    if accept:
        vendor.admins.add(actor)
    record(
        kind="vendor.admin_added" if accept else "vendor.invitation_declined",
        actor=actor,
        subject=vendor,
        channel=channel,
        summary=(
            f"{actor.username} is now an admin of {vendor.name}"
            if accept
            else f"{actor.username} declined to administer {vendor.name}"
        ),
        data={"username": actor.username},
    )
    return vendor


@transaction.atomic
def vendor_submit(*, actor, pk, channel: str = Channel.WEB) -> Vendor:
    """The vendor's admins ask the foundation to make it official."""
    vendor = _vendor_locked(pk)
    require_admin(actor, vendor)
    if vendor.status != VendorStatus.PRIVATE:
        raise RuleRefused(f"{vendor.name} is {vendor.status}: only a private vendor is submitted")
    vendor.status = VendorStatus.PENDING
    vendor.save(update_fields=["status"])
    record(
        kind="vendor.submitted",
        actor=actor,
        subject=vendor,
        channel=channel,
        summary=f"Vendor {vendor.name} asks to become official",
    )
    return vendor


@transaction.atomic
def vendor_review(
    *, actor, pk, approve: bool, reason: str = "", channel: str = Channel.WEB
) -> Vendor:
    """The staff make a pending vendor official, or send it back private with a reason."""
    require(actor, Action.VENDOR_APPROVE)
    vendor = _vendor_locked(pk)
    if vendor.admins.filter(pk=actor.pk).exists():
        # The foundation's word is someone else's than the vendor's own.
        raise RuleRefused(f"you administer {vendor.name}: another of the staff reviews it")
    if vendor.status != VendorStatus.PENDING:
        raise RuleRefused(f"{vendor.name} is {vendor.status}: only a pending vendor is reviewed")
    reason = _text(reason, "reason", limit=500, required=not approve)
    vendor.status = VendorStatus.OFFICIAL if approve else VendorStatus.PRIVATE
    vendor.save(update_fields=["status"])
    record(
        kind="vendor.approved" if approve else "vendor.declined",
        actor=actor,
        subject=vendor,
        channel=channel,
        summary=(
            f"Vendor {vendor.name} is official"
            if approve
            else f"Vendor {vendor.name} declined: {reason}"
        ),
        data={"reason": reason},
    )
    return vendor


@transaction.atomic
def product_create(
    *,
    actor,
    vendor_id,
    name,
    kind,
    description="",
    url="",
    public=False,
    channel: str = Channel.WEB,
) -> Product:
    vendor = _vendor_locked(vendor_id)
    require_admin(actor, vendor)
    name = _text(name, "name", limit=100)
    if kind not in ProductKind.values:
        raise GuidelineError(f"kind: one of {', '.join(ProductKind.values)}")
    slug = _slug(name, "name")
    if (
        vendor.products.filter(name__iexact=name).exists()
        or vendor.products.filter(slug=slug).exists()
    ):
        raise VersionConflict(f"name: {vendor.name} has a product named {name!r} already")
    product = Product.objects.create(
        vendor=vendor,
        name=name,
        slug=slug,
        kind=kind,
        description=_text(description, "description", limit=5000, required=False),
        url=_url(url),
        public=bool(public),
    )
    record(
        kind="product.created",
        actor=actor,
        subject=product,
        channel=channel,
        summary=f"Product {product} ({product.get_kind_display()}) created",
        data={"kind": kind, "public": product.public},
    )
    return product


@transaction.atomic
def product_update(*, actor, pk, public: bool, channel: str = Channel.WEB) -> Product:
    """List a product in the directory (once its vendor is official), or withdraw it."""
    product = Product.objects.select_for_update().select_related("vendor").filter(pk=pk).first()
    if product is None:
        raise GuidelineError(f"there is no product {pk}")
    require_admin(actor, product.vendor)
    if product.public == bool(public):
        return product
    product.public = bool(public)
    product.save(update_fields=["public"])
    record(
        kind="product.published" if product.public else "product.withdrawn",
        actor=actor,
        subject=product,
        channel=channel,
        summary=f"Product {product} {'made public' if product.public else 'made private'}",
    )
    return product


@transaction.atomic
def version_add(*, actor, product_id, version, cpid="", channel: str = Channel.WEB):
    product = (
        Product.objects.select_for_update().select_related("vendor").filter(pk=product_id).first()
    )
    if product is None:
        raise GuidelineError(f"there is no product {product_id}")
    require_admin(actor, product.vendor)
    version = _text(version, "version", limit=50)
    cpid = _text(cpid, "cpid", limit=128, required=False)
    if product.versions.filter(version=version).exists():
        raise VersionConflict(f"version: {product} has a version {version!r} already")
    found = ProductVersion.objects.create(product=product, version=version, cpid=cpid)
    record(
        kind="product.version_added",
        actor=actor,
        subject=product,
        channel=channel,
        summary=f"Version {version} of {product} added",
        data={"version": version, "cpid": cpid},
    )
    return found
