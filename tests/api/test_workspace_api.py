"""The drafting and scoring workspace through the API: who may, conflicts, bad input, data.

Tried on the demo guideline 2026.06 (approved) and the draft ``next`` started
from it; the scoring worksheet is one written for the tests (tests/data/api/).
The committee's real worksheet is used only to check fidelity to it.
"""

from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from capabilities.models import Consensus, Lineage, Score
from guidelines.models import (
    Capability,
    ComponentEntry,
    Guideline,
    GuidelineEvent,
    RuleOverride,
    Test,
)
from tests.guidelines.helpers import export, import_file

pytestmark = pytest.mark.django_db

TEST_ID = "id-11111111-2222-3333-4444-555555555555"
PROPOSAL = {
    "key": "compute-servers-rescue",
    "component": "os_powered_compute",
    "project": "nova",
    "description": "Rescue a server",
    "tests": [
        {
            "name": "tempest.api.compute.servers.test_rescue.RescueTest.test_rescue",
            "idempotent_id": TEST_ID,
            "aliases": ["tempest.old.test_rescue"],
        }
    ],
}
FLAG = {"date": "2026-11-25", "reason": "[D404] Fails on some clouds", "action": "Fix the test"}


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.fixture
def as_chair(chair):
    return token_client(chair)


@pytest.fixture
def as_member(member):
    return token_client(member)


@pytest.fixture
def as_other_member(other_member):
    return token_client(other_member)


@pytest.fixture
def as_reviewer(reviewer):
    return token_client(reviewer)


WORKSHEETS = Path(__file__).resolve().parent.parent / "data" / "api"


@pytest.fixture
def approved(demo):
    """The demo 2026.06."""
    return demo


@pytest.fixture
def draft(demo_draft):
    """``next``, started from the demo 2026.06."""
    return demo_draft


def capability(guideline, key="compute-servers-list"):
    return Capability.objects.get(guideline=guideline, key=key)


def capability_url(guideline, key="compute-servers-list", then=""):
    return f"/api/v1/capabilities/{capability(guideline, key).pk}{then}"


def guideline_url(guideline, then=""):
    return f"/api/v1/catalog/guidelines/{guideline.key}{then}"


def state():
    """What a refused write must leave as it was."""
    return (
        list(Guideline.objects.order_by("key").values_list("key", "revision")),
        GuidelineEvent.objects.count(),
        list(Capability.objects.order_by("pk").values_list("key", "version", "description")),
        ComponentEntry.objects.count(),
        Test.objects.filter(is_flagged=True).count(),
        Score.objects.count(),
        Consensus.objects.count(),
        Lineage.objects.count(),
        RuleOverride.objects.count(),
    )


def a_finding(client, guideline, rule="Non-Admin"):
    findings = client.get(guideline_url(guideline, "/findings")).json()
    return next(f for f in findings if f["rule"] == rule)


# Every write of the workspace, as (method, url, body) on the draft.
def workspace_writes(draft):
    target = capability(draft)
    test = target.tests.first()
    flag_url = f"/api/v1/tests/{test.pk}/flag"
    return {
        "propose": ("post", guideline_url(draft, "/capabilities"), PROPOSAL),
        "edit": ("patch", capability_url(draft), {"version": 1, "description": "x"}),
        "move": (
            "post",
            capability_url(draft, then="/move"),
            {"component": "os_powered_compute", "status": "deprecated"},
        ),
        "rename": ("post", capability_url(draft, then="/rename"), {"key": "compute-servers-all"}),
        "lineage": (
            "post",
            capability_url(draft, then="/lineage"),
            {"predecessors": ["compute-servers-get"]},
        ),
        "flag": ("put", flag_url, FLAG),
        "unflag": ("delete", flag_url, None),
        "score": ("put", capability_url(draft, then="/scores/doc"), {"value": "1"}),
        "consensus": ("put", capability_url(draft, then="/consensus/doc"), {"value": "1"}),
        "override": (
            "post",
            guideline_url(draft, "/findings/overrides"),
            {"rule": "Non-Admin", "subject": "x", "justification": "Because"},
        ),
        "worksheet": (
            "post",
            guideline_url(draft, "/worksheets"),
            {"name": "scoring.txt", "text": "compute-servers-list [1]\n"},
        ),
    }


WRITES = [
    "propose",
    "edit",
    "move",
    "rename",
    "lineage",
    "flag",
    "unflag",
    "score",
    "consensus",
    "override",
    "worksheet",
]


@pytest.mark.parametrize("write", WRITES)
def test_anonymous_users_get_401_on_every_workspace_write(anonymous, draft, write):
    method, url, body = workspace_writes(draft)[write]
    before = state()

    response = getattr(anonymous, method)(url, body, format="json")

    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == "not_authenticated"
    assert state() == before


@pytest.mark.parametrize("write", WRITES)
def test_reviewers_get_403_naming_the_role_on_every_workspace_write(as_reviewer, draft, write):
    method, url, body = workspace_writes(draft)[write]
    before = state()

    response = getattr(as_reviewer, method)(url, body, format="json")

    assert response.status_code == 403, response.content
    message = response.json()["error"]["message"]
    assert "for committee members" in message or "for the chair" in message
    assert state() == before


def test_a_member_proposes_a_capability_and_gets_it_back(as_member, draft):
    response = as_member.post(guideline_url(draft, "/capabilities"), PROPOSAL, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["key"], body["guideline"], body["version"]) == (
        "compute-servers-rescue",
        "next",
        1,
    )
    assert body["statuses"] == [{"component": "os_powered_compute", "status": "advisory"}]
    assert [(t["name"], t["idempotent_id"], t["aliases"]) for t in body["tests"]] == [
        (PROPOSAL["tests"][0]["name"], TEST_ID, ["tempest.old.test_rescue"])
    ]
    assert response["Location"].endswith(f"/api/v1/capabilities/{body['id']}")
    assert "compute-servers-rescue" in export(draft)["capabilities"]
    event = draft.events.get(kind="capability_proposed")
    assert (event.actor, event.channel) == (as_member.user, "api")


def test_a_member_edits_moves_renames_and_regroups(as_member, draft):
    url = capability_url(draft)

    edited = as_member.patch(url, {"version": 1, "description": "List servers"}, format="json")
    moved = as_member.post(
        f"{url}/move",
        {"component": "os_powered_compute", "status": "deprecated", "version": 2},
        format="json",
    )
    renamed = as_member.post(f"{url}/rename", {"key": "compute-servers-list-all"}, format="json")
    regrouped = as_member.post(
        f"{url}/lineage", {"predecessors": ["compute-servers-get"], "note": "merged"}, format="json"
    )

    assert edited.status_code == 200, edited.content
    assert (edited.json()["description"], edited.json()["version"]) == ("List servers", 2)
    assert moved.status_code == 200, moved.content
    assert moved.json()["statuses"] == [{"component": "os_powered_compute", "status": "deprecated"}]
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["key"] == "compute-servers-list-all"
    assert renamed.json()["predecessors"] == ["compute-servers-list"]
    assert regrouped.status_code == 200, regrouped.content
    assert regrouped.json()["predecessors"] == ["compute-servers-get", "compute-servers-list"]


def test_reading_a_capability_still_answers_at_the_edited_url(anonymous, draft):
    response = anonymous.get(capability_url(draft))

    assert response.status_code == 200
    assert response.json()["key"] == "compute-servers-list"


def test_a_member_flags_and_unflags_a_test_in_a_draft(as_member, draft):
    test = capability(draft).tests.first()
    url = f"/api/v1/tests/{test.pk}/flag"

    flagged = as_member.put(url, FLAG, format="json")
    unflagged = as_member.delete(url)

    assert flagged.status_code == 200, flagged.content
    assert flagged.json()["is_flagged"] is True
    assert flagged.json()["flag"] == FLAG
    assert unflagged.status_code == 200, unflagged.content
    assert (unflagged.json()["is_flagged"], unflagged.json()["flag"]) == (False, None)


def row_of(table, key="compute-servers-list"):
    return next(row for row in table["capabilities"] if row["key"] == key)


def test_a_members_score_shows_in_the_scoring_table(as_member, anonymous, draft):
    scoring = guideline_url(draft, "/scoring")
    before = anonymous.get(scoring).json()

    mine = as_member.put(
        capability_url(draft, then="/scores/doc"), {"value": "0", "note": "thin"}, format="json"
    )
    after = anonymous.get(scoring).json()

    assert mine.status_code == 200, mine.content
    assert (mine.json()["scorer"], mine.json()["value"], mine.json()["note"]) == (
        "member",
        "0",
        "thin",
    )
    assert mine.json()["capability"] == row_of(after)
    criteria = {c["key"]: c for c in after["criteria"]}
    assert len(criteria) == 12 and sum(c["weight"] for c in criteria.values()) == 100
    assert criteria["doc"]["name"] == "Documented"
    assert after["cutoff"] == before["cutoff"] == 74
    # Before anyone scores, the values are the document's achievements: all but
    # foundation (weight 9) met.
    assert row_of(before)["values"]["foundation"] == "0"
    assert (row_of(before)["scored"], row_of(before)["total"]) == (False, 100 - 9)
    assert (row_of(before)["complete"], row_of(before)["qualifies"]) == (True, True)
    # The lone score is the consensus on doc; the other criteria keep the
    # document's values until the committee scores them (not fully scored yet).
    assert row_of(after)["scored"] is False
    assert row_of(after)["values"]["doc"] == "0"
    assert row_of(after)["values"]["deployed"] == "1"
    assert row_of(after)["scores"] == {"doc": {"member": "0"}}
    assert (row_of(after)["complete"], row_of(after)["qualifies"]) == (True, True)
    assert row_of(after)["total"] == 100 - 9 - 8
    assert after["met_counts"]["doc"] == before["met_counts"]["doc"] - 1


def test_scorers_who_disagree_are_shown(as_member, as_other_member, draft):
    url = capability_url(draft, then="/scores/doc")

    as_member.put(url, {"value": "0"}, format="json")
    theirs = as_other_member.put(url, {"value": "1"}, format="json")

    assert theirs.status_code == 200, theirs.content
    assert theirs.json()["capability"]["disagreements"] == {"doc": {"member": "0", "member2": "1"}}


def test_only_the_chair_sets_consensus(as_member, as_chair, draft):
    url = capability_url(draft, then="/consensus/doc")

    refused = as_member.put(url, {"value": "0"}, format="json")
    set_ = as_chair.put(url, {"value": "0"}, format="json")

    assert refused.status_code == 403
    assert "Setting the consensus score is for the chair" in refused.json()["error"]["message"]
    assert set_.status_code == 200, set_.content
    assert (set_.json()["source"], set_.json()["set_by"]) == ("chair", "chair")
    assert set_.json()["capability"]["values"]["doc"] == "0"
    assert Consensus.objects.get(capability=capability(draft), criterion="doc").value == "0"


def test_only_the_chair_overrides_a_finding_and_the_justification_shows(as_member, as_chair, draft):
    # A required capability marked admin-only: the Non-Admin rule objects.
    networks = capability_url(draft, "networks-create-delete")
    marked = as_member.patch(networks, {"version": 1, "admin": True}, format="json")
    assert marked.status_code == 200, marked.content
    finding = a_finding(as_member, draft)
    assert finding["subject"] == "networks-create-delete"
    reason = "Networks are created by users in most clouds"
    body = {"rule": finding["rule"], "subject": finding["subject"], "justification": reason}
    assert finding["override"] is None

    refused = as_member.post(guideline_url(draft, "/findings/overrides"), body, format="json")
    overridden = as_chair.post(guideline_url(draft, "/findings/overrides"), body, format="json")

    assert refused.status_code == 403
    assert "for the chair" in refused.json()["error"]["message"]
    assert overridden.status_code == 201, overridden.content
    override = overridden.json()["override"]
    assert (override["justification"], override["by"]) == (reason, "chair")
    assert a_finding(as_member, draft)["override"]["justification"] == reason


def test_an_unknown_finding_cannot_be_overridden(as_chair, draft):
    body = {"rule": "Non-Admin", "subject": "no-such-capability", "justification": "Because"}

    response = as_chair.post(guideline_url(draft, "/findings/overrides"), body, format="json")

    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "next has no finding Non-Admin about 'no-such-capability'" in message


def test_a_stale_version_gets_409_with_the_current_values_then_the_retry_saves(
    as_member, as_other_member, draft
):
    url = capability_url(draft)
    as_member.patch(url, {"version": 1, "description": "first"}, format="json")

    stale = as_other_member.patch(url, {"version": 1, "description": "second"}, format="json")
    current = stale.json()["current"]
    retried = as_other_member.patch(
        url, {"version": current["version"], "description": "first, and second"}, format="json"
    )

    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    assert "changed by someone else" in stale.json()["error"]["message"]
    assert (current["description"], current["version"]) == ("first", 2)
    assert retried.status_code == 200, retried.content
    assert (retried.json()["description"], retried.json()["version"]) == ("first, and second", 3)


def _score(draft, value="2", criterion="doc"):
    return "put", capability_url(draft, then=f"/scores/{criterion}"), {"value": value}


def _flag(draft, reason):
    test = capability(draft).tests.first()
    return "put", f"/api/v1/tests/{test.pk}/flag", {**FLAG, "reason": reason}


def _propose(draft, **change):
    return "post", guideline_url(draft, "/capabilities"), {**PROPOSAL, **change}


BAD_INPUT = {
    "score 2": (lambda d: _score(d, value="2"), '"2" is not a score'),
    "unknown criterion": (
        lambda d: _score(d, value="1", criterion="elegance"),
        "'elegance' is not a criterion of next",
    ),
    "flag without its type": (
        lambda d: _flag(d, "Fails on some clouds"),
        "a reason starting with its flag type, [D400] to [D406]",
    ),
    "flag without a reason": (lambda d: _flag(d, ""), "[D400] to [D406]"),
    "malformed test id": (
        lambda d: _propose(d, tests=[{"name": "tempest.t", "idempotent_id": "id-1"}]),
        "idempotent id 'id-1' is not id-<uuid> or a uuid (2017A A2.4)",
    ),
    "unknown component": (
        lambda d: _propose(d, component="os_powered_dns"),
        "next has no component 'os_powered_dns'",
    ),
    "unknown status": (
        lambda d: _propose(d, status="mandatory"),
        'status: "mandatory" is not a valid choice',
    ),
    "edit without a version": (
        lambda d: ("patch", capability_url(d), {"description": "x"}),
        "version: This field is required",
    ),
    "edit without a change": (
        lambda d: ("patch", capability_url(d), {"version": 1}),
        "Send at least one of project",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_gets_400_naming_the_problem_and_nothing_is_stored(as_member, draft, case):
    request, expected = BAD_INPUT[case]
    method, url, body = request(draft)
    before = state()

    response = getattr(as_member, method)(url, body, format="json")

    assert response.status_code == 400, response.content
    assert expected in response.json()["error"]["message"]
    assert state() == before


def test_unknown_guidelines_capabilities_and_tests_are_404(as_member, draft):
    assert as_member.get("/api/v1/catalog/guidelines/2099.01/scoring").status_code == 404
    proposal = as_member.post(
        "/api/v1/catalog/guidelines/2099.01/capabilities", PROPOSAL, format="json"
    )
    assert (proposal.status_code, proposal.json()["error"]["message"]) == (
        404,
        "No guideline named '2099.01'.",
    )
    missing = as_member.patch(
        "/api/v1/capabilities/999999", {"version": 1, "project": "x"}, format="json"
    )
    assert (missing.status_code, missing.json()["error"]["message"]) == (
        404,
        "No capability with id 999999.",
    )
    assert as_member.put("/api/v1/tests/999999/flag", FLAG, format="json").status_code == 404


def test_a_published_guideline_refuses_edits_naming_d2_1_but_takes_flags(as_member, approved):
    url = capability_url(approved)
    before = state()

    edit = as_member.patch(url, {"version": 1, "project": "x"}, format="json")
    move = as_member.post(
        f"{url}/move", {"component": "os_powered_compute", "status": "advisory"}, format="json"
    )
    propose = as_member.post(guideline_url(approved, "/capabilities"), PROPOSAL, format="json")
    flag = as_member.put(
        f"/api/v1/tests/{capability(approved).tests.first().pk}/flag", FLAG, format="json"
    )

    for refused in (edit, move, propose):
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "rule_refused"
        assert "2017A D2.1" in refused.json()["error"]["message"]
    assert before[2] == state()[2]  # no capability changed
    assert flag.status_code == 200, flag.content
    assert flag.json()["is_flagged"] is True


def test_the_events_show_an_api_edit_with_before_and_after(as_member, anonymous, draft):
    old = capability(draft).description
    as_member.patch(
        capability_url(draft), {"version": 1, "description": "List servers"}, format="json"
    )
    as_member.put(capability_url(draft, then="/scores/doc"), {"value": "1"}, format="json")

    everything = anonymous.get(guideline_url(draft, "/events")).json()
    changed = anonymous.get(
        guideline_url(draft, "/events"),
        {"kind": "capability_changed", "subject": "compute-servers-list"},
    )

    assert [e["kind"] for e in everything["results"]] == [
        "scored",
        "capability_changed",
        "draft_started",
    ]
    assert everything["count"] == 3
    assert changed.status_code == 200
    [event] = changed.json()["results"]
    assert (event["channel"], event["actor"], event["subject"]) == (
        "api",
        "member",
        "compute-servers-list",
    )
    assert event["data"]["before"]["description"] == old
    assert event["data"]["after"]["description"] == "List servers"
    assert event["created_at"]


def test_an_unknown_event_kind_is_400(anonymous, draft):
    response = anonymous.get(guideline_url(draft, "/events"), {"kind": "lunch"})

    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_an_uploaded_worksheet_downloads_byte_for_byte_as_txt_and_csv(as_chair, anonymous, draft):
    text = (WORKSHEETS / "scoring.txt").read_bytes()

    upload = as_chair.post(
        guideline_url(draft, "/worksheets"),
        {"name": "scoring.txt", "text": text.decode()},
        format="json",
    )
    txt = anonymous.get(guideline_url(draft, "/worksheets/scoring.txt"), {"format": "txt"})
    csv = anonymous.get(upload.json()["download"]["csv"])
    plain = anonymous.get(guideline_url(draft, "/worksheets/scoring.txt"))

    assert upload.status_code == 201, upload.content
    assert upload.json()["matched"] == 7  # every capability of next
    assert upload.json()["notes"] == [
        "line 28: networks-floating-ips-create is not a capability of next; kept as written",
        "line 30: networks-provider-create is not a capability of next; kept as written",
    ]
    assert txt.status_code == 200
    assert txt["Content-Type"] == "text/plain; charset=utf-8"
    assert txt.content == text
    assert csv.status_code == 200
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.content == (WORKSHEETS / "tabulated_scores.csv").read_bytes()
    assert plain.content == text  # txt unless asked otherwise
    event = draft.events.get(kind="worksheet_imported")
    assert (event.channel, event.actor) == ("api", as_chair.user)


def test_the_worksheets_scores_become_the_consensus(as_chair, anonymous, draft):
    text = (WORKSHEETS / "scoring.txt").read_text()

    as_chair.post(
        guideline_url(draft, "/worksheets"), {"name": "scoring.txt", "text": text}, format="json"
    )
    table = anonymous.get(guideline_url(draft, "/scoring")).json()

    keypairs, images = row_of(table, "compute-keypairs-create"), row_of(table, "images-v1-list")
    assert (keypairs["total"], keypairs["complete"], keypairs["qualifies"]) == (55, True, False)
    assert (images["total"], images["complete"]) == (-17, False)  # atomic is undecided
    assert row_of(table, "networks-create-delete")["values"]["tools"] == "0"
    assert Consensus.objects.get(capability=capability(draft), criterion="foundation").value == "0"


def test_only_the_chair_uploads_a_worksheet(as_member, draft):
    response = as_member.post(
        guideline_url(draft, "/worksheets"),
        {"name": "scoring.txt", "text": "x\n"},
        format="json",
    )

    assert response.status_code == 403
    assert "Importing a scoring worksheet is for the chair" in response.json()["error"]["message"]
    assert not draft.worksheets.exists()


def test_a_malformed_worksheet_is_400_and_nothing_is_stored(as_chair, draft):
    text = (WORKSHEETS / "scoring.txt").read_text()
    line = "networks-create-delete:       [1,0,1]"
    broken = text.replace(line, line.replace("[1,0,1]", "[1,7,1]"), 1)
    assert broken != text
    before = state()

    response = as_chair.post(
        guideline_url(draft, "/worksheets"),
        {"name": "scoring.txt", "text": broken},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"].startswith(
        "scoring.txt: line 29: networks-create-delete: score '7' for tools is not 1, 0 or ?"
    )
    assert state() == before
    assert not draft.worksheets.exists()


def test_worksheet_downloads_explain_what_is_missing(anonymous, as_chair, draft):
    as_chair.post(
        guideline_url(draft, "/worksheets"),
        {"name": "mine.txt", "text": "notes only\n"},
        format="json",
    )

    missing = anonymous.get(guideline_url(draft, "/worksheets/scoring.txt"))
    bad_format = anonymous.get(guideline_url(draft, "/worksheets/mine.txt"), {"format": "pdf"})

    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == (
        "next has no worksheet named 'scoring.txt' (it has: mine.txt)."
    )
    assert bad_format.status_code == 400
    assert bad_format.json()["error"]["fields"] == {"format": ["Use txt or csv."]}


def test_the_committees_worksheet_comes_back_byte_for_byte(
    as_chair, anonymous, real_files, interop_data
):
    """Fidelity to the committee's files: their next.json, scoring.txt and tabulated_scores.csv."""
    next_json = import_file(real_files["next"]).guideline
    folder = interop_data / "working_materials"
    text = (folder / "scoring.txt").read_bytes()

    upload = as_chair.post(
        guideline_url(next_json, "/worksheets"),
        {"name": "scoring.txt", "text": text.decode()},
        format="json",
    )
    txt = anonymous.get(guideline_url(next_json, "/worksheets/scoring.txt"))
    csv = anonymous.get(upload.json()["download"]["csv"])

    assert upload.status_code == 201, upload.content
    assert upload.json()["matched"] == 74
    assert upload.json()["notes"][0].startswith("line 31: network-floating-ips-associate")
    assert txt.content == text
    assert csv.content == (folder / "tabulated_scores.csv").read_bytes()
