"""The drafting workspace's writes: editing, flags, lineage, scores; who may; conflicts."""

import threading

import pytest
from django.db import connection

from capabilities.arithmetic import NON_ADMIN
from capabilities.models import Consensus, Score
from capabilities.selectors import scoring_table
from capabilities.services import (
    capability_move,
    capability_propose,
    capability_rename,
    capability_update,
    consensus_set,
    lineage_record,
    scores_cast,
)
from committee.permissions import NotAllowed
from committee.system import system_actor
from guidelines.errors import GuidelineError, RuleRefused, VersionConflict
from guidelines.models import Capability, ComponentEntry, GuidelineEvent, Test
from guidelines.rules import check
from guidelines.selectors import guideline_bundle
from guidelines.services import flag_clear, flag_set, guideline_start_draft
from tests.conftest import DEMO
from tests.guidelines.helpers import export, import_file

pytestmark = pytest.mark.django_db

TEST_ID = "id-11111111-2222-3333-4444-555555555555"


# In the demo 2026.06 (and its draft): required in os_powered_compute, every criterion
# met but foundation (9).
LISTING_TOTAL = 91


@pytest.fixture
def approved(demo):
    """The demo 2026.06 (approved)."""
    return demo


@pytest.fixture
def draft(demo_draft):
    """``next``, started from the demo."""
    return demo_draft


def capability(guideline, key):
    return Capability.objects.get(guideline=guideline, key=key)


def statuses(guideline, key, component="os_powered_compute"):
    return list(
        ComponentEntry.objects.filter(
            component__guideline=guideline, component__name=component, name=key
        ).values_list("status", flat=True)
    )


def propose(draft, actor, **extra):
    return capability_propose(
        guideline=draft,
        key="compute-servers-rescue",
        component="os_powered_compute",
        project="nova",
        description="Rescue a server",
        actor=actor,
        tests=[
            {
                "name": "tempest.api.compute.servers.test_rescue.RescueTest.test_rescue",
                "idempotent_id": TEST_ID,
            }
        ],
        **extra,
    )


def test_a_member_proposes_a_capability_as_advisory_and_it_exports(draft, member):
    propose(draft, member)

    document = export(draft)
    assert document["capabilities"]["compute-servers-rescue"] == {
        "achievements": [],
        "admin": False,
        "description": "Rescue a server",
        "project": "nova",
        "required_since": "",
        "tests": {
            "tempest.api.compute.servers.test_rescue.RescueTest.test_rescue": {
                "idempotent_id": TEST_ID
            }
        },
    }
    lists = document["components"]["os_powered_compute"]["capabilities"]
    assert lists["advisory"][-1] == "compute-servers-rescue"
    event = draft.events.get(kind="capability_proposed")
    assert (event.actor, event.channel, event.subject) == (member, "web", "compute-servers-rescue")
    assert event.data["after"]["project"] == "nova"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"key": "Bad Name"}, "not a capability name"),
        ({"key": "compute-servers-list"}, "already has a capability"),
        ({"component": "os_powered_dns"}, "has no component 'os_powered_dns'"),
        ({"tests": [{"name": "t", "idempotent_id": "id-1"}]}, "is not id-<uuid>"),
        ({"status": "mandatory"}, "status 'mandatory' is not one of"),
        # Names are indexed: one too long for PostgreSQL's index is refused, not a 500.
        ({"key": "compute-" + "x" * 2000}, "the capability's name is 2,008 bytes long"),
        (
            {"tests": [{"name": "t" * 2001, "idempotent_id": TEST_ID}]},
            "test 1: its name is 2,001 bytes long",
        ),
    ],
)
def test_a_bad_proposal_is_refused_and_stores_nothing(draft, member, change, message):
    arguments = dict(
        guideline=draft,
        key="compute-x",
        component="os_powered_compute",
        project="nova",
        description="x",
        actor=member,
    )
    arguments.update(change)
    before = Capability.objects.count(), GuidelineEvent.objects.count()

    with pytest.raises(GuidelineError, match=message):
        capability_propose(**arguments)
    assert (Capability.objects.count(), GuidelineEvent.objects.count()) == before


def test_a_name_too_long_to_index_is_refused_on_rename(draft, member):
    target = capability(draft, "compute-servers-list")
    with pytest.raises(GuidelineError, match="new name is 2,100 bytes long"):
        capability_rename(capability=target, new_key="c" * 2100, actor=member)
    target.refresh_from_db()
    assert target.key == "compute-servers-list"


def test_reviewers_and_anonymous_users_cannot_edit_or_score(draft, reviewer):
    from django.contrib.auth.models import AnonymousUser

    target = capability(draft, "compute-servers-list")
    for actor in (reviewer, AnonymousUser()):
        with pytest.raises(NotAllowed, match="for committee members"):
            propose(draft, actor)
        with pytest.raises(NotAllowed):
            capability_update(
                capability=target, expected_version=1, changes={"project": "x"}, actor=actor
            )
        with pytest.raises(NotAllowed):
            scores_cast(capability=target, actor=actor, values={"doc": "1"})


def test_only_the_chair_sets_consensus(draft, member, chair):
    target = capability(draft, "compute-servers-list")

    with pytest.raises(NotAllowed, match="for the chair"):
        consensus_set(capability=target, values={"doc": "0"}, actor=member)
    consensus_set(capability=target, values={"doc": "0"}, actor=chair)

    assert Consensus.objects.get(capability=target, criterion="doc").source == "chair"


def test_an_edit_records_before_and_after_and_bumps_the_version(draft, member):
    target = capability(draft, "compute-servers-list")

    capability_update(
        capability=target,
        expected_version=1,
        changes={"description": "List servers", "admin": False},
        actor=member,
        channel="api",
    )

    event = draft.events.get(kind="capability_changed")
    assert event.channel == "api"
    assert event.data["before"]["description"] != "List servers"
    assert event.data["after"]["description"] == "List servers"
    assert capability(draft, "compute-servers-list").version == 2
    assert export(draft)["capabilities"]["compute-servers-list"]["description"] == "List servers"


def test_the_second_of_two_editors_gets_a_conflict_it_can_resolve(draft, member, other_member):
    first = capability(draft, "compute-servers-list")
    second = capability(draft, "compute-servers-list")  # both read version 1

    capability_update(
        capability=first, expected_version=1, changes={"description": "first"}, actor=member
    )
    with pytest.raises(VersionConflict) as caught:
        capability_update(
            capability=second,
            expected_version=1,
            changes={"description": "second"},
            actor=other_member,
        )

    # The conflict shows what is there now, so the second editor can merge and retry.
    assert caught.value.current["description"] == "first"
    assert caught.value.current["version"] == 2
    capability_update(
        capability=second,
        expected_version=2,
        changes={"description": "first, and second"},
        actor=other_member,
    )
    assert capability(draft, "compute-servers-list").description == "first, and second"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_edits_never_overwrite_silently(member, other_member):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: runs on PostgreSQL (CI sets DATABASE_URL)")
    draft = guideline_start_draft(
        source=import_file(DEMO / "2026.06.json").guideline, actor=system_actor()
    )
    target = capability(draft, "compute-servers-list")
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(actor, text):
        try:
            barrier.wait()
            capability_update(
                capability=target, expected_version=1, changes={"description": text}, actor=actor
            )
            outcomes.append(("saved", text))
        except VersionConflict:
            outcomes.append(("conflict", text))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(m, t))
        for m, t in ((member, "one"), (other_member, "two"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    saved = next(text for kind, text in outcomes if kind == "saved")
    assert capability(draft, "compute-servers-list").description == saved


def test_moving_keeps_one_status_per_component(draft, member):
    target = capability(draft, "compute-servers-list")

    capability_move(
        capability=target, component="os_powered_compute", status="deprecated", actor=member
    )

    assert statuses(draft, "compute-servers-list") == ["deprecated"]
    assert (
        "compute-servers-list"
        in export(draft)["components"]["os_powered_compute"]["capabilities"]["deprecated"]
    )


def test_published_guidelines_refuse_everything_but_flags(approved, member):
    target = capability(approved, "compute-servers-list")
    test = target.tests.first()

    for attempt in (
        lambda: propose(approved, member),
        lambda: capability_update(
            capability=target, expected_version=1, changes={"project": "x"}, actor=member
        ),
        lambda: capability_move(
            capability=target, component="os_powered_compute", status="advisory", actor=member
        ),
        lambda: capability_rename(capability=target, new_key="compute-servers-lists", actor=member),
    ):
        with pytest.raises(RuleRefused, match="2017A D2.1, HACKING D301"):
            attempt()
    flag_set(
        test=test,
        date="2026-11-25",
        reason="[D404] Fails on some clouds",
        action="Fix the test",
        actor=member,
    )
    assert Test.objects.get(pk=test.pk).is_flagged
    with pytest.raises(RuleRefused, match="D311"):
        flag_clear(test=test, actor=member)


@pytest.mark.parametrize(
    "date, reason, action, message",
    [
        ("2026-11-25", "", "fix", "a reason starting with its flag type"),
        ("2026-11-25", "Fails", "fix", "a reason starting with its flag type"),
        ("25/11/2026", "[D404] Fails", "fix", "a date"),
        ("2026-11-25", "[D404] Fails", " ", "the action"),
    ],
)
def test_a_flag_without_its_parts_is_refused(draft, member, date, reason, action, message):
    test = capability(draft, "compute-servers-list").tests.first()

    with pytest.raises(GuidelineError, match=message):
        flag_set(test=test, date=date, reason=reason, action=action, actor=member)
    assert not Test.objects.get(pk=test.pk).is_flagged


def test_flag_and_unflag_in_a_draft_export_as_the_committee_writes_them(draft, member):
    target = capability(draft, "compute-servers-list")
    test = target.tests.first()

    flag_set(test=test, date="2026-11-25", reason="[D404] Fails", action="Fix", actor=member)
    flagged = export(draft)["capabilities"]["compute-servers-list"]["tests"][test.name]
    flag_clear(test=test, actor=member)
    unflagged = export(draft)["capabilities"]["compute-servers-list"]["tests"][test.name]

    assert flagged["flagged"] == {"date": "2026-11-25", "reason": "[D404] Fails", "action": "Fix"}
    assert "flagged" not in unflagged


def test_a_rename_is_recorded_as_lineage_and_answers_the_lifecycle_rules(draft, approved, member):
    target = capability(draft, "compute-servers-list")

    capability_rename(capability=target, new_key="compute-servers-list-all", actor=member)

    found = check(
        guideline_bundle(draft),
        guideline_bundle(approved),
        lineage={"compute-servers-list-all": ["compute-servers-list"]},
    )
    assert not [f for f in found if "compute-servers-list" in f.subject]
    assert list(
        capability(draft, "compute-servers-list-all").lineage.values_list("predecessor", flat=True)
    ) == ["compute-servers-list"]
    assert statuses(draft, "compute-servers-list-all") == ["required"]


def test_a_regroup_records_every_predecessor(draft, member):
    propose(draft, member)
    target = capability(draft, "compute-servers-rescue")

    lineage_record(
        capability=target,
        predecessors=["compute-servers-list", "compute-servers-get"],
        note="merged",
        actor=member,
    )

    assert sorted(target.lineage.values_list("predecessor", flat=True)) == [
        "compute-servers-get",
        "compute-servers-list",
    ]


def test_unanimous_scores_become_consensus_and_disagreement_waits_for_the_chair(
    draft, member, other_member, chair
):
    target = capability(draft, "compute-servers-list")

    scores_cast(capability=target, actor=member, values={"doc": "1"})
    scores_cast(capability=target, actor=other_member, values={"doc": "1"})
    agreed = Consensus.objects.get(capability=target, criterion="doc")
    scores_cast(capability=target, actor=other_member, values={"doc": "0"}, note="no docs")

    assert (agreed.value, agreed.source) == ("1", "unanimous")
    assert not Consensus.objects.filter(capability=target, criterion="doc").exists()
    row = next(r for r in scoring_table(draft).rows if r.key == "compute-servers-list")
    assert row.disagreements == {"doc": {"member": "1", "member2": "0"}}
    consensus_set(capability=target, values={"doc": "0"}, actor=chair)
    assert Consensus.objects.get(capability=target, criterion="doc").value == "0"


@pytest.mark.parametrize(
    "criterion, value, message",
    [
        ("doc", "2", "is not 1, 0 or ?"),
        ("doc", "", "is not 1, 0 or ?"),
        ("elegance", "1", "'elegance' is not a criterion of next"),
    ],
)
def test_bad_scores_are_refused(draft, member, criterion, value, message):
    target = capability(draft, "compute-servers-list")

    with pytest.raises(GuidelineError, match=message):
        scores_cast(capability=target, actor=member, values={criterion: value})
    assert not Score.objects.exists()


def test_totals_follow_the_consensus_and_achievements_follow_too(draft, chair):
    target = capability(draft, "compute-servers-list")
    keys = list(draft.criteria.order_by("position").values_list("key", flat=True))

    for key in [*keys, NON_ADMIN]:
        consensus_set(capability=target, values={key: "0" if key == "future" else "1"}, actor=chair)
    row = next(r for r in scoring_table(draft).rows if r.key == "compute-servers-list")

    assert row.scored and row.total.value == 100 - 11
    assert capability(draft, "compute-servers-list").achievements == [
        k for k in keys if k != "future"
    ]
    assert "future" not in export(draft)["capabilities"]["compute-servers-list"]["achievements"]


def test_scores_are_frozen_once_the_draft_leaves_draft_status(approved, member):
    with pytest.raises(RuleRefused, match="2017A A4.3"):
        scores_cast(
            capability=capability(approved, "compute-servers-list"),
            actor=member,
            values={"doc": "1"},
        )


def test_a_first_score_does_not_wipe_the_other_achievements(draft, member, other_member):
    target = capability(draft, "compute-servers-list")
    before = list(target.achievements)

    scores_cast(capability=target, actor=member, values={"doc": "0"})
    after_one = capability(draft, "compute-servers-list").achievements
    row = next(r for r in scoring_table(draft).rows if r.key == "compute-servers-list")
    scores_cast(capability=target, actor=other_member, values={"doc": "1"})
    row_after = next(r for r in scoring_table(draft).rows if r.key == "compute-servers-list")

    assert after_one == before  # not fully scored yet: the document stands
    assert row.values["doc"] == "0" and row.total.value == LISTING_TOTAL - 8
    assert not row.scored and "doc" not in row.from_document
    # Scorers disagree: the chair decides; meanwhile the document's value counts.
    assert row_after.values["doc"] == "1" and row_after.disagreements
