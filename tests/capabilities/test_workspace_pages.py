"""The drafting and scoring workspace pages, through the test client.

On ``next``, the draft started from the project's 2026.12 (tests/data/capabilities/),
and for worksheets on the draft started from the demo 2026.06.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from capabilities.models import Consensus, Lineage, Score, Worksheet
from capabilities.selectors import draft_findings, scoring_table
from capabilities.services import scores_cast
from guidelines.models import Capability, ComponentEntry, GuidelineEvent, RuleOverride, Test
from tests.capabilities.conftest import (
    SCORED_CAPABILITIES,
    SCORED_KEY,
    TABULATED,
    WORKSHEET,
    WORKSHEET_MATCHED,
)

pytestmark = pytest.mark.django_db

TEST_ID = "id-11111111-2222-3333-4444-555555555555"
RESCUE_TEST = "tempest.api.compute.servers.test_rescue.RescueTest.test_rescue"
# compute-flavors-list in 2026.12: its achievements give 74, exactly the cut-off.
FLAVORS = "compute-flavors-list"
APPROVED = SCORED_KEY
# What the workspace reads (scoring table, findings against 2026.12, change log,
# worksheets, components), the viewer's role, sessions: whatever the data's size.
WORKSPACE_QUERIES = 40


@pytest.fixture
def approved(scored):
    """2026.12 (approved)."""
    return scored


@pytest.fixture
def draft(scored_draft):
    """``next``, started from 2026.12."""
    return scored_draft


def url(name, *args):
    return reverse(f"capabilities:{name}", args=args)


def workspace(client, key="next", **query):
    return client.get(url("workspace", key), query)


def row_html(response, key) -> str:
    html = response.content.decode()
    match = re.search(rf'<tr id="row-{re.escape(key)}".*?</tr>', html, flags=re.S)
    assert match, f"no row for {key}"
    return match.group(0)


def row_values(response, key) -> dict[str, str]:
    """criterion -> the value shown in the row."""
    cells = re.findall(r'data-criterion="([^"]+)"[^>]*>([10?])', row_html(response, key))
    return dict(cells)


def row_total(response, key) -> int:
    return int(re.search(r'data-total="(-?\d+)"', row_html(response, key)).group(1))


def totals_bar_title(response, key) -> str:
    html = response.content.decode()
    match = re.search(rf'<g class="bar" data-key="{re.escape(key)}"><title>([^<]*)</title>', html)
    return match.group(1)


def scores_post(response, key, **changes) -> dict[str, str]:
    """The score form of ``key`` as the table shows it, with ``changes``."""
    values = row_values(response, key)
    return {**values, **changes, "note": changes.pop("note", "")}


def counts():
    return (
        Score.objects.count(),
        Consensus.objects.count(),
        RuleOverride.objects.count(),
        Capability.objects.count(),
        Lineage.objects.count(),
        Test.objects.filter(is_flagged=True).count(),
        Worksheet.objects.count(),
        GuidelineEvent.objects.count(),
        sorted(Capability.objects.values_list("key", "version", "project")),
        sorted(ComponentEntry.objects.values_list("name", "status")),
    )


# Reading


def test_anyone_reads_the_scores_chart_findings_and_log_without_edit_forms(client, draft):
    response = workspace(client)

    assert response.status_code == 200
    assertContains(response, 'Workspace <span class="key">next</span>')
    assert row_total(response, FLAVORS) == 74
    assertContains(response, '<svg class="chart" id="chart-totals"')
    assertContains(response, '<svg class="chart chart--narrow" id="chart-dots"')
    assertContains(response, '<svg class="chart chart--criteria" id="chart-criteria"')
    assertContains(response, "2017A A4.4: compute-images-create is required but scores 72")
    assertContains(response, "Draft started from 2026.12")
    assertContains(response, f'href="{reverse("login")}?next=')
    assertNotContains(response, 'method="post"')
    assertNotContains(response, "Propose a capability")
    assertNotContains(response, "?score=")


def test_the_table_shows_weights_status_project_total_and_whether_it_qualifies(client, draft):
    response = workspace(client)

    header = re.search(r"<thead>.*?</thead>", response.content.decode(), flags=re.S).group(0)
    # In the worksheet's order, each with its weight.
    names = re.findall(
        r'<span class="crit-name">([^<]+)</span><span class="weight">([^<]+)<', header
    )
    assert names[:3] == [
        ("Widely Deployed", "8"),
        ("Used by Tools", "6"),
        ("Used by Clients", "10"),
    ]
    assert names[-1] == ("Non-Admin", "veto")
    assertContains(response, 'Qualifies<span class="weight">≥ 74</span>')
    images = row_html(response, "compute-images-create")
    assert "badge--required" in images and ">nova<" in images
    assert "✗ no" in images and "is-short" in images
    assert "✓ yes" in row_html(response, FLAVORS)
    assert row_total(response, "compute-images-create") == 72


def test_a_reviewer_sees_no_edit_forms(client, draft, reviewer):
    client.force_login(reviewer)

    response = workspace(client, score=FLAVORS, decide=FLAVORS)

    assertContains(response, 'class="role role--reviewer">reviewer<')
    assertContains(response, "You are signed in as a reviewer")
    for action in ("score", "consensus", "override", "propose"):
        assertNotContains(response, f"/workspace/{action}/")
    page = client.get(url("capability", "next", FLAVORS))
    assertNotContains(page, "/edit/")
    assertNotContains(page, "/flag/")


@pytest.fixture
def forbidden_posts(draft):
    flavors = Capability.objects.get(guideline=draft, key=FLAVORS)
    test = flavors.tests.first()
    finding = draft_findings(draft)[0].finding
    return [
        (url("score", "next", FLAVORS), {"deployed": "0"}),
        (url("consensus", "next", FLAVORS), {"deployed": "0"}),
        (
            url("override", "next"),
            {"rule": finding.rule, "subject": finding.subject, "justification": "because"},
        ),
        (
            url("propose", "next"),
            {
                "key": "compute-x",
                "component": "os_powered_compute",
                "status": "advisory",
                "project": "nova",
                "description": "x",
            },
        ),
        (url("capability_edit", "next", FLAVORS), {"project": "x", "version": "1"}),
        (
            url("capability_move", "next", FLAVORS),
            {"component": "os_powered_compute", "status": "removed", "version": "1"},
        ),
        (url("capability_rename", "next", FLAVORS), {"new_key": "flavors", "version": "1"}),
        (url("capability_lineage", "next", FLAVORS), {"predecessors": "compute-flavors"}),
        (
            url("test_flag", "next", FLAVORS, test.pk),
            {"date": "2026-01-01", "reason": "[D404] x", "action": "y"},
        ),
        (url("test_unflag", "next", FLAVORS, test.pk), {}),
        (url("worksheets", "next"), {"text": "x: [1,1,1] [1,1,1] [1,1,1] [1,1,1] [1]"}),
    ]


def test_anonymous_posts_are_refused_and_store_nothing(client, forbidden_posts):
    before = counts()

    for target, data in forbidden_posts:
        response = client.post(target, data)
        assert response.status_code == 403, target
        assertContains(response, "sign in", status_code=403)

    assert counts() == before


def test_a_reviewer_s_posts_are_refused_and_store_nothing(client, forbidden_posts, reviewer):
    client.force_login(reviewer)
    before = counts()

    for target, data in forbidden_posts:
        response = client.post(target, data)
        assert response.status_code == 403, target

    assert counts() == before


def test_a_member_may_not_do_what_is_the_chair_s(client, draft, member, forbidden_posts):
    client.force_login(member)
    before = counts()

    chair_only = [
        p
        for p in forbidden_posts
        if "/consensus/" in p[0] or "/override/" in p[0] or p[0].endswith("/worksheets/")
    ]
    for target, data in chair_only:
        response = client.post(target, data)
        assert response.status_code == 403, target
        assertContains(response, "for the chair", status_code=403)

    assert counts() == before


# Scoring


def test_a_member_scores_a_row_and_its_total_and_chart_change(client, draft, member):
    client.force_login(member)
    page = workspace(client, score=FLAVORS)
    assertContains(page, f'<tr id="score-{FLAVORS}" class="form-row">')
    assertContains(page, 'form="score-form"', count=13)
    assert "total 74" in totals_bar_title(page, FLAVORS)

    response = client.post(url("score", "next", FLAVORS), scores_post(page, FLAVORS, deployed="0"))

    assert response.status_code == 302
    assert response["Location"] == url("workspace", "next") + f"#row-{FLAVORS}"
    flavors = Capability.objects.get(guideline=draft, key=FLAVORS)
    mine = dict(
        Score.objects.filter(capability=flavors, scorer=member).values_list("criterion", "value")
    )
    assert mine == {"deployed": "0"}  # what the member changed, and only that
    page = client.get(response["Location"])
    assertContains(page, "Saved your scores of compute-flavors-list")
    assert row_total(page, FLAVORS) == 66
    assert "✗ no" in row_html(page, FLAVORS)
    assert totals_bar_title(page, FLAVORS).startswith("compute-flavors-list: total 66")
    event = draft.events.filter(kind="scored").first()
    assert (event.actor, event.channel) == (member, "web")


def test_saving_again_casts_only_what_changed(client, draft, member):
    client.force_login(member)
    page = workspace(client, score=FLAVORS)
    client.post(url("score", "next", FLAVORS), scores_post(page, FLAVORS, deployed="0"))

    page = workspace(client, score=FLAVORS)
    client.post(url("score", "next", FLAVORS), scores_post(page, FLAVORS, doc="?", note="unsure"))
    same = client.post(
        url("score", "next", FLAVORS), scores_post(page, FLAVORS, doc="?"), follow=True
    )

    assert draft.events.filter(kind="scored").count() == 2
    assertContains(same, "Nothing to save: you changed no score of compute-flavors-list")
    score = Score.objects.get(
        capability__key=FLAVORS, capability__guideline=draft, scorer=member, criterion="doc"
    )
    assert (score.value, score.note) == ("?", "unsure")
    assert row_total(workspace(client), FLAVORS) == -(66 - 8)  # incomplete: negated


def test_a_member_may_record_a_whole_worksheet_line(client, draft, member):
    client.force_login(member)
    page = workspace(client, score=FLAVORS)

    client.post(
        url("score", "next", FLAVORS), scores_post(page, FLAVORS, deployed="0", whole_line="on")
    )

    flavors = Capability.objects.get(guideline=draft, key=FLAVORS)
    assert Score.objects.filter(capability=flavors, scorer=member).count() == 13
    assert Consensus.objects.filter(capability=flavors, source="unanimous").count() == 13
    assert row_total(workspace(client), FLAVORS) == 66


def test_a_score_other_than_1_0_or_question_mark_is_shown_next_to_the_row(client, draft, member):
    client.force_login(member)
    page = workspace(client, score=FLAVORS)
    before = counts()

    response = client.post(url("score", "next", FLAVORS), scores_post(page, FLAVORS, tools="2"))

    assert response.status_code == 400
    assertContains(response, f'<tr id="score-{FLAVORS}" class="form-row">', status_code=400)
    assertContains(response, "v-input has-error", status_code=400)
    assert counts() == before


def test_the_chair_sees_who_disagrees_and_sets_the_consensus(
    client, draft, chair, member, other_member
):
    flavors = Capability.objects.get(guideline=draft, key=FLAVORS)
    scores_cast(capability=flavors, actor=member, values={"doc": "1"})
    scores_cast(capability=flavors, actor=other_member, values={"doc": "0"})
    client.force_login(chair)

    page = workspace(client, decide=FLAVORS)
    assertContains(page, 'title="Scorers disagree: member 1, member2 0"')
    assertContains(page, f'<tr id="decide-{FLAVORS}" class="form-row form-row--chair">')
    response = client.post(url("consensus", "next", FLAVORS), {"doc": "1"})

    assert response.status_code == 302
    consensus = Consensus.objects.get(capability=flavors, criterion="doc")
    assert (consensus.value, consensus.source, consensus.set_by) == ("1", "chair", chair)
    page = client.get(response["Location"])
    assertContains(page, "Set the consensus of compute-flavors-list: doc 1.")
    assert row_values(page, FLAVORS)["doc"] == "1"


def test_a_consensus_form_with_nothing_chosen_says_so(client, draft, chair):
    client.force_login(chair)

    response = client.post(url("consensus", "next", FLAVORS), {})

    assertContains(response, "choose the value of at least one criterion", status_code=400)
    assert not Consensus.objects.exists()


def test_scores_are_frozen_on_a_published_guideline(client, approved, member):
    client.force_login(member)

    response = workspace(client, APPROVED, score=FLAVORS)
    assertNotContains(response, "?score=")
    assertNotContains(response, 'id="score-form"')
    assertContains(response, "it changes only by test flags now")
    refused = client.post(
        url("score", APPROVED, FLAVORS), scores_post(response, FLAVORS, deployed="0")
    )

    assertContains(
        refused,
        "scores, criteria and weights are frozen once the draft leaves draft status",
        status_code=409,
    )
    assert not Score.objects.exists()


# Findings


def test_the_chair_overrides_a_finding_with_a_justification(client, draft, chair):
    finding = next(v.finding for v in draft_findings(draft) if v.finding.rule == "Non-Admin")
    client.force_login(chair)

    response = client.post(
        url("override", "next"),
        {
            "rule": finding.rule,
            "subject": finding.subject,
            "justification": "Routers are created by users in most clouds",
        },
    )

    assert response.status_code == 302
    override = RuleOverride.objects.get(guideline=draft, rule="Non-Admin")
    assert override.by == chair
    page = client.get(response["Location"])
    assertContains(page, "Routers are created by users in most clouds")
    assertContains(page, '<span class="badge badge--overridden">Overridden</span>')
    assertContains(page, "Change the justification")


def test_an_empty_justification_re_shows_the_form_with_an_error(client, draft, chair):
    finding = next(v.finding for v in draft_findings(draft) if v.finding.rule == "Non-Admin")
    client.force_login(chair)

    response = client.post(
        url("override", "next"),
        {
            "rule": finding.rule,
            "subject": finding.subject,
            "justification": "   ",
        },
    )

    assert response.status_code == 400
    assertContains(response, "an override needs a written justification", status_code=400)
    assertContains(response, '<details class="override" open>', count=1, status_code=400)
    assert not RuleOverride.objects.exists()


def test_overriding_a_finding_that_does_not_exist_is_explained(client, draft, chair):
    client.force_login(chair)

    response = client.post(
        url("override", "next"),
        {
            "rule": "2017A A4.6",
            "subject": "nothing",
            "justification": "because",
        },
    )

    assertContains(response, "has no finding 2017A A4.6 about", status_code=400)


# Editing


def test_a_member_proposes_a_capability_with_its_tests(client, draft, member):
    client.force_login(member)
    assertContains(client.get(url("propose", "next")), "Propose a capability for")

    response = client.post(
        url("propose", "next"),
        {
            "key": "compute-servers-rescue",
            "component": "os_powered_compute",
            "status": "advisory",
            "project": "nova",
            "description": "Rescue a server\r\nand unrescue it",
            "tests": f"{RESCUE_TEST} {TEST_ID}\r\n\r\n",
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#row-compute-servers-rescue")
    rescue = Capability.objects.get(guideline=draft, key="compute-servers-rescue")
    assert rescue.description == "Rescue a server\nand unrescue it"
    assert list(rescue.tests.values_list("name", "idempotent_id")) == [(RESCUE_TEST, TEST_ID)]
    page = client.get(response["Location"])
    assert "badge--advisory" in row_html(page, "compute-servers-rescue")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"key": FLAVORS}, "already has a capability compute-flavors-list"),
        ({"tests": "tempest.api.x.Test.test_y"}, "needs its idempotent id after the name"),
        ({"tests": "tempest.api.x.Test.test_y id-1"}, "is not id-&lt;uuid&gt; or a uuid"),
        ({"component": "os_powered_dns"}, "Select a valid choice"),
    ],
)
def test_a_bad_proposal_is_explained_next_to_the_form(client, draft, member, change, message):
    client.force_login(member)
    before = counts()
    data = {
        "key": "compute-x",
        "component": "os_powered_compute",
        "status": "advisory",
        "project": "nova",
        "description": "x",
        **change,
    }

    response = client.post(url("propose", "next"), data)

    assertContains(response, message, status_code=400)
    assertContains(response, 'value="compute-x"' if "key" not in change else "", status_code=400)
    assert counts() == before


def edit_data(capability, **changes):
    return {
        "project": capability.project,
        "description": capability.description,
        "admin": "true" if capability.admin else "false",
        "required_since": capability.required_since or "",
        "version": str(capability.version),
        **changes,
    }


def test_a_member_edits_a_capability_and_the_log_shows_before_and_after(client, draft, member):
    flavors = Capability.objects.get(guideline=draft, key=FLAVORS)
    client.force_login(member)

    response = client.post(
        url("capability_edit", "next", FLAVORS), edit_data(flavors, description="List the flavors")
    )

    assert response.status_code == 302
    flavors.refresh_from_db()
    assert (flavors.description, flavors.version) == ("List the flavors", 2)
    log = client.get(url("log", "next"))
    assertContains(log, "Changed description of compute-flavors-list")
    assertContains(log, '<span class="diff-new">List the flavors</span>', html=True)
    assertContains(log, '<span class="channel channel--web">Web</span>', html=True)
    assertContains(log, "member")


def test_an_unchanged_form_saves_nothing(client, draft, member):
    flavors = Capability.objects.get(guideline=draft, key=FLAVORS)
    client.force_login(member)
    before = counts()

    response = client.post(url("capability_edit", "next", FLAVORS), edit_data(flavors), follow=True)

    assertContains(response, "Nothing to save")
    assert counts() == before


def test_the_second_of_two_edits_from_one_version_gets_the_current_values(
    client, draft, member, other_member
):
    flavors = Capability.objects.get(guideline=draft, key=FLAVORS)
    first, second = client, client.__class__()
    first.force_login(member)
    second.force_login(other_member)

    saved = first.post(
        url("capability_edit", "next", FLAVORS), edit_data(flavors, description="first")
    )
    response = second.post(
        url("capability_edit", "next", FLAVORS),
        edit_data(flavors, description="second", project="nova!"),
    )

    assert saved.status_code == 302
    assert response.status_code == 409
    assertContains(response, "was changed by someone else meanwhile", status_code=409)
    form = response.context["edit_form"]
    assert form.initial["description"] == "first"
    assert form.initial["version"] == 2
    assertContains(
        response,
        '<input type="hidden" name="version" value="2" id="id_version">',
        html=True,
        status_code=409,
    )
    assertContains(
        response, '<span class="diff-old yours">second</span>', html=True, status_code=409
    )
    flavors.refresh_from_db()
    assert (flavors.description, flavors.project) == ("first", "nova")
    # Resolved: the second editor saves again from the version now shown.
    again = second.post(
        url("capability_edit", "next", FLAVORS), edit_data(flavors, description="first and second")
    )
    assert again.status_code == 302
    flavors.refresh_from_db()
    assert (flavors.description, flavors.version) == ("first and second", 3)


def test_a_member_moves_renames_and_regroups_a_capability(client, draft, member):
    client.force_login(member)

    moved = client.post(
        url("capability_move", "next", FLAVORS),
        {"component": "os_powered_compute", "status": "deprecated", "version": "1"},
    )
    renamed = client.post(
        url("capability_rename", "next", FLAVORS),
        {"new_key": "compute-flavors-read", "version": "2"},
    )
    regrouped = client.post(
        url("capability_lineage", "next", "compute-flavors-read"),
        {"predecessors": "compute-flavors-show, compute-flavors-index", "note": "merged"},
    )

    assert (moved.status_code, renamed.status_code, regrouped.status_code) == (302, 302, 302)
    entry = ComponentEntry.objects.get(component__guideline=draft, name="compute-flavors-read")
    assert entry.status == "deprecated"
    read = Capability.objects.get(guideline=draft, key="compute-flavors-read")
    assert sorted(read.lineage.values_list("predecessor", flat=True)) == [
        "compute-flavors-index",
        "compute-flavors-list",
        "compute-flavors-show",
    ]
    page = client.get(url("capability", "next", "compute-flavors-read"))
    assertContains(page, "<code>compute-flavors-list</code>")


def test_a_stale_move_is_refused_with_the_conflict(client, draft, member):
    client.force_login(member)
    flavors = Capability.objects.get(guideline=draft, key=FLAVORS)
    client.post(url("capability_edit", "next", FLAVORS), edit_data(flavors, project="nova2"))

    response = client.post(
        url("capability_move", "next", FLAVORS),
        {"component": "os_powered_compute", "status": "removed", "version": "1"},
    )

    assertContains(response, "was changed by someone else", status_code=409)
    assert ComponentEntry.objects.get(component__guideline=draft, name=FLAVORS).status == "required"


def test_a_member_flags_a_test_and_a_bad_flag_is_explained(client, draft, member):
    test = Capability.objects.get(guideline=draft, key=FLAVORS).tests.first()
    client.force_login(member)
    target = url("test_flag", "next", FLAVORS, test.pk)

    missing = client.post(target, {"date": "2026-05-04", "reason": "", "action": "fix it"})
    untyped = client.post(target, {"date": "2026-05-04", "reason": "flaky", "action": "fix it"})
    assertContains(missing, "give the reason, starting with its flag type", status_code=400)
    assertContains(untyped, "[D400] to [D406]", status_code=400)
    assertContains(untyped, '<details class="flag-edit" open>', status_code=400)
    test.refresh_from_db()
    assert not test.is_flagged

    flagged = client.post(
        target, {"date": "2026-05-04", "reason": "[D404] Fails on clouds", "action": "Fix upstream"}
    )
    assert flagged.status_code == 302
    test.refresh_from_db()
    assert (test.is_flagged, test.flag_reason) == (True, "[D404] Fails on clouds")

    unflagged = client.post(url("test_unflag", "next", FLAVORS, test.pk))
    assert unflagged.status_code == 302
    test.refresh_from_db()
    assert not test.is_flagged


def test_a_published_guideline_takes_flags_but_no_other_edit(client, approved, member):
    flavors = Capability.objects.get(guideline=approved, key=FLAVORS)
    test = flavors.tests.first()
    client.force_login(member)

    page = client.get(url("capability", APPROVED, FLAVORS))
    assertNotContains(page, "/edit/")
    assertContains(page, "Flag this test")
    refused = client.post(
        url("capability_edit", APPROVED, FLAVORS), edit_data(flavors, project="x")
    )
    flagged = client.post(
        url("test_flag", APPROVED, FLAVORS, test.pk),
        {"date": "2026-05-04", "reason": "[D404] x", "action": "y"},
    )

    assertContains(refused, "a published guideline changes only by test flags", status_code=409)
    assert flagged.status_code == 302


# Worksheets


@pytest.fixture
def next_json(demo_draft):
    """``next``, started from the demo 2026.06: the capabilities the worksheet scores."""
    return demo_draft


@pytest.fixture
def worksheet_bytes():
    return WORKSHEET.read_bytes(), TABULATED.read_bytes()


def test_the_chair_uploads_scoring_txt_and_downloads_it_back_byte_for_byte(
    client, next_json, chair, worksheet_bytes
):
    text, csv = worksheet_bytes
    client.force_login(chair)

    response = client.post(
        url("worksheets", "next"), {"file": SimpleUploadedFile("scoring.txt", text)}
    )

    assert response.status_code == 200
    assertContains(
        response,
        f"<strong>{WORKSHEET_MATCHED}</strong> capabilities of next matched and scored",
    )
    assertContains(response, "line 26: compute-servers-rescue is not a capability of next")
    downloaded = client.get(url("worksheet_text", "next", "scoring.txt"))
    assert downloaded["Content-Type"] == "text/plain; charset=utf-8"
    assert downloaded.content == text
    tabulated = client.get(url("worksheet_csv", "next", "scoring.txt"))
    assert tabulated["Content-Type"] == "text/csv; charset=utf-8"
    assert tabulated.content == csv
    page = workspace(client)
    assertContains(page, url("worksheet_text", "next", "scoring.txt"))
    assertContains(page, f"Imported worksheet scoring.txt: {WORKSHEET_MATCHED} capabilities scored")


def test_a_pasted_worksheet_with_browser_line_ends_round_trips_too(
    client, next_json, chair, worksheet_bytes
):
    text, _ = worksheet_bytes
    client.force_login(chair)

    client.post(
        url("worksheets", "next"),
        {"text": text.decode().replace("\n", "\r\n"), "name": "pasted.txt"},
    )

    assert client.get(url("worksheet_text", "next", "pasted.txt")).content == text


def test_a_malformed_worksheet_is_explained_and_changes_nothing(client, next_json, chair):
    client.force_login(chair)
    before = counts()

    bad = "compute-servers-list: [1,1,1] [1,2,1] [1,1,1] [1,1,1] [1]"

    response = client.post(url("worksheets", "next"), {"text": bad})

    assertContains(response, "score &#x27;2&#x27; for complete is not 1, 0 or ?", status_code=400)
    assert counts() == before


# Signing in, the header, the link from the guideline page, the change log


def test_a_member_signs_in_sees_the_role_and_signs_out(client, draft, member):
    page = client.get(reverse("login"))
    assertContains(page, "Sign in</h1>")

    response = client.post(
        reverse("login"),
        {
            "username": "member",
            "password": "a-long-password-9",
            "next": url("workspace", "next"),
        },
    )

    assert response["Location"] == url("workspace", "next")
    page = workspace(client)
    assertContains(page, "Signed in as <strong>member</strong>")
    assertContains(page, 'class="role role--member">member<')
    client.post(reverse("logout"))
    assertContains(workspace(client), ">Sign in</a>")


def test_a_wrong_password_is_explained(client, member):
    response = client.post(reverse("login"), {"username": "member", "password": "nope"})

    assertContains(response, "Please enter a correct username and password")


def test_the_chair_is_shown_as_chair(client, draft, chair):
    client.force_login(chair)

    assertContains(
        client.get(reverse("guidelines:detail", args=["next"])), 'class="role role--chair">chair<'
    )


def test_the_guideline_page_links_to_its_workspace(client, draft):
    page = client.get(reverse("guidelines:detail", args=["next"]))

    assertContains(
        page, f'<a href="{url("workspace", "next")}">Drafting and scoring workspace</a>', html=True
    )


def test_the_change_log_is_newest_first_with_who_when_and_channel(client, draft, member):
    flavors = Capability.objects.get(guideline=draft, key=FLAVORS)
    scores_cast(capability=flavors, actor=member, values={"doc": "0"}, channel="api")

    log = client.get(url("log", "next"))

    html = log.content.decode()
    assert html.index("member scored compute-flavors-list: doc=0") < html.index(
        "Draft started from 2026.12"
    )
    assertContains(log, '<span class="channel channel--api">API</span>', html=True)
    assertContains(log, "<dt>doc</dt>", html=False)


def test_the_capability_page_lists_each_scorer_with_the_note(client, draft, member, other_member):
    flavors = Capability.objects.get(guideline=draft, key=FLAVORS)
    scores_cast(capability=flavors, actor=member, values={"doc": "1"})
    scores_cast(
        capability=flavors,
        actor=other_member,
        values={"doc": "0"},
        note="the docs are thin",
    )

    page = client.get(url("capability", "next", FLAVORS))

    assertContains(page, "<strong>member2</strong> 0")
    assertContains(page, "the docs are thin")
    assertContains(page, "scorers disagree: the chair decides")


def test_unknown_guidelines_capabilities_and_worksheets_are_404(client, draft):
    assert client.get(url("workspace", "nope")).status_code == 404
    assert client.get(url("capability", "next", "nope")).status_code == 404
    assert client.get(url("worksheet_text", "next", "nope.txt")).status_code == 404


# Cost


def test_the_workspace_costs_a_bounded_number_of_queries(
    client, draft, chair, member, other_member, django_assert_max_num_queries
):
    client.force_login(chair)
    with django_assert_max_num_queries(WORKSPACE_QUERIES):
        workspace(client, score=FLAVORS, decide=FLAVORS)
    with CaptureQueriesContext(connection) as few:
        workspace(client, score=FLAVORS)

    # Many more scores, disagreements and events cost no more queries.
    for capability in Capability.objects.filter(guideline=draft)[:20]:
        for criterion in ("doc", "tools", "stable"):
            scores_cast(capability=capability, actor=member, values={criterion: "1"})
            scores_cast(capability=capability, actor=other_member, values={criterion: "0"})
    with CaptureQueriesContext(connection) as many:
        workspace(client, score=FLAVORS)

    assert len(many) == len(few)
    assert len(scoring_table(draft).rows) == SCORED_CAPABILITIES
