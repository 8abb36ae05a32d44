"""Reading the cycle calendar: the cycles, each with its milestones as they stand
on a day, and the current cycle.

"Today" is ``cycles.timeline.today()`` unless a caller passes ``today=``: the
tests pass it, so that no test depends on the date it runs on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from cycles import timeline
from cycles.models import Cycle
from cycles.timeline import Milestone, State


@dataclass(frozen=True)
class CycleCalendar:
    """A cycle with its milestones on a given day, for the pages, the API and e-mail."""

    cycle: Cycle
    today: date
    state: State
    milestones: list[Milestone]
    is_current: bool  # the cycle the site calls current (``current_cycle``)

    @property
    def current_milestone(self) -> Milestone | None:
        return next((m for m in self.milestones if m.state == State.CURRENT), None)

    @property
    def next_milestone(self) -> Milestone | None:
        return next((m for m in self.milestones if m.state == State.UPCOMING), None)

    @property
    def days_to_next(self) -> int | None:
        """Days from today to the next milestone; None once the last has come."""
        following = self.next_milestone
        return (following.date - self.today).days if following else None

    @property
    def starts(self) -> date:
        return self.milestones[0].date

    @property
    def ends(self) -> date:
        return self.milestones[-1].date

    @property
    def approval_month(self) -> str:
        """The month Board approval falls in, as a guideline name: "2026.06"."""
        return f"{self.ends:%Y.%m}"

    @property
    def named_for_its_approval(self) -> bool:
        """Whether the name is the month of S+3, as 2017A D4 names guidelines."""
        return self.approval_month == self.cycle.name


def cycles() -> QuerySet[Cycle]:
    """Every cycle, the latest summit first."""
    return Cycle.objects.select_related("set_by").order_by("-summit", "-name")


def cycle_get(name: str) -> Cycle | None:
    """The cycle of that name, or None. A name with NUL names nothing (PostgreSQL
    refuses NUL in a query: a 500 unless caught)."""
    if not isinstance(name, str) or "\x00" in name:
        return None
    return cycles().filter(name=name).first()


def _current_among(found: list[Cycle], today: date) -> Cycle | None:
    """The earliest-summit cycle under way today, else the next to start."""
    ordered = sorted(found, key=lambda cycle: (cycle.summit, cycle.name))
    for wanted in (State.CURRENT, State.UPCOMING):
        for cycle in ordered:
            if timeline.cycle_state(cycle.summit, today) == wanted:
                return cycle
    return None


def current_cycle(*, today: date | None = None) -> Cycle | None:
    """The cycle whose window (S-3 to S+3) contains today; when two overlap, the one
    with the earlier summit, which ends first. If none, the next to start; None if
    every cycle is over."""
    today = today or timeline.today()
    # A cycle over for more than a month is never current: a margin around S+3.
    recent = cycles().filter(summit__gte=timeline.add_months(today, -(timeline.LAST + 1)))
    return _current_among(list(recent), today)


def _calendar(cycle: Cycle, today: date, current: Cycle | None) -> CycleCalendar:
    return CycleCalendar(
        cycle=cycle,
        today=today,
        state=timeline.cycle_state(cycle.summit, today),
        milestones=timeline.milestones_of(cycle.summit, today),
        is_current=current is not None and current.pk == cycle.pk,
    )


def cycle_calendar(cycle: Cycle, *, today: date | None = None) -> CycleCalendar:
    """One cycle's milestones as they stand ``today``."""
    today = today or timeline.today()
    return _calendar(cycle, today, current_cycle(today=today))


def cycle_calendars(*, today: date | None = None) -> list[CycleCalendar]:
    """Every cycle with its milestones, the latest summit first; one query."""
    today = today or timeline.today()
    found = list(cycles())
    current = _current_among(found, today)
    return [_calendar(cycle, today, current) for cycle in found]
