"""Criteria and weights: the chair changes them in a draft; frozen afterwards (2017A A4.3)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from capabilities.selectors import scoring_table
from capabilities.services import criterion_update
from guidelines.errors import GuidelineError, RuleRefused
from guidelines.models import Criterion
from tests.guidelines.helpers import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(demo):
    """The demo 2026.06 (approved)."""
    return demo


@pytest.fixture
def draft(demo_draft):
    """``next``, started from the demo."""
    return demo_draft


def criterion(guideline, key):
    return Criterion.objects.get(guideline=guideline, key=key)


def test_the_chair_changes_a_weight_and_totals_follow(draft, chair):
    row_before = next(r for r in scoring_table(draft).rows if r.key == "compute-servers-list")

    criterion_update(criterion=criterion(draft, "doc"), changes={"weight": 10}, actor=chair)

    row = next(r for r in scoring_table(draft).rows if r.key == "compute-servers-list")
    assert row.total.value == row_before.total.value + 2
    assert export(draft)["metadata"]["scoring"]["criteria"]["doc"]["weight"] == 10
    event = draft.events.get(kind="criterion_changed")
    assert (event.data["before"]["weight"], event.data["after"]["weight"]) == (8, 10)


def test_criteria_are_frozen_once_the_draft_leaves_draft_status(approved, chair):
    with pytest.raises(RuleRefused, match="2017A A4.3"):
        criterion_update(criterion=criterion(approved, "doc"), changes={"weight": 10}, actor=chair)
    assert criterion(approved, "doc").weight == 8


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"weight": -1}, "not a whole number"),
        ({"weight": "8"}, "not a whole number"),
        ({"name": " "}, "cannot be empty"),
        ({"key": "x"}, "cannot change key"),
    ],
)
def test_bad_criterion_changes_are_refused(draft, chair, changes, message):
    with pytest.raises(GuidelineError, match=message):
        criterion_update(criterion=criterion(draft, "doc"), changes=changes, actor=chair)
    assert criterion(draft, "doc").weight == 8


def test_only_the_chair_changes_criteria_also_through_the_api(draft, member, chair):
    target = criterion(draft, "doc")

    def client_for(user):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        return api

    refused = client_for(member).patch(
        f"/api/v1/criteria/{target.pk}", {"weight": 9}, format="json"
    )
    changed = client_for(chair).patch(f"/api/v1/criteria/{target.pk}", {"weight": 9}, format="json")

    assert refused.status_code == 403
    assert changed.status_code == 200 and changed.json()["weight"] == 9
