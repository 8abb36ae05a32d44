"""Seats and API tokens: who sits on the committee, and how tooling signs in.

Each service is one transaction: it checks the actor's standing
(``committee.permissions.require``), makes the change and records it in the
committee's event log (``committee.record.record``), so that a change and its
record commit together. Seats are never deleted: ending one sets ``valid_to``,
and the history of who sat when, as what, stays. A token's key is shown to its
owner once, when it is created; no event keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from committee.errors import Refused
from committee.models import Channel, Role, Seat
from committee.permissions import Action, NotAllowed, require
from committee.record import record
from committee.system import SYSTEM_USERNAME


class CommitteeError(Refused):
    """A seat or a token cannot change so: the message says why, and what to do."""


@dataclass(frozen=True)
class SeatGrant:
    """What ``seat_grant`` did: the seat held now, whether it is new, and what ended."""

    seat: Seat
    created: bool  # False: the same seat was held already, and nothing changed
    user_created: bool
    ended: tuple[Seat, ...] = ()


def _username_checked(username: str) -> str:
    User = get_user_model()
    name = User.normalize_username((username or "").strip())
    if not name:
        raise CommitteeError("Give the username of the person to seat.")
    if name == SYSTEM_USERNAME:
        raise CommitteeError(
            f"{SYSTEM_USERNAME!r} is the system actor, whom the commands act as: "
            "it cannot hold a seat."
        )
    field = User._meta.get_field(User.USERNAME_FIELD)
    try:
        field.run_validators(name)
    except ValidationError as exc:
        raise CommitteeError(f"{name!r} is not a valid username: {' '.join(exc.messages)}") from exc
    return name


def _role_checked(role: str) -> str:
    if role not in Role.values:
        raise CommitteeError(
            f"There is no role {role!r}: a seat is one of {', '.join(Role.values)}."
        )
    return role


def _email_checked(email: str) -> str:
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommitteeError(f"{email!r} is not an e-mail address.") from exc
    return email


def _seat_view(seat: Seat) -> dict:
    return {
        "username": seat.user.get_username(),
        "role": seat.role,
        "affiliation": seat.affiliation,
    }


def _seat_words(seat: Seat) -> str:
    at = f" of {seat.affiliation}" if seat.affiliation else ""
    return f"{seat.user.get_username()} as {seat.get_role_display().lower()}{at}"


def _end(seat: Seat, now) -> Seat:
    # valid_to must come after valid_from (a check constraint), even for a seat
    # granted in the same instant.
    seat.valid_to = max(now, seat.valid_from + timedelta(microseconds=1))
    seat.save(update_fields=["valid_to"])
    return seat


@transaction.atomic
def seat_grant(
    *,
    username: str,
    role: str,
    actor,
    affiliation: str = "",
    email: str = "",
    channel: str = Channel.WEB,
) -> SeatGrant:
    """Seat ``username`` as ``role`` of ``affiliation``, creating the user if missing.

    A new user gets no usable password (they set one through an operator, or use
    single sign-on later): nothing secret is made, so nothing secret is shown.
    The user's current seats of another role or affiliation end now; granting
    the seat they hold already changes nothing and records nothing.
    """
    require(actor, Action.SEAT_MANAGE)
    name = _username_checked(username)
    role = _role_checked(role)
    affiliation = (affiliation or "").strip()
    if len(affiliation) > Seat._meta.get_field("affiliation").max_length:
        raise CommitteeError("The affiliation is too long (200 characters at most).")
    email = _email_checked(email)

    User = get_user_model()
    user, user_created = User.objects.get_or_create(
        **{User.USERNAME_FIELD: name}, defaults={"email": email}
    )
    if user_created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    else:
        # Concurrent grants to one person are taken one after the other.
        user = User.objects.select_for_update().get(pk=user.pk)
        if email and user.email.lower() != email.lower():
            raise CommitteeError(
                f"{name} exists already with "
                + (f"the e-mail address {user.email}" if user.email else "no e-mail address")
                + ": seating does not change an account's address (an operator does, in /admin/)."
            )

    now = timezone.now()
    current = list(Seat.objects.current().filter(user=user).order_by("valid_from", "pk"))
    kept = next((s for s in current if s.role == role and s.affiliation == affiliation), None)
    ending = [seat for seat in current if seat is not kept]
    if kept is not None and not ending:
        return SeatGrant(seat=kept, created=False, user_created=False)

    ended = []
    for seat in ending:
        _end(seat, now)
        ended.append(seat)
        record(
            kind="seat.ended",
            actor=actor,
            subject=seat,
            channel=channel,
            summary=f"Ended the seat of {_seat_words(seat)}: replaced by a new seat",
            data={**_seat_view(seat), "reason": "replaced by a new seat"},
        )
    if kept is not None:
        return SeatGrant(seat=kept, created=False, user_created=False, ended=tuple(ended))

    seat = Seat.objects.create(user=user, role=role, affiliation=affiliation, valid_from=now)
    record(
        kind="seat.granted",
        actor=actor,
        subject=seat,
        channel=channel,
        summary=f"Seated {_seat_words(seat)}" + (" (a new user)" if user_created else ""),
        data={
            **_seat_view(seat),
            "user_created": user_created,
            "replaces": [ended_seat.pk for ended_seat in ended],
        },
    )
    return SeatGrant(seat=seat, created=True, user_created=user_created, ended=tuple(ended))


@transaction.atomic
def seat_end(*, username: str, actor, reason: str = "", channel: str = Channel.WEB) -> list[Seat]:
    """End the current seat(s) of ``username`` now, keeping them in the history."""
    require(actor, Action.SEAT_MANAGE)
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise CommitteeError("The reason is too long (2000 characters at most).")
    User = get_user_model()
    name = User.normalize_username((username or "").strip())
    user = User.objects.select_for_update().filter(**{User.USERNAME_FIELD: name}).first()
    if user is None:
        raise CommitteeError(f"There is no user named {name!r}.")
    current = list(Seat.objects.current().filter(user=user).order_by("valid_from", "pk"))
    if not current:
        raise CommitteeError(f"{name} holds no seat now: there is nothing to end.")
    now = timezone.now()
    for seat in current:
        _end(seat, now)
        record(
            kind="seat.ended",
            actor=actor,
            subject=seat,
            channel=channel,
            summary=f"Ended the seat of {_seat_words(seat)}" + (f": {reason}" if reason else ""),
            data={**_seat_view(seat), "reason": reason},
        )
    return current


def _own_token_only(user, actor) -> None:
    require(actor, Action.TOKEN_MANAGE)
    if user is None or actor.pk != user.pk:
        raise NotAllowed(
            "Each person manages their own API token only: nobody creates or revokes another's.",
            action=Action.TOKEN_MANAGE,
        )


def _revoke(user, actor, *, channel: str, why: str) -> bool:
    # The key is the token's primary key: the events name the user, never the token.
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        record(
            kind="token.revoked",
            actor=actor,
            subject=user,
            channel=channel,
            summary=f"{user.get_username()} revoked their API token" + (f" ({why})" if why else ""),
            data={"username": user.get_username(), "reason": why},
        )
    return bool(deleted)


@transaction.atomic
def token_create(*, user, actor, channel: str = Channel.WEB) -> Token:
    """A new API token for ``user`` (who must be ``actor``), replacing (revoking) any other.

    The returned token's key is for the response that shows it, once; it is not
    recorded anywhere else.
    """
    _own_token_only(user, actor)
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    replaced = _revoke(user, actor, channel=channel, why="replaced by a new token")
    token = Token.objects.create(user=user)
    record(
        kind="token.created",
        actor=actor,
        subject=user,
        channel=channel,
        summary=f"{user.get_username()} created an API token"
        + (", replacing the old one" if replaced else ""),
        data={"username": user.get_username(), "replaced": replaced},
    )
    return token


@transaction.atomic
def token_revoke(*, user, actor, channel: str = Channel.WEB) -> None:
    """Revoke ``user``'s API token (``user`` must be ``actor``): it stops working at once."""
    _own_token_only(user, actor)
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not _revoke(user, actor, channel=channel, why=""):
        raise CommitteeError("You have no API token to revoke.")
