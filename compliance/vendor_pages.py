"""The vendors' pages: the public keys that sign one's uploads, the vendors one
administers (and, for the foundation's staff, those waiting for their approval),
a vendor with its admins and products, and a product with its versions.

As the run page (``compliance.views``): who may is checked before any form is read
(the refusal page, 403, for the anonymous too), a form checks the input's shape, one
service decides and records through the web channel, a success redirects with a
message, and a refusal is shown on the page with the status of
``guidelines.errors.status_of``, beside the field it names. A private vendor and
every product page are known to the vendor's admins and the staff alone: 404 for
anyone else, as if there were none.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from committee.errors import Refused
from committee.models import Channel
from committee.permissions import Action, NotAllowed, is_staff, may
from compliance.forms import (
    InvitationAnswerForm,
    ProductForm,
    ProductVisibilityForm,
    PublicKeyForm,
    VendorAdminForm,
    VendorForm,
    VendorReviewForm,
    VersionForm,
    show_refusal,
)
from compliance.models import Product, Vendor, VendorInvitation, VendorStatus
from compliance.selectors import listed_products, visible_products
from compliance.services import (
    invitation_answer,
    product_create,
    product_update,
    pubkey_delete,
    pubkey_register,
    vendor_admin_add,
    vendor_create,
    vendor_review,
    vendor_submit,
    version_add,
)
from compliance.services.vendors import require_admin
from compliance.views import refused_page, refused_unless
from guidelines.errors import status_of

WEB = Channel.WEB
CHECK_FIELDS = "Nothing was changed: see the fields marked below."


def _signed_in(request) -> bool:
    return request.user.is_authenticated


# Public keys


def _keys_page(request, *, form=None, error="", status=200):
    return render(
        request,
        "compliance/keys.html",
        {
            "keys": list(request.user.public_keys.order_by("created_at", "pk")),
            "form": form or PublicKeyForm(),
            "error": error,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def keys(request):
    """Your public keys, and the form that registers one (refstack-client sign)."""
    if request.method != "POST":
        if not _signed_in(request):
            return redirect_to_login(request.get_full_path())
        return _keys_page(request)
    denied = refused_unless(request, Action.PUBKEY_MANAGE)
    if denied:
        return denied
    form = PublicKeyForm(request.POST)
    if not form.is_valid():
        return _keys_page(request, form=form, error=CHECK_FIELDS, status=400)
    try:
        key = pubkey_register(
            user=request.user,
            raw_key=form.cleaned_data["raw_key"],
            self_signature=form.cleaned_data["self_signature"],
            channel=WEB,
        )
    except NotAllowed as refusal:
        return refused_page(request, str(refusal))
    except Refused as refusal:
        error = show_refusal(form, refusal)
        return _keys_page(request, form=form, error=error, status=status_of(refusal))
    messages.success(
        request,
        f"Key SHA256:{key.fingerprint} is registered: the runs it signs are yours.",
    )
    return redirect("compliance:keys")


@never_cache
@require_POST
def key_delete_view(request, pk):
    """Remove one of your keys; the runs it signed stay yours."""
    back = reverse("compliance:keys")
    denied = refused_unless(request, Action.PUBKEY_MANAGE, back=back)
    if denied:
        return denied
    try:
        pubkey_delete(user=request.user, pk=pk, channel=WEB)
    except NotAllowed as refusal:
        return refused_page(request, str(refusal), back=back)
    except Refused as refusal:
        return _keys_page(request, error=str(refusal), status=status_of(refusal))
    messages.success(
        request, "The key is removed: uploads it signs are refused; its runs stay yours."
    )
    return redirect("compliance:keys")


# Vendors


def _vendors_page(request, *, form=None, error="", status=200):
    user = request.user
    return render(
        request,
        "compliance/vendors/list.html",
        {
            "mine": list(Vendor.objects.filter(admins=user).order_by("name")),
            "invitations": list(
                VendorInvitation.objects.filter(user=user).select_related("vendor", "invited_by")
            ),
            "pending": (
                list(Vendor.objects.filter(status=VendorStatus.PENDING).order_by("name"))
                if may(user, Action.VENDOR_APPROVE)
                else None
            ),
            "form": form or VendorForm(),
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def vendors(request):
    """The vendors you administer (and, for the staff, those to review); register one."""
    if request.method != "POST":
        if not _signed_in(request):
            return redirect_to_login(request.get_full_path())
        return _vendors_page(request)
    denied = refused_unless(request, Action.VENDOR_CREATE)
    if denied:
        return denied
    form = VendorForm(request.POST)
    if not form.is_valid():
        return _vendors_page(request, form=form, error=CHECK_FIELDS, status=400)
    try:
        vendor = vendor_create(actor=request.user, **form.cleaned_data, channel=WEB)
    except NotAllowed as refusal:
        return refused_page(request, str(refusal))
    except Refused as refusal:
        error = show_refusal(form, refusal)
        return _vendors_page(request, form=form, error=error, status=status_of(refusal))
    messages.success(
        request,
        f"Vendor {vendor.name} is registered, private: add its products, then submit it "
        "for the foundation's approval.",
    )
    return redirect("compliance:vendor", slug=vendor.slug)


def _vendor_or_404(slug: str) -> Vendor:
    vendor = Vendor.objects.filter(slug=slug).first()
    if vendor is None:
        raise Http404(f"There is no vendor {slug}.")
    return vendor


def _manages(user, vendor: Vendor) -> bool:
    """Whether ``user`` administers ``vendor``, or is the staff: who sees all of it."""
    if is_staff(user):
        return True
    return user.is_authenticated and vendor.admins.filter(pk=user.pk).exists()


def _vendor_page(
    request,
    vendor: Vendor,
    *,
    admin_form=None,
    product_form=None,
    review_form=None,
    error="",
    status=200,
):
    user = request.user
    manages = _manages(user, vendor)
    products = vendor.products.all() if manages else visible_products(user).filter(vendor=vendor)
    listed = set(listed_products().filter(vendor=vendor).values_list("pk", flat=True))
    return render(
        request,
        "compliance/vendors/vendor.html",
        {
            "vendor": vendor,
            "manages": manages,
            # A review refused for its fields shows them, whatever the vendor's status now.
            "may_review": (review_form is not None and bool(review_form.errors))
            or (vendor.status == VendorStatus.PENDING and may(user, Action.VENDOR_APPROVE)),
            "admins": list(vendor.admins.order_by("username")) if manages else [],
            "products": [
                (product, product.pk in listed)
                for product in products.order_by("name").prefetch_related("versions")
            ],
            "admin_form": admin_form or VendorAdminForm(),
            "product_form": product_form or ProductForm(),
            "review_form": review_form or VendorReviewForm(),
            "error": error,
        },
        status=status,
    )


@require_safe
def vendor(request, slug):
    """A vendor: all of it for its admins and the staff; read only, once official, for
    anyone else; 404 while private or pending."""
    found = _vendor_or_404(slug)
    if not found.official and not _manages(request.user, found):
        raise Http404(f"There is no vendor {slug}.")
    return _vendor_page(request, found)


def _writable(request, slug: str, action: Action = Action.VENDOR_MANAGE):
    """(the vendor, None) if the user may change it; (None, the refusal page) if not.

    The services check again; this keeps a private vendor's page from being shown,
    with a form's errors, to someone who may not read it.
    """
    denied = refused_unless(request, action)
    if denied:
        return None, denied
    found = _vendor_or_404(slug)
    if not found.official and not _manages(request.user, found):
        # As its page: a private or pending vendor is not there for others.
        raise Http404(f"There is no vendor {slug}.")
    back = reverse("compliance:vendor", kwargs={"slug": found.slug})
    if action == Action.VENDOR_MANAGE:
        try:
            require_admin(request.user, found)
        except NotAllowed as refusal:
            return None, refused_page(request, str(refusal), back=back)
    return found, None


def _vendor_refused(request, found: Vendor, refusal: Refused, form=None, **forms):
    if isinstance(refusal, NotAllowed):
        back = reverse("compliance:vendor", kwargs={"slug": found.slug})
        return refused_page(request, str(refusal), back=back)
    error = show_refusal(form, refusal) if form is not None else str(refusal)
    return _vendor_page(request, found, error=error, status=status_of(refusal), **forms)


@require_POST
def vendor_submit_view(request, slug):
    """The vendor's admins ask the foundation to make it official."""
    found, refused = _writable(request, slug)
    if refused:
        return refused
    try:
        vendor_submit(actor=request.user, pk=found.pk, channel=WEB)
    except Refused as refusal:
        return _vendor_refused(request, found, refusal)
    messages.success(request, f"{found.name} is submitted: the foundation's staff review it.")
    return redirect("compliance:vendor", slug=found.slug)


@require_POST
def vendor_review_view(request, slug):
    """The staff approve a pending vendor, or decline it with a reason."""
    found, refused = _writable(request, slug, Action.VENDOR_APPROVE)
    if refused:
        return refused
    form = VendorReviewForm(request.POST)
    if not form.is_valid():
        return _vendor_page(request, found, review_form=form, error=CHECK_FIELDS, status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        vendor_review(
            actor=request.user,
            pk=found.pk,
            approve=approve,
            reason=form.cleaned_data["reason"],
            channel=WEB,
        )
    except Refused as refusal:
        return _vendor_refused(request, found, refusal, form, review_form=form)
    if approve:
        messages.success(request, f"{found.name} is official.")
    else:
        messages.success(request, f"{found.name} is declined: private again, with your reason.")
    return redirect("compliance:vendor", slug=found.slug)


@require_POST
def vendor_admin_view(request, slug):
    """Another admin for the vendor, by username."""
    found, refused = _writable(request, slug)
    if refused:
        return refused
    form = VendorAdminForm(request.POST)
    if not form.is_valid():
        return _vendor_page(request, found, admin_form=form, error=CHECK_FIELDS, status=400)
    username = form.cleaned_data["username"]
    try:
        invited = vendor_admin_add(actor=request.user, pk=found.pk, username=username, channel=WEB)
    except Refused as refusal:
        return _vendor_refused(request, found, refusal, form, admin_form=form)
    if invited is None:
        messages.success(request, f"{username} is an admin of {found.name} already.")
    else:
        messages.success(
            request,
            f"{username} is invited: they administer {found.name} once they accept, "
            "on their Vendors page.",
        )
    return redirect("compliance:vendor", slug=found.slug)


@never_cache
@require_POST
def invitation_answer_view(request, pk):
    """Accept or decline an invitation to administer a vendor (field ``decision``)."""
    back = reverse("compliance:vendors")
    denied = refused_unless(request, Action.VENDOR_JOIN, back=back)
    if denied:
        return denied
    form = InvitationAnswerForm(request.POST)
    if not form.is_valid():
        return _vendors_page(request, error=CHECK_FIELDS, status=400)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        found = invitation_answer(actor=request.user, pk=pk, accept=accept, channel=WEB)
    except Refused as refusal:
        return _vendors_page(request, error=str(refusal), status=status_of(refusal))
    if accept:
        messages.success(request, f"You administer {found.name} now.")
        return redirect("compliance:vendor", slug=found.slug)
    messages.success(request, f"You declined to administer {found.name}.")
    return redirect("compliance:vendors")


@require_POST
def product_create_view(request, slug):
    found, refused = _writable(request, slug)
    if refused:
        return refused
    form = ProductForm(request.POST)
    if not form.is_valid():
        return _vendor_page(request, found, product_form=form, error=CHECK_FIELDS, status=400)
    try:
        product = product_create(
            actor=request.user, vendor_id=found.pk, **form.cleaned_data, channel=WEB
        )
    except Refused as refusal:
        return _vendor_refused(request, found, refusal, form, product_form=form)
    messages.success(request, f"{product} is added: now add its versions.")
    return redirect("compliance:product_manage", slug=found.slug, product=product.slug)


# A product


def _product_or_404(found: Vendor, slug: str) -> Product:
    product = found.products.filter(slug=slug).first()
    if product is None:
        raise Http404(f"{found.name} has no product {slug}.")
    return product


def _product_page(request, product: Product, *, form=None, error="", status=200):
    return render(
        request,
        "compliance/vendors/product.html",
        {
            "vendor": product.vendor,
            "product": product,
            "versions": list(product.versions.order_by("-created_at", "version")),
            "listed": listed_products().filter(pk=product.pk).exists(),
            "form": form or VersionForm(),
            "error": error,
        },
        status=status,
    )


@require_safe
def product_manage(request, slug, product):
    """A product's versions and visibility, for the vendor's admins and the staff."""
    found = _vendor_or_404(slug)
    if not _manages(request.user, found):
        raise Http404(f"{found.name} has no product {product} you may manage.")
    return _product_page(request, _product_or_404(found, product))


def _product_refused(request, product: Product, refusal: Refused, form=None):
    if isinstance(refusal, NotAllowed):
        back = reverse(
            "compliance:product_manage",
            kwargs={"slug": product.vendor.slug, "product": product.slug},
        )
        return refused_page(request, str(refusal), back=back)
    error = show_refusal(form, refusal) if form is not None else str(refusal)
    return _product_page(request, product, form=form, error=error, status=status_of(refusal))


@require_POST
def version_add_view(request, slug, product):
    found, refused = _writable(request, slug)
    if refused:
        return refused
    chosen = _product_or_404(found, product)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _product_page(request, chosen, form=form, error=CHECK_FIELDS, status=400)
    try:
        added = version_add(
            actor=request.user, product_id=chosen.pk, **form.cleaned_data, channel=WEB
        )
    except Refused as refusal:
        return _product_refused(request, chosen, refusal, form)
    messages.success(request, f"Version {added.version} of {chosen} is added.")
    return redirect("compliance:product_manage", slug=found.slug, product=chosen.slug)


@require_POST
def product_visibility_view(request, slug, product):
    """List the product in the directory (field ``public``: on), or withdraw it (absent)."""
    found, refused = _writable(request, slug)
    if refused:
        return refused
    chosen = _product_or_404(found, product)
    form = ProductVisibilityForm(request.POST)
    public = form.is_valid() and form.cleaned_data["public"]
    try:
        chosen = product_update(actor=request.user, pk=chosen.pk, public=public, channel=WEB)
    except Refused as refusal:
        return _product_refused(request, chosen, refusal)
    if not chosen.public:
        messages.success(request, f"{chosen} is private: the directory no longer lists it.")
    elif found.official:
        messages.success(request, f"{chosen} is public: the directory lists it.")
    else:
        messages.success(
            request,
            f"{chosen} is public: the directory lists it once {found.name} is official.",
        )
    return redirect("compliance:product_manage", slug=found.slug, product=chosen.slug)
