"""The chair's view of the whole record: the committee's events (seats, tokens,
ballots, positions, comments) and every guideline's change log, one list,
newest first, filtered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_safe

from committee.models import Event
from committee.permissions import Action, may, standing_in
from guidelines.models import GuidelineEvent
from votes.models import Ballot, BallotStatus

SHOWN = 200  # the newest events matching the filters


@dataclass(frozen=True)
class Row:
    at: datetime
    kind: str
    actor: str
    channel: str
    guideline: str
    summary: str


def _filters(request) -> tuple[dict, list[str]]:
    values = {
        name: request.GET.get(name, "").strip()[:200].replace("\x00", "")
        for name in ("kind", "guideline", "actor", "since")
    }
    problems = []
    since = None
    if values["since"]:
        try:
            since = parse_date(values["since"]) if len(values["since"]) == 10 else None
        except ValueError:  # well formed, but no such day: 2026-02-30
            since = None
        if since is None:
            problems.append(f"since {values['since']!r} is not a date (YYYY-MM-DD)")
    values["since_at"] = datetime.combine(since, time.min, tzinfo=UTC) if since else None
    return values, problems


def rows_matching(values: dict) -> list[Row]:
    committee = Event.objects.select_related("actor")
    guidelines = GuidelineEvent.objects.select_related("actor", "guideline")
    if values["kind"]:
        committee = committee.filter(kind__startswith=values["kind"])
        guidelines = guidelines.filter(kind__startswith=values["kind"])
    if values["guideline"]:
        committee = committee.filter(guideline_key=values["guideline"])
        guidelines = guidelines.filter(guideline__key=values["guideline"])
    if values["actor"]:
        committee = committee.filter(actor__username=values["actor"])
        guidelines = guidelines.filter(actor__username=values["actor"])
    if values["since_at"]:
        committee = committee.filter(at__gte=values["since_at"])
        guidelines = guidelines.filter(created_at__gte=values["since_at"])
    # Nobody sees a hidden ballot's positions before it closes, the chair included.
    hidden = {
        str(pk)
        for pk in Ballot.objects.filter(
            status=BallotStatus.OPEN, positions_visible=False
        ).values_list("pk", flat=True)
    }

    # Not even who has voted, or when: participation is part of the count.
    committee = committee.exclude(kind="position.set", subject_id__in=hidden)
    rows = [
        Row(e.at, e.kind, e.actor.get_username(), e.channel, e.guideline_key, e.summary)
        for e in committee.order_by("-at", "-pk")[:SHOWN]
    ] + [
        Row(e.created_at, e.kind, e.actor.get_username(), e.channel, e.guideline.key, e.summary)
        for e in guidelines.order_by("-created_at", "-pk")[:SHOWN]
    ]
    return sorted(rows, key=lambda row: row.at, reverse=True)[:SHOWN]


@require_safe
def event_log(request):
    if not may(request.user, Action.LOG_READ, standing=standing_in(request)):
        return render(
            request,
            "refused.html",
            {"message": "Browsing the committee's event log is for the chair."},
            status=403,
        )
    values, problems = _filters(request)
    rows = [] if problems else rows_matching(values)
    return render(
        request,
        "votes/log.html",
        {"rows": rows, "filters": values, "problems": problems, "shown": SHOWN},
        status=400 if problems else 200,
    )
