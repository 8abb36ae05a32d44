"""The milestones of a cycle, counted in calendar months from its summit (2017A
timeline), and where each stands on a given day. No database: pure dates."""

from datetime import date, timedelta

import pytest

from cycles.timeline import State, add_months, code_of, cycle_state, milestones_of, window


def dates(summit: date) -> dict[str, date]:
    return {m.code: m.date for m in milestones_of(summit, summit)}


def states(summit: date, on: date) -> dict[str, str]:
    return {m.key: m.state.value for m in milestones_of(summit, on)}


def test_the_seven_milestones_follow_2017a_in_order_one_month_apart():
    found = milestones_of(date(2026, 3, 10), date(2026, 3, 10))

    assert [(m.code, m.key) for m in found] == [
        ("S-3", "draft"),
        ("S-2", "new_capabilities"),
        ("S-1", "scoring"),
        ("S", "review"),
        ("S+1", "self_testing"),
        ("S+2", "flagging"),
        ("S+3", "approval"),
    ]
    assert [m.date for m in found] == [
        date(2025, 12, 10),
        date(2026, 1, 10),
        date(2026, 2, 10),
        date(2026, 3, 10),
        date(2026, 4, 10),
        date(2026, 5, 10),
        date(2026, 6, 10),
    ]
    assert all(m.rule.startswith(f"2017A timeline {m.code};") for m in found)
    assert found[3].lead == "the community and the Interop Working Group"
    assert "advisory and deprecated" in found[3].meaning


@pytest.mark.parametrize(
    ("summit", "expected"),
    [
        # A day the month lacks falls back to its last day, leap years included.
        (date(2024, 5, 31), {"S-3": date(2024, 2, 29), "S-1": date(2024, 4, 30)}),
        (date(2023, 5, 31), {"S-3": date(2023, 2, 28), "S+1": date(2023, 6, 30)}),
        (date(2023, 11, 30), {"S+3": date(2024, 2, 29), "S-3": date(2023, 8, 30)}),
        (date(2025, 11, 30), {"S+3": date(2026, 2, 28)}),
        (
            date(2026, 8, 31),
            {
                "S-2": date(2026, 6, 30),
                "S-1": date(2026, 7, 31),
                "S+1": date(2026, 9, 30),
                "S+2": date(2026, 10, 31),
                "S+3": date(2026, 11, 30),
            },
        ),
        # Across the year's end, both ways.
        (date(2026, 1, 15), {"S-3": date(2025, 10, 15), "S-1": date(2025, 12, 15)}),
        (date(2026, 11, 15), {"S+2": date(2027, 1, 15), "S+3": date(2027, 2, 15)}),
        # A first of the month stays the first.
        (date(2026, 3, 1), {"S-3": date(2025, 12, 1), "S+3": date(2026, 6, 1)}),
    ],
)
def test_months_are_calendar_months_and_a_missing_day_becomes_the_month_s_last(summit, expected):
    found = dates(summit)

    assert {code: found[code] for code in expected} == expected


def test_the_month_end_does_not_drift_from_one_milestone_to_the_next():
    """Each milestone is counted from the summit, not from the milestone before:
    31 May, S+1 is 30 June but S+2 is 31 July, not 30 July."""
    found = dates(date(2026, 5, 31))

    assert found["S+1"] == date(2026, 6, 30)
    assert found["S+2"] == date(2026, 7, 31)
    assert found["S-3"] == date(2026, 2, 28)
    assert found["S-2"] == date(2026, 3, 31)


def test_add_months_and_window():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert window(date(2026, 3, 10)) == (date(2025, 12, 10), date(2026, 6, 10))


def test_codes_read_as_2017a_writes_them():
    assert [code_of(n) for n in range(-3, 4)] == ["S-3", "S-2", "S-1", "S", "S+1", "S+2", "S+3"]


SUMMIT = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("on", "current"),
    [
        (date(2025, 12, 9), None),  # the day before the draft: nothing yet
        (date(2025, 12, 10), "draft"),
        (date(2026, 1, 9), "draft"),
        (date(2026, 1, 10), "new_capabilities"),
        (date(2026, 2, 20), "scoring"),
        (date(2026, 3, 9), "scoring"),
        (date(2026, 3, 10), "review"),  # the summit itself
        (date(2026, 4, 10), "self_testing"),
        (date(2026, 5, 10), "flagging"),
        (date(2026, 6, 9), "flagging"),
        (date(2026, 6, 10), "approval"),  # on its day only: the cycle ends with it
        (date(2026, 6, 11), None),
    ],
)
def test_one_milestone_at_most_is_current_those_before_done_those_after_upcoming(on, current):
    found = states(SUMMIT, on)
    keys = list(found)

    assert [key for key, state in found.items() if state == "current"] == (
        [current] if current else []
    )
    if current:
        at = keys.index(current)
        assert {found[key] for key in keys[:at]} <= {"done"}
        assert {found[key] for key in keys[at + 1 :]} <= {"upcoming"}
    elif on < SUMMIT:
        assert set(found.values()) == {"upcoming"}
    else:
        assert set(found.values()) == {"done"}


def test_a_cycle_is_upcoming_before_its_draft_current_through_its_approval_then_done():
    start, end = window(SUMMIT)

    assert cycle_state(SUMMIT, start - timedelta(days=1)) == State.UPCOMING
    assert cycle_state(SUMMIT, start) == State.CURRENT
    assert cycle_state(SUMMIT, end) == State.CURRENT
    assert cycle_state(SUMMIT, end + timedelta(days=1)) == State.DONE


def test_the_states_say_themselves_in_words():
    found = milestones_of(SUMMIT, date(2026, 2, 20))

    assert [m.state_label for m in found] == ["Done", "Done", "Now"] + ["Upcoming"] * 4
