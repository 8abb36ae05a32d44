"""Reading the calendar: a cycle's milestones on a day, and which cycle is current."""

from datetime import date

import pytest

from cycles.selectors import (
    current_cycle,
    cycle_calendar,
    cycle_calendars,
    cycle_get,
)
from tests.cycles.conftest import IN_SCORING
from tests.cycles.factories import CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    """Two cycles a year, summits six months apart, and one long over."""
    return {
        "old": CycleFactory(name="2025.06", summit=date(2025, 3, 10), guideline_key=""),
        "spring": CycleFactory(name="2026.06", summit=date(2026, 3, 10)),
        "autumn": CycleFactory(name="2026.12", summit=date(2026, 9, 10), guideline_key=""),
    }


def test_a_cycle_s_calendar_says_where_it_stands_on_the_day_given(year):
    calendar = cycle_calendar(year["spring"], today=IN_SCORING)

    assert calendar.state == "current"
    assert calendar.current_milestone.key == "scoring"
    assert calendar.next_milestone.key == "review"
    assert calendar.days_to_next == 18  # 20 February to 10 March 2026
    assert (calendar.starts, calendar.ends) == (date(2025, 12, 10), date(2026, 6, 10))
    assert calendar.is_current
    assert calendar.named_for_its_approval  # S+3 is June 2026: 2026.06 (2017A D4)


def test_a_cycle_named_for_another_month_than_its_approval_says_so(year):
    calendar = cycle_calendar(year["autumn"], today=IN_SCORING)

    assert calendar.approval_month == "2026.12"
    assert calendar.named_for_its_approval
    year["autumn"].summit = date(2026, 6, 10)
    assert not cycle_calendar(year["autumn"], today=IN_SCORING).named_for_its_approval


@pytest.mark.parametrize(
    ("today", "current"),
    [
        (date(2024, 1, 1), "2025.06"),  # before everything: the next to start
        (date(2025, 5, 1), "2025.06"),  # under way
        (date(2025, 6, 11), "2026.06"),  # 2025.06 is over; 2026.06 starts in December
        (IN_SCORING, "2026.06"),
        # 10 June 2026: approval of 2026.06 and the draft of 2026.12, both under way;
        # the earlier summit's, which ends first.
        (date(2026, 6, 10), "2026.06"),
        (date(2026, 6, 11), "2026.12"),
        (date(2026, 12, 10), "2026.12"),
        (date(2026, 12, 11), None),  # every cycle is over
    ],
)
def test_the_current_cycle_is_the_one_under_way_else_the_next_to_start(year, today, current):
    found = current_cycle(today=today)

    assert (found.name if found else None) == current
    marked = [c.cycle.name for c in cycle_calendars(today=today) if c.is_current]
    assert marked == ([current] if current else [])


def test_the_calendars_come_latest_summit_first_in_one_query(year, django_assert_num_queries):
    with django_assert_num_queries(1):
        calendars = cycle_calendars(today=IN_SCORING)
        names = [calendar.cycle.name for calendar in calendars]
        setters = {calendar.cycle.set_by.username for calendar in calendars}

    assert names == ["2026.12", "2026.06", "2025.06"]
    assert setters == {"chair"}
    assert [c.state for c in calendars] == ["upcoming", "current", "done"]


def test_an_upcoming_cycle_has_no_current_milestone_and_counts_the_days_to_its_draft(year):
    calendar = cycle_calendar(year["autumn"], today=IN_SCORING)

    assert calendar.current_milestone is None
    assert calendar.next_milestone.key == "draft"
    assert calendar.days_to_next == (date(2026, 6, 10) - IN_SCORING).days


def test_a_finished_cycle_has_no_next_milestone(year):
    calendar = cycle_calendar(year["old"], today=IN_SCORING)

    assert calendar.state == "done"
    assert calendar.next_milestone is None and calendar.days_to_next is None


def test_a_cycle_is_found_by_its_name_and_a_name_with_nul_finds_nothing(year):
    assert cycle_get("2026.06") == year["spring"]
    assert cycle_get("2027.06") is None
    assert cycle_get("2026.06\x00") is None
    assert cycle_get(None) is None


def test_without_today_the_frozen_today_is_used(year, today):
    today(date(2026, 6, 11))

    assert current_cycle().name == "2026.12"
    assert cycle_calendar(year["spring"]).state == "done"
