"""A published guideline takes no change but test flags (2017A D2.1), whichever way it comes.

For every write path (the services, the API, the workspace pages, the management commands,
the admin) the project's demo guideline 2026.06, approved (and superseded), and 2026.06
approved on this site as the release of a draft (its JSON stored and validated), refuses every
change except a flag, with a message naming the rule: 2017A D2.1 for its content, 2017A A4.3
for scores, criteria and worksheets, HACKING D311 for removing a flag, 2017A C6.3 for a move
the life cycle does not declare. A refusal changes nothing: not the exported document, not the
revision, not the rows beside it (scores, consensus, lineage, worksheets, overrides), and no
event is written. The chair acts throughout, so that a refusal is the rule's, not the seat's.

On PostgreSQL, a PUT racing the approval never overwrites the approved guideline: the races
are made deterministic by holding the guideline's row lock and waiting, from a third
connection, until the other writers are seen waiting on it (pg_stat_activity).
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from capabilities.arithmetic import NON_ADMIN
from capabilities.models import Consensus, Lineage, Score, Worksheet
from capabilities.services import (
    capability_move,
    capability_propose,
    capability_rename,
    capability_update,
    consensus_set,
    criterion_update,
    finding_override,
    lineage_record,
    scores_cast,
    scores_withdraw,
    worksheet_import,
)
from guidelines import serving
from guidelines.errors import RuleRefused
from guidelines.models import (
    Artifact,
    Capability,
    Criterion,
    Guideline,
    GuidelineEvent,
    RuleOverride,
    Test,
)
from guidelines.selectors import document_text, guideline_document
from guidelines.services import (
    flag_clear,
    flag_set,
    guideline_import,
    guideline_lock,
    guideline_open_review,
    guideline_return_to_draft,
    guideline_supersede,
)
from releases.services import guideline_approve as release_approve
from tests.conftest import DEMO
from tests.releases.helpers import passed_ballot

KEY = "2026.06"
RELEASE = "2026.09"  # what the draft started from KEY is approved as
CAPABILITY = "compute-servers-list"
COMPONENT = "os_powered_compute"
CRITERION = "doc"
# A test the demo does not flag, and one it was approved with flagged.
TEST = (
    "tempest.api.compute.servers.test_list_servers.ListServersTestJSON"
    ".test_list_servers_with_detail"
)
FLAGGED = (
    "tempest.api.compute.servers.test_list_servers.ListServersTestJSON"
    ".test_list_servers_filter_by_image"
)
NEW_TEST = {
    "name": "tempest.api.compute.servers.test_rescue.RescueTest.test_rescue",
    "idempotent_id": "id-11111111-2222-3333-4444-555555555555",
}
FLAG = {
    "date": "2026-07-01",
    "reason": "[D404] Fails on clouds that hide server details from non-owners",
    "action": "Fix the test upstream and unflag in the next guideline",
}
WORKSHEET = f"{CAPABILITY}:    [1,1,1] [1,1,1] [1,1,1] [1,1,1] [1]\n"

# The rules the refusals name.
D2_1 = "2017A D2.1"  # a published guideline changes only by test flags
A4_3 = "2017A A4.3"  # scores, criteria and weights freeze once the draft leaves draft status
D311 = "HACKING D311"  # a flag stays for that guideline
C6_3 = "2017A C6.3"  # draft -> review -> approved -> superseded

PUBLISHED = ["approved", "superseded"]


@pytest.fixture(autouse=True)
def cold_serving_cache():
    """Each test starts with nothing served from memory (revisions repeat between tests)."""
    serving.CACHE.clear()
    yield
    serving.CACHE.clear()


@dataclass
class World:
    """The published demo guideline and its parts, read afresh on each access."""

    guideline: Guideline
    chair: object

    @property
    def capability(self) -> Capability:
        return Capability.objects.get(guideline=self.guideline, key=CAPABILITY)

    @property
    def criterion(self) -> Criterion:
        return Criterion.objects.get(guideline=self.guideline, key=CRITERION)

    @property
    def test(self) -> Test:
        return Test.objects.get(capability__guideline=self.guideline, name=TEST)

    @property
    def flagged(self) -> Test:
        return Test.objects.get(capability__guideline=self.guideline, name=FLAGGED)

    def document(self) -> dict:
        return guideline_document(Guideline.objects.get(pk=self.guideline.pk))

    def etag(self) -> str:
        """The ETag of what is stored now, as GET /api/v1/guidelines/<key> answers it."""
        return serving.etag_of(document_text(self.document()).encode())

    def changed_document(self) -> dict:
        """The stored document with one capability's description changed, status kept."""
        document = self.document()
        document["capabilities"][CAPABILITY]["description"] = "Changed after publication"
        return document


def published_world(status: str, demo: Guideline, chair) -> World:
    """The demo 2026.06 in ``status``, with a score the chair cast while it was a draft."""
    if status == "superseded":
        guideline_supersede(guideline=demo, actor=chair, reason="2026.12 was approved")
    # Scores are not in the document and cannot be cast once published: this one is what
    # drafting left behind, so that withdrawing scores has something to withdraw.
    Score.objects.create(
        capability=Capability.objects.get(guideline=demo, key=CAPABILITY),
        scorer=chair,
        criterion=CRITERION,
        value="1",
    )
    demo.refresh_from_db()
    assert demo.status == status
    return World(demo, chair)


def released_world(chair) -> World:
    """2026.06 as this site approves it: the demo's document imported as 2026.03, a draft
    started from it, and that draft approved as 2026.06 (releases.services)."""
    from guidelines.services import guideline_start_draft
    from tests.guidelines.helpers import import_file

    earlier = import_file(DEMO / "2026.06.json", key="2026.03").guideline
    draft = guideline_start_draft(source=earlier, actor=chair)
    release = release_approve(
        draft=draft, name=KEY, actor=chair, ballot=passed_ballot(draft, chair)
    )
    assert release.guideline.artifacts.get(number=1, format="json").validated
    return published_world("approved", release.guideline, chair)


@pytest.fixture(params=[*PUBLISHED, "released"])
def published(request, chair) -> World:
    """The demo 2026.06 imported as approved, then superseded; and 2026.06 approved here."""
    if request.param == "released":
        return released_world(chair)
    return published_world(request.param, request.getfixturevalue("demo"), chair)


@pytest.fixture
def approved(demo, chair) -> World:
    return published_world("approved", demo, chair)


def state(guideline: Guideline) -> dict:
    """Everything a write could change: the document, revision, status and rows beside it."""
    guideline = Guideline.objects.get(pk=guideline.pk)
    of_guideline = {"capability__guideline": guideline}
    return {
        "document": guideline_document(guideline),
        "revision": guideline.revision,
        "status": guideline.status,
        # Every event and every guideline: a refused write records nothing, anywhere.
        "events": list(GuidelineEvent.objects.order_by("pk").values_list("pk", "kind")),
        "guidelines": sorted(Guideline.objects.values_list("key", flat=True)),
        "capability versions": sorted(
            Capability.objects.filter(guideline=guideline).values_list("key", "version")
        ),
        "scores": sorted(
            Score.objects.filter(**of_guideline).values_list(
                "capability__key", "scorer__username", "criterion", "value"
            )
        ),
        "consensus": sorted(
            Consensus.objects.filter(**of_guideline).values_list(
                "capability__key", "criterion", "value", "source"
            )
        ),
        "lineage": sorted(
            Lineage.objects.filter(**of_guideline).values_list("capability__key", "predecessor")
        ),
        "worksheets": sorted(
            Worksheet.objects.filter(guideline=guideline).values_list("name", flat=True)
        ),
        "overrides": sorted(
            RuleOverride.objects.filter(guideline=guideline).values_list("rule", "subject")
        ),
        # What tooling is served: the stored revisions, and no new one.
        "revisions": sorted(Artifact.objects.values_list("guideline__key", "number", "sha256")),
    }


def with_flag(document: dict, test: str, flag: dict) -> dict:
    """``document`` with ``test`` of CAPABILITY flagged (schema 2.0 spells it ``flagged``)."""
    expected = copy.deepcopy(document)
    expected["capabilities"][CAPABILITY]["tests"][test]["flagged"] = dict(flag)
    return expected


def assert_only_flagged(world: World, before: dict) -> None:
    """The document changed in TEST's flag only, and one flag event was recorded."""
    after = state(world.guideline)
    assert after["document"] == with_flag(before["document"], TEST, FLAG)
    assert after["revision"] == before["revision"] + 1
    assert after["status"] == before["status"]
    new_events = [kind for pk, kind in after["events"] if (pk, kind) not in before["events"]]
    assert new_events == ["test_flagged"]
    changing = ("document", "revision", "events", "revisions")
    unchanged = {k: v for k, v in after.items() if k not in changing}
    assert unchanged == {k: v for k, v in before.items() if k not in changing}
    # The flag is a new published revision, with its own digest; the earlier ones stay.
    added = sorted(set(after["revisions"]) - set(before["revisions"]))
    assert set(before["revisions"]) <= set(after["revisions"])
    assert [(key, number) for key, number, _ in added if key == world.guideline.key] == [
        (world.guideline.key, max(n for k, n, _ in after["revisions"] if k == world.guideline.key))
    ]


# 1. The services


@dataclass(frozen=True)
class Write:
    run: Callable[[World], object]
    rule: str
    setup: Callable[[World], object] | None = None


def flag_first(w: World) -> None:
    flag_set(test=w.test, actor=w.chair, **FLAG)


SERVICE_WRITES = {
    "guideline_import with replace": Write(
        lambda w: guideline_import(
            raw=json.dumps(w.changed_document()).encode(),
            key=KEY,
            filename=f"{KEY}.json",
            actor=w.chair,
            replace=True,
        ),
        D2_1,
    ),
    "guideline_import with the current If-Match": Write(
        lambda w: guideline_import(
            raw=json.dumps(w.changed_document()).encode(),
            key=KEY,
            filename=f"{KEY}.json",
            actor=w.chair,
            replace=True,
            if_match=w.etag(),
            if_match_required=True,
            channel="api",
        ),
        D2_1,
    ),
    "capability_propose": Write(
        lambda w: capability_propose(
            guideline=w.guideline,
            key="compute-servers-rescue",
            component=COMPONENT,
            project="nova",
            description="Rescue a server",
            tests=[NEW_TEST],
            actor=w.chair,
        ),
        D2_1,
    ),
    "capability_update": Write(
        lambda w: capability_update(
            capability=w.capability,
            expected_version=w.capability.version,
            changes={"description": "Changed after publication"},
            actor=w.chair,
        ),
        D2_1,
    ),
    "capability_move": Write(
        lambda w: capability_move(
            capability=w.capability,
            component=COMPONENT,
            status="advisory",
            expected_version=w.capability.version,
            actor=w.chair,
        ),
        D2_1,
    ),
    "capability_rename": Write(
        lambda w: capability_rename(
            capability=w.capability,
            new_key="compute-servers-index",
            expected_version=w.capability.version,
            actor=w.chair,
        ),
        D2_1,
    ),
    "lineage_record": Write(
        lambda w: lineage_record(
            capability=w.capability,
            predecessors=["compute-list-servers"],
            note="regrouped",
            actor=w.chair,
        ),
        D2_1,
    ),
    "scores_cast": Write(
        lambda w: scores_cast(capability=w.capability, actor=w.chair, values={CRITERION: "0"}),
        A4_3,
    ),
    "scores_withdraw": Write(
        lambda w: scores_withdraw(capability=w.capability, actor=w.chair), A4_3
    ),
    "consensus_set": Write(
        lambda w: consensus_set(capability=w.capability, actor=w.chair, values={CRITERION: "0"}),
        A4_3,
    ),
    "criterion_update": Write(
        lambda w: criterion_update(criterion=w.criterion, changes={"weight": 9}, actor=w.chair),
        A4_3,
    ),
    "worksheet_import": Write(
        lambda w: worksheet_import(
            guideline=w.guideline, text=WORKSHEET, name="scoring.txt", actor=w.chair
        ),
        A4_3,
    ),
    "finding_override": Write(
        lambda w: finding_override(
            guideline=w.guideline,
            rule="2017A A4.6",
            subject=CAPABILITY,
            justification="The committee accepts it",
            actor=w.chair,
        ),
        D2_1,
    ),
    "flag_clear of a flag set after publication": Write(
        lambda w: flag_clear(test=w.test, actor=w.chair), D311, setup=flag_first
    ),
    "flag_clear of a flag it was published with": Write(
        lambda w: flag_clear(test=w.flagged, actor=w.chair), D311
    ),
    "guideline_return_to_draft": Write(
        lambda w: guideline_return_to_draft(
            guideline=w.guideline, actor=w.chair, reason="one more capability"
        ),
        C6_3,
    ),
    "guideline_open_review": Write(
        lambda w: guideline_open_review(guideline=w.guideline, actor=w.chair, reason="again"),
        C6_3,
    ),
    "guideline_approve": Write(
        lambda w: release_approve(
            draft=w.guideline, name="2026.09", actor=w.chair, approved_elsewhere="again"
        ),
        C6_3,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("write", SERVICE_WRITES.values(), ids=SERVICE_WRITES.keys())
def test_every_write_service_refuses_a_published_guideline_naming_the_rule(published, write):
    if write.setup:
        write.setup(published)
    before = state(published.guideline)

    with pytest.raises(RuleRefused) as refused:
        write.run(published)

    assert write.rule in str(refused.value)
    assert state(published.guideline) == before


@pytest.mark.django_db
def test_flagging_a_test_of_a_published_guideline_changes_only_that_flag(published):
    before = state(published.guideline)

    flag_set(test=published.test, actor=published.chair, **FLAG)

    assert_only_flagged(published, before)


# 2. The API


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@dataclass(frozen=True)
class Call:
    method: str
    url: Callable[[World], str]
    body: Callable[[World], dict | None]
    rule: str
    headers: Callable[[World], dict] = lambda w: {}


CATALOG = f"/api/v1/catalog/guidelines/{KEY}"


def cap_url(suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/api/v1/capabilities/{w.capability.pk}{suffix}"


API_WRITES = {
    "PUT guideline with the current If-Match": Call(
        "put",
        lambda w: f"/api/v1/guidelines/{KEY}",
        lambda w: w.changed_document(),
        D2_1,
        headers=lambda w: {"HTTP_IF_MATCH": w.etag()},
    ),
    "POST capabilities": Call(
        "post",
        lambda w: f"{CATALOG}/capabilities",
        lambda w: {
            "key": "compute-servers-rescue",
            "component": COMPONENT,
            "project": "nova",
            "description": "Rescue a server",
            "tests": [NEW_TEST],
        },
        D2_1,
    ),
    "PATCH capability": Call(
        "patch",
        cap_url(),
        lambda w: {"version": w.capability.version, "description": "Changed"},
        D2_1,
    ),
    "POST capability move": Call(
        "post",
        cap_url("/move"),
        lambda w: {"component": COMPONENT, "status": "advisory", "version": w.capability.version},
        D2_1,
    ),
    "POST capability rename": Call(
        "post",
        cap_url("/rename"),
        lambda w: {"key": "compute-servers-index", "version": w.capability.version},
        D2_1,
    ),
    "POST capability lineage": Call(
        "post",
        cap_url("/lineage"),
        lambda w: {"predecessors": ["compute-list-servers"], "note": "regrouped"},
        D2_1,
    ),
    "PUT scores": Call(
        "put", cap_url("/scores"), lambda w: {"values": {CRITERION: "0", NON_ADMIN: "1"}}, A4_3
    ),
    "DELETE scores": Call("delete", cap_url("/scores"), lambda w: None, A4_3),
    "PUT score of a criterion": Call(
        "put", cap_url(f"/scores/{CRITERION}"), lambda w: {"value": "0"}, A4_3
    ),
    "DELETE score of a criterion": Call(
        "delete", cap_url(f"/scores/{CRITERION}"), lambda w: None, A4_3
    ),
    "PUT consensus": Call(
        "put", cap_url(f"/consensus/{CRITERION}"), lambda w: {"value": "0"}, A4_3
    ),
    "PATCH criterion": Call(
        "patch", lambda w: f"/api/v1/criteria/{w.criterion.pk}", lambda w: {"weight": 9}, A4_3
    ),
    "POST worksheets": Call(
        "post",
        lambda w: f"{CATALOG}/worksheets",
        lambda w: {"name": "scoring.txt", "text": WORKSHEET},
        A4_3,
    ),
    "POST findings overrides": Call(
        "post",
        lambda w: f"{CATALOG}/findings/overrides",
        lambda w: {
            "rule": "2017A A4.6",
            "subject": CAPABILITY,
            "justification": "The committee accepts it",
        },
        D2_1,
    ),
    "DELETE test flag": Call(
        "delete", lambda w: f"/api/v1/tests/{w.flagged.pk}/flag", lambda w: None, D311
    ),
    "POST status draft": Call(
        "post",
        lambda w: f"{CATALOG}/status",
        lambda w: {"status": "draft", "reason": "one more capability"},
        C6_3,
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("call", API_WRITES.values(), ids=API_WRITES.keys())
def test_every_api_write_on_a_published_guideline_answers_409_naming_the_rule(published, call):
    client = api_for(published.chair)
    url, body, headers = call.url(published), call.body(published), call.headers(published)
    before = state(published.guideline)

    response = getattr(client, call.method)(url, body, format="json", **headers)

    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "rule_refused"
    assert call.rule in error["message"]
    assert state(published.guideline) == before


@pytest.mark.django_db
def test_putting_the_unchanged_document_of_a_published_guideline_changes_nothing(published):
    before = state(published.guideline)

    response = api_for(published.chair).put(
        f"/api/v1/guidelines/{KEY}",
        published.document(),
        format="json",
        HTTP_IF_MATCH=published.etag(),
    )

    assert (response.status_code, response.json()["outcome"]) == (200, "unchanged")
    assert state(published.guideline) == before


@pytest.mark.django_db
def test_refstacks_own_route_does_not_take_a_put(approved):
    before = state(approved.guideline)

    response = api_for(approved.chair).put(
        f"/v1/guidelines/{KEY}", approved.changed_document(), format="json"
    )

    assert response.status_code == 405
    assert state(approved.guideline) == before


@pytest.mark.django_db
def test_flagging_a_test_through_the_api_works_on_a_published_guideline(published):
    before = state(published.guideline)

    response = api_for(published.chair).put(
        f"/api/v1/tests/{published.test.pk}/flag", FLAG, format="json"
    )

    assert response.status_code == 200, response.content
    assert_only_flagged(published, before)


# 3. The workspace pages and the guideline page


def capability_form(w: World, **changes) -> dict:
    capability = w.capability
    return {
        "project": capability.project or "",
        "description": capability.description or "",
        "admin": "true" if capability.admin else "false",
        "required_since": capability.required_since or "",
        "version": capability.version,
        **changes,
    }


@dataclass(frozen=True)
class Post:
    view: str
    args: Callable[[World], list]
    data: Callable[[World], dict]
    rule: str


ON_CAPABILITY = lambda w: [KEY, CAPABILITY]  # noqa: E731

WEB_WRITES = {
    "propose": Post(
        "capabilities:propose",
        lambda w: [KEY],
        lambda w: {
            "key": "compute-servers-rescue",
            "component": COMPONENT,
            "status": "advisory",
            "project": "nova",
            "description": "Rescue a server",
            "tests": f"{NEW_TEST['name']} {NEW_TEST['idempotent_id']}",
        },
        D2_1,
    ),
    "score": Post(
        "capabilities:score",
        ON_CAPABILITY,
        lambda w: {
            **{key: "0" for key in w.guideline.criteria.values_list("key", flat=True)},
            NON_ADMIN: "1",
            "note": "",
            "whole_line": "on",
        },
        A4_3,
    ),
    "withdraw scores": Post("capabilities:score_withdraw", ON_CAPABILITY, lambda w: {}, A4_3),
    "consensus": Post("capabilities:consensus", ON_CAPABILITY, lambda w: {CRITERION: "0"}, A4_3),
    "override a finding": Post(
        "capabilities:override",
        lambda w: [KEY],
        lambda w: {
            "rule": "2017A A4.6",
            "subject": CAPABILITY,
            "justification": "The committee accepts it",
        },
        D2_1,
    ),
    "upload a worksheet": Post(
        "capabilities:worksheets",
        lambda w: [KEY],
        lambda w: {"text": WORKSHEET, "name": "scoring.txt"},
        A4_3,
    ),
    "edit a capability": Post(
        "capabilities:capability_edit",
        ON_CAPABILITY,
        lambda w: capability_form(w, description="Changed after publication"),
        D2_1,
    ),
    "move a capability": Post(
        "capabilities:capability_move",
        ON_CAPABILITY,
        lambda w: {"component": COMPONENT, "status": "advisory", "version": w.capability.version},
        D2_1,
    ),
    "rename a capability": Post(
        "capabilities:capability_rename",
        ON_CAPABILITY,
        lambda w: {"new_key": "compute-servers-index", "version": w.capability.version},
        D2_1,
    ),
    "record lineage": Post(
        "capabilities:capability_lineage",
        ON_CAPABILITY,
        lambda w: {"predecessors": "compute-list-servers", "note": "regrouped"},
        D2_1,
    ),
    "unflag a test": Post(
        "capabilities:test_unflag", lambda w: [KEY, CAPABILITY, w.flagged.pk], lambda w: {}, D311
    ),
    "move the guideline back to draft": Post(
        "guidelines:move",
        lambda w: [KEY],
        lambda w: {"status": "draft", "reason": "one more capability"},
        C6_3,
    ),
}


def alerts(response) -> list[str]:
    """The text of the page's alerts (``role="alert"``): where refusals are shown."""
    html = response.content.decode()
    return [
        re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", block))).strip()
        for block in re.findall(r'<div[^>]*role="alert"[^>]*>(.*?)</div>', html, flags=re.S)
    ]


@pytest.fixture
def signed_in(published) -> Client:
    client = Client()
    client.force_login(published.chair)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("post", WEB_WRITES.values(), ids=WEB_WRITES.keys())
def test_every_form_refuses_a_published_guideline_with_a_409_page_naming_the_rule(
    published, signed_in, post
):
    url, data = reverse(post.view, args=post.args(published)), post.data(published)
    before = state(published.guideline)

    response = signed_in.post(url, data)

    assert response.status_code == 409, response.content.decode()[:2000]
    # The refusal itself says it, in the page's alert: not a note the page always shows.
    assert any(post.rule in alert for alert in alerts(response)), alerts(response)
    assert state(published.guideline) == before


@pytest.mark.django_db
def test_the_flag_form_works_on_a_published_guideline(published, signed_in):
    before = state(published.guideline)

    response = signed_in.post(
        reverse("capabilities:test_flag", args=[KEY, CAPABILITY, published.test.pk]), FLAG
    )

    assert response.status_code == 302
    assert_only_flagged(published, before)


# 4. The management commands


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_refused(*args) -> tuple[str, str, str]:
    """Run a command that must fail: its output, errors and the CommandError's message."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(failed.value)


@pytest.mark.django_db
def test_import_guidelines_replace_refuses_a_changed_file_of_a_published_guideline(
    published, tmp_path
):
    changed = tmp_path / f"{KEY}.json"
    changed.write_text(json.dumps(published.changed_document(), indent=2))
    before = state(published.guideline)

    out, err, message = run_refused("import_guidelines", "--replace", str(changed))

    assert message == "1 of 1 files failed to import"
    assert f"{changed}: " in err
    assert D2_1 in err
    assert "0 replaced" in out and "1 failed" in out
    assert state(published.guideline) == before


@pytest.mark.django_db
def test_import_guidelines_finds_the_unchanged_file_of_a_published_guideline_unchanged(
    published, tmp_path
):
    same = tmp_path / f"{KEY}.json"
    same.write_text(json.dumps(published.document(), indent=2))
    before = state(published.guideline)

    out, err = run("import_guidelines", "--replace", str(same))

    assert f"unchanged {KEY}" in out
    assert "1 unchanged" in out and "0 failed" in out
    assert err == ""
    assert state(published.guideline) == before


@pytest.mark.django_db
def test_import_worksheet_into_a_published_guideline_is_refused_naming_a4_3(published, tmp_path):
    worksheet = tmp_path / "scoring.txt"
    worksheet.write_text(WORKSHEET)
    before = state(published.guideline)

    _, _, message = run_refused("import_worksheet", str(worksheet), "--guideline", KEY)

    assert A4_3 in message
    assert state(published.guideline) == before


@pytest.mark.django_db
def test_move_guideline_back_to_draft_is_refused_naming_c6_3(published):
    before = state(published.guideline)

    _, _, message = run_refused("move_guideline", KEY, "--to", "draft", "--reason", "more work")

    assert C6_3 in message
    assert f"from {published.guideline.status} to draft" in message
    assert state(published.guideline) == before


# 5. The admin


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:guidelines_guideline_{name}", args=args)


@pytest.mark.django_db
def test_the_admin_shows_a_guideline_without_a_save_button_and_refuses_a_change(
    approved, admin_client
):
    url = admin_url("change", approved.guideline.pk)
    before = state(approved.guideline)

    page = admin_client.get(url)
    posted = admin_client.post(
        url, {"key": "2026.99", "status": "draft", "schema": "2.0", "_save": "Save"}
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert KEY in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert posted.status_code == 403
    assert state(approved.guideline) == before


@pytest.mark.django_db
def test_the_admin_refuses_to_delete_or_add_a_guideline(approved, admin_client):
    pk = approved.guideline.pk
    before = state(approved.guideline)

    answers = {
        "delete page": admin_client.get(admin_url("delete", pk)).status_code,
        "delete": admin_client.post(admin_url("delete", pk), {"post": "yes"}).status_code,
        "add page": admin_client.get(admin_url("add")).status_code,
        "add": admin_client.post(
            admin_url("add"), {"key": "2027.01", "status": "draft", "schema": "2.0"}
        ).status_code,
    }
    bulk = admin_client.post(
        admin_url("changelist"),
        {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
    )

    assert answers == {"delete page": 403, "delete": 403, "add page": 403, "add": 403}
    assert bulk.status_code in (200, 302)
    assert list(Guideline.objects.values_list("key", flat=True)) == [KEY]
    assert state(approved.guideline) == before


# 6. Races on PostgreSQL


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: runs on PostgreSQL (CI sets DATABASE_URL)")


def lock_waiters() -> list[tuple[int, list[int]]]:
    """(pid, pids blocking it) of every other backend of this database waiting on a lock.

    Asked from the test's own connection, in autocommit: each query sees the activity now.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid() ORDER BY pid"
        )
        return [(pid, list(blockers)) for pid, blockers in cursor.fetchall()]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Poll ``condition`` until it holds; fail, saying what, after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting until {what}")
        time.sleep(0.005)


class Worker(threading.Thread):
    """Runs ``work`` on its own database connection; keeps its result or its exception."""

    def __init__(self, work: Callable[[], object]):
        super().__init__(daemon=True)
        self.work = work
        self.result = None
        self.error: BaseException | None = None

    def run(self):
        try:
            self.result = self.work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            connection.close()


class LockHolder(Worker):
    """Locks the guideline's row in a transaction, waits for ``go``, then does ``then``."""

    def __init__(self, guideline: Guideline, then: Callable[[], object] | None = None):
        super().__init__(self.hold)
        self.guideline = guideline
        self.then = then
        self.pid: int | None = None
        self.locked = threading.Event()
        self.go = threading.Event()

    def hold(self):
        try:
            with transaction.atomic():
                guideline_lock(self.guideline)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self.pid = cursor.fetchone()[0]
                self.locked.set()
                if not self.go.wait(timeout=30):
                    raise AssertionError("the lock holder was never told to go on")
                return self.then() if self.then else None
        finally:
            self.locked.set()

    def start_holding(self) -> None:
        self.start()
        assert self.locked.wait(timeout=10), "the lock holder never locked the row"
        assert self.error is None and self.pid is not None, self.error


def finish(holder: LockHolder, *workers: Worker) -> None:
    """Let the holder go on and wait for everyone; fail if anyone is stuck or failed."""
    holder.go.set()
    for thread in (holder, *workers):
        thread.join(timeout=30)
        assert not thread.is_alive(), f"{thread.work} is still running"
    for thread in (holder, *workers):
        assert thread.error is None, thread.error


def put_request(token: str, key: str, document: dict, etag: str) -> Callable[[], object]:
    def put():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.put(f"/api/v1/guidelines/{key}", document, format="json", HTTP_IF_MATCH=etag)

    return put


@dataclass
class InReview:
    guideline: Guideline
    chair: object
    token: str
    document: dict  # as stored in review
    etag: str  # what tooling read
    changed: dict  # what the PUT sends
    last_event: int  # the id of the last event before the race


def in_review_world(demo_draft, chair) -> InReview:
    """``next``, started from the demo and open for review; a changed document to PUT."""
    guideline = guideline_open_review(guideline=demo_draft, actor=chair, reason="S: for review")
    etag = APIClient().get("/api/v1/guidelines/next")["ETag"]
    document = guideline_document(guideline)
    assert etag == serving.etag_of(document_text(document).encode())
    changed = copy.deepcopy(document)
    changed["capabilities"][CAPABILITY]["description"] = "Changed while in review"
    return InReview(
        guideline=guideline,
        chair=chair,
        token=Token.objects.create(user=chair).key,
        document=document,
        etag=etag,
        changed=changed,
        last_event=GuidelineEvent.objects.order_by("pk").last().pk,
    )


def released_as(document: dict, name: str = RELEASE) -> dict:
    """What the release of a draft holding ``document`` says (guidelines.services.publishing)."""
    expected = copy.deepcopy(document)
    metadata = expected["metadata"]
    metadata["id"] = name
    metadata["source"] = f"https://opendev.org/openstack/interop/raw/branch/master/{name}.json"
    approval = metadata["os_trademark_approval"]
    approval.update(status="approved", replaces=KEY, target_approval=name)
    return expected


def approval_of(world: InReview) -> Callable[[], object]:
    ballot = passed_ballot(world.guideline, world.chair)

    def approve():
        return release_approve(
            draft=world.guideline, name=RELEASE, actor=world.chair, ballot=ballot
        )

    return approve


def events_since(world: InReview) -> list[tuple[str, dict]]:
    return [
        (event.kind, event.data.get("after"))
        for event in GuidelineEvent.objects.filter(
            guideline=world.guideline, pk__gt=world.last_event
        ).order_by("pk")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_put_racing_an_approval_never_reaches_the_release(demo_draft, chair):
    needs_postgresql()
    world = in_review_world(demo_draft, chair)
    approver = LockHolder(world.guideline, then=approval_of(world))
    putter = Worker(put_request(world.token, "next", world.changed, world.etag))

    approver.start_holding()
    try:
        putter.start()
        wait_until(
            lambda: any(approver.pid in blockers for _, blockers in lock_waiters()),
            "the PUT waits on the row lock the approval holds",
        )
    finally:
        finish(approver, putter)

    # The PUT read the draft as the approval left it: back in draft, replacing the
    # release, so the ETag it sends is stale. Nothing it sent is anywhere.
    response = putter.result
    assert response.status_code == 412, response.content
    assert response.json()["error"]["code"] == "precondition_failed"
    release = Guideline.objects.get(key=RELEASE)
    assert guideline_document(release) == released_as(world.document)
    served = APIClient().get(f"/api/v1/guidelines/{RELEASE}")
    assert json.loads(served.content) == released_as(world.document)
    draft = Guideline.objects.get(pk=world.guideline.pk)
    assert (draft.status, draft.replaces) == ("draft", RELEASE)
    assert guideline_document(draft)["capabilities"][CAPABILITY]["description"] != (
        "Changed while in review"
    )
    assert [kind for kind, _ in events_since(world)] == ["replaces_changed"]


@pytest.mark.django_db(transaction=True)
def test_a_put_that_commits_before_the_approval_makes_the_committee_vote_again(demo_draft, chair):
    """The ballot was about the draft as it was; a change that lands first is not approved
    by it: the approval is refused and nothing is released."""
    needs_postgresql()
    world = in_review_world(demo_draft, chair)
    # Someone holds the row; the PUT queues first, then the approval queues behind it.
    holder = LockHolder(world.guideline)
    putter = Worker(put_request(world.token, "next", world.changed, world.etag))
    approver = Worker(approval_of(world))

    holder.start_holding()
    try:
        putter.start()
        wait_until(
            lambda: any(holder.pid in blockers for _, blockers in lock_waiters()),
            "the PUT waits on the row lock",
        )
        approver.start()
        wait_until(lambda: len(lock_waiters()) == 2, "the approval waits behind the PUT")
    finally:
        holder.go.set()
        for thread in (holder, putter, approver):
            thread.join(timeout=30)
            assert not thread.is_alive()

    assert putter.result.status_code == 200, putter.result.content
    assert putter.result.json()["outcome"] == "replaced"
    assert isinstance(approver.error, RuleRefused), approver.error
    assert "changed since ballot" in str(approver.error)
    assert not Guideline.objects.filter(key=RELEASE).exists()
    assert [kind for kind, _ in events_since(world)] == ["replaced"]


@pytest.mark.django_db(transaction=True)
def test_of_two_puts_with_the_same_if_match_one_is_stored_and_the_other_gets_412(demo_draft, chair):
    needs_postgresql()
    world = in_review_world(demo_draft, chair)
    documents = {}
    for name in ("first", "second"):
        documents[name] = copy.deepcopy(world.document)
        documents[name]["capabilities"][CAPABILITY]["description"] = f"The {name} PUT"
    holder = LockHolder(world.guideline)
    puts = {
        name: Worker(put_request(world.token, "next", document, world.etag))
        for name, document in documents.items()
    }

    holder.start_holding()
    try:
        puts["first"].start()
        wait_until(lambda: len(lock_waiters()) == 1, "the first PUT waits on the row lock")
        puts["second"].start()
        wait_until(lambda: len(lock_waiters()) == 2, "the second PUT waits too")
    finally:
        finish(holder, *puts.values())

    statuses = {name: put.result.status_code for name, put in puts.items()}
    assert sorted(statuses.values()) == [200, 412], statuses
    winner = next(name for name, status in statuses.items() if status == 200)
    loser = next(name for name, status in statuses.items() if status == 412)
    error = puts[loser].result.json()["error"]
    assert error["code"] == "precondition_failed"
    assert "changed since you read it" in error["message"]
    stored = Guideline.objects.get(pk=world.guideline.pk)
    assert (stored.status, guideline_document(stored)) == ("review", documents[winner])
    assert [kind for kind, _ in events_since(world)] == ["replaced"]
