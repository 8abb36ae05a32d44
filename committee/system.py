"""The system actor: who the event log names when an operator runs a command.

Commands (``import_guidelines``, ``start_draft``, ``import_worksheet``...) act
as this user, so every change has an actor and ``None`` never stands for
"anyone". It cannot sign in: it is inactive and has no usable password, and
both the session and the token backends refuse inactive users.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

SYSTEM_USERNAME = "system"


def system_actor():
    """The system user, created on first use (committee/migrations/0002 creates it too)."""
    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "password": "!system-actor-cannot-sign-in"},
    )
    if not is_system(user):
        raise ImproperlyConfigured(
            f"the user {SYSTEM_USERNAME!r} can sign in, so commands cannot act as it: that "
            "name is reserved for the commands operators run. Rename that user."
        )
    return user


def is_system(user) -> bool:
    return (
        user is not None
        and getattr(user, "username", None) == SYSTEM_USERNAME
        and not user.is_active
        and not user.has_usable_password()
    )
