"""The page of a test run: its compliance report against a guideline and target, with
RefStack's filters (all, passed, not passed, flagged); and what is done with the run
there: its owner shares it and links it to a product version, the staff verify it.

Views stay thin, as the other pages': who may is checked before any form is read
(403, the refusal page), a form checks the input's shape, one service
(``compliance.services``) decides and records as ``request.user`` through the web
channel, and a refusal is shown on the page with the status of
``guidelines.errors.status_of`` (400 bad input, 403, 409 a rule: a verified run
changes no more).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from committee.errors import Refused
from committee.models import Channel
from committee.permissions import Action, NotAllowed, is_staff, may, require
from compliance.forms import RunLinkForm, RunShareForm, RunVerifyForm, show_refusal
from compliance.models import ProductVersion, TestRun
from compliance.report import report
from compliance.selectors import administered, listed_products, may_see, shows_product
from compliance.services import run_link, run_share, run_verify
from guidelines.errors import status_of
from guidelines.lifecycle import APPROVED, PUBLISHED
from guidelines.models import Guideline
from guidelines.selectors import guideline_bundle
from guidelines.testlist import TestListError, targets

FILTERS = {
    "all": "All capabilities",
    "passed": "Passed",
    "failed": "Not passed",
    "flagged": "With flagged tests",
}


def run_or_404(pk, user) -> TestRun:
    run = TestRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404(f"There is no test run {pk}.")
    if not may_see(run, user):
        # Whether a signed run exists is its owner's business too.
        raise Http404(f"There is no test run {pk} you may read.")
    return run


def _shown(capabilities, chosen: str):
    if chosen == "passed":
        return [c for c in capabilities if c.passed]
    if chosen == "failed":
        return [c for c in capabilities if not c.passed]
    if chosen == "flagged":
        return [c for c in capabilities if c.tests["flagged"]]
    return capabilities


def refused_page(request, message: str, *, back: str = ""):
    """The refusal page (403): why, and a way back (or to sign in and come back)."""
    return render(
        request, "refused.html", {"message": message, "back": back or request.path}, status=403
    )


def refused_unless(request, action: Action, *, back: str = ""):
    """The refusal page unless the user may perform ``action``; None if they may."""
    try:
        require(request.user, action)
    except NotAllowed as refusal:
        return refused_page(request, str(refusal), back=back)
    return None


# The run page


def _versions_to_link(user):
    """The versions ``user`` may link a run to: of the vendors they administer."""
    return (
        ProductVersion.objects.filter(product__vendor__in=administered(user))
        .select_related("product__vendor")
        .order_by("product__vendor__name", "product__name", "-created_at")
    )


def _run_page(request, run: TestRun, query, *, link_form=None, error="", status=200):
    """The run's report as ``query`` asks (guideline, target, show), with its controls."""
    published = list(Guideline.objects.filter(status__in=PUBLISHED).order_by("-key"))
    key = query.get("guideline") or (published[0].key if published else "")
    chosen = query.get("show", "all")
    context = {"run": run, "guidelines": published, "filters": FILTERS, "show": chosen}
    report_status = 200
    guideline = Guideline.objects.filter(key=key).first() if key and "\x00" not in key else None
    if key and guideline is None:
        context["error"], report_status = f"There is no guideline {key}.", 404
    elif chosen not in FILTERS:
        context["error"], report_status = f"Show one of: {', '.join(FILTERS)}.", 400
    elif guideline is not None:
        bundle = guideline_bundle(guideline)
        context.update(guideline=guideline, targets=sorted(targets(bundle)))
        try:
            found = report(run, bundle, query.get("target"))
        except TestListError as exc:
            context["error"], report_status = str(exc), 400
        else:
            context.update(report=found, shown=_shown(found.capabilities, chosen))
    context.update(_controls(request, run, context, link_form))
    context["action_error"] = error
    return render(
        request, "compliance/run.html", context, status=status if error else report_status
    )


def _controls(request, run: TestRun, context: dict, link_form) -> dict:
    """What the page offers: sharing and linking to the owner (and the staff), verifying
    a compliant linked run to the staff; its product and verifications to everyone."""
    user = request.user
    verifications = list(run.verifications.select_related("guideline", "verified_by"))
    version = (
        ProductVersion.objects.select_related("product__vendor")
        .filter(pk=run.product_version_id)
        .first()
    )
    if version is not None and not shows_product(version.product, user):
        version = None  # a shared run of a product that is not listed: its vendor's business
    manages = run.signed and (run.owner_id == user.pk or is_staff(user))
    versions = list(_versions_to_link(user)) if manages and not verifications else []
    found = context.get("report")
    guideline = context.get("guideline")
    verifiable = (
        version is not None
        and found is not None
        and found.compliant
        and guideline.status == APPROVED
        and may(user, Action.RUN_VERIFY)
        and not any(
            v.guideline_id == guideline.pk and v.target == found.target for v in verifications
        )
    )
    return {
        "staff": is_staff(user),
        "verifications": verifications,
        "version": version,
        "version_managed": version is not None
        and administered(user).filter(pk=version.product.vendor_id).exists(),
        "version_listed": version is not None
        and listed_products().filter(pk=version.product_id).exists(),
        "manages": manages and not verifications,
        "link_form": link_form
        or RunLinkForm(versions=versions, initial={"product_version": run.product_version_id}),
        "has_versions": bool(versions),
        "verifiable": verifiable,
    }


@require_safe
def run_page(request, pk):
    return _run_page(request, run_or_404(pk, request.user), request.GET)


def _run_refused(request, run: TestRun, refusal: Refused, *, query=None, link_form=None):
    if isinstance(refusal, NotAllowed):
        return refused_page(request, str(refusal), back=run_url(run))
    return _run_page(
        request,
        run,
        query or {},
        link_form=link_form,
        error=show_refusal(link_form, refusal) if link_form else str(refusal),
        status=status_of(refusal),
    )


def run_url(run: TestRun) -> str:
    return reverse("compliance:run", kwargs={"pk": run.pk})


@require_POST
def run_share_view(request, pk):
    """Make a signed run public, or private again (field ``shared``: on or absent)."""
    denied = refused_unless(request, Action.RUN_MANAGE)
    if denied:
        return denied
    run = run_or_404(pk, request.user)
    form = RunShareForm(request.POST)
    shared = form.is_valid() and form.cleaned_data["shared"]
    try:
        run_share(actor=request.user, pk=run.pk, shared=shared, channel=Channel.WEB)
    except Refused as refusal:
        return _run_refused(request, run, refusal)
    if shared:
        messages.success(request, "The run is shared: anyone with its address reads it.")
    else:
        messages.success(request, "The run is no longer shared.")
    return redirect(run_url(run))


@require_POST
def run_link_view(request, pk):
    """Link a signed run to a product version (field ``product_version``), or unlink it."""
    denied = refused_unless(request, Action.RUN_MANAGE)
    if denied:
        return denied
    run = run_or_404(pk, request.user)
    form = RunLinkForm(request.POST, versions=_versions_to_link(request.user))
    if not form.is_valid():
        return _run_page(
            request,
            run,
            {},
            link_form=form,
            error="Nothing was changed: see the field marked below.",
            status=400,
        )
    chosen = form.cleaned_data["product_version"]
    try:
        run = run_link(actor=request.user, pk=run.pk, version_id=chosen, channel=Channel.WEB)
    except Refused as refusal:
        return _run_refused(request, run, refusal, link_form=form)
    if run.product_version_id:
        messages.success(request, f"The run is linked to {run.product_version}.")
    else:
        messages.success(request, "The run is linked to no product now.")
    return redirect(run_url(run))


@require_POST
def run_verify_view(request, pk):
    """The staff verify a linked run against a guideline and target (fields ``guideline``,
    ``target``): the run changes no more."""
    denied = refused_unless(request, Action.RUN_VERIFY)
    if denied:
        return denied
    run = run_or_404(pk, request.user)
    form = RunVerifyForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return _run_page(request, run, {}, error=f"Nothing was changed: {problems}", status=400)
    key, target = form.cleaned_data["guideline"], form.cleaned_data["target"]
    query = {"guideline": key, "target": target}
    guideline = Guideline.objects.filter(key=key).first()
    if guideline is None:
        return _run_page(
            request, run, {}, error=f"guideline: there is no guideline {key}.", status=400
        )
    try:
        verification = run_verify(
            actor=request.user, pk=run.pk, guideline=guideline, target=target, channel=Channel.WEB
        )
    except Refused as refusal:
        return _run_refused(request, run, refusal, query=query)
    messages.success(
        request,
        f"The run is verified: it complies with {guideline.key} ({verification.target}), "
        "and changes no more.",
    )
    shown = urlencode({"guideline": guideline.key, "target": verification.target})
    return redirect(f"{run_url(run)}?{shown}")
