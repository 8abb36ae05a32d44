"""The guideline pages. Views only fetch, call one service, and render; reads live in
guidelines.pages."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from committee.errors import Refused
from committee.permissions import Action, NotAllowed, may, require, standing_in
from guidelines import pages
from guidelines.errors import refusal_of
from guidelines.lifecycle import moves_from
from guidelines.models import EventChannel, Guideline
from guidelines.selectors import approved_families, guideline_get, guideline_latest_approved
from guidelines.services import MOVE_SERVICES, guideline_start_draft


def guideline_or_404(key: str) -> Guideline:
    guideline = guideline_get(key)
    if guideline is None:
        raise Http404(f"No guideline named {key}.")
    return guideline


@require_safe
def guideline_list(request):
    return render(
        request,
        "guidelines/list.html",
        {
            "groups": pages.guideline_groups(),
            "draft_kinds": approved_families()
            if may(request.user, Action.DRAFT_START, standing=standing_in(request))
            else [],
        },
    )


@require_POST
def draft_start(request):
    """Start the next draft from the latest approved guideline of a kind (2017A A1.1)."""
    try:
        require(request.user, Action.DRAFT_START)
    except NotAllowed as exc:
        return render(
            request,
            "refused.html",
            {"message": str(exc), "back": reverse("guidelines:list")},
            status=403,
        )
    source = guideline_latest_approved(request.POST.get("family", ""))
    if source is None:
        messages.error(request, "There is no approved guideline of that kind to start from.")
        return redirect("guidelines:list")
    try:
        draft = guideline_start_draft(source=source, actor=request.user, channel=EventChannel.WEB)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("guidelines:list")
    messages.success(request, f"Started draft {draft.key} from {source.key}.")
    return redirect("capabilities:workspace", draft.key)


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=[(status, status) for status in sorted(MOVE_SERVICES)])
    reason = forms.CharField(
        max_length=2000,
        label="Why",
        error_messages={"required": "say why the guideline moves: it is recorded"},
    )


def _detail(request, guideline: Guideline, *, status: int = 200, move_form=None, move_error=""):
    can_move = may(request.user, Action.GUIDELINE_MOVE, standing=standing_in(request))
    return render(
        request,
        "guidelines/detail.html",
        {
            "page": pages.guideline_page(guideline),
            "moves": moves_from(guideline.status) if can_move else [],
            "move_form": move_form,
            "move_error": move_error,
        },
        status=status,
    )


@require_safe
def guideline_detail(request, key):
    return _detail(request, guideline_or_404(key))


@require_POST
def guideline_move(request, key):
    """The chair moves the guideline along its life cycle, saying why."""
    guideline = guideline_or_404(key)
    try:
        require(request.user, Action.GUIDELINE_MOVE)
    except NotAllowed as exc:
        return render(
            request,
            "refused.html",
            {"message": str(exc), "back": reverse("guidelines:list")},
            status=403,
        )
    form = MoveForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(message for found in form.errors.values() for message in found)
        return _detail(request, guideline, status=400, move_form=form, move_error=errors)
    target = form.cleaned_data["status"]
    try:
        MOVE_SERVICES[target](
            guideline=guideline,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            channel=EventChannel.WEB,
        )
    except Refused as exc:
        status = refusal_of(exc)[0] if refusal_of(exc) else 400
        return _detail(request, guideline, status=status, move_form=form, move_error=str(exc))
    messages.success(request, f"{guideline.key} is {target} now.")
    return redirect("guidelines:detail", guideline.key)


@require_safe
def guideline_compare(request, key):
    """The detail page's "Compare with" form: on to the diff, the older guideline first."""
    old, new = pages.compare_order(
        guideline_or_404(key), guideline_or_404(request.GET.get("with", ""))
    )
    return redirect("guidelines:diff", old.key, new.key)


@require_safe
def guideline_diff(request, a, b):
    old, new = guideline_or_404(a), guideline_or_404(b)
    return render(request, "guidelines/diff.html", {"page": pages.diff_page(old, new)})
