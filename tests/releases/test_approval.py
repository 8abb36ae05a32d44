"""Approving a draft as its release, on the project's demo data.

The demo 2026.06 is approved; ``next`` is a draft started from it. An approval
ballot passes, and the chair approves ``next`` as 2026.12 (the demo's clock is
today's: names are checked against today's month, so the tests use months past).
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from capabilities.services import capability_move
from committee.models import Event
from guidelines.errors import GuidelineError, NotAllowed, RuleRefused
from guidelines.interop_format.schemas import schema_violations
from guidelines.models import Artifact, Capability, Guideline, GuidelineEvent
from guidelines.selectors import guideline_document
from guidelines.services import flag_set, guideline_start_draft
from releases.models import PublishingStep, Release
from releases.publishing import RUNNERS
from releases.services import guideline_approve, open_findings
from tests.releases.helpers import bundle_members, checksums_hold, override_all, passed_ballot
from votes.models import BallotKind
from votes.services import ballot_open

pytestmark = pytest.mark.django_db

NAME = "2026.09"  # after the demo's 2026.06, and not after this month


def sha256_header(body: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def state_of_everything() -> dict:
    return {
        "guidelines": sorted(
            Guideline.objects.values_list("key", "status", "replaces", "revision")
        ),
        "artifacts": Artifact.objects.count(),
        "events": GuidelineEvent.objects.count(),
        "committee_events": Event.objects.count(),
        "releases": Release.objects.count(),
    }


@pytest.fixture
def ballot(demo_draft, chair, member):
    return passed_ballot(demo_draft, chair, member)


def approve(draft, chair, ballot, name=NAME):
    return guideline_approve(draft=draft, name=name, actor=chair, ballot=ballot)


def test_approval_creates_the_release_approved_replacing_the_newest_and_validated(
    demo, demo_draft, chair, member
):
    # One capability newly required in the draft: D304 gives it required_since.
    capability = Capability.objects.get(guideline=demo_draft, key="compute-keypairs-create")
    newly = capability.key
    capability_move(
        capability=capability, component="os_powered_compute", status="required", actor=chair
    )
    assert override_all(demo_draft, chair) == 1  # 2017A A4.4: required below the cut-off
    ballot = passed_ballot(demo_draft, chair, member)  # on the draft as it is now

    release = approve(demo_draft, chair, ballot)

    guideline = release.guideline
    assert guideline.key == NAME
    assert guideline.status == "approved"
    assert guideline.replaces == demo.key
    document = guideline_document(guideline)
    metadata = document["metadata"]
    assert metadata["id"] == NAME
    assert metadata["os_trademark_approval"]["status"] == "approved"
    assert metadata["os_trademark_approval"]["replaces"] == demo.key
    assert metadata["os_trademark_approval"]["target_approval"] == NAME
    assert metadata["source"].endswith(f"/{NAME}.json")
    assert document["capabilities"][newly]["required_since"] == NAME
    before = guideline_document(demo)["capabilities"]
    for key, capability in document["capabilities"].items():
        if key != newly:
            assert capability.get("required_since") == before[key].get("required_since"), key
    assert schema_violations(document, "2.0") == []
    # Stored once, validated, with its digest: what tooling is served.
    stored = Artifact.objects.get(guideline=guideline, number=1, format="json")
    assert stored.validated
    assert stored.sha256 == hashlib.sha256(bytes(stored.body)).hexdigest()
    assert json.loads(bytes(stored.body)) == document
    assert release.ballot == ballot
    # The draft goes on, replacing the release.
    demo_draft.refresh_from_db()
    assert (demo_draft.status, demo_draft.replaces) == ("draft", NAME)
    assert guideline_document(demo_draft)["metadata"]["os_trademark_approval"]["replaces"] == NAME
    # ... and says since when its newly required capability is required, for the next cycle.
    assert guideline_document(demo_draft)["capabilities"][newly]["required_since"] == NAME
    override_all(demo_draft, chair)
    later = approve(demo_draft, chair, passed_ballot(demo_draft, chair, member), "2026.10")
    assert guideline_document(later.guideline)["capabilities"][newly]["required_since"] == NAME


def test_the_new_release_is_served_at_once_with_its_digest(demo_draft, chair, ballot):
    approve(demo_draft, chair, ballot)
    client = APIClient()
    for url in (f"/api/v1/guidelines/{NAME}", f"/v1/guidelines/{NAME}.json"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Repr-Digest"] == sha256_header(response.content)
        stored = Artifact.objects.get(guideline__key=NAME, number=1, format="json")
        assert response.content == bytes(stored.body)
        gzipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert gzipped["Content-Encoding"] == "gzip"
        assert gzipped["Repr-Digest"] == sha256_header(gzipped.content)
    index = client.get("/v1/guidelines").json()
    assert {"name": f"{NAME}.json", "file": f"{NAME}.json"} in index["powered"]
    catalog = client.get(f"/api/v1/catalog/guidelines/{NAME}").json()
    assert catalog["sha256"] == stored.sha256
    assert catalog["published_revision"] == 1


def test_approvals_supersede_all_but_the_newest_two(demo, demo_draft, chair, member, settings):
    first = approve(demo_draft, chair, passed_ballot(demo_draft, chair, member), "2026.07")
    assert first.superseded == []
    second = approve(demo_draft, chair, passed_ballot(demo_draft, chair, member), "2026.08")
    assert second.superseded == [demo.key]
    statuses = dict(Guideline.objects.values_list("key", "status"))
    assert [k for k, s in sorted(statuses.items()) if s == "approved"] == ["2026.07", "2026.08"]
    assert statuses[demo.key] == "superseded"
    settings.APPROVED_GUIDELINES_KEPT = 1
    third = approve(demo_draft, chair, passed_ballot(demo_draft, chair, member), "2026.09")
    assert third.superseded == ["2026.08", "2026.07"]
    demo_draft.refresh_from_db()
    assert demo_draft.replaces == "2026.09"
    # The superseded guideline's status change is a new revision; the approved bytes stay.
    revisions = Artifact.objects.filter(guideline__key="2026.07", format="json").order_by("number")
    assert [
        json.loads(bytes(a.body))["metadata"]["os_trademark_approval"]["status"] for a in revisions
    ] == ["approved", "superseded"]


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("2026.13", "real year and month"),
        ("2013.11", "real year and month"),
        ("2999.01", "real year and month"),
        ("next", "is not a release name"),
        ("2026-09", "is not a release name"),
        ("orchestration.2026.09", "is not a release name"),
        ("2026.06", "exists already"),
        ("2026.05", "older than 2026.06"),
    ],
)
def test_a_name_that_is_not_a_later_real_month_is_refused(demo_draft, chair, ballot, name, rule):
    before = state_of_everything()
    with pytest.raises(GuidelineError, match=rule):
        approve(demo_draft, chair, ballot, name)
    assert state_of_everything() == before


def test_an_approval_needs_a_passed_approval_ballot_on_that_draft(demo, demo_draft, chair, member):
    from votes.services import ballot_close

    with pytest.raises(GuidelineError, match="one of the two"):
        guideline_approve(draft=demo_draft, name=NAME, actor=chair)
    with pytest.raises(GuidelineError, match="one of the two"):
        guideline_approve(
            draft=demo_draft, name=NAME, actor=chair, ballot=1, approved_elsewhere="Board"
        )
    question = ballot_open(
        guideline=demo_draft,
        kind=BallotKind.QUESTION,
        question="Ready?",
        closes_at=__import__("django.utils.timezone").utils.timezone.now()
        + __import__("datetime").timedelta(days=1),
        actor=chair,
    )
    with pytest.raises(RuleRefused, match="not an approval ballot"):
        approve(demo_draft, chair, question)
    failing = ballot_open(
        guideline=demo_draft,
        kind=BallotKind.APPROVAL,
        question="Approve?",
        closes_at=question.closes_at,
        actor=chair,
    )
    ballot_close(ballot=failing, actor=chair, reason="nobody voted")
    with pytest.raises(RuleRefused, match="approved only after its approval ballot passed"):
        approve(demo_draft, chair, failing)
    with pytest.raises(GuidelineError, match="there is no ballot 999999"):
        approve(demo_draft, chair, 999999)
    other = guideline_start_draft(source=demo, actor=chair, name="2027.next")
    elsewhere = passed_ballot(other, chair, member)
    with pytest.raises(RuleRefused, match=f"is about {other.key}, not next"):
        approve(demo_draft, chair, elsewhere)
    assert not Release.objects.exists()


def test_one_ballot_approves_one_release(demo_draft, chair, ballot):
    approve(demo_draft, chair, ballot, "2026.07")
    with pytest.raises(RuleRefused, match="approved 2026.07 already"):
        approve(demo_draft, chair, ballot, "2026.08")


def test_only_the_chair_or_an_operator_approves(
    demo_draft, chair, member, reviewer, ballot, system
):
    for person in (member, reviewer, None):
        with pytest.raises(NotAllowed, match="Approving a guideline is for the chair"):
            approve(demo_draft, person, ballot)
    # A reason instead of a ballot is for operators recording history, not the chair.
    with pytest.raises(NotAllowed, match="is for operators"):
        guideline_approve(draft=demo_draft, name=NAME, actor=chair, approved_elsewhere="trust me")
    assert not Release.objects.exists()
    release = guideline_approve(
        draft=demo_draft, name=NAME, actor=system, approved_elsewhere="Board, 2026-09-01"
    )
    assert release.approved_elsewhere == "Board, 2026-09-01" and release.ballot is None


def test_open_findings_block_the_approval_until_overridden(demo_draft, chair, member):
    # A required capability removed without being deprecated first: 2017A A4.5.
    capability = Capability.objects.get(guideline=demo_draft, key="compute-servers-create")
    capability_move(
        capability=capability, component="os_powered_compute", status="removed", actor=chair
    )
    found = open_findings(demo_draft)
    assert found, "removing a capability that was not deprecated is a finding (A4.5)"
    ballot = passed_ballot(demo_draft, chair, member)
    before = state_of_everything()
    with pytest.raises(RuleRefused, match="open findings of the drafting rules") as refusal:
        approve(demo_draft, chair, ballot)
    assert found[0].rule in str(refusal.value)
    assert state_of_everything() == before
    # An override answers a finding; it does not change the text voted on.
    assert override_all(demo_draft, chair) == len(found)
    release = approve(demo_draft, chair, ballot)
    assert [o["rule"] for o in release.record["overrides"]] == [f.rule for f in found]


def test_a_release_that_does_not_validate_is_refused_naming_where(demo_draft, chair, ballot):
    Capability.objects.filter(guideline=demo_draft, key="compute-servers-list").update(
        required_since="sometime"
    )
    before = state_of_everything()
    with pytest.raises(GuidelineError) as refusal:
        approve(demo_draft, chair, ballot)
    message = str(refusal.value)
    assert "does not validate against the corrected schema 2.0" in message
    assert "/capabilities/compute-servers-list/required_since" in message
    assert state_of_everything() == before


@pytest.mark.parametrize(
    "where",
    [
        "guidelines.services.publishing._draft_follows",
        "guidelines.services.publishing._supersede_beyond",
        "releases.services.record",
    ],
)
def test_a_failure_half_way_leaves_nothing_behind(
    demo, demo_draft, chair, member, monkeypatch, where
):
    approve(demo_draft, chair, passed_ballot(demo_draft, chair, member), "2026.07")
    ballot = passed_ballot(demo_draft, chair, member)
    before = state_of_everything()

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(where, broken)
    with pytest.raises(RuntimeError, match="the disk is full"):
        approve(demo_draft, chair, ballot, "2026.08")
    # No release, no superseding (2026.06 would have gone), no event, no artifact.
    assert state_of_everything() == before
    assert Guideline.objects.get(key=demo.key).status == "approved"


def test_publishing_renders_bundles_and_announces_after_the_commit(
    demo, demo_draft, chair, member, system, django_capture_on_commit_callbacks
):
    from capabilities.services import worksheet_import

    worksheet_import(
        guideline=demo_draft,
        text="compute-servers-list:    [1,1,1] [1,1,1] [1,1,1] [1,1,1] [1]\n",
        name="scoring.txt",
        actor=system,
    )
    override_all(demo_draft, chair)
    ballot = passed_ballot(demo_draft, chair, member)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        release = approve(demo_draft, chair, ballot)
        # Nothing runs before the commit: a rolled-back approval publishes nothing.
        assert {s.status for s in release.steps.all()} == {"pending"}
    assert queued
    release.refresh_from_db()
    steps = {s.name: s.status for s in release.steps.all()}
    assert steps == {"renderings": "done", "bundle": "done", "announce": "done"}
    formats = set(
        Artifact.objects.filter(guideline=release.guideline).values_list("format", flat=True)
    )
    assert formats == {"json", "rst", "md", "html"}
    files = bundle_members(bytes(release.bundle))
    assert hashlib.sha256(bytes(release.bundle)).hexdigest() == release.bundle_sha256
    listed = checksums_hold(files)
    assert {f"{NAME}.json", f"{NAME}.rst", f"{NAME}.md", f"{NAME}.html"} <= set(listed)
    assert {"release-notes.md", "approval.json", "events.json", "scoring/scoring.txt"} <= set(
        listed
    )
    assert files["scoring/scoring.txt"].decode().startswith("compute-servers-list:")
    assert set(listed) == set(files) - {"SHA256SUMS"}
    assert files[f"{NAME}.json"] == bytes(
        Artifact.objects.get(guideline=release.guideline, number=1, format="json").body
    )
    approval = json.loads(files["approval.json"])
    assert approval["ballot"]["id"] == ballot.pk and approval["ballot"]["outcome"] == "passed"
    assert {p["voter"] for p in approval["ballot"]["positions"]} == {"chair", "member"}
    events = json.loads(files["events.json"])
    kinds = [e["kind"] for e in events]
    assert "draft_started" in kinds and "ballot.closed" in kinds and "approved" in kinds
    assert "release.approved" in kinds
    assert demo.key in files["release-notes.md"].decode()
    published = Event.objects.filter(kind="release.published", guideline_key=NAME)
    assert published.count() == 1
    assert published.get().data["bundle_sha256"] == release.bundle_sha256


def test_a_failed_step_is_retried_without_duplicating_anything(
    demo_draft, chair, member, ballot, monkeypatch, django_capture_on_commit_callbacks
):
    from releases.services import step_retry

    real = RUNNERS["bundle"]
    monkeypatch.setitem(
        RUNNERS, "bundle", lambda release: (_ for _ in ()).throw(OSError("no space"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        release = approve(demo_draft, chair, ballot)
    steps = {s.name: (s.status, s.error) for s in release.steps.all()}
    assert steps["renderings"] == ("done", "")
    assert steps["bundle"] == ("failed", "OSError: no space")
    assert steps["announce"] == ("pending", "")
    with pytest.raises(NotAllowed):
        step_retry(release=release, step="bundle", actor=member)
    with pytest.raises(RuleRefused, match="only a failed step"):
        step_retry(release=release, step="renderings", actor=chair)
    with pytest.raises(GuidelineError, match="no publishing step 'nothing'"):
        step_retry(release=release, step="nothing", actor=chair)
    monkeypatch.setitem(RUNNERS, "bundle", real)
    with django_capture_on_commit_callbacks(execute=True):
        step_retry(release=release, step="bundle", actor=chair)
    # Renderings ran once and are kept; the retry ran the bundle, then the announcement.
    assert Artifact.objects.filter(guideline=release.guideline).count() == 4
    steps = {s.name: (s.status, s.attempts) for s in PublishingStep.objects.filter(release=release)}
    assert steps == {"renderings": ("done", 1), "bundle": ("done", 2), "announce": ("done", 1)}
    assert Event.objects.filter(kind="release.published").count() == 1
    assert Event.objects.filter(kind="release.step_retried").count() == 1
    # Running the task again changes nothing.
    from releases.tasks import publish

    assert publish(release.pk) == []
    assert Event.objects.filter(kind="release.published").count() == 1


def test_a_flag_on_the_release_is_a_new_revision_and_the_old_one_stays(
    demo_draft, chair, member, ballot, django_capture_on_commit_callbacks
):
    release = approve(demo_draft, chair, ballot)
    first = Artifact.objects.get(guideline=release.guideline, number=1, format="json")
    test = release.guideline.capabilities.get(key="compute-servers-list").tests.first()
    with django_capture_on_commit_callbacks(execute=True):
        flag_set(
            test=test,
            date="2026-10-01",
            reason="[D404] The test fails on every cloud",
            action="Fix the test upstream",
            actor=member,
        )
    second = Artifact.objects.get(guideline=release.guideline, number=2, format="json")
    assert second.sha256 != first.sha256 and second.validated
    assert json.loads(bytes(second.body))["capabilities"]["compute-servers-list"]["tests"][
        test.name
    ]["flagged"]["reason"].startswith("[D404]")
    client = APIClient()
    current = client.get(f"/api/v1/guidelines/{NAME}")
    assert current.content == bytes(second.body)
    old = client.get(f"/api/v1/guidelines/{NAME}/revisions/1.json")
    assert old.status_code == 200 and old.content == bytes(first.body)
    assert old["Repr-Digest"] == sha256_header(old.content)
    assert "immutable" in old["Cache-Control"]
    # The new revision is rendered too, after its commit.
    assert set(
        Artifact.objects.filter(guideline=release.guideline, number=2).values_list(
            "format", flat=True
        )
    ) == {"json", "rst", "md", "html"}
    listing = client.get(f"/api/v1/guidelines/{NAME}/revisions").json()
    assert [r["number"] for r in listing] == [1, 2]
    assert [r["sha256"] for r in listing] == [first.sha256, second.sha256]


def test_approve_guideline_command(
    demo_draft, chair, ballot, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("approve_guideline", "next", "--as", NAME, "--ballot", str(ballot.pk))
    out = capsys.readouterr().out
    assert f"{NAME} approved from next, replacing 2026.06; publishing: running" in out
    assert Release.objects.get(guideline__key=NAME).bundle_sha256
    with pytest.raises(CommandError, match="approved 2026.09 already"):
        call_command("approve_guideline", "next", "--as", "2026.10", "--ballot", str(ballot.pk))
    with pytest.raises(CommandError, match="no guideline named 'nothing'"):
        call_command("approve_guideline", "nothing", "--as", NAME, "--approved-elsewhere", "x")
    with pytest.raises(CommandError):
        call_command("approve_guideline", "next", "--as", "2026.10")  # neither


def test_an_add_on_release_takes_its_prefix(system, chair):
    from tests.conftest import DEMO
    from tests.guidelines.helpers import import_file

    addon = import_file(DEMO / "dns.2026.06.json").guideline
    draft = guideline_start_draft(source=addon, actor=system)
    release = guideline_approve(
        draft=draft, name="2026.09", actor=system, approved_elsewhere="Board, September"
    )
    assert release.key == "dns.2026.09"
    document = guideline_document(release.guideline)
    assert document["metadata"]["id"] == "dns.2026.09"
    assert document["metadata"]["source"].endswith("/add-ons/dns.2026.09.json")
    assert release.replaces == addon


def test_the_first_release_of_its_kind_replaces_nothing(system):
    from tests.conftest import DEMO
    from tests.guidelines.helpers import import_doc

    document = json.loads((DEMO / "dns.2026.06.json").read_bytes())
    approval = document["metadata"]["os_trademark_approval"]
    approval["status"] = "draft"
    approval.pop("replaces", None)
    document["metadata"]["id"] = "dns.next"
    draft = import_doc(document, key="dns.next").guideline
    release = guideline_approve(
        draft=draft, name="dns.2026.09", actor=system, approved_elsewhere="Board, September"
    )
    assert release.replaces is None and release.guideline.replaces is None
    exported = guideline_document(release.guideline)["metadata"]["os_trademark_approval"]
    assert "replaces" not in exported
    assert exported["status"] == "approved"
    # Everything required is required for the first time; an add-on says the month alone.
    since = {
        key: capability["required_since"]
        for key, capability in guideline_document(release.guideline)["capabilities"].items()
    }
    assert since == {"dns-recordsets-create": "2026.09", "dns-zones-create": "2026.09"}
    draft.refresh_from_db()
    assert draft.replaces == "dns.2026.09"


def test_a_ballot_approves_the_text_it_was_about(demo_draft, chair, member):
    ballot = passed_ballot(demo_draft, chair, member)
    capability = Capability.objects.get(guideline=demo_draft, key="compute-keypairs-create")
    capability_move(
        capability=capability, component="os_powered_compute", status="deprecated", actor=chair
    )
    with pytest.raises(RuleRefused, match="changed since ballot .* opened"):
        approve(demo_draft, chair, ballot)
    # A ballot passed before an approval belongs to that cycle, used or not.
    first, second = (passed_ballot(demo_draft, chair, member) for _ in range(2))
    approve(demo_draft, chair, first, "2026.07")
    with pytest.raises(RuleRefused, match="changed since ballot"):
        approve(demo_draft, chair, second, "2026.08")
    legacy = passed_ballot(demo_draft, chair, member)
    type(legacy).objects.filter(pk=legacy.pk).update(subject={})  # opened before revisions
    Release.objects.filter(guideline__key="2026.07").update(
        approved_at=legacy.opened_at + __import__("datetime").timedelta(seconds=1)
    )
    with pytest.raises(RuleRefused, match="opened before next was approved as 2026.07"):
        approve(demo_draft, chair, legacy, "2026.08")


def test_a_step_left_waiting_or_running_can_be_retried_once_stuck(
    demo_draft, chair, ballot, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from releases.services import STUCK_AFTER, step_retry

    release = approve(demo_draft, chair, ballot)  # its task was never run: pending
    with pytest.raises(RuleRefused, match="only a failed step"):
        step_retry(release=release, step="renderings", actor=chair)
    Release.objects.filter(pk=release.pk).update(
        approved_at=release.approved_at - STUCK_AFTER - timedelta(minutes=1)
    )
    release.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        step_retry(release=release, step="renderings", actor=chair)
    assert {s.status for s in release.steps.all()} == {"done"}


def test_a_run_whose_claim_was_taken_over_undoes_its_work(demo_draft, chair, ballot, monkeypatch):
    """A retry of a step thought stuck claims it anew: the first run, finishing late,
    must not complete it too (nor announce the release twice)."""
    from releases import publishing

    release = approve(demo_draft, chair, ballot)
    real = RUNNERS["renderings"]

    def slow_then_overtaken(release):
        real(release)
        # Meanwhile a retry claimed the step again: its attempt count moved on.
        PublishingStep.objects.filter(release=release, name="renderings").update(attempts=5)

    monkeypatch.setitem(RUNNERS, "renderings", slow_then_overtaken)
    assert publishing.run_pending(release.pk) == []
    # Not completed by the overtaken run, and its renderings rolled back with it. (The
    # simulated retry is rolled back too: it ran in the same transaction here.)
    step = PublishingStep.objects.get(release=release, name="renderings")
    assert step.status == "running"
    assert not Artifact.objects.filter(guideline=release.guideline, format="rst").exists()
