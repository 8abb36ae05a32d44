"""The page of a test run: its compliance report against a guideline and target, with
RefStack's filters (all, passed, not passed, flagged)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from compliance.models import TestRun
from compliance.report import report
from compliance.selectors import may_see
from guidelines.lifecycle import PUBLISHED
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


@require_safe
def run_page(request, pk):
    run = run_or_404(pk, request.user)
    published = list(Guideline.objects.filter(status__in=PUBLISHED).order_by("-key"))
    key = request.GET.get("guideline") or (published[0].key if published else "")
    chosen = request.GET.get("show", "all")
    context = {"run": run, "guidelines": published, "filters": FILTERS, "show": chosen}
    status = 200
    guideline = Guideline.objects.filter(key=key).first() if key and "\x00" not in key else None
    if key and guideline is None:
        context["error"], status = f"There is no guideline {key}.", 404
    elif chosen not in FILTERS:
        context["error"], status = f"Show one of: {', '.join(FILTERS)}.", 400
    elif guideline is not None:
        bundle = guideline_bundle(guideline)
        context.update(guideline=guideline, targets=sorted(targets(bundle)))
        try:
            found = report(run, bundle, request.GET.get("target"))
        except TestListError as exc:
            context["error"], status = str(exc), 400
        else:
            context.update(report=found, shown=_shown(found.capabilities, chosen))
    return render(request, "compliance/run.html", context, status=status)


def _missing(*args, **kwargs):  # PLACEHOLDER: replaced by the run's controls
    raise Http404("not built yet")


run_share_view = run_link_view = run_verify_view = _missing
