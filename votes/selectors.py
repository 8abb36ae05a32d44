"""Reading ballots: what a page or the API shows of one, to whom."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from votes.models import Ballot, Position, Voter
from votes.rules import tally_of
from votes.services import rules_of

CURRENT = Position.objects.filter(current=True).select_related("voter").order_by("voter__username")


def ballots():
    """Ballots with what their pages and the API show, in a fixed number of queries
    however many are listed: the electorate's size and the current positions."""
    size = (
        Voter.objects.filter(ballot=OuterRef("pk"))
        .values("ballot")
        .annotate(size=Count("pk"))
        .values("size")
    )
    return (
        Ballot.objects.select_related("guideline", "opened_by", "closed_by")
        .annotate(electorate_size=Coalesce(Subquery(size), 0))
        .prefetch_related(Prefetch("positions", queryset=CURRENT, to_attr="current_positions"))
    )


def voting_in(viewer, ballot_ids) -> set[int]:
    """Which of these ballots ``viewer`` is in the electorate of (one query)."""
    if viewer is None or not viewer.is_authenticated:
        return set()
    return set(
        Voter.objects.filter(user=viewer, ballot__in=ballot_ids).values_list("ballot", flat=True)
    )


def ballot_state(ballot: Ballot, viewer=None, voter_of: set[int] | None = None) -> dict:
    """The tally, what the ballot still needs, and the current positions, as far as
    the viewer may see them: a ballot with hidden positions shows them, and its
    count, only once it has closed (nobody sees early results, the chair included).

    ``ballot`` comes from ``ballots()``; ``voter_of`` is ``voting_in(viewer, ...)``
    when a list has asked it once for all its ballots."""
    current = ballot.current_positions
    electorate = ballot.electorate_size
    shown = ballot.positions_visible or not ballot.is_open
    signed_in = viewer is not None and viewer.is_authenticated
    mine = next((p for p in current if p.voter_id == viewer.pk), None) if signed_in else None
    if voter_of is None:
        voter_of = voting_in(viewer, [ballot.pk])
    state = {
        "electorate": electorate,
        "visible": shown,
        "tally": None,
        "needs": None,
        "positions": list(current) if shown else [],
        "taking_part": None,
        "mine": mine,
        "may_vote": bool(
            ballot.is_open
            and ballot.closes_at > timezone.now()  # past the deadline, the task closes it
            and ballot.pk in voter_of
        ),
    }
    if not ballot.is_open:
        stored = ballot.tally
        state["tally"] = {k: stored[k] for k in ("yes", "no", "abstain", "recuse", "block")}
        state["taking_part"] = stored["taking_part"]
    elif shown:
        tally = tally_of(p.value for p in current)
        rules = rules_of(ballot, electorate)
        state["tally"] = tally
        state["needs"] = rules.needs(tally)
        state["taking_part"] = rules.taking_part(tally)
    return state


def awaiting_position(user):
    """Open ballots with ``user`` in the electorate and no current position: theirs to act on."""
    return (
        ballots()
        .filter(status="open", closes_at__gt=timezone.now(), voters__user=user)
        .exclude(positions__voter=user, positions__current=True)
        .order_by("closes_at")
    )
