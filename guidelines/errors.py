"""What a guideline service raises when it refuses, for views and commands to show.

Every message says what was wrong and what to do. Who may act is decided in
``committee.permissions`` (``NotAllowed``); these are about the guideline.
"""

from __future__ import annotations

from committee.errors import Refused
from committee.permissions import NotAllowed

__all__ = [
    "GuidelineError",
    "NotAllowed",
    "PreconditionFailed",
    "PreconditionRequired",
    "Refused",
    "RuleRefused",
    "VersionConflict",
    "refusal_of",
    "status_of",
]


class GuidelineError(Refused):
    """A request about a guideline that cannot be carried out: bad input, a taken name..."""


class RuleRefused(GuidelineError):
    """A process rule refuses the change; the message names the rule (2017A D2.1, A4.3...)."""


class VersionConflict(GuidelineError):
    """Someone changed the same thing meanwhile; ``current`` is what it is now."""

    def __init__(self, message: str, current: dict | None = None):
        super().__init__(message)
        self.current = current or {}


class PreconditionFailed(GuidelineError):
    """The document changed since the caller read it (its ETag no longer matches If-Match)."""


class PreconditionRequired(GuidelineError):
    """Replacing a whole document needs the ETag the caller read (If-Match)."""


# The HTTP status and code of each refusal, for the API (``guidelines.api.errors``)
# and the pages alike. Order matters: subclasses before GuidelineError.
REFUSALS: tuple[tuple[type[Exception], int, str], ...] = (
    (NotAllowed, 403, "not_allowed"),  # the actor's seat
    (RuleRefused, 409, "rule_refused"),  # a process rule, named in the message
    (VersionConflict, 409, "conflict"),  # changed meanwhile
    (PreconditionFailed, 412, "precondition_failed"),
    (PreconditionRequired, 428, "precondition_required"),
    (GuidelineError, 400, "invalid"),  # bad input
)


def refusal_of(exc: Exception) -> tuple[int, str] | None:
    """(HTTP status, code) for a service's refusal; None for any other exception."""
    for kind, status, code in REFUSALS:
        if isinstance(exc, kind):
            return status, code
    return None


def status_of(refusal: Exception) -> int:
    """The HTTP status a page answers a service's refusal with: as the API's."""
    found = refusal_of(refusal)
    return found[0] if found else 400
