"""The ballot pages: the list, one ballot with its live tally, opening one, and
the member's dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from committee.errors import Refused
from committee.models import Channel
from committee.permissions import Action, may, standing_in
from guidelines.errors import status_of
from guidelines.views import guideline_or_404
from votes.comments import comment_path, target_label, threads_awaiting_reply
from votes.forms import BallotOpenForm, CloseForm, PositionForm
from votes.models import Ballot, BallotStatus
from votes.selectors import awaiting_position, ballot_state, ballots
from votes.services import ballot_close, ballot_open, position_set


def ballot_or_404(pk: int) -> Ballot:
    ballot = ballots().filter(pk=pk).first()
    if ballot is None:
        raise Http404(f"There is no ballot {pk}.")
    return ballot


@require_safe
def ballot_list(request):
    found = ballots()
    key = request.GET.get("guideline", "")
    if key:
        found = found.filter(guideline__key=key) if "\x00" not in key else found.none()
    return render(
        request,
        "votes/ballot_list.html",
        {
            "guideline": key,
            "open": found.filter(status=BallotStatus.OPEN).order_by("closes_at"),
            "closed": found.exclude(status=BallotStatus.OPEN)[:100],
        },
    )


def _ballot_page(request, ballot, *, position_form=None, close_form=None, error="", status=200):
    standing = standing_in(request)
    state = ballot_state(ballot, request.user)
    if position_form is None and state["may_vote"]:
        mine = state["mine"]
        position_form = PositionForm(
            initial={"position": mine.value, "reason": mine.reason} if mine else None
        )
    may_close = ballot.is_open and may(request.user, Action.BALLOT_CLOSE, standing=standing)
    return render(
        request,
        "votes/ballot.html",
        {
            "ballot": ballot,
            "state": state,
            "position_form": position_form if state["may_vote"] else None,
            "close_form": (close_form or CloseForm()) if may_close else None,
            "error": error,
        },
        status=status,
    )


@require_safe
def ballot_detail(request, pk):
    return _ballot_page(request, ballot_or_404(pk))


@require_http_methods(["POST"])
def ballot_position(request, pk):
    ballot = ballot_or_404(pk)
    form = PositionForm(request.POST)
    if not form.is_valid():
        return _ballot_page(request, ballot, position_form=form, status=400)
    try:
        position_set(
            ballot=ballot,
            actor=request.user,
            value=form.cleaned_data["position"],
            reason=form.cleaned_data["reason"],
            channel=Channel.WEB,
        )
    except Refused as refusal:
        return _ballot_page(
            request, ballot, position_form=form, error=str(refusal), status=status_of(refusal)
        )
    messages.success(request, f"Your position on ballot {ballot.pk} is recorded.")
    return redirect("votes:ballot", pk=ballot.pk)


@require_http_methods(["POST"])
def ballot_close_view(request, pk):
    ballot = ballot_or_404(pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _ballot_page(request, ballot, close_form=form, status=400)
    try:
        closed = ballot_close(
            ballot=ballot,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            withdraw=form.cleaned_data["withdraw"],
            channel=Channel.WEB,
        )
    except Refused as refusal:
        return _ballot_page(
            request, ballot, close_form=form, error=str(refusal), status=status_of(refusal)
        )
    messages.success(request, f"Ballot {closed.pk} is closed: {closed.get_status_display()}.")
    return redirect("votes:ballot", pk=closed.pk)


@require_http_methods(["GET", "HEAD", "POST"])
def ballot_new(request, key):
    guideline = guideline_or_404(key)
    allowed = may(request.user, Action.BALLOT_OPEN, standing=standing_in(request))
    form = BallotOpenForm(request.POST or None)
    error = "" if allowed else "Opening a ballot is for the chair."
    status = 200 if allowed else 403
    if request.method == "POST" and allowed and form.is_valid():
        try:
            ballot = ballot_open(
                guideline=guideline,
                kind=form.cleaned_data["kind"],
                question=form.cleaned_data["question"],
                closes_at=form.cleaned_data["closes_at"],
                quorum=form.cleaned_data.get("quorum"),
                threshold=form.threshold_pair(),
                positions_visible=form.cleaned_data["positions_visible"],
                subject=form.cleaned_data["subject"],
                actor=request.user,
                channel=Channel.WEB,
            )
        except Refused as refusal:
            error, status = str(refusal), status_of(refusal)
        else:
            messages.success(request, f"Ballot {ballot.pk} is open.")
            return redirect("votes:ballot", pk=ballot.pk)
    elif request.method == "POST" and allowed:
        status = 400
    return render(
        request,
        "votes/ballot_new.html",
        {"guideline": guideline, "form": form, "error": error, "allowed": allowed},
        status=status,
    )


@require_safe
def dashboard(request):
    """What needs my action: open ballots I have not taken a position on, and the
    threads I wrote in whose latest comment is someone else's."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    threads = [
        {"comment": root, "where": target_label(root.target), "path": comment_path(root)}
        for root in threads_awaiting_reply(request.user)
    ]
    return render(
        request,
        "votes/dashboard.html",
        {"awaiting": awaiting_position(request.user), "threads": threads},
    )
