"""A guideline's life cycle: the declared moves, one service each, each recorded.

On the project's own demo guideline (2026.06, approved) and a draft started from it.
"""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from committee.permissions import NotAllowed
from guidelines.errors import GuidelineError, RuleRefused
from guidelines.lifecycle import ALLOWED, MOVES, Change, allows, move_between
from guidelines.models import GuidelineStatus
from guidelines.services import (
    guideline_open_review,
    guideline_return_to_draft,
    guideline_supersede,
)
from tests.guidelines.helpers import export, import_doc

pytestmark = pytest.mark.django_db

STATUSES = GuidelineStatus.values


def test_the_declared_moves_are_the_committees_life_cycle():
    assert [(m.source, m.target) for m in MOVES] == [
        ("draft", "review"),
        ("review", "draft"),
        ("approved", "superseded"),
    ]


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_every_move_outside_the_table_is_refused_naming_c6_3(source, target):
    declared = {(m.source, m.target) for m in MOVES}
    if (source, target) in declared:
        assert move_between(source, target).rule
    else:
        with pytest.raises(RuleRefused, match="2017A C6.3"):
            move_between(source, target)


def test_published_statuses_take_only_flags_and_scores_freeze_after_draft():
    assert ALLOWED["approved"] == ALLOWED["superseded"] == {Change.FLAG}
    assert allows("draft", Change.SCORING)
    assert not allows("review", Change.SCORING)
    assert allows("review", Change.CONTENT)
    assert not allows("approved", Change.UNFLAG)


def test_each_move_is_recorded_with_its_reason_and_rule(demo, demo_draft, chair):
    guideline_open_review(guideline=demo_draft, actor=chair, reason="S: out for review")
    guideline_return_to_draft(guideline=demo_draft, actor=chair, reason="more work")
    guideline_supersede(guideline=demo, actor=chair, reason="2027.06 approved")

    demo_draft.refresh_from_db()
    demo.refresh_from_db()
    assert (demo_draft.status, demo.status) == ("draft", "superseded")
    moves = list(demo_draft.events.filter(kind="status_changed").order_by("id"))
    assert [(e.data["before"]["status"], e.data["after"]["status"]) for e in moves] == [
        ("draft", "review"),
        ("review", "draft"),
    ]
    assert [e.actor for e in moves] == [chair] * 2
    assert moves[1].data["reason"] == "more work"
    assert "2017A C6.3" in moves[1].data["rule"]
    assert demo_draft.revision == 3  # each move changes the document
    superseded = demo.events.get(kind="status_changed")
    assert superseded.data["reason"] == "2027.06 approved"
    assert "C6.1" in superseded.data["rule"]


def test_superseding_keeps_what_was_served_as_a_revision(demo, chair):
    """A published guideline is served from stored revisions: the status is a new one."""
    first = demo.artifacts.get(number=1, format="json")
    guideline_supersede(guideline=demo, actor=chair, reason="2027.06 approved")
    second = demo.artifacts.get(number=2, format="json")
    assert json.loads(bytes(first.body))["metadata"]["os_trademark_approval"]["status"] == (
        "approved"
    )
    assert json.loads(bytes(second.body))["metadata"]["os_trademark_approval"]["status"] == (
        "superseded"
    )


def test_the_document_spells_review_as_its_generation_does(demo_draft, chair):
    in_review = guideline_open_review(guideline=demo_draft, actor=chair, reason="S")

    # The 2.0 schema's enum says "advisory" for a guideline in review.
    assert export(in_review)["metadata"]["os_trademark_approval"]["status"] == "advisory"
    back = guideline_return_to_draft(guideline=demo_draft, actor=chair, reason="more work")
    assert export(back)["metadata"]["os_trademark_approval"]["status"] == "draft"


def test_a_move_the_table_does_not_declare_is_refused_and_changes_nothing(demo_draft, chair):
    with pytest.raises(RuleRefused, match="does not move from draft to superseded"):
        guideline_supersede(guideline=demo_draft, actor=chair, reason="skip it all")

    demo_draft.refresh_from_db()
    assert (demo_draft.status, demo_draft.revision) == ("draft", 1)
    assert not demo_draft.events.filter(kind="status_changed").exists()


def test_a_move_is_the_chairs_and_needs_a_reason(demo_draft, member, chair):
    with pytest.raises(NotAllowed, match="is for the chair"):
        guideline_open_review(guideline=demo_draft, actor=member, reason="why not")
    with pytest.raises(GuidelineError, match="say why"):
        guideline_open_review(guideline=demo_draft, actor=chair, reason="  ")
    with pytest.raises(NotAllowed, match="sign in first"):
        guideline_open_review(guideline=demo_draft, actor=None, reason="nobody")
    demo_draft.refresh_from_db()
    assert demo_draft.status == "draft"


def test_an_import_stores_what_the_file_says_and_is_recorded_as_an_import(system):
    from tests.conftest import DEMO

    document = json.loads((DEMO / "2026.06.json").read_bytes())
    document["metadata"]["os_trademark_approval"]["status"] = "superseded"

    imported = import_doc(document, key="2026.06").guideline

    assert imported.status == "superseded"
    assert list(imported.events.values_list("kind", flat=True)) == ["imported"]
    assert imported.events.get().data["status"] == "superseded"


def test_a_new_document_does_not_move_a_draft(demo_draft, chair):
    document = export(demo_draft)
    document["metadata"]["os_trademark_approval"]["status"] = "approved"

    with pytest.raises(RuleRefused, match="a new document does not move a guideline"):
        import_doc(document, key="next", replace=True)
    demo_draft.refresh_from_db()
    assert demo_draft.status == "draft"


def test_the_command_moves_a_guideline_as_the_system_user(demo_draft, system):
    call_command("move_guideline", "next", "--to", "review", "--reason", "S")

    demo_draft.refresh_from_db()
    event = demo_draft.events.get(kind="status_changed")
    assert (demo_draft.status, event.actor, event.channel) == ("review", system, "command")
    with pytest.raises(CommandError, match="does not move from review to superseded"):
        call_command("move_guideline", "next", "--to", "superseded", "--reason", "x")


def test_approval_is_not_a_move(demo_draft, chair):
    """Approving creates the release YYYY.MM after a ballot (releases.services): no route,
    command or service moves a draft to approved in place."""
    with pytest.raises(RuleRefused, match="approving a draft creates its release YYYY.MM"):
        move_between("review", "approved")
    with pytest.raises(CommandError, match="invalid choice: 'approved'"):
        call_command("move_guideline", "next", "--to", "approved", "--reason", "Board")
