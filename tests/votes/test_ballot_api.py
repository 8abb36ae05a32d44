"""The ballots' REST contract for tooling: /api/v1/ballots."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import SeatFactory, UserFactory

pytestmark = pytest.mark.django_db


def as_user(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def members(chair):
    return [SeatFactory(user=UserFactory(username=f"m{i}")).user for i in range(3)]


def opening(**change):
    return {
        "guideline": "2026.06",
        "kind": "question",
        "question": "Keep compute-keypairs-create advisory?",
        "closes_at": (timezone.now() + timedelta(days=3)).isoformat(),
        **change,
    }


@pytest.fixture
def ballot(demo, chair, members):
    response = as_user(chair).post("/api/v1/ballots", opening(), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_chair_opens_a_ballot(ballot):
    assert ballot["status"] == "open"
    assert ballot["kind"] == "question"
    assert ballot["guideline"] == "2026.06"
    assert ballot["electorate"] == 4  # the chair and three members
    assert ballot["quorum"] == 2
    assert ballot["threshold"] == "2/3"
    assert ballot["tally"] == {"yes": 0, "no": 0, "abstain": 0, "recuse": 0, "block": 0}
    assert ballot["needs"]["text"] == "needs 2 more positions for quorum and 1 more yes"


def test_only_the_chair_opens_and_bad_input_is_400_naming_the_field(demo, chair, members):
    assert as_user().post("/api/v1/ballots", opening(), format="json").status_code == 401
    refused = as_user(members[0]).post("/api/v1/ballots", opening(), format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_allowed"

    bad = as_user(chair).post(
        "/api/v1/ballots", opening(kind="poll", threshold="2:3"), format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"kind", "threshold"}
    past = opening(closes_at=(timezone.now() - timedelta(hours=1)).isoformat())
    assert as_user(chair).post("/api/v1/ballots", past, format="json").status_code == 400
    unknown = as_user(chair).post("/api/v1/ballots", opening(guideline="nope"), format="json")
    assert unknown.status_code == 404


def test_members_vote_and_the_tally_and_needs_follow(ballot, members, reviewer):
    url = f"/api/v1/ballots/{ballot['id']}/position"

    first = as_user(members[0]).put(url, {"position": "yes"}, format="json")
    second = as_user(members[1]).put(url, {"position": "no"}, format="json")

    assert first.status_code == 200, first.content
    assert first.json()["my_position"]["position"] == "yes"
    state = second.json()
    assert state["tally"]["yes"] == 1 and state["tally"]["no"] == 1
    assert state["needs"]["text"] == "needs 1 more yes"
    assert [p["voter"] for p in state["positions"]] == ["m0", "m1"]


def test_who_may_not_vote_gets_403_and_a_closed_ballot_409(ballot, chair, members, reviewer):
    url = f"/api/v1/ballots/{ballot['id']}/position"
    newcomer = SeatFactory(user=UserFactory(username="newcomer")).user

    assert as_user().put(url, {"position": "yes"}, format="json").status_code == 401
    assert as_user(reviewer).put(url, {"position": "yes"}, format="json").status_code == 403
    outside = as_user(newcomer).put(url, {"position": "yes"}, format="json")
    assert outside.status_code == 403
    assert "not in the electorate" in outside.json()["error"]["message"]
    no_reason = as_user(members[0]).put(url, {"position": "block"}, format="json")
    assert no_reason.status_code == 400

    closed = as_user(chair).post(
        f"/api/v1/ballots/{ballot['id']}/close", {"reason": "met early"}, format="json"
    )
    late = as_user(members[0]).put(url, {"position": "yes"}, format="json")

    assert closed.status_code == 200
    assert closed.json()["status"] == "no_quorum"
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "rule_refused"


def test_only_the_chair_closes_and_early_needs_a_reason(ballot, chair, members):
    url = f"/api/v1/ballots/{ballot['id']}/close"

    assert as_user(members[0]).post(url, {"reason": "x"}, format="json").status_code == 403
    assert as_user(chair).post(url, {}, format="json").status_code == 400
    for member in members[:2]:
        as_user(member).put(
            f"/api/v1/ballots/{ballot['id']}/position", {"position": "yes"}, format="json"
        )
    closed = as_user(chair).post(url, {"reason": "everyone has spoken"}, format="json").json()

    assert closed["status"] == "passed"
    assert closed["closed_by"] == "chair"
    assert closed["tally"]["yes"] == 2
    assert closed["needs"] is None
    again = as_user(chair).post(url, {"reason": "again"}, format="json")
    assert again.status_code == 409


def test_hidden_positions_show_nothing_until_closing(demo, chair, members):
    opened = (
        as_user(chair)
        .post("/api/v1/ballots", opening(positions_visible=False), format="json")
        .json()
    )
    url = f"/api/v1/ballots/{opened['id']}"
    as_user(members[0]).put(f"{url}/position", {"position": "no"}, format="json")

    for viewer in (None, chair, members[1]):
        seen = as_user(viewer).get(url).json()
        assert seen["tally"] is None
        assert seen["positions"] == []
        assert seen["needs"] is None
    assert as_user(members[0]).get(url).json()["my_position"]["position"] == "no"

    as_user(chair).post(f"{url}/close", {"reason": "done"}, format="json")
    after = as_user().get(url).json()
    assert after["tally"]["no"] == 1
    assert [p["voter"] for p in after["positions"]] == ["m0"]


def test_ballots_are_listed_and_filtered(demo, demo_draft, chair, members):
    client = as_user(chair)
    client.post("/api/v1/ballots", opening(), format="json")
    client.post(
        "/api/v1/ballots",
        opening(guideline="next", kind="approval", question="Approve next as 2026.12?"),
        format="json",
    )

    everything = as_user().get("/api/v1/ballots").json()
    approvals = as_user().get("/api/v1/ballots?kind=approval").json()
    on_next = as_user().get("/api/v1/ballots?guideline=next&status=open").json()

    assert everything["count"] == 2
    assert [b["guideline"] for b in approvals["results"]] == ["next"]
    assert on_next["count"] == 1
    assert as_user().get("/api/v1/ballots?status=maybe").status_code == 400
    assert as_user().get("/api/v1/ballots?guideline=%00").json()["count"] == 0
    assert as_user().get("/api/v1/ballots/999999").status_code == 404


def test_session_writes_need_csrf(ballot, members):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(members[0])

    refused = client.put(
        f"/api/v1/ballots/{ballot['id']}/position",
        '{"position": "yes"}',
        content_type="application/json",
    )

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]


def test_listing_ballots_costs_the_same_queries_for_one_or_many(demo, chair, members):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(members[0])

    def queries_listing(ballots: int) -> int:
        for _ in range(ballots):
            opened = as_user(chair).post("/api/v1/ballots", opening(), format="json").json()
            as_user(members[0]).put(
                f"/api/v1/ballots/{opened['id']}/position", {"position": "yes"}, format="json"
            )
        with CaptureQueriesContext(connection) as captured:
            listed = client.get("/api/v1/ballots").json()
        assert all(b["my_position"]["position"] == "yes" for b in listed["results"])
        return len(captured)

    assert queries_listing(1) == queries_listing(5)
