"""A member's scores of a capability: several criteria in one change, and withdrawing them.

Scoring several criteria at once is one service call and one "scored" event,
all of it or none, from the service, the API and the web score form.
A member withdraws their own scores (one criterion or all): the automatic
consensus follows what remains, the chair's stays, and so do the achievements.
Everything here runs on the project's own demo guideline: 2026.06 (approved)
and ``next``, the draft started from it.
"""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from capabilities.arithmetic import NON_ADMIN
from capabilities.models import Consensus, Score
from capabilities.services import consensus_set, scores_cast, scores_withdraw
from committee.permissions import NotAllowed
from guidelines.errors import GuidelineError, RuleRefused
from guidelines.models import Capability, Guideline, GuidelineEvent
from tests.guidelines.helpers import export

pytestmark = pytest.mark.django_db

# In the demo 2026.06 (and so in its draft "next"): every criterion but foundation met.
LISTING = "compute-servers-list"
# Every criterion met.
CREATING = "compute-servers-create"


def capability(guideline, key=LISTING) -> Capability:
    return Capability.objects.get(guideline=guideline, key=key)


def scores_of(target: Capability, scorer) -> dict[str, str]:
    """criterion -> value of one scorer's Score rows."""
    return dict(
        Score.objects.filter(capability=target, scorer=scorer).values_list("criterion", "value")
    )


def consensus_of(target: Capability, criterion: str):
    """(value, source, set_by) of the consensus on ``criterion``, or None."""
    found = Consensus.objects.filter(capability=target, criterion=criterion).first()
    return None if found is None else (found.value, found.source, found.set_by)


def events(guideline, kind):
    return list(guideline.events.filter(kind=kind).order_by("id"))


def state():
    """What a refused or empty change must leave as it was (revisions feed the ETags)."""
    return (
        sorted(Guideline.objects.values_list("key", "revision")),
        sorted(Score.objects.values_list("capability_id", "scorer_id", "criterion", "value")),
        sorted(Consensus.objects.values_list("capability_id", "criterion", "value", "source")),
        GuidelineEvent.objects.count(),
        sorted(Capability.objects.values_list("pk", "achievements")),
    )


def criteria_keys(guideline) -> list[str]:
    return list(guideline.criteria.order_by("position").values_list("key", flat=True))


def whole_line(guideline, **values) -> dict[str, str]:
    """Every criterion and Non-Admin scored 1, but for ``values``."""
    line = dict.fromkeys([*criteria_keys(guideline), NON_ADMIN], "1")
    return line | values


# The service: withdrawing one's own scores


def test_a_member_withdraws_one_score_and_keeps_the_others(demo_draft, member, other_member):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "1", "tools": "0"})
    scores_cast(capability=target, actor=other_member, values={"doc": "1"})

    withdrawn = scores_withdraw(capability=target, actor=member, criteria=["doc"])

    assert withdrawn == ["doc"]
    assert scores_of(target, member) == {"tools": "0"}
    assert scores_of(target, other_member) == {"doc": "1"}
    assert consensus_of(target, "doc") == ("1", "unanimous", None)
    assert consensus_of(target, "tools") == ("0", "unanimous", None)


def test_withdrawing_every_score_is_one_event_with_before_and_after(demo_draft, member):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "0", "tools": "?", NON_ADMIN: "1"})
    revision = Guideline.objects.get(pk=demo_draft.pk).revision

    withdrawn = scores_withdraw(capability=target, actor=member)

    assert sorted(withdrawn) == sorted(["doc", "tools", NON_ADMIN])
    assert Guideline.objects.get(pk=demo_draft.pk).revision == revision + 1
    assert scores_of(target, member) == {}
    [event] = events(demo_draft, "score_withdrawn")
    assert (event.actor, event.channel, event.subject) == (member, "web", LISTING)
    assert event.data["before"] == {"doc": "0", "tools": "?", NON_ADMIN: "1"}
    assert event.data["after"] == {"doc": None, "tools": None, NON_ADMIN: None}
    assert event.summary.startswith(f"member withdrew their scores of {LISTING}: ")


def test_withdrawing_recomputes_the_automatic_consensus_from_the_remaining_scores(
    demo_draft, member, other_member
):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "0"})
    scores_cast(capability=target, actor=other_member, values={"doc": "1"})
    assert consensus_of(target, "doc") is None  # they disagree: the chair would decide

    scores_withdraw(capability=target, actor=member)

    assert consensus_of(target, "doc") == ("1", "unanimous", None)


def test_withdrawing_the_last_score_drops_the_automatic_consensus(demo_draft, member):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "0"})
    assert consensus_of(target, "doc") == ("0", "unanimous", None)

    scores_withdraw(capability=target, actor=member, criteria=["doc"])

    assert consensus_of(target, "doc") is None
    assert not Consensus.objects.filter(capability=target).exists()


def test_the_chair_s_consensus_stays_when_a_member_withdraws(demo_draft, member, chair):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "0"})
    consensus_set(capability=target, actor=chair, values={"doc": "1"})

    scores_withdraw(capability=target, actor=member)

    assert scores_of(target, member) == {}
    assert consensus_of(target, "doc") == ("1", "chair", chair)


def test_achievements_follow_when_a_withdrawal_completes_the_consensus(
    demo_draft, member, other_member
):
    target = capability(demo_draft, CREATING)
    keys = criteria_keys(demo_draft)
    scores_cast(capability=target, actor=member, values={"foundation": "1"})
    scores_cast(
        capability=target, actor=other_member, values=whole_line(demo_draft, foundation="0")
    )
    # They disagree on foundation: not fully scored, the document's achievements stand.
    assert capability(demo_draft, CREATING).achievements == keys

    scores_withdraw(capability=target, actor=member)

    assert consensus_of(target, "foundation") == ("0", "unanimous", None)
    expected = [key for key in keys if key != "foundation"]
    assert capability(demo_draft, CREATING).achievements == expected
    assert export(demo_draft)["capabilities"][CREATING]["achievements"] == expected


def test_withdrawing_the_scores_that_rewrote_the_achievements_brings_the_written_ones_back(
    demo_draft, member
):
    target = capability(demo_draft)
    written = export(demo_draft)["capabilities"][LISTING]
    scores_cast(capability=target, actor=member, values=whole_line(demo_draft))
    # Fully scored: the achievements are the consensus's, foundation included.
    assert "foundation" in capability(demo_draft).achievements

    scores_withdraw(capability=target, actor=member)

    assert capability(demo_draft).achievements == written["achievements"]
    assert export(demo_draft)["capabilities"][LISTING] == written


def test_a_misspelled_achievements_key_comes_back_with_the_withdrawal(demo_draft, member, system):
    from tests.guidelines.helpers import import_doc

    document = export(demo_draft)
    entry = document["capabilities"][LISTING]
    # As objectstore-slo-support is written in the committee's 2018.02.
    entry["acheivements"] = entry.pop("achievements")
    draft = import_doc(document, key="next", replace=True, if_match=None).guideline
    target = capability(draft)
    scores_cast(capability=target, actor=member, values=whole_line(draft))
    derived = export(draft)["capabilities"][LISTING]
    assert "acheivements" not in derived
    assert "foundation" in derived["achievements"]

    scores_withdraw(capability=target, actor=member)

    assert export(draft)["capabilities"][LISTING] == entry


def test_withdrawing_when_there_is_nothing_is_not_an_error_and_writes_no_event(
    demo_draft, member, other_member
):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=other_member, values={"doc": "1"})
    scores_cast(capability=target, actor=member, values={"tools": "1"})
    before = state()

    nothing = scores_withdraw(capability=target, actor=other_member, criteria=["tools"])
    nothing_of_mine = scores_withdraw(
        capability=capability(demo_draft, CREATING), actor=member, criteria=None
    )

    assert nothing == [] and nothing_of_mine == []
    assert state() == before
    assert events(demo_draft, "score_withdrawn") == []


@pytest.mark.parametrize("who", ["reviewer", "anonymous"])
def test_a_reviewer_or_anonymous_user_cannot_withdraw_scores(demo_draft, member, reviewer, who):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "1"})
    actor = reviewer if who == "reviewer" else AnonymousUser()
    before = state()

    with pytest.raises(NotAllowed, match="Scoring is for committee members"):
        scores_withdraw(capability=target, actor=actor)

    assert state() == before


def test_withdrawing_on_an_approved_guideline_is_refused_naming_a4_3(demo, member):
    target = capability(demo)
    # A score kept from before the guideline was approved.
    Score.objects.create(capability=target, scorer=member, criterion="doc", value="1")
    before = state()

    with pytest.raises(RuleRefused, match=r"2017A A4\.3"):
        scores_withdraw(capability=target, actor=member)

    assert state() == before


# The service: several criteria in one call


def test_scoring_several_criteria_is_one_call_and_one_event(demo_draft, member):
    target = capability(demo_draft)

    scores_cast(
        capability=target,
        actor=member,
        values={"doc": "0", "foundation": "1", NON_ADMIN: "1"},
        note="read the docs",
    )
    scores_cast(capability=target, actor=member, values={"doc": "1", "stable": "?"})

    assert scores_of(target, member) == {
        "doc": "1",
        "foundation": "1",
        "stable": "?",
        NON_ADMIN: "1",
    }
    first, second = events(demo_draft, "scored")
    assert (first.actor, first.channel, first.subject) == (member, "web", LISTING)
    assert first.data["before"] == {"doc": None, "foundation": None, NON_ADMIN: None}
    assert first.data["after"] == {"doc": "0", "foundation": "1", NON_ADMIN: "1"}
    assert first.data["note"] == "read the docs"
    assert second.data["before"] == {"doc": "0", "stable": None}
    assert second.data["after"] == {"doc": "1", "stable": "?"}


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"elegance": "1"}, "'elegance' is not a criterion of next"),
        ({"doc": "2"}, "compute-servers-list/doc: score '2' is not 1, 0 or ?"),
    ],
)
def test_one_bad_criterion_stores_nothing_and_writes_no_event(demo_draft, member, bad, message):
    target = capability(demo_draft)
    before = state()

    with pytest.raises(GuidelineError, match=re.escape(message)):
        scores_cast(capability=target, actor=member, values={"tools": "1", "stable": "0", **bad})

    assert state() == before


# The API


def token_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def scores_url(target: Capability, criterion: str = "") -> str:
    return f"/api/v1/capabilities/{target.pk}/scores" + (f"/{criterion}" if criterion else "")


def test_the_api_scores_several_criteria_in_one_call_and_one_event(demo_draft, member):
    target = capability(demo_draft)

    response = token_client(member).put(
        scores_url(target),
        {"values": {"doc": "0", "foundation": "1", NON_ADMIN: "1"}, "note": "from the API"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scorer"] == "member"
    assert body["values"] == {"doc": "0", "foundation": "1", NON_ADMIN: "1"}
    assert body["capability"]["key"] == LISTING
    assert body["capability"]["scores"]["doc"] == {"member": "0"}
    assert Score.objects.filter(capability=target, note="from the API").count() == 3
    [event] = events(demo_draft, "scored")
    assert (event.actor, event.channel) == (member, "api")
    assert event.data["before"] == {"doc": None, "foundation": None, NON_ADMIN: None}
    assert event.data["after"] == {"doc": "0", "foundation": "1", NON_ADMIN: "1"}
    assert event.data["note"] == "from the API"


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"elegance": "1"}, "'elegance' is not a criterion of next"),
        ({"doc": "2"}, 'doc: "2" is not a score'),
    ],
)
def test_one_bad_criterion_in_the_api_is_400_naming_it_and_stores_nothing(
    demo_draft, member, bad, message
):
    before = state()

    response = token_client(member).put(
        scores_url(capability(demo_draft)),
        {"values": {"tools": "1", "stable": "0", **bad}},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert message in response.json()["error"]["message"]
    assert state() == before


def test_the_api_refuses_an_empty_set_of_values(demo_draft, member):
    before = state()

    response = token_client(member).put(
        scores_url(capability(demo_draft)), {"values": {}}, format="json"
    )

    assert response.status_code == 400, response.content
    assert "values" in response.json()["error"]["fields"]
    assert state() == before


def test_the_single_criterion_route_still_scores_as_one_event(demo_draft, member):
    target = capability(demo_draft)

    response = token_client(member).put(
        scores_url(target, "doc"), {"value": "?", "note": "unsure"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["criterion"], response.json()["value"]) == ("doc", "?")
    assert response.json()["note"] == "unsure"
    [event] = events(demo_draft, "scored")
    assert (event.channel, event.data["before"], event.data["after"]) == (
        "api",
        {"doc": None},
        {"doc": "?"},
    )


def test_the_api_withdraws_all_of_a_member_s_scores(demo_draft, member, other_member):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "0", "tools": "1"})
    scores_cast(capability=target, actor=other_member, values={"doc": "1"})

    response = token_client(member).delete(scores_url(target))

    assert response.status_code == 200, response.content
    assert response.json()["values"] == {}
    assert response.json()["capability"]["scores"] == {"doc": {"member2": "1"}}
    assert response.json()["capability"]["values"]["doc"] == "1"
    assert scores_of(target, member) == {}
    assert scores_of(target, other_member) == {"doc": "1"}
    assert consensus_of(target, "doc") == ("1", "unanimous", None)
    assert consensus_of(target, "tools") is None
    [event] = events(demo_draft, "score_withdrawn")
    assert (event.actor, event.channel) == (member, "api")
    assert event.data["before"] == {"doc": "0", "tools": "1"}
    assert event.data["after"] == {"doc": None, "tools": None}


def test_the_api_withdraws_one_criterion(demo_draft, member):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "0", "tools": "1"})

    response = token_client(member).delete(scores_url(target, "doc"))

    assert response.status_code == 200, response.content
    assert (response.json()["criterion"], response.json()["value"]) == ("doc", None)
    assert scores_of(target, member) == {"tools": "1"}
    [event] = events(demo_draft, "score_withdrawn")
    assert (event.data["before"], event.data["after"]) == ({"doc": "0"}, {"doc": None})


@pytest.mark.parametrize("criterion", ["", "doc"])
def test_withdrawing_nothing_through_the_api_is_200_and_writes_no_event(
    demo_draft, member, criterion
):
    before = state()

    response = token_client(member).delete(scores_url(capability(demo_draft), criterion))

    assert response.status_code == 200, response.content
    assert state() == before


@pytest.mark.parametrize("criterion", ["", "doc"])
def test_a_reviewer_gets_403_and_anonymous_401_when_withdrawing(
    demo_draft, member, reviewer, criterion
):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "1"})
    before = state()

    as_reviewer = token_client(reviewer).delete(scores_url(target, criterion))
    as_anonymous = token_client().delete(scores_url(target, criterion))

    assert as_reviewer.status_code == 403, as_reviewer.content
    assert "Scoring is for committee members" in as_reviewer.json()["error"]["message"]
    assert as_anonymous.status_code == 401, as_anonymous.content
    assert state() == before


@pytest.mark.parametrize("criterion", ["", "doc"])
def test_the_api_refuses_withdrawing_on_an_approved_guideline_naming_a4_3(demo, member, criterion):
    target = capability(demo)
    Score.objects.create(capability=target, scorer=member, criterion="doc", value="1")
    before = state()

    response = token_client(member).delete(scores_url(target, criterion))

    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "rule_refused"
    assert "2017A A4.3" in response.json()["error"]["message"]
    assert state() == before


# The web pages


def url(name, *args) -> str:
    return reverse(f"capabilities:{name}", args=args)


def row_values(response, key) -> dict[str, str]:
    """criterion -> the value the row of ``key`` shows."""
    html = response.content.decode()
    row = re.search(rf'<tr id="row-{re.escape(key)}".*?</tr>', html, flags=re.S)
    assert row, f"no row for {key}"
    return dict(re.findall(r'data-criterion="([^"]+)"[^>]*>([10?])', row.group(0)))


def scores_post(response, key, **changes) -> dict[str, str]:
    """The score form of ``key`` as the page shows it, with ``changes``."""
    return {**row_values(response, key), "note": "", **changes}


WITHDRAW = f"Withdraw all my scores of {LISTING}"


def test_the_score_form_posts_several_changed_criteria_as_one_event(client, demo_draft, member):
    client.force_login(member)
    page = client.get(url("workspace", "next"), {"score": LISTING})
    shown = row_values(page, LISTING)
    assert (shown["tools"], shown["doc"], shown["foundation"]) == ("1", "1", "0")

    response = client.post(
        url("score", "next", LISTING),
        scores_post(page, LISTING, tools="0", doc="?", foundation="1", note="three at once"),
    )

    assert response.status_code == 302
    target = capability(demo_draft)
    assert scores_of(target, member) == {"tools": "0", "doc": "?", "foundation": "1"}
    [event] = events(demo_draft, "scored")
    assert (event.actor, event.channel) == (member, "web")
    assert event.data["before"] == {"tools": None, "doc": None, "foundation": None}
    assert event.data["after"] == {"tools": "0", "doc": "?", "foundation": "1"}
    assert event.data["note"] == "three at once"
    assertContains(client.get(response["Location"]), f"Saved your scores of {LISTING}: ")


def test_a_score_form_with_one_bad_value_stores_nothing(client, demo_draft, member):
    client.force_login(member)
    page = client.get(url("workspace", "next"), {"score": LISTING})
    before = state()

    response = client.post(
        url("score", "next", LISTING), scores_post(page, LISTING, tools="0", doc="2")
    )

    assert response.status_code == 400
    assertContains(response, "v-input has-error", status_code=400)
    assert state() == before


def test_the_withdraw_button_shows_only_for_a_member_with_scores_in_that_row(
    client, demo_draft, member, other_member
):
    scores_cast(capability=capability(demo_draft), actor=member, values={"doc": "0"})
    withdraw_url = url("score_withdraw", "next", LISTING)

    client.force_login(member)
    mine = client.get(url("workspace", "next"), {"score": LISTING})
    another_row = client.get(url("workspace", "next"), {"score": CREATING})
    client.force_login(other_member)
    theirs = client.get(url("workspace", "next"), {"score": LISTING})

    assertContains(mine, WITHDRAW, count=1)
    assertContains(mine, f'action="{withdraw_url}"', count=1)
    assertNotContains(another_row, "Withdraw all my scores")
    assertNotContains(theirs, "Withdraw all my scores")


def test_a_member_withdraws_their_scores_with_the_button(client, demo_draft, member, other_member):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "0", "tools": "0"})
    scores_cast(capability=target, actor=other_member, values={"doc": "1"})
    client.force_login(member)

    response = client.post(url("score_withdraw", "next", LISTING))

    assert response.status_code == 302
    assert response["Location"] == url("workspace", "next") + f"#row-{LISTING}"
    assert scores_of(target, member) == {}
    assert scores_of(target, other_member) == {"doc": "1"}
    assert consensus_of(target, "doc") == ("1", "unanimous", None)
    [event] = events(demo_draft, "score_withdrawn")
    assert (event.actor, event.channel) == (member, "web")
    assert event.data["before"] == {"doc": "0", "tools": "0"}
    page = client.get(url("workspace", "next"), {"score": LISTING})
    assertContains(page, f"Withdrew your scores of {LISTING}: ")
    assertNotContains(page, WITHDRAW)
    assert row_values(page, LISTING)["doc"] == "1"


def test_withdrawing_with_the_button_when_there_is_nothing_says_so(client, demo_draft, member):
    client.force_login(member)
    before = state()

    response = client.post(url("score_withdraw", "next", LISTING), follow=True)

    assertContains(response, f"You had no score of {LISTING} to withdraw.")
    assert state() == before


@pytest.mark.parametrize("who", ["reviewer", "anonymous"])
def test_the_withdraw_page_refuses_a_reviewer_or_anonymous_user(
    client, demo_draft, member, reviewer, who
):
    scores_cast(capability=capability(demo_draft), actor=member, values={"doc": "1"})
    if who == "reviewer":
        client.force_login(reviewer)
    before = state()

    response = client.post(url("score_withdraw", "next", LISTING))

    assertContains(response, "Not allowed</h1>", status_code=403)
    assertContains(response, "Scoring is for committee members", status_code=403)
    assert state() == before


def test_the_withdraw_page_refuses_an_approved_guideline_naming_a4_3(client, demo, member):
    Score.objects.create(capability=capability(demo), scorer=member, criterion="doc", value="1")
    client.force_login(member)
    before = state()

    response = client.post(url("score_withdraw", "2026.06", LISTING))

    assertContains(response, "2017A A4.3", status_code=409)
    assertContains(response, '<div class="form-error" role="alert">', status_code=409)
    assert state() == before


# The change log


def log_lines(response, summary: str) -> dict[str, tuple[str, str]]:
    """criterion -> (before, after) of the logged event whose summary is ``summary``."""
    html = response.content.decode()
    items = re.findall(r'<li class="event">.*?</li>', html, flags=re.S)
    [item] = [item for item in items if f'<p class="event__summary">{summary}</p>' in item]
    lines = re.findall(
        r'<div><dt>([^<]*)</dt><dd><span class="diff-old">([^<]*)</span>.*?'
        r'<span class="diff-new">([^<]*)</span></dd></div>',
        item,
        flags=re.S,
    )
    assert len(lines) == len({name for name, _, _ in lines}), lines
    return {name: (old, new) for name, old, new in lines}


def test_the_change_log_shows_a_multi_criteria_score_one_line_per_criterion(
    client, demo_draft, member
):
    target = capability(demo_draft)
    scores_cast(capability=target, actor=member, values={"doc": "1"})
    scores_cast(
        capability=target, actor=member, values={"doc": "0", "foundation": "1", "tools": "?"}
    )
    scores_withdraw(capability=target, actor=member, criteria=["tools"])

    log = client.get("/guidelines/next/workspace/log/")

    assert log.status_code == 200
    scored = log_lines(log, f"member scored {LISTING}: doc=0, foundation=1, tools=?")
    assert scored == {"doc": ("1", "0"), "foundation": ("—", "1"), "tools": ("—", "?")}
    withdrawn = log_lines(log, f"member withdrew their scores of {LISTING}: tools")
    assert withdrawn == {"tools": ("?", "—")}
    assertContains(log, '<span class="event__kind">Score withdrawn</span>', count=1)
