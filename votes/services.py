"""Ballots: opening, taking positions, closing. Each service is one transaction,
checks who may (``committee.permissions``), and records what it did
(``committee.record``) in that transaction.

Refusals: ``NotAllowed`` (403) for who, ``RuleRefused`` (409) for a closed
ballot, ``GuidelineError`` (400) for bad input.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from capabilities.services import capability_move
from committee.models import Channel, Seat
from committee.permissions import Action, NotAllowed, require
from committee.record import record
from committee.system import system_actor
from guidelines.errors import GuidelineError, RuleRefused
from guidelines.models import (
    Capability,
    CapabilityStatus,
    Component,
    Guideline,
    GuidelineStatus,
    Test,
)
from votes import notifications
from votes.models import Ballot, BallotKind, BallotStatus, Position, PositionValue, Voter
from votes.rules import Rules, default_quorum, tally_of

logger = logging.getLogger(__name__)

# Positions that must say why.
REASON_REQUIRED = {
    PositionValue.BLOCK: "a block needs its reason",
    PositionValue.RECUSE: "a recusal needs its conflict of interest",
}
# The guideline log's channel for a change made through a ballot.
GUIDELINE_CHANNEL = {Channel.API: "api", Channel.TASK: "command", Channel.COMMAND: "command"}
# Which guidelines each kind of ballot may be about.
DRAFTS_ONLY = {BallotKind.APPROVAL, BallotKind.CAPABILITIES}


def rules_of(ballot: Ballot, electorate: int | None = None) -> Rules:
    if electorate is None:
        electorate = ballot.voters.count()
    return Rules(
        electorate=electorate,
        quorum=ballot.quorum,
        numerator=ballot.threshold_numerator,
        denominator=ballot.threshold_denominator,
    )


def current_tally(ballot: Ballot) -> dict[str, int]:
    values = ballot.positions.filter(current=True).values_list("value", flat=True)
    return tally_of(values)


@transaction.atomic
def ballot_open(
    *,
    guideline: Guideline,
    kind: str,
    question: str,
    closes_at: datetime,
    actor,
    subject: dict | list | None = None,
    quorum: int | None = None,
    threshold: tuple[int, int] = (2, 3),
    positions_visible: bool = True,
    channel: str = Channel.WEB,
) -> Ballot:
    """Open a ballot; its electorate is the committee seated now, fixed from then on."""
    require(actor, Action.BALLOT_OPEN)
    problems = []
    if kind not in BallotKind.values:
        problems.append(f"kind must be one of {', '.join(BallotKind.values)}")
    if not (question or "").strip():
        problems.append("a ballot needs its question")
    now = timezone.now()
    if closes_at is None or timezone.is_naive(closes_at):
        problems.append("closes_at needs a date, a time and a time zone")
    elif closes_at <= now:
        problems.append("closes_at must be in the future")
    numerator, denominator = threshold
    if not (0 < numerator <= denominator):
        problems.append("the threshold must be a fraction from above 0 to 1, such as 2/3")
    if problems:
        raise GuidelineError("; ".join(problems))
    guideline = Guideline.objects.select_for_update().get(pk=guideline.pk)
    if kind in DRAFTS_ONLY and guideline.status not in (
        GuidelineStatus.DRAFT,
        GuidelineStatus.REVIEW,
    ):
        raise RuleRefused(
            f"a {BallotKind(kind).label.lower()} ballot is about a draft, and "
            f"{guideline.key} is {guideline.status}"
        )
    subject = _subject_checked(guideline, kind, subject)
    electorate = list(
        get_user_model()
        .objects.filter(pk__in=Seat.objects.current().values("user"))
        .order_by("username")
    )
    if not electorate:
        raise RuleRefused("nobody is seated on the committee: seat its members first")
    if quorum is None:
        quorum = default_quorum(len(electorate))
    elif not 1 <= quorum <= len(electorate):
        raise GuidelineError(f"the quorum must be from 1 to the electorate, {len(electorate)}")
    ballot = Ballot.objects.create(
        guideline=guideline,
        kind=kind,
        question=question.strip(),
        subject=subject,
        opened_by=actor,
        opened_at=now,
        closes_at=closes_at,
        quorum=quorum,
        threshold_numerator=numerator,
        threshold_denominator=denominator,
        positions_visible=positions_visible,
    )
    Voter.objects.bulk_create(Voter(ballot=ballot, user=user) for user in electorate)
    record(
        kind="ballot.opened",
        actor=actor,
        subject=ballot,
        channel=channel,
        guideline_key=guideline.key,
        summary=f"Ballot {ballot.pk} opened: {ballot.question[:200]}",
        data={
            "kind": kind,
            "electorate": [user.username for user in electorate],
            "quorum": quorum,
            "threshold": ballot.threshold,
            "closes_at": closes_at.isoformat(),
            "positions_visible": positions_visible,
            "subject": subject,
        },
    )
    notifications.ballot_opened(ballot)  # e-mail, after the commit
    return ballot


def _subject_checked(guideline: Guideline, kind: str, subject) -> dict | list:
    if kind == BallotKind.CAPABILITIES:
        if not isinstance(subject, list) or not subject:
            raise GuidelineError(
                "a capabilities ballot lists its changes: "
                '[{"capability": ..., "component": ..., "status": ...}]'
            )
        changes = []
        for n, change in enumerate(subject):
            if not isinstance(change, dict) or set(change) != {"capability", "component", "status"}:
                raise GuidelineError(
                    f"change {n + 1}: give exactly capability, component and status"
                )
            values = [change[key] for key in ("capability", "component", "status")]
            if not all(isinstance(v, str) and v and "\x00" not in v for v in values):
                raise GuidelineError(f"change {n + 1}: capability, component and status are names")
            known = Capability.objects.filter(guideline=guideline, key=change["capability"])
            if not known.exists():
                raise GuidelineError(
                    f"change {n + 1}: {guideline.key} has no capability {change['capability']!r}"
                )
            if not Component.objects.filter(guideline=guideline, name=change["component"]).exists():
                raise GuidelineError(
                    f"change {n + 1}: {guideline.key} has no component {change['component']!r}"
                )
            if change["status"] not in CapabilityStatus.values:
                raise GuidelineError(
                    f"change {n + 1}: a status is one of {', '.join(CapabilityStatus.values)}"
                )
            changes.append({key: str(change[key]) for key in ("capability", "component", "status")})
        return changes
    if kind == BallotKind.FLAG:
        test_id = subject.get("test") if isinstance(subject, dict) else None
        if not isinstance(test_id, int) or isinstance(test_id, bool):
            raise GuidelineError('a flag ballot names its test: {"test": <test id>}')
        if not Test.objects.filter(pk=test_id, capability__guideline=guideline).exists():
            raise GuidelineError(f"{guideline.key} has no test {test_id}")
        return {"test": test_id}
    if subject not in (None, {}, []):
        raise GuidelineError(f"a {kind} ballot takes no subject")
    if kind == BallotKind.APPROVAL:
        # What the committee votes on: the draft as it is now. An approval checks that
        # the draft has not changed since (releases.services).
        return {"revision": guideline.revision}
    return {}


def _locked_open(ballot: Ballot, *, what: str) -> Ballot:
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if not ballot.is_open:
        raise RuleRefused(f"ballot {ballot.pk} is closed ({ballot.status}): {what}")
    return ballot


@transaction.atomic
def position_set(
    *, ballot: Ballot, actor, value: str, reason: str = "", channel: str = Channel.WEB
) -> Position:
    """Take or change the actor's position. The earlier one is kept; the new one counts."""
    if not getattr(actor, "is_authenticated", False):
        require(actor, Action.POSITION_SET)  # refuses: sign in first
    if value not in PositionValue.values:
        raise GuidelineError(f"a position is one of {', '.join(PositionValue.values)}")
    reason = (reason or "").strip()
    if value in REASON_REQUIRED and not reason:
        raise GuidelineError(REASON_REQUIRED[value])
    # The ballot's row lock serialises every position on it: one current each.
    ballot = _locked_open(ballot, what="positions can no longer change")
    if ballot.closes_at <= timezone.now():
        raise RuleRefused(f"ballot {ballot.pk} closed at {ballot.closes_at:%Y-%m-%d %H:%M} UTC")
    # The electorate fixed at opening decides, not today's seats: a member whose
    # seat ended meanwhile still changes (and lifts) their own position.
    if not (actor.is_authenticated and ballot.voters.filter(user=actor).exists()):
        require(actor, Action.POSITION_SET)  # who may vote at all, named
        raise NotAllowed(
            f"you are not in the electorate of ballot {ballot.pk}: it is the committee "
            "seated when the ballot opened",
            action=Action.POSITION_SET,
        )
    before = ballot.positions.filter(voter=actor, current=True).first()
    if before is not None and (before.value, before.reason) == (value, reason):
        return before
    if before is not None:
        Position.objects.filter(pk=before.pk).update(current=False)
    position = Position.objects.create(ballot=ballot, voter=actor, value=value, reason=reason)
    record(
        kind="position.set",
        actor=actor,
        subject=ballot,
        channel=channel,
        guideline_key=ballot.guideline.key,
        summary=f"{actor.get_username()}: {value} on ballot {ballot.pk}",
        data={"value": value, "reason": reason, "before": before.value if before else None},
    )
    return position


@transaction.atomic
def ballot_close(
    *,
    ballot: Ballot,
    actor,
    reason: str = "",
    withdraw: bool = False,
    channel: str = Channel.WEB,
) -> Ballot:
    """Close a ballot: at its deadline (the periodic task), early with a reason (the
    chair), or withdrawn. The outcome is computed here, once, and stored with its tally."""
    require(actor, Action.BALLOT_CLOSE)
    ballot = _locked_open(ballot, what="it was closed already")
    reason = (reason or "").strip()
    now = timezone.now()
    if (withdraw or now < ballot.closes_at) and not reason:
        raise GuidelineError(
            "closing a ballot before its deadline, or withdrawing it, needs a reason"
        )
    tally = current_tally(ballot)
    rules = rules_of(ballot)
    outcome = BallotStatus.WITHDRAWN if withdraw else rules.outcome(tally)
    ballot.status = outcome
    ballot.closed_at = now
    ballot.closed_by = actor
    ballot.close_reason = reason
    ballot.tally = {
        **tally,
        "electorate": rules.electorate,
        "quorum": rules.quorum,
        "threshold": ballot.threshold,
        "taking_part": rules.taking_part(tally),
    }
    ballot.save(update_fields=["status", "closed_at", "closed_by", "close_reason", "tally"])
    record(
        kind="ballot.closed",
        actor=actor,
        subject=ballot,
        channel=channel,
        guideline_key=ballot.guideline.key,
        summary=f"Ballot {ballot.pk} {outcome.replace('_', ' ')}"
        + (f": {reason[:200]}" if reason else ""),
        data={"outcome": outcome, "tally": ballot.tally, "reason": reason},
    )
    if outcome == BallotStatus.PASSED and ballot.kind == BallotKind.CAPABILITIES:
        _apply_capability_changes(ballot, channel)
    notifications.ballot_closed(ballot)  # e-mail, after the commit
    return ballot


def _apply_capability_changes(ballot: Ballot, channel: str) -> None:
    """A passed capabilities ballot moves its capabilities, through the drafting
    services and their rule checks, as the chair who opened it. A refusal there
    does not undo the vote: it is recorded, for the chair to resolve."""
    applied, refused = [], None
    try:
        with transaction.atomic():
            for change in ballot.subject:
                capability = Capability.objects.get(
                    guideline=ballot.guideline, key=change["capability"]
                )
                capability_move(
                    capability=capability,
                    component=change["component"],
                    status=change["status"],
                    actor=ballot.opened_by,
                    channel=GUIDELINE_CHANNEL.get(channel, "web"),
                )
                applied.append(change)
    except (GuidelineError, NotAllowed, Capability.DoesNotExist) as exc:
        refused = str(exc)
        applied = []
    record(
        kind="ballot.applied" if refused is None else "ballot.apply_refused",
        actor=ballot.opened_by,
        subject=ballot,
        channel=channel,
        guideline_key=ballot.guideline.key,
        summary=(
            f"Ballot {ballot.pk}: {len(ballot.subject)} capability changes applied"
            if refused is None
            else f"Ballot {ballot.pk} passed, but its changes were refused: {refused[:300]}"
        ),
        data={"applied": applied, "refused": refused},
    )


def close_expired(now: datetime | None = None) -> list[int]:
    """Close every open ballot past its deadline, as the system: what the periodic
    task runs. Safe to run in several workers at once: each ballot is closed by the
    one that locks it, and the others skip it (``skip_locked``) or find it closed."""
    now = now or timezone.now()
    closed = []
    due = Ballot.objects.filter(status=BallotStatus.OPEN, closes_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            ballot = (
                Ballot.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=BallotStatus.OPEN)
                .first()
            )
            if ballot is None:
                continue  # another worker has it, or has closed it
            try:
                with transaction.atomic():
                    ballot_close(ballot=ballot, actor=system_actor(), channel=Channel.TASK)
            except Exception:
                # One ballot that cannot close must not keep the others open.
                logger.exception("ballot %s could not be closed at its deadline", pk)
                continue
            closed.append(pk)
    return closed
