"""The seats page (the chair's) and the account page (everyone signed in's).

Views stay thin, as the workspace's: a form checks the input's shape, one
service (``committee.services``) makes the change as ``request.user`` through
the web channel, and a refusal is shown with its status: 403 when the standing
does not allow it, 400 for anything else. A new API token's key is shown on
the response that creates it, once, and never cached.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from committee.errors import Refused
from committee.forms import SeatEndForm, SeatForm
from committee.models import Channel, Event, Seat
from committee.permissions import Action, NotAllowed, require
from committee.services import seat_end, seat_grant, token_create, token_revoke

WEB = Channel.WEB
SEAT_EVENTS_SHOWN = 30


def refused(request, message: str):
    return render(request, "refused.html", {"message": message}, status=403)


def status_of(refusal: Refused) -> int:
    return 403 if isinstance(refusal, NotAllowed) else 400


def action_required(action):
    """Refuse with a page saying why, before any form is read; the services check again."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                require(request.user, action)
            except NotAllowed as exc:
                return refused(request, str(exc))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# The seats page


def _seats_page(request, *, form=None, error="", ended_for="", end_form=None, status=200):
    now = timezone.now()
    seats = Seat.objects.select_related("user")
    current = list(seats.current().order_by("role", "user__username"))
    current_ids = {seat.pk for seat in current}
    history = [seat for seat in seats.order_by("-valid_from", "-pk") if seat.pk not in current_ids]
    return render(
        request,
        "committee/seats.html",
        {
            "form": form or SeatForm(),
            "error": error,
            "current": current,
            "history": history,
            "now": now,
            "ended_for": ended_for,
            "end_form": end_form,
            "events": Event.objects.filter(kind__startswith="seat.").select_related("actor")[
                :SEAT_EVENTS_SHOWN
            ],
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@action_required(Action.SEAT_MANAGE)
def seats(request):
    """The committee's seats, now and before; the chair seats someone here."""
    if request.method != "POST":
        return _seats_page(request)
    form = SeatForm(request.POST)
    if not form.is_valid():
        return _seats_page(request, form=form, status=400)
    try:
        grant = seat_grant(**form.cleaned_data, actor=request.user, channel=WEB)
    except Refused as exc:
        return _seats_page(request, form=form, error=str(exc), status=status_of(exc))
    seat = grant.seat
    name = seat.user.get_username()
    role = seat.get_role_display().lower()
    if grant.created:
        created = " (a new user, without a password until an operator sets one)"
        messages.success(
            request, f"Seated {name} as {role}{created if grant.user_created else ''}."
        )
    else:
        messages.info(request, f"{name} is seated as {role} already: nothing changed.")
    return redirect("committee:seats")


@require_POST
@action_required(Action.SEAT_MANAGE)
def seat_end_view(request, username):
    """End someone's current seat now, saying why; it stays in the history."""
    form = SeatEndForm(request.POST)
    if not form.is_valid():
        return _seats_page(request, ended_for=username, end_form=form, status=400)
    try:
        seat_end(
            username=username, reason=form.cleaned_data["reason"], actor=request.user, channel=WEB
        )
    except Refused as exc:
        return _seats_page(request, error=str(exc), status=status_of(exc))
    messages.success(request, f"Ended the seat of {username}; it is kept in the history.")
    return redirect("committee:seats")


# The account page


def _account_page(request, *, new_key: str = "", error: str = "", status: int = 200):
    user = request.user
    token = Token.objects.filter(user=user).first()
    return render(
        request,
        "committee/account.html",
        {
            "current": list(Seat.objects.current().filter(user=user).order_by("role")),
            "past": list(
                Seat.objects.filter(user=user, valid_to__lte=timezone.now()).order_by("-valid_to")
            ),
            "has_token": token is not None,
            "token_created": token.created if token else None,
            "new_key": new_key,
            "error": error,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
def account(request):
    """Your standing, your seat and your API token."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _account_page(request)


@never_cache
@require_POST
@action_required(Action.TOKEN_MANAGE)
def token_create_view(request):
    """A new API token for you, replacing any other: its key is on this response only."""
    try:
        token = token_create(user=request.user, actor=request.user, channel=WEB)
    except Refused as exc:
        return _account_page(request, error=str(exc), status=status_of(exc))
    return _account_page(request, new_key=token.key)


@never_cache
@require_POST
@action_required(Action.TOKEN_MANAGE)
def token_revoke_view(request):
    try:
        token_revoke(user=request.user, actor=request.user, channel=WEB)
    except Refused as exc:
        return _account_page(request, error=str(exc), status=status_of(exc))
    messages.success(request, "Your API token is revoked: it no longer works.")
    return redirect("committee:account")
