"""The chair browses and filters the whole event log."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from votes.services import ballot_open, position_set

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def history(demo_draft, chair, member):
    ballot = ballot_open(
        guideline=demo_draft,
        kind="question",
        question="Open for review?",
        closes_at=timezone.now() + timedelta(days=2),
        actor=chair,
    )
    position_set(ballot=ballot, actor=member, value="no")
    return ballot


def test_the_chair_sees_committee_and_guideline_events_in_one_list(history, chair):
    page = signed_in(chair).get("/committee/log/").content.decode()

    assert "ballot.opened" in page
    assert "position.set" in page
    assert "draft_started" in page  # the guideline's own log
    assert page.index("position.set") < page.index("ballot.opened") < page.index("draft_started")


def test_the_chair_filters_by_kind_guideline_who_and_date(history, chair):
    client = signed_in(chair)

    ballots_only = client.get("/committee/log/?kind=ballot.").content.decode()
    by_member = client.get("/committee/log/?actor=member").content.decode()
    elsewhere = client.get("/committee/log/?guideline=2026.06").content.decode()
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    later = client.get(f"/committee/log/?since={tomorrow}").content.decode()
    bad = client.get("/committee/log/?since=soon")
    impossible = client.get("/committee/log/?since=2026-02-30")

    assert "ballot.opened" in ballots_only and "position.set" not in ballots_only
    assert "position.set" in by_member and "ballot.opened" not in by_member
    assert "ballot.opened" not in elsewhere and "imported" in elsewhere
    assert "No event matches." in later
    assert bad.status_code == impossible.status_code == 400
    assert "is not a date" in bad.content.decode()
    assert "is not a date" in impossible.content.decode()


def test_only_the_chair_browses_it(history, member, reviewer, client):
    for viewer in (signed_in(member), signed_in(reviewer), client):
        response = viewer.get("/committee/log/")
        assert response.status_code == 403
        assert "position.set" not in response.content.decode()


def test_a_hidden_ballots_positions_stay_hidden_in_the_log_until_it_closes(
    demo_draft, chair, member
):
    from votes.services import ballot_close

    ballot = ballot_open(
        guideline=demo_draft,
        kind="question",
        question="Secret?",
        closes_at=timezone.now() + timedelta(days=2),
        positions_visible=False,
        actor=chair,
    )
    position_set(ballot=ballot, actor=member, value="no")
    client = signed_in(chair)

    while_open = client.get("/committee/log/?kind=position.").content.decode()
    ballot_close(ballot=ballot, actor=chair, reason="done")
    after = client.get("/committee/log/?kind=position.").content.decode()

    assert "No event matches." in while_open  # not even who voted, or when
    assert "member: no on ballot" in after
