"""The ballot pages: the list, a ballot with its live tally, voting, closing,
opening one, and the member's dashboard."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import SeatFactory, UserFactory
from votes.models import Ballot
from votes.services import ballot_open, position_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(chair):
    return [SeatFactory(user=UserFactory(username=f"m{i}")).user for i in range(3)]


@pytest.fixture
def ballot(demo, chair, members):
    return ballot_open(
        guideline=demo,
        kind="question",
        question="Keep compute-keypairs-create advisory?",
        closes_at=timezone.now() + timedelta(days=3),
        actor=chair,
    )


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_anyone_reads_the_ballot_and_its_live_tally(client, ballot, members):
    position_set(ballot=ballot, actor=members[0], value="yes")

    page = client.get(f"/ballots/{ballot.pk}/").content.decode()
    listing = client.get("/ballots/").content.decode()

    assert "Keep compute-keypairs-create advisory?" in page
    assert "Needs 1 more position for quorum." in page
    assert "m0" in page
    assert "Take your position" not in page  # not for the anonymous
    assert f"/ballots/{ballot.pk}/" in listing


def test_a_member_votes_and_sees_the_tally_change(ballot, members):
    client = signed_in(members[0])
    before = client.get(f"/ballots/{ballot.pk}/").content.decode()

    voted = client.post(f"/ballots/{ballot.pk}/position/", {"position": "yes"})
    after = client.get(f"/ballots/{ballot.pk}/").content.decode()

    assert "Take your position" in before
    assert voted.status_code == 302
    assert "Your position: <strong>Yes</strong>" in after
    assert "Needs 1 more position for quorum." in after


def test_a_refused_position_shows_why_and_stores_nothing(ballot, members, reviewer):
    blocked = signed_in(members[0]).post(f"/ballots/{ballot.pk}/position/", {"position": "block"})
    by_reviewer = signed_in(reviewer).post(f"/ballots/{ballot.pk}/position/", {"position": "yes"})

    assert blocked.status_code == 400
    assert "a block needs its reason" in blocked.content.decode()
    assert by_reviewer.status_code == 403
    assert "committee members" in by_reviewer.content.decode()
    assert not ballot.positions.exists()


def test_the_chair_closes_from_the_page_and_a_member_cannot(ballot, chair, members):
    assert (
        "Close the ballot"
        not in signed_in(members[0]).get(f"/ballots/{ballot.pk}/").content.decode()
    )
    refused = signed_in(members[0]).post(f"/ballots/{ballot.pk}/close/", {"reason": "x"})
    closed = signed_in(chair).post(f"/ballots/{ballot.pk}/close/", {"reason": "met early"})

    assert refused.status_code == 403
    assert closed.status_code == 302
    ballot.refresh_from_db()
    assert ballot.status == "no_quorum"
    assert ballot.close_reason == "met early"


def test_the_chair_opens_a_ballot_from_the_page(demo_draft, chair, members):
    client = signed_in(chair)
    form = client.get("/guidelines/next/ballots/new/")

    opened = client.post(
        "/guidelines/next/ballots/new/",
        {
            "kind": "capabilities",
            "question": "Make compute-keypairs-create required?",
            "closes_at": (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "threshold": "2/3",
            "positions_visible": "on",
            "changes": "compute-keypairs-create os_powered_compute required",
        },
    )

    assert form.status_code == 200
    assert opened.status_code == 302, opened.content.decode()[:2000]
    ballot = Ballot.objects.get()
    assert ballot.subject == [
        {
            "capability": "compute-keypairs-create",
            "component": "os_powered_compute",
            "status": "required",
        }
    ]
    assert ballot.voters.count() == 4


def test_opening_is_for_the_chair_and_bad_changes_are_explained(demo_draft, chair, members):
    assert signed_in(members[0]).get("/guidelines/next/ballots/new/").status_code == 403
    bad = signed_in(chair).post(
        "/guidelines/next/ballots/new/",
        {
            "kind": "capabilities",
            "question": "Q?",
            "closes_at": (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "changes": "only-two words",
        },
    )

    assert bad.status_code == 400
    assert "Line 1 of the changes" in bad.content.decode()
    assert not Ballot.objects.exists()


def test_the_dashboard_lists_the_ballots_waiting_for_my_position(ballot, members):
    client = signed_in(members[0])

    waiting = client.get("/dashboard/").content.decode()
    position_set(ballot=ballot, actor=members[0], value="no")
    done = client.get("/dashboard/").content.decode()

    assert "Keep compute-keypairs-create advisory?" in waiting
    assert "Keep compute-keypairs-create advisory?" not in done
    assert "No open ballot is waiting for your position." in done


def test_the_dashboard_asks_the_anonymous_to_sign_in(client):
    response = client.get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_dashboard_lists_threads_waiting_for_my_reply(demo_draft, members):
    from votes.comments import comment_post

    capability = demo_draft.capabilities.get(key="compute-servers-list")
    first = comment_post(target=capability, body="Why is this required?", actor=members[0])
    client = signed_in(members[0])

    quiet = client.get("/dashboard/").content.decode()
    comment_post(parent=first, body="Every cloud has it.", actor=members[1])
    waiting = client.get("/dashboard/").content.decode()

    assert "No thread you wrote in is waiting for you." in quiet
    assert "Why is this required?" in waiting
    assert (
        f"/guidelines/next/workspace/capabilities/compute-servers-list/#comment-{first.pk}"
        in waiting
    )


def test_the_dashboards_title_is_only_its_title(members):
    page = signed_in(members[0]).get("/dashboard/").content.decode()

    assert "<title>Your dashboard · DefCore Site</title>" in page
    assert page.count('id="threads"') == 1


def test_the_dashboards_queries_do_not_grow_with_the_threads(demo_draft, members):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from votes.comments import comment_post

    client = signed_in(members[0])
    capability = demo_draft.capabilities.get(key="compute-servers-list")

    def queries_with(threads: int) -> int:
        for n in range(threads):
            first = comment_post(target=capability, body=f"Question {n}?", actor=members[0])
            comment_post(parent=first, body="An answer.", actor=members[1])
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/dashboard/").content.decode()
        assert page.count("Question ") >= threads
        return len(captured)

    assert queries_with(1) == queries_with(4)
