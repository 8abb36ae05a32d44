"""Reading releases: the list, one release with its steps, and what an approval needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from capabilities.selectors import draft_findings
from guidelines.interop_format.schemas import schema_violations
from guidelines.models import Guideline
from guidelines.selectors import guideline_document
from guidelines.services.publishing import published_of_kind
from releases.models import PublishingStep, Release, StepStatus
from votes.models import Ballot, BallotKind, BallotStatus


def releases():
    return Release.objects.select_related(
        "guideline", "draft", "replaces", "ballot", "approved_by"
    ).prefetch_related("steps")


def release_get(key: str) -> Release | None:
    return releases().filter(guideline__key=key).first()


def progress(release: Release) -> dict:
    """Where publishing stands: each step, and whether all are done or one failed."""
    steps: list[PublishingStep] = list(release.steps.all())
    statuses = {step.status for step in steps}
    if statuses == {StepStatus.DONE}:
        state = "done"
    elif StepStatus.FAILED in statuses:
        state = "failed"
    else:
        state = "running"
    return {"state": state, "steps": steps}


@dataclass
class ApprovalForm:
    """What the approve page shows before the chair decides."""

    draft: Guideline
    ballots: list[Ballot]  # passed approval ballots on the draft, not yet used
    findings: list  # FindingView: overridden or open
    open_findings: int
    newest: Guideline | None  # the newest published guideline of the draft's kind
    suggested_name: str
    kept: int  # how many approved guidelines of a kind stay approved
    violations: list[tuple[str, str]]  # where the draft breaks the corrected schema


def approval_form(draft: Guideline) -> ApprovalForm:
    ballots = list(
        Ballot.objects.filter(
            guideline=draft,
            kind=BallotKind.APPROVAL,
            status=BallotStatus.PASSED,
            release__isnull=True,
        ).order_by("-closed_at")
    )
    findings = draft_findings(draft)
    history = published_of_kind(draft.family)
    today = timezone.localdate()
    return ApprovalForm(
        draft=draft,
        ballots=ballots,
        findings=findings,
        open_findings=sum(1 for view in findings if view.override is None),
        newest=history[0] if history else None,
        suggested_name=f"{today.year}.{today.month:02d}",
        kept=settings.APPROVED_GUIDELINES_KEPT,
        # The release is validated at approval; saying so now saves a refused attempt.
        violations=schema_violations(guideline_document(draft), draft.schema),
    )
