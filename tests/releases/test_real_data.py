"""Approving the committee's own guideline, 2018.02, as the releases that followed it.

On the real file (../shared/interop-data): a draft started from 2018.02 is
approved as 2018.11 after a passed ballot, then two more releases follow. What
the committee did by hand in git (D304: id, status, replaces, required_since;
C6.1: the oldest superseded) comes out right, and every release validates.
"""

from __future__ import annotations

import json

import pytest

from capabilities.services import capability_move
from guidelines.interop_format.patterns import FLAG_REASON
from guidelines.interop_format.schemas import schema_violations
from guidelines.models import ComponentEntry, Guideline, Test
from guidelines.selectors import guideline_document
from guidelines.services import flag_set, guideline_import, guideline_start_draft
from releases.services import guideline_approve
from tests.guidelines.helpers import import_file
from tests.releases.helpers import override_all, passed_ballot

pytestmark = pytest.mark.django_db


def required(document: dict) -> set[str]:
    return {
        name
        for component in document["components"].values()
        for name in component["capabilities"].get("required", [])
    }


def flag_reasons_typed(draft, member) -> int:
    """2018.02's resize flags predate D309's [D4xx] prefix: the committee fixes them."""
    fixed = 0
    for test in Test.objects.filter(capability__guideline=draft, is_flagged=True):
        if not FLAG_REASON.match(test.flag_reason or ""):
            flag_set(
                test=test,
                date=test.flag_date,
                reason=f"[D404] {test.flag_reason}",
                action=test.flag_action or "Revisit in the next guideline",
                actor=member,
            )
            fixed += 1
    return fixed


def typo_fixed(draft, chair) -> None:
    """objectstore-slo/dlo-support spell ``acheivements`` (DOMAIN.md section 1): the
    corrected schema finds them without achievements, so the committee puts the draft
    right, as a whole document (a draft takes one)."""
    document = guideline_document(draft)
    for key in ("objectstore-dlo-support", "objectstore-slo-support"):
        capability = document["capabilities"][key]
        capability["achievements"] = [
            a for a in capability.pop("acheivements") if a != "discoverable"
        ]
    outcome = guideline_import(
        raw=json.dumps(document).encode(),
        key=draft.key,
        filename="next.json",
        actor=chair,
        replace=True,
    )
    assert outcome.outcome == "replaced"


def test_2018_02_approved_as_2018_11_then_superseded_by_two_more(real_files, system, chair, member):
    previous = import_file(real_files["2018.02"]).guideline
    draft = guideline_start_draft(source=previous, actor=system)
    assert flag_reasons_typed(draft, member) == 7
    # The cycle's work: the advisory capabilities become required.
    advisory = ComponentEntry.objects.filter(
        component__guideline=draft, kind="capabilities", status="advisory"
    ).select_related("component")
    promoted = {entry.name for entry in advisory}
    assert len(promoted) == 5
    for entry in list(advisory):
        capability = draft.capabilities.get(key=entry.name)
        capability_move(
            capability=capability, component=entry.component.name, status="required", actor=chair
        )
    typo_fixed(draft, chair)
    assert override_all(draft, chair) > 0  # 2018.02's own quirks, answered by the chair

    release = guideline_approve(
        draft=draft, name="2018.11", actor=chair, ballot=passed_ballot(draft, chair, member)
    )

    guideline = Guideline.objects.get(key="2018.11")
    assert release.guideline == guideline
    document = guideline_document(guideline)
    approval = document["metadata"]["os_trademark_approval"]
    assert document["metadata"]["id"] == "2018.11"
    assert approval["replaces"] == "2018.02"
    assert approval["status"] == "approved"
    assert document["metadata"]["source"].endswith("/2018.11.json")
    before = guideline_document(previous)
    newly = required(document) - required(before)
    assert newly == promoted
    for key, capability in document["capabilities"].items():
        since = capability.get("required_since", capability.get("required-since"))
        if key in newly:
            assert since == "2018.11", key
        else:
            old = before["capabilities"][key]
            assert since == old.get("required_since", old.get("required-since")), key
    assert schema_violations(document, "2.0") == []

    for name in ("2019.06", "2019.11"):
        override_all(draft, chair)
        guideline_approve(
            draft=draft, name=name, actor=chair, ballot=passed_ballot(draft, chair, member)
        )
        assert schema_violations(guideline_document(Guideline.objects.get(key=name)), "2.0") == []

    statuses = dict(Guideline.objects.values_list("key", "status"))
    assert statuses == {
        "2018.02": "superseded",
        "2018.11": "superseded",
        "2019.06": "approved",
        "2019.11": "approved",
        "next": "draft",
    }
    draft.refresh_from_db()
    assert draft.replaces == "2019.11"
    assert guideline_document(draft)["metadata"]["os_trademark_approval"]["replaces"] == "2019.11"
    assert (
        guideline_document(Guideline.objects.get(key="2019.11"))["metadata"][
            "os_trademark_approval"
        ]["replaces"]
        == "2019.06"
    )
