"""A guideline's life cycle, declared: its statuses, the moves between them, and
what each status lets change.

draft -> review -> approved -> superseded (2017A C6.3), and review -> draft to
take a draft back. A draft is not moved to approved: an approval creates the
release ``YYYY.MM`` as a copy of it (``guidelines.services.publishing``, behind
``releases.services.guideline_approve``), and the draft goes on to the next cycle.

The services that move a guideline (``guidelines.services.moves``) and every
service that changes one check these tables, under the guideline's row lock
(``guidelines.services.changes``). Nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from guidelines.errors import RuleRefused
from guidelines.models import GuidelineStatus

DRAFT = GuidelineStatus.DRAFT
REVIEW = GuidelineStatus.REVIEW
APPROVED = GuidelineStatus.APPROVED
SUPERSEDED = GuidelineStatus.SUPERSEDED
PUBLISHED = frozenset({APPROVED, SUPERSEDED})

# How documents spell the statuses (DOMAIN.md section 1): the 1.5, 1.6 and 2.0
# JSON enums say "advisory" for review, and 17 files of the committee's history
# said "superceded". Imports read them as these statuses; exports keep the spelling.
DOCUMENT_SPELLINGS = {
    "draft": DRAFT,
    "review": REVIEW,
    "advisory": REVIEW,
    "approved": APPROVED,
    "superseded": SUPERSEDED,
    "superceded": SUPERSEDED,
}


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    name: str  # the service's verb: "open_review", "approve"...
    label: str  # what a person calls it
    rule: str  # the process rule that defines it


# The allowed moves. Anything else (draft -> approved, superseded -> approved,
# orchestration.2018.02's draft -> superseded) is refused; approval is not a move.
MOVES = (
    Move(
        DRAFT, REVIEW, "open_review", "Open for review", "2017A C6.3 (S: the draft goes to review)"
    ),
    Move(REVIEW, DRAFT, "return_to_draft", "Return to draft", "2017A C6.3 (back to drafting)"),
    Move(APPROVED, SUPERSEDED, "supersede", "Supersede", "2017A C6.1, C6.2 (kept, not used)"),
)


def move_between(source: str, target: str) -> Move:
    """The declared move from ``source`` to ``target``; RuleRefused if there is none."""
    for move in MOVES:
        if (move.source, move.target) == (source, target):
            return move
    allowed = ", ".join(m.target for m in MOVES if m.source == source) or "none"
    if target == APPROVED and source in (DRAFT, REVIEW):
        raise RuleRefused(
            f"a guideline is not moved from {source} to approved: approving a draft creates "
            "its release YYYY.MM, after a passed approval ballot (2017A C6.3, D4.1; the "
            "approve page, POST /api/v1/catalog/guidelines/<key>/approval, or "
            "manage.py approve_guideline)"
        )
    raise RuleRefused(
        f"a guideline does not move from {source} to {target} (2017A C6.3: draft -> review -> "
        f"approved -> superseded); from {source} it may move to: {allowed}"
    )


def moves_from(source: str) -> list[Move]:
    return [move for move in MOVES if move.source == source]


class Change(StrEnum):
    """The kinds of change a guideline takes, as the process rules tell them apart."""

    CONTENT = "content"  # capabilities, tests, lists, metadata; a whole new document
    SCORING = "scoring"  # scores, consensus, criteria and weights, worksheets
    FLAG = "flag"  # adding or changing a test's flag
    UNFLAG = "unflag"  # removing a flag
    OVERRIDE = "override"  # the chair's written answer to a process finding


EVERYTHING = frozenset(Change)
# What each status lets change. Published guidelines change only by flags
# (2017A D2.1, HACKING D301), and a flag stays (D311); scores, criteria and
# weights freeze once the draft leaves draft status (A4.3).
ALLOWED: dict[str, frozenset[Change]] = {
    DRAFT: EVERYTHING,
    REVIEW: EVERYTHING - {Change.SCORING},
    APPROVED: frozenset({Change.FLAG}),
    SUPERSEDED: frozenset({Change.FLAG}),
}


def allows(status: str, change: Change) -> bool:
    return change in ALLOWED.get(status, frozenset())


def why_not(status: str, change: Change) -> str:
    """The rule that refuses ``change`` in ``status``, as the refusal states it."""
    if change == Change.SCORING:
        return (
            "scores, criteria and weights are frozen once the draft leaves draft status "
            "(2017A A4.3)"
        )
    if change == Change.UNFLAG:
        return "a flag stays for that guideline (HACKING D311)"
    return "a published guideline changes only by test flags (2017A D2.1, HACKING D301)"


def require_allowed(key: str, status: str, change: Change, *, what: str) -> None:
    """RuleRefused, naming the rule, unless a guideline in ``status`` takes ``change``."""
    if not allows(status, change):
        raise RuleRefused(f"{key} is {status}: {what} is refused; {why_not(status, change)}")
