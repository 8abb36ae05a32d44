"""The change log: events newest first, each with its before/after, field by field."""

from __future__ import annotations

from dataclasses import dataclass

from guidelines.display import shown
from guidelines.models import Guideline, GuidelineEvent


@dataclass(frozen=True)
class Change:
    name: str  # "" for a single value
    before: str
    after: str


def event_changes(event: GuidelineEvent) -> list[Change]:
    """The before/after of an event, field by field where both are objects."""
    data = event.data or {}
    if "before" not in data and "after" not in data:
        return []
    before, after = data.get("before"), data.get("after")
    if isinstance(before, dict) or isinstance(after, dict):
        before, after = before or {}, after or {}
        names = [*before, *(k for k in after if k not in before)]
        # A score's criterion names the change rather than being one.
        fixed = {k for k in names if before.get(k) == after.get(k)}
        label = " ".join(shown(before[k]) for k in names if k in fixed and k == "criterion")
        return [
            Change(
                f"{label} {k}".strip() if label else k, shown(before.get(k)), shown(after.get(k))
            )
            for k in names
            if k not in fixed and k != "version"
        ]
    return [Change("", shown(before), shown(after))]


@dataclass
class EventItem:
    event: GuidelineEvent
    changes: list[Change]

    @property
    def who(self) -> str:
        return self.event.actor.get_username()

    @property
    def notes(self) -> list[str]:
        return list((self.event.data or {}).get("notes", []))


def event_items(events) -> list[EventItem]:
    return [EventItem(event, event_changes(event)) for event in events]


def guideline_events(guideline: Guideline):
    """Newest first, with who did it: one query per slice."""
    return guideline.events.select_related("actor").order_by("-created_at", "-id")
