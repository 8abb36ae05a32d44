"""A chair's written answer to a process finding (2017A A7.2)."""

from __future__ import annotations

from django.db import transaction

from capabilities.selectors import draft_findings
from committee.permissions import Action, require
from guidelines.errors import GuidelineError
from guidelines.lifecycle import Change
from guidelines.models import EventChannel, EventKind, Guideline, RuleOverride
from guidelines.services import guideline_change_begin, guideline_record_change


@transaction.atomic
def finding_override(
    *,
    guideline: Guideline,
    rule: str,
    subject: str,
    justification: str,
    actor,
    channel: str = EventChannel.WEB,
) -> RuleOverride:
    """Accept a finding with a justification; it stays listed, marked and explained."""
    require(actor, Action.FINDING_OVERRIDE)
    justification = (justification or "").strip()
    if not justification:
        raise GuidelineError("an override needs a written justification (2017A A7.2)")
    guideline = guideline_change_begin(
        guideline, change=Change.OVERRIDE, what=f"overriding {rule} for {subject}"
    )
    current = {view.finding.key: view for view in draft_findings(guideline)}
    if (rule, subject) not in current:
        raise GuidelineError(f"{guideline.key} has no finding {rule} about {subject!r} to override")
    override, _ = RuleOverride.objects.update_or_create(
        guideline=guideline,
        rule=rule,
        subject=subject,
        defaults={"justification": justification, "by": actor},
    )
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.FINDING_OVERRIDDEN,
        actor=actor,
        channel=channel,
        subject=f"{rule} {subject}",
        summary=f"Overrode {rule} for {subject}: {justification}",
        data={
            "rule": rule,
            "finding": current[(rule, subject)].finding.message,
            "justification": justification,
        },
        content_changed=False,
    )
    return override
