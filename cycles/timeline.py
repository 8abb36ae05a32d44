"""The milestones of a guideline cycle, derived from its summit date (2017A timeline).

OpenStack Interop Working Group Process 2017A ("Expected Time line") counts a
cycle in calendar months from the summit S: S-3 draft, S-2 new capabilities,
S-1 scoring, S review (advisory and deprecated items picked), S+1 self-testing,
S+2 test flagging, S+3 Board approval. Nothing here is stored: change the
summit and every milestone moves with it.

Months are calendar months, and a day the target month lacks falls back to its
last day: a summit on 31 May has its draft on 28 (or 29) February, and a summit
on 30 November its approval on 28 (or 29) February. ``dateutil.relativedelta``
does exactly that.

This module is pure (no database): the selectors, the pages, the API and the
reminders all read the milestones from ``milestones_of``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from django.utils import timezone


class State(StrEnum):
    """Where a milestone, or a cycle, stands relative to today."""

    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"


STATE_LABELS = {State.DONE: "Done", State.CURRENT: "Now", State.UPCOMING: "Upcoming"}


@dataclass(frozen=True)
class Step:
    """One row of 2017A's timeline: what happens, who leads it, and the rules it cites."""

    key: str
    offset: int  # calendar months from the summit
    label: str
    lead: str
    meaning: str
    rule: str  # where 2017A says so


# 2017A, "Expected Time line", with the sections that say what each milestone means.
STEPS: tuple[Step, ...] = (
    Step(
        "draft",
        -3,
        "Draft",
        "the Interop Working Group",
        "The next guideline starts from the last one the Board approved, under the "
        "preliminary name next, and the committee prepares its draft.",
        "2017A timeline S-3; A1, A7; C6.3 (draft)",
    ),
    Step(
        "new_capabilities",
        -2,
        "New capabilities",
        "the community",
        "The community identifies new capabilities and groups their tests; the committee "
        "lists missing capabilities and those with too few tests.",
        "2017A timeline S-2; A2, A6",
    ),
    Step(
        "scoring",
        -1,
        "Scoring",
        "the Interop Working Group",
        "Capabilities are scored against the Board-approved criteria, whose weights cannot "
        "change once the draft is published; the cut-off score decides what is required.",
        "2017A timeline S-1; A4.1 to A4.4",
    ),
    Step(
        "review",
        0,
        "Review",
        "the community and the Interop Working Group",
        "The draft is presented at the summit for community review, and the committee "
        "selects the advisory and deprecated items: nothing becomes required unless it was "
        "advisory, nor is removed unless it was deprecated.",
        "2017A timeline S; B2, B3; A4.5, A4.6; C6.3 (review)",
    ),
    Step(
        "self_testing",
        1,
        "Self-testing",
        "vendors",
        "Vendors run the guideline's tests against their products; results published before "
        "the Foundation's review are labelled unofficial.",
        "2017A timeline S+1; C1, C2",
    ),
    Step(
        "flagging",
        2,
        "Test flagging",
        "the Interop Working Group",
        "Tests that vendors show to be unfair or broken are flagged, so that they no longer "
        "count; the committee acknowledges each request within 30 days.",
        "2017A timeline S+2; C3; D2.1",
    ),
    Step(
        "approval",
        3,
        "Board approval",
        "the Board",
        "The Board approves the guideline, which is named for the month of its approval "
        "(YYYY.MM) and becomes one of the two approved guidelines.",
        "2017A timeline S+3; D1, D4; C6.1",
    ),
)
STEP_KEYS = tuple(step.key for step in STEPS)
FIRST, LAST = STEPS[0].offset, STEPS[-1].offset


def code_of(offset: int) -> str:
    """2017A's name for a milestone: S-3, S, S+1."""
    return "S" if offset == 0 else f"S{offset:+d}"


@dataclass(frozen=True)
class Milestone:
    """A step of the timeline on its date in one cycle, and where it stands today."""

    key: str
    code: str
    offset: int
    label: str
    lead: str
    meaning: str
    rule: str
    date: date
    state: State

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def today() -> date:
    """Today, in the site's time zone (UTC): what "done" and "upcoming" are relative to.

    One function, so that tests can freeze it (``monkeypatch.setattr(timeline, "today", ...)``)."""
    return timezone.localdate()


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months; a missing day becomes the month's last."""
    return day + relativedelta(months=months)


def window(summit: date) -> tuple[date, date]:
    """The first and the last day of a cycle: its draft (S-3) and its approval (S+3)."""
    return add_months(summit, FIRST), add_months(summit, LAST)


def cycle_state(summit: date, on: date) -> State:
    """Upcoming before its draft, done after its approval, current in between (both days in)."""
    start, end = window(summit)
    if on < start:
        return State.UPCOMING
    return State.DONE if on > end else State.CURRENT


def milestones_of(summit: date, on: date | None = None) -> list[Milestone]:
    """The seven milestones of the cycle whose summit is ``summit``, as they stand ``on`` a day.

    A milestone is current from its date until the next one's (the approval: on its
    own day only, as the cycle ends with it); done before that, upcoming after."""
    on = on or today()
    dates = [add_months(summit, step.offset) for step in STEPS]
    found = []
    for n, (step, day) in enumerate(zip(STEPS, dates, strict=True)):
        following = dates[n + 1] if n + 1 < len(dates) else None
        if on < day:
            state = State.UPCOMING
        elif following is not None and on >= following or following is None and on > day:
            state = State.DONE
        else:
            state = State.CURRENT
        found.append(
            Milestone(
                key=step.key,
                code=code_of(step.offset),
                offset=step.offset,
                label=step.label,
                lead=step.lead,
                meaning=step.meaning,
                rule=step.rule,
                date=day,
                state=state,
            )
        )
    return found
