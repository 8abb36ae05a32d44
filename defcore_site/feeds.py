"""The public Atom feed of what happened: the guideline log and the ballots.

``/feeds/events.atom`` lists the latest guideline events (``GuidelineEvent``,
the log anyone can read), ballot openings and closings (committee events
``ballot.opened`` and ``ballot.closed``) and releases approved and published
(``release.approved``, ``release.published``), newest first; ``?guideline=<key>``
keeps one guideline's. Positions are never in it: a ballot that hides its
positions while open must not show them here, so no position event is, and a
ballot's tally appears only once it has closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed

from committee.models import Event
from guidelines.models import Guideline, GuidelineEvent

LIMIT = 50
BALLOT_KINDS = ("ballot.opened", "ballot.closed")
# A release announced: approved (served from then on) and published (bundle ready).
RELEASE_KINDS = ("release.approved", "release.published")
TALLY_ORDER = ("yes", "no", "abstain", "recuse", "block")


@dataclass(frozen=True)
class Entry:
    guid: str
    title: str
    description: str
    link: str
    at: datetime
    author: str
    category: str


def _guideline_entry(event: GuidelineEvent) -> Entry:
    key = event.guideline.key
    return Entry(
        guid=f"{settings.SITE_URL}/feeds/events/guideline/{event.pk}",
        title=f"{key}: {event.summary[:200]}",
        description=event.summary,
        link=f"/guidelines/{key}/",
        at=event.created_at,
        author=event.actor.get_username(),
        category=f"guideline.{event.kind}",
    )


def _ballot_entry(event: Event) -> Entry:
    description = event.summary
    if event.kind == "ballot.closed":
        tally = event.data.get("tally") or {}
        counts = ", ".join(f"{key} {tally.get(key, 0)}" for key in TALLY_ORDER)
        description = f"{event.summary}. Tally: {counts}."
    elif event.kind == "ballot.opened" and event.data.get("closes_at"):
        description = f"{event.summary}. Closes at {event.data['closes_at']}."
    return Entry(
        guid=f"{settings.SITE_URL}/feeds/events/committee/{event.pk}",
        title=f"{event.guideline_key}: {event.summary[:200]}"
        if event.guideline_key
        else event.summary[:200],
        description=description,
        link=f"/ballots/{event.subject_id}/",
        at=event.at,
        author=event.actor.get_username(),
        category=event.kind,
    )


def _release_entry(event: Event) -> Entry:
    key = event.guideline_key
    description = event.summary
    if event.data.get("bundle_sha256"):
        description += f". Bundle SHA-256: {event.data['bundle_sha256']}."
    return Entry(
        guid=f"{settings.SITE_URL}/feeds/events/committee/{event.pk}",
        title=event.summary[:200],
        description=description,
        link=f"/releases/{key}/",
        at=event.at,
        author=event.actor.get_username(),
        category=event.kind,
    )


class EventsFeed(Feed):
    feed_type = Atom1Feed
    link = "/"

    def get_object(self, request):
        key = request.GET.get("guideline", "").strip()
        if not key:
            return None
        # No name holds a NUL (PostgreSQL refuses one in a query): no such guideline.
        guideline = Guideline.objects.filter(key=key).first() if "\x00" not in key else None
        if guideline is None:
            raise Http404(f"no guideline {key!r}")
        return guideline

    def title(self, guideline):
        return (
            f"DefCore Site: {guideline.key}"
            if guideline
            else "DefCore Site: guidelines and ballots"
        )

    def subtitle(self, guideline):
        return "Guideline changes and ballots opened and closed, newest first."

    def feed_url(self, guideline):
        suffix = f"?guideline={guideline.key}" if guideline else ""
        return f"/feeds/events.atom{suffix}"

    def items(self, guideline):
        guideline_events = GuidelineEvent.objects.select_related("guideline", "actor")
        ballot_events = Event.objects.filter(
            kind__in=BALLOT_KINDS, subject_type="ballot"
        ).select_related("actor")
        release_events = Event.objects.filter(
            kind__in=RELEASE_KINDS, subject_type="release"
        ).select_related("actor")
        if guideline is not None:
            guideline_events = guideline_events.filter(guideline=guideline)
            ballot_events = ballot_events.filter(guideline_key=guideline.key)
            release_events = release_events.filter(guideline_key=guideline.key)
        entries = [
            _guideline_entry(e) for e in guideline_events.order_by("-created_at", "-id")[:LIMIT]
        ]
        entries += [_ballot_entry(e) for e in ballot_events.order_by("-at", "-pk")[:LIMIT]]
        entries += [_release_entry(e) for e in release_events.order_by("-at", "-pk")[:LIMIT]]
        entries.sort(key=lambda entry: entry.at, reverse=True)
        return entries[:LIMIT]

    def item_title(self, item: Entry):
        return item.title

    def item_description(self, item: Entry):
        return item.description

    def item_link(self, item: Entry):
        return item.link

    def item_guid(self, item: Entry):
        return item.guid

    item_guid_is_permalink = False

    def item_pubdate(self, item: Entry):
        return item.at

    def item_updateddate(self, item: Entry):
        return item.at

    def item_author_name(self, item: Entry):
        return item.author

    def item_categories(self, item: Entry):
        return [item.category]
