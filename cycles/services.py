"""Setting up the cycle calendar: a cycle, and its summit date.

Each service is one transaction: it checks who may (``Action.CYCLE_MANAGE``: the
chair, or an operator's command as the system), makes the change and records it
(``committee.record``) in that transaction, with the milestones it implies, so
that the log, the Atom feed's subscribers and the webhooks see the dates.

Refusals: ``NotAllowed`` (403) for who, ``CycleInputError`` (a ``GuidelineError``,
400) for bad input, naming the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from committee.models import Channel
from committee.permissions import Action, require
from committee.record import record
from cycles import timeline
from cycles.errors import CycleInputError
from cycles.models import GUIDELINE_KEY_PATTERN, Cycle

NAME_SHAPE = re.compile(r"\A([0-9]{4})\.([0-9]{2})\Z")
# From the first guideline's year (2015.03) to the end of the century: outside, a typo.
FIRST_YEAR, LAST_YEAR = 2015, 2099
# 2017A D4 names a guideline for its approval month, three months after the summit
# (S+3); in practice it came one to seven months after. A summit more than a year
# before the name's month, or after it, is a mistake in one or the other.
SUMMIT_MONTHS_BEFORE = 12
REASON_LENGTH = 2000


def _name_checked(name, problems: dict[str, str]) -> tuple[int, int] | None:
    """(year, month) of a well-formed name; None, with the problem noted, otherwise."""
    match = NAME_SHAPE.match(name) if isinstance(name, str) else None
    if match is None:
        problems["name"] = (
            "give the guideline's name as YYYY.MM, the year and month the Board is to "
            "approve it (2017A D4), such as 2026.06"
        )
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        problems["name"] = f"{name} has no month {match[2]}: a month is 01 to 12"
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        problems["name"] = (
            f"the year of {name} must be from {FIRST_YEAR} (the first guideline) to {LAST_YEAR}"
        )
        return None
    return year, month


def _summit_checked(summit, name: str, year_month: tuple[int, int] | None, problems) -> None:
    if not isinstance(summit, date) or isinstance(summit, datetime):
        problems["summit"] = "give the summit's date, as YYYY-MM-DD"
        return
    if year_month is None:
        return  # the name is wrong already; the summit is judged against a right one
    first = date(*year_month, 1)
    last = timeline.add_months(first, 1) - timedelta(days=1)
    month = f"{first:%B %Y}"
    if summit > last:
        problems["summit"] = (
            f"{summit:%Y-%m-%d} is after {month}: {name} is named for the month the Board "
            "approves it, three months after its summit (2017A S+3, D4), so its summit comes "
            "before that month"
        )
    elif summit < timeline.add_months(first, -SUMMIT_MONTHS_BEFORE):
        problems["summit"] = (
            f"{summit:%Y-%m-%d} is more than {SUMMIT_MONTHS_BEFORE} months before {month}, "
            f"the month {name} is named for (2017A D4: approval comes three months after "
            "the summit); check the name and the date"
        )


def _guideline_key_checked(key, problems: dict[str, str]) -> str:
    key = key.strip() if isinstance(key, str) else key
    if key in (None, ""):
        return ""
    if not isinstance(key, str) or len(key) > 100 or not re.match(GUIDELINE_KEY_PATTERN, key):
        problems["guideline"] = (
            "the draft's name is lower-case letters, digits, dots, dashes and underscores, such as "
            "next or dns.next (at most 100 characters); leave it empty if there is none yet"
        )
    return key


def _saved(cycle: Cycle, fields: list[str] | None = None) -> None:
    """full_clean, then save: the database's constraints are the last word, and a
    refusal by either is bad input, not a server error."""
    try:
        cycle.full_clean()
        with transaction.atomic():  # a savepoint: a lost race must not break the caller's
            cycle.save(update_fields=fields)
    except ValidationError as exc:
        raise CycleInputError(_by_field(exc)) from exc
    except IntegrityError as exc:
        # Two chairs naming the same cycle at once: the unique constraint decides.
        raise CycleInputError({"name": f"there is a cycle {cycle.name} already"}) from exc


def _by_field(exc: ValidationError) -> dict[str, str]:
    fields = {"guideline_key": "guideline", "__all__": "name"}
    if not hasattr(exc, "error_dict"):
        return {"name": " ".join(exc.messages)}
    return {fields.get(name, name): " ".join(errors) for name, errors in exc.message_dict.items()}


def _dates(summit: date) -> dict[str, str]:
    return {
        milestone.key: milestone.date.isoformat()
        for milestone in timeline.milestones_of(summit, summit)
    }


@transaction.atomic
def cycle_create(
    *,
    name: str,
    summit: date,
    actor,
    guideline_key: str = "",
    channel: str = Channel.WEB,
) -> Cycle:
    """Plan the cycle leading to guideline ``name`` (YYYY.MM) around its summit."""
    require(actor, Action.CYCLE_MANAGE)
    problems: dict[str, str] = {}
    name = name.strip() if isinstance(name, str) else name
    year_month = _name_checked(name, problems)
    _summit_checked(summit, name, year_month, problems)
    guideline_key = _guideline_key_checked(guideline_key, problems)
    if "name" not in problems and Cycle.objects.filter(name=name).exists():
        problems["name"] = f"there is a cycle {name} already: change its summit on its page"
    if problems:
        raise CycleInputError(problems)
    cycle = Cycle(
        name=name,
        summit=summit,
        guideline_key=guideline_key,
        set_by=actor,
        set_at=timezone.now(),
    )
    _saved(cycle)
    record(
        kind="cycle.created",
        actor=actor,
        subject=cycle,
        channel=channel,
        guideline_key=guideline_key,
        summary=f"Cycle {name} planned: summit on {summit:%Y-%m-%d}",
        data={
            "name": name,
            "summit": summit.isoformat(),
            "guideline": guideline_key,
            "milestones": _dates(summit),
        },
    )
    return cycle


@transaction.atomic
def cycle_set_summit(
    *,
    cycle: Cycle,
    summit: date,
    actor,
    reason: str = "",
    channel: str = Channel.WEB,
) -> Cycle:
    """Move a cycle's summit, and with it every milestone; the same date changes nothing."""
    require(actor, Action.CYCLE_MANAGE)
    # Under the row lock: two chairs moving the summit at once would each record a
    # "from" date that the other had already replaced.
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    problems: dict[str, str] = {}
    _summit_checked(summit, cycle.name, _name_checked(cycle.name, {}), problems)
    reason = reason.strip() if isinstance(reason, str) else ""
    if len(reason) > REASON_LENGTH:
        problems["reason"] = f"say why in at most {REASON_LENGTH} characters"
    if problems:
        raise CycleInputError(problems)
    if summit == cycle.summit:
        return cycle
    before = cycle.summit
    cycle.summit, cycle.set_by, cycle.set_at = summit, actor, timezone.now()
    _saved(cycle, ["summit", "set_by", "set_at"])
    record(
        kind="cycle.summit_set",
        actor=actor,
        subject=cycle,
        channel=channel,
        guideline_key=cycle.guideline_key,
        summary=(
            f"Cycle {cycle.name}: summit moved from {before:%Y-%m-%d} to {summit:%Y-%m-%d}"
            + (f" ({reason})" if reason else "")
        )[:500],
        data={
            "name": cycle.name,
            "from": before.isoformat(),
            "to": summit.isoformat(),
            "reason": reason,
            "milestones": _dates(summit),
        },
    )
    return cycle
