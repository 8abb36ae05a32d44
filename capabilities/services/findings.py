"""A chair's written answer to a process finding (2017A A7.2)."""

from __future__ import annotations

from django.db import transaction

from capabilities.selectors import draft_findings
from capabilities.services.editing import require_chair
from guidelines.models import EventChannel, EventKind, Guideline, RuleOverride
from guidelines.services import GuidelineError, guideline_record_change


@transaction.atomic
def finding_override(
    *,
    guideline: Guideline,
    rule: str,
    subject: str,
    justification: str,
    chair,
    channel: str = EventChannel.WEB,
) -> RuleOverride:
    """Accept a finding with a justification; it stays listed, marked and explained."""
    require_chair(chair, "Overriding a process finding")
    justification = (justification or "").strip()
    if not justification:
        raise GuidelineError("an override needs a written justification (2017A A7.2)")
    current = {view.finding.key: view for view in draft_findings(guideline)}
    if (rule, subject) not in current:
        raise GuidelineError(f"{guideline.key} has no finding {rule} about {subject!r} to override")
    override, _ = RuleOverride.objects.update_or_create(
        guideline=guideline,
        rule=rule,
        subject=subject,
        defaults={"justification": justification, "by": chair},
    )
    guideline_record_change(
        guideline=guideline,
        kind=EventKind.FINDING_OVERRIDDEN,
        actor=chair,
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
