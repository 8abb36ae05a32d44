"""The cycle calendar's pages: every cycle with the current one first, one cycle's
timeline as it stands today, and the chair's two forms (plan a cycle, move its
summit).

Views stay thin: a form checks the input's shape, one service decides and
records. Who may is checked before any form is read (403, the refusal page); a
refusal by the service is shown beside its field with the status of
``guidelines.errors.status_of`` (400 for bad input).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from committee.errors import Refused
from committee.models import Channel
from committee.permissions import Action, NotAllowed, may, require, standing_in
from cycles.errors import CycleInputError
from cycles.forms import CycleForm, SummitForm
from cycles.models import Cycle
from cycles.selectors import cycle_calendar, cycle_calendars, cycle_get
from cycles.services import cycle_create, cycle_set_summit
from guidelines.errors import status_of
from guidelines.selectors import guideline_get


def _refused(request):
    """The refusal page if the user may not manage the calendar; None if they may."""
    try:
        require(request.user, Action.CYCLE_MANAGE)
    except NotAllowed as refusal:
        return render(
            request, "refused.html", {"message": str(refusal), "back": request.path}, status=403
        )
    return None


def _may_manage(request) -> bool:
    return may(request.user, Action.CYCLE_MANAGE, standing=standing_in(request))


def _show_problems(form, refusal: Refused) -> str:
    """Put each of a service's problems beside its field; what has no field is returned."""
    if not isinstance(refusal, CycleInputError):
        return str(refusal)
    rest = []
    for field, problem in refusal.problems.items():
        if field in form.fields and not form.fields[field].widget.is_hidden:
            form.add_error(field, problem)
        else:
            rest.append(problem)
    return "; ".join(rest)


def _cycle_or_404(name: str) -> Cycle:
    cycle = cycle_get(name)
    if cycle is None:
        raise Http404(f"There is no cycle {name}.")
    return cycle


# The calendar


def _list_page(request, *, form=None, error="", status=200):
    calendars = cycle_calendars()
    return render(
        request,
        "cycles/list.html",
        {
            "calendars": calendars,
            "current": next((c for c in calendars if c.is_current), None),
            "form": (form or CycleForm()) if _may_manage(request) else None,
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def cycle_list(request):
    """Every cycle, the current one highlighted; the chair plans a new one here."""
    if request.method != "POST":
        return _list_page(request)
    refused = _refused(request)
    if refused:
        return refused
    form = CycleForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form=form, status=400)
    try:
        cycle = cycle_create(
            name=form.cleaned_data["name"],
            summit=form.cleaned_data["summit"],
            guideline_key=form.cleaned_data["guideline"],
            actor=request.user,
            channel=Channel.WEB,
        )
    except Refused as refusal:
        error = _show_problems(form, refusal)
        return _list_page(request, form=form, error=error, status=status_of(refusal))
    messages.success(request, f"Cycle {cycle.name} is planned: summit on {cycle.summit:%Y-%m-%d}.")
    return redirect("cycles:detail", name=cycle.name)


# One cycle


def _detail_page(request, cycle: Cycle, *, form=None, error="", status=200):
    if form is None and _may_manage(request):
        form = SummitForm(initial={"name": cycle.name, "summit": cycle.summit})
    return render(
        request,
        "cycles/detail.html",
        {
            "cycle": cycle,
            "calendar": cycle_calendar(cycle),
            # The draft's page, once the draft exists (a cycle may be planned before).
            "draft": guideline_get(cycle.guideline_key) if cycle.guideline_key else None,
            "form": form if _may_manage(request) else None,
            "error": error,
        },
        status=status,
    )


@require_safe
def cycle_detail(request, name):
    """One cycle's milestones, and where it stands today."""
    return _detail_page(request, _cycle_or_404(name))


@require_POST
def cycle_summit(request):
    """The chair moves a cycle's summit (named in the form), and every milestone with it."""
    refused = _refused(request)
    if refused:
        return refused
    cycle = _cycle_or_404(request.POST.get("name", ""))
    form = SummitForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, cycle, form=form, status=400)
    before = cycle.summit
    try:
        cycle = cycle_set_summit(
            cycle=cycle,
            summit=form.cleaned_data["summit"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
            channel=Channel.WEB,
        )
    except Refused as refusal:
        error = _show_problems(form, refusal)
        return _detail_page(request, cycle, form=form, error=error, status=status_of(refusal))
    if cycle.summit == before:
        messages.info(request, f"The summit of {cycle.name} is on {before:%Y-%m-%d} already.")
    else:
        messages.success(
            request,
            f"The summit of {cycle.name} is now on {cycle.summit:%Y-%m-%d}; "
            "its milestones moved with it.",
        )
    return redirect("cycles:detail", name=cycle.name)
