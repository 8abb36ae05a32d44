"""The public Atom feed of guideline and ballot events: what is in it, the
guideline filter, and no position of a hidden ballot."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SeatFactory, UserFactory
from votes.services import ballot_close, ballot_open, position_set

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary") or "",
            "category": entry.find(f"{ATOM}category").get("term"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def hidden_ballot(demo, chair):
    ann = SeatFactory(user=UserFactory(username="ann")).user
    ballot = ballot_open(
        guideline=demo,
        kind="question",
        question="Deprecate compute-servers-metadata?",
        closes_at=timezone.now() + timedelta(days=7),
        actor=chair,
        positions_visible=False,
    )
    position_set(ballot=ballot, actor=ann, value="block", reason="secret-block-reason")
    position_set(ballot=ballot, actor=chair, value="yes")
    return ballot


def test_the_feed_lists_guideline_events_and_ballots_for_anyone(client, demo_draft, hidden_ballot):
    items = entries(client.get("/feeds/events.atom"))
    categories = [item["category"] for item in items]
    assert "guideline.imported" in categories
    assert "guideline.draft_started" in categories
    assert "ballot.opened" in categories
    opened = next(item for item in items if item["category"] == "ballot.opened")
    assert opened["link"].endswith(f"/ballots/{hidden_ballot.pk}/")
    assert any(item["link"].endswith("/guidelines/next/") for item in items)


def test_positions_of_a_hidden_ballot_do_not_leak(client, chair, hidden_ballot):
    body = client.get("/feeds/events.atom").content.decode()
    assert "position" not in body
    assert "secret-block-reason" not in body
    assert "block" not in body.replace("blocking", ""), "no tally while it is open"

    ballot_close(ballot=hidden_ballot, actor=chair, reason="met early")
    items = entries(client.get("/feeds/events.atom"))
    closed = next(item for item in items if item["category"] == "ballot.closed")
    assert "Tally: yes 1, no 0, abstain 0, recuse 0, block 1." in closed["summary"]
    assert "secret-block-reason" not in client.get("/feeds/events.atom").content.decode()
    assert not any(item["category"].startswith("position") for item in items)


def test_the_guideline_filter(client, demo_draft, hidden_ballot):
    items = entries(client.get("/feeds/events.atom?guideline=next"))
    assert items, "the draft has its own events"
    assert all(item["link"].endswith("/guidelines/next/") for item in items)

    demo_items = entries(client.get(f"/feeds/events.atom?guideline={hidden_ballot.guideline.key}"))
    assert {item["category"] for item in demo_items} >= {"guideline.imported", "ballot.opened"}
    assert not any(item["link"].endswith("/guidelines/next/") for item in demo_items)

    assert client.get("/feeds/events.atom?guideline=no-such").status_code == 404


def test_a_guideline_name_with_a_nul_is_404_not_500(client):
    assert client.get("/feeds/events.atom?guideline=%00").status_code == 404
