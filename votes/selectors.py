"""Reading ballots: what a page or the API shows of one, to whom."""

from __future__ import annotations

from django.utils import timezone

from votes.models import Ballot, Position
from votes.services import current_tally, rules_of


def ballots():
    return Ballot.objects.select_related("guideline", "opened_by", "closed_by")


def ballot_state(ballot: Ballot, viewer=None) -> dict:
    """The tally, what the ballot still needs, and the current positions, as far as
    the viewer may see them: a ballot with hidden positions shows them, and its
    count, only once it has closed (nobody sees early results, the chair included)."""
    electorate = ballot.voters.count()
    shown = ballot.positions_visible or not ballot.is_open
    mine = None
    if viewer is not None and viewer.is_authenticated:
        mine = ballot.positions.filter(voter=viewer, current=True).first()
    state = {
        "electorate": electorate,
        "visible": shown,
        "tally": None,
        "needs": None,
        "positions": [],
        "taking_part": None,
        "mine": mine,
        "may_vote": bool(
            viewer is not None
            and viewer.is_authenticated
            and ballot.is_open
            and ballot.closes_at > timezone.now()  # past the deadline, the task closes it
            and ballot.voters.filter(user=viewer).exists()
        ),
    }
    if not ballot.is_open:
        stored = ballot.tally
        state["tally"] = {k: stored[k] for k in ("yes", "no", "abstain", "recuse", "block")}
        state["taking_part"] = stored["taking_part"]
    elif shown:
        tally = current_tally(ballot)
        rules = rules_of(ballot, electorate)
        state["tally"] = tally
        state["needs"] = rules.needs(tally)
        state["taking_part"] = rules.taking_part(tally)
    if shown:
        state["positions"] = list(
            Position.objects.filter(ballot=ballot, current=True)
            .select_related("voter")
            .order_by("voter__username")
        )
    return state


def awaiting_position(user):
    """Open ballots with ``user`` in the electorate and no current position: theirs to act on."""
    return (
        ballots()
        .filter(status="open", closes_at__gt=timezone.now(), voters__user=user)
        .exclude(positions__voter=user, positions__current=True)
        .order_by("closes_at")
    )
