"""The cycle calendar's fixtures: a frozen "today", and a planned cycle.

Nothing here depends on the day the tests run: ``today`` freezes
``cycles.timeline.today`` (what the pages, the API and the task read), and the
selectors are given ``today=`` where a test calls them.
"""

from datetime import date

import pytest

from cycles import timeline

# The 2026.06 cycle of these tests: summit on 10 March 2026, so its draft is on
# 10 December 2025, scoring on 10 February 2026 and Board approval on 10 June 2026.
SUMMIT = date(2026, 3, 10)
# A day of its scoring month: scoring (S-1) is the current milestone.
IN_SCORING = date(2026, 2, 20)


@pytest.fixture
def today(monkeypatch):
    """Freeze today at IN_SCORING; call the fixture's value to move it."""

    class Today:
        day = IN_SCORING

        def __call__(self, day: date) -> None:
            self.day = day

    frozen = Today()
    monkeypatch.setattr(timeline, "today", lambda: frozen.day)
    return frozen


@pytest.fixture
def cycle(chair):
    """The 2026.06 cycle, planned by the chair through the service."""
    from cycles.services import cycle_create

    return cycle_create(name="2026.06", summit=SUMMIT, guideline_key="next", actor=chair)
