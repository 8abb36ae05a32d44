"""The public directory: where customers find and compare compliant products.

The directory lists what ``selectors.listed_products()`` lists (public products of
official vendors), each with its latest verification. A product's page is public
once it is listed; before that only its vendor's admins and the staff see it. The
badge and the comparison are for listed products only: they are what a product's
vendor shows the world.

Every page here is a GET: a filter or a choice that cannot be read is a 400 page
that says which parameter is wrong and why, never a 500.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.views.decorators.http import require_safe

from compliance.models import ProductKind, Verification
from compliance.report import capability_statuses, target_of
from compliance.selectors import (
    directory,
    latest_verification,
    listed_products,
    visible_products,
)
from guidelines.lifecycle import PUBLISHED
from guidelines.models import CapabilityStatus, Guideline
from guidelines.selectors import guideline_bundle, guideline_latest_approved
from guidelines.testlist import TestListError, default_target, targets

# A guideline key and a verification's target are at most 100 characters in the database.
LONGEST = 100
COMPARED = (2, 4)
BADGE_SECONDS = 300
# A control character is in no key, target or id; PostgreSQL refuses a NUL outright.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DATED = re.compile(r"(\d{4}\.\d{2})$")


class BadQuery(ValueError):
    """A query parameter the page cannot use; the message names it and says why."""


def _param(params, name: str) -> str:
    value = params.get(name, "").strip()
    if CONTROL.search(value):
        raise BadQuery(f"{name}: control characters (such as NUL) are not allowed.")
    if len(value) > LONGEST:
        raise BadQuery(f"{name}: at most {LONGEST} characters, not {len(value)}.")
    return value


def _newest_first(guidelines) -> list[Guideline]:
    """By the YYYY.MM they are named for (2017A D4.1), the platform's before an add-on's."""

    def age(guideline):
        dated = DATED.search(guideline.key)
        return (dated.group(1) if dated else "", guideline.family == "", guideline.key)

    return sorted(guidelines, key=age, reverse=True)


def _published() -> list[Guideline]:
    return _newest_first(Guideline.objects.filter(status__in=PUBLISHED))


def _guideline(key: str) -> Guideline:
    guideline = Guideline.objects.filter(key=key).first()
    if guideline is None:
        raise BadQuery(f"guideline: there is no guideline {key!r}; choose one from the list.")
    if guideline.status not in PUBLISHED:
        raise BadQuery(
            f"guideline: {key} is a {guideline.status} guideline; products are verified "
            "against approved guidelines, and the directory shows approved and superseded ones."
        )
    return guideline


def _target(bundle, target: str) -> str:
    known = targets(bundle)
    if target not in known:
        raise BadQuery(
            f"target: {target!r} is not one of {bundle.guideline.key}'s targets: "
            f"{', '.join(sorted(known))}."
        )
    return target


def _bad(request, message: str, title: str):
    context = {"message": message, "title": title}
    return render(request, "compliance/directory/bad_request.html", context, status=400)


# The listing


def directory_filters(params) -> dict[str, str]:
    """The directory's filters (guideline, target, kind) from a query, each checked;
    BadQuery names the first that is wrong. The API's product list reads them too."""
    chosen = {name: _param(params, name) for name in ("guideline", "target", "kind")}
    chosen["target"] = chosen["target"].lower()
    if chosen["kind"] and chosen["kind"] not in ProductKind.values:
        raise BadQuery(
            f"kind: {chosen['kind']!r} is not a kind of product; "
            f"one of {', '.join(ProductKind.values)}."
        )
    if chosen["guideline"]:
        guideline = _guideline(chosen["guideline"])
        if chosen["target"]:
            _target(guideline_bundle(guideline), chosen["target"])
    return chosen


@require_safe
def listing(request):
    published = _published()
    # The targets products were verified for; "platform" is always worth offering.
    verified_targets = set(
        Verification.objects.filter(run__product_version__product__in=listed_products())
        .order_by()  # the default ordering's columns would make DISTINCT count them too
        .values_list("target", flat=True)
        .distinct()
    )
    context = {
        "guidelines": published,
        "kinds": ProductKind.choices,
        "chosen": {"guideline": "", "target": "", "kind": ""},
    }
    status = 200
    try:
        context["chosen"] = chosen = directory_filters(request.GET)
    except BadQuery as exc:
        context["error"], status = str(exc), 400
    else:
        context["rows"] = directory(**chosen)
        context["filtered"] = any(chosen.values())
    offered = verified_targets | {"platform", context["chosen"]["target"]}
    context["targets"] = sorted(offered - {""})
    return render(request, "compliance/directory/listing.html", context, status=status)


# A product's page and badge


def _badge_text(verification) -> str:
    if verification is None:
        return "not verified"
    return f"{verification.target.capitalize()} {verification.guideline.key} verified"


def _web_link(url: str) -> str:
    """Only an http(s) address becomes a link: a javascript: one would run on our page."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def _markdown_text(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", text)


@require_safe
def product_page(request, vendor, product):
    found = (
        visible_products(request.user)
        .select_related("vendor")
        .filter(vendor__slug=vendor, slug=product)
        .first()
    )
    if found is None:
        raise Http404(f"There is no product {vendor}/{product} in the directory.")
    listed = listed_products().filter(pk=found.pk).exists()
    verifications = list(
        Verification.objects.filter(run__product_version__product=found)
        .select_related("guideline", "run__product_version")
        .order_by("-verified_at", "-pk")
    )
    latest = verifications[0] if verifications else None
    page = request.build_absolute_uri(reverse("compliance:product", args=[vendor, product]))
    image = request.build_absolute_uri(reverse("compliance:badge", args=[vendor, product]))
    alt = f"DefCore verification of {found}"
    context = {
        "product": found,
        "listed": listed,
        "versions": found.versions.order_by("-created_at"),
        "verifications": verifications,
        "latest": latest,
        "badge_text": _badge_text(latest),
        "product_url": _web_link(found.url),
        "vendor_url": _web_link(found.vendor.url),
        "markdown": f"[![{_markdown_text(alt)}]({image})]({page})",
        # A plain str: the template escapes it once more to show it as text.
        "html": f'<a href="{escape(page)}"><img src="{escape(image)}" alt="{escape(alt)}"></a>',
    }
    return render(request, "compliance/directory/product.html", context)


def _text_width(text: str) -> int:
    """About how wide Verdana 11px writes ``text``, as shields.io measures it."""
    width = 0.0
    for char in text:
        if char in "fijlrtI.,:;!|'()[] ":
            width += 3.9
        elif char in "mwMW@%":
            width += 10.5
        elif char.isupper() or char.isdigit():
            width += 7.4
        else:
            width += 6.6
    return round(width)


@require_safe
def badge(request, vendor, product):
    found = listed_products().select_related("vendor").filter(vendor__slug=vendor, slug=product)
    found = found.first()
    if found is None:
        raise Http404(f"There is no product {vendor}/{product} in the directory.")
    verification = latest_verification(found)
    label, message = "DefCore", _badge_text(verification)
    left, right = _text_width(label) + 12, _text_width(message) + 12
    context = {
        "product": found,
        "label": label,
        "message": message,
        "verified": verification is not None,
        "left": left,
        "right": right,
        "width": left + right,
        # Text is centred in its half; shields.io writes it at 10x scale.
        "label_x": left * 5,
        "message_x": left * 10 + right * 5,
        "label_length": (left - 12) * 10,
        "message_length": (right - 12) * 10,
    }
    # No request: no context processor reads the session, so the answer varies by nothing.
    response = HttpResponse(
        render_to_string("compliance/directory/badge.svg", context),
        content_type="image/svg+xml",
    )
    patch_cache_control(response, public=True, max_age=BADGE_SECONDS)
    return response


# Comparing products


@dataclass
class Column:
    product: object
    verification: Verification | None


@dataclass
class Row:
    capability: str
    status: str
    cells: list[str]  # per column: "passes", "fails", "unverified" or "unreported"
    differs: bool  # the verified products do not all agree


def _cell(verification, capability: str) -> str:
    if verification is None:
        return "unverified"
    passed = verification.capabilities.get(capability)
    if passed is None:
        return "unreported"
    return "passes" if passed else "fails"


def _chosen_products(request) -> list:
    asked = list(dict.fromkeys(value.strip() for value in request.GET.getlist("product")))
    low, high = COMPARED
    if not low <= len(asked) <= high:
        raise BadQuery(
            f"product: choose {low} to {high} different products to compare, not {len(asked)}."
        )
    ids = []
    for value in asked:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            shown = CONTROL.sub("?", value[:LONGEST])
            raise BadQuery(f"product: {shown!r} is not a product id.") from None
    found = {p.pk: p for p in listed_products().select_related("vendor").filter(pk__in=ids)}
    for pk in ids:
        if pk not in found:
            raise BadQuery(f"product: no product in the directory has the id {pk}.")
    return [found[pk] for pk in ids]


def _default_guideline(verifications, products) -> Guideline | None:
    """The newest guideline every product is verified against, else the newest approved."""
    covered: dict[int, set] = {}
    guidelines = {}
    for verification in verifications:
        covered.setdefault(verification.guideline_id, set()).add(
            verification.run.product_version.product_id
        )
        guidelines[verification.guideline_id] = verification.guideline
    everyone = {p.pk for p in products}
    shared = [guidelines[pk] for pk, those in covered.items() if those >= everyone]
    if shared:
        return _newest_first(shared)[0]
    approved = guideline_latest_approved("") or next(
        iter(_newest_first(Guideline.objects.approved())), None
    )
    return approved or next(iter(_published()), None)


def _default_target(verifications, products, guideline, bundle) -> str:
    """The target every product is verified for (the platform first), else the latest's."""
    mine = [v for v in verifications if v.guideline_id == guideline.pk]
    by_target: dict[str, set] = {}
    for verification in mine:
        by_target.setdefault(verification.target, set()).add(
            verification.run.product_version.product_id
        )
    everyone = {p.pk for p in products}
    shared = sorted(t for t, those in by_target.items() if those >= everyone)
    if shared:
        return "platform" if "platform" in shared else shared[0]
    if mine:
        return mine[0].target  # newest first
    return default_target(bundle, targets(bundle))


def _comparison(request, products) -> dict:
    verifications = list(
        Verification.objects.filter(run__product_version__product__in=products)
        .select_related("guideline", "run__product_version")
        .order_by("-verified_at", "-pk")
    )
    key = _param(request.GET, "guideline")
    guideline = _guideline(key) if key else _default_guideline(verifications, products)
    if guideline is None:
        return {"guideline": None}
    bundle = guideline_bundle(guideline)
    target = _param(request.GET, "target").lower()
    if target:
        _target(bundle, target)
    else:
        target = _default_target(verifications, products, guideline, bundle)
    latest: dict = {}
    for verification in verifications:
        if verification.guideline_id == guideline.pk and verification.target == target:
            latest.setdefault(verification.run.product_version.product_id, verification)
    columns = [Column(product, latest.get(product.pk)) for product in products]
    try:
        # The guideline's capabilities for the target, with their status, in the
        # report's order: required first.
        statuses = capability_statuses(bundle, target_of(bundle, target))
    except TestListError as exc:
        raise BadQuery(f"target: {exc}") from None
    order = CapabilityStatus.values
    rows = []
    for name, status in sorted(statuses.items(), key=lambda item: (order.index(item[1]), item[0])):
        cells = [_cell(column.verification, name) for column in columns]
        verified = set(cells) & {"passes", "fails"}
        rows.append(Row(name, status, cells, len(verified) > 1))
    return {
        "guideline": guideline,
        "target": target,
        "targets": sorted(targets(bundle)),
        "columns": columns,
        "rows": rows,
    }


@require_safe
def compare(request):
    try:
        products = _chosen_products(request)
        context = _comparison(request, products)
    except BadQuery as exc:
        return _bad(request, str(exc), "These products cannot be compared")
    context.update(products=products, guidelines=_published())
    return render(request, "compliance/directory/compare.html", context)
