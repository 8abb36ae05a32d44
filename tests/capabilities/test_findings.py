"""Findings on a draft against the guideline it replaces, and the chair's overrides (A7.2).

The draft is ``next``, started from the project's 2026.12 (tests/data/capabilities/).
"""

import pytest

from capabilities.selectors import draft_findings
from capabilities.services import capability_move, finding_override
from committee.permissions import NotAllowed
from guidelines.errors import GuidelineError
from guidelines.models import Capability

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(scored_draft):
    return scored_draft


def test_a_change_that_breaks_a_rule_shows_up_as_a_finding(draft, member):
    capability = Capability.objects.get(guideline=draft, key="compute-servers-list")

    capability_move(
        capability=capability, component="os_powered_compute", status="removed", actor=member
    )

    messages = [v.finding.message for v in draft_findings(draft)]
    assert (
        "2017A A4.5: capability compute-servers-list leaves the required list of "
        "os_powered_compute (removed) without having been deprecated in 2026.12"
    ) in messages


def test_required_capabilities_under_the_cutoff_by_their_achievements(draft):
    """Before anyone scores, totals come from the document's achievements (DOMAIN.md s. 3)."""
    under = {v.finding.subject for v in draft_findings(draft) if v.finding.rule == "2017A A4.4"}

    # 72 and 55 by their achievements; 0 by the Non-Admin veto.
    assert under == {"compute-images-create", "compute-keypairs-create", "networks-routers-create"}
    messages = [v.finding.message for v in draft_findings(draft)]
    assert (
        "2017A A4.4: compute-images-create is required but scores 72, under the cut-off 74"
    ) in messages


def test_a_draft_that_keeps_its_source_s_lists_breaks_no_lifecycle_rule(draft):
    rules = {v.finding.rule for v in draft_findings(draft)}

    assert rules == {"2017A A4.4", "Non-Admin"}


def test_the_chair_overrides_a_finding_with_a_justification(draft, chair):
    view = next(v for v in draft_findings(draft) if v.finding.rule == "Non-Admin")
    assert view.finding.subject == "networks-routers-create"
    assert view.override is None

    reason = "Routers are created by users in most clouds"
    finding_override(
        guideline=draft,
        rule=view.finding.rule,
        subject=view.finding.subject,
        justification=reason,
        actor=chair,
    )

    again = next(v for v in draft_findings(draft) if v.finding.key == view.finding.key)
    assert again.override.justification == "Routers are created by users in most clouds"
    assert again.override.by == chair
    event = draft.events.get(kind="finding_overridden")
    assert event.data["justification"] == "Routers are created by users in most clouds"
    assert event.data["finding"] == view.finding.message


def test_an_override_needs_the_chair_a_justification_and_a_finding(draft, chair, member):
    view = next(v for v in draft_findings(draft) if v.finding.rule == "Non-Admin")
    key = dict(guideline=draft, rule=view.finding.rule, subject=view.finding.subject)

    with pytest.raises(NotAllowed, match="for the chair"):
        finding_override(**key, justification="because", actor=member)
    with pytest.raises(GuidelineError, match="needs a written justification"):
        finding_override(**key, justification="  ", actor=chair)
    with pytest.raises(GuidelineError, match="no finding"):
        finding_override(
            guideline=draft,
            rule="2017A A4.6",
            subject="nothing",
            justification="because",
            actor=chair,
        )
    assert not draft.overrides.exists()
