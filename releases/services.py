"""Approving a draft as its release, and retrying a publishing step.

``guideline_approve`` is the one approval, behind the approve page, the API
(``POST /api/v1/catalog/guidelines/<key>/approval``) and ``manage.py
approve_guideline``. In one transaction, under the draft's row lock, it checks:

- who: the chair (or the system, for operators) (``Action.GUIDELINE_APPROVE``);
- on what: a passed approval ballot on this draft, not used by another release;
  or, for history approved before this site, an explicit reason, recorded;
- the name: a real year and month, after the newest published one (2017A D4.1);
- the drafting rules: no finding of them open (every one fixed, or overridden
  by the chair with a justification, 2017A A7.2);

then publishes (``guidelines.services.publishing``), records the release and
its publishing steps, and queues the steps for after the commit. A failure
anywhere leaves nothing: no release, no superseding, no event.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from capabilities.selectors import draft_findings, worksheet_text
from committee.models import Channel
from committee.permissions import Action, NotAllowed, Standing, require
from committee.record import record
from guidelines.errors import GuidelineError, RuleRefused
from guidelines.models import EventChannel, Guideline
from guidelines.renderings.notes import release_notes_markdown
from guidelines.services.changes import guideline_lock
from guidelines.services.publishing import guideline_publish, require_approvable
from releases.models import STEP_ORDER, PublishingStep, Release, StepStatus
from votes.models import Ballot, BallotKind, BallotStatus

# The guideline log's channel for each committee channel.
GUIDELINE_CHANNEL = {
    Channel.WEB: EventChannel.WEB,
    Channel.API: EventChannel.API,
    Channel.COMMAND: EventChannel.COMMAND,
    Channel.TASK: EventChannel.COMMAND,
}
# A step still "running" after this long lost its worker: it may be retried.
STUCK_AFTER = timedelta(minutes=15)
# How many open findings a refusal names; the rest are counted.
FINDINGS_SHOWN = 8


def _ballot_checked(ballot: Ballot | int, draft: Guideline) -> Ballot:
    """The passed approval ballot on ``draft``'s text as it is now, not used before."""
    pk = ballot.pk if isinstance(ballot, Ballot) else ballot
    # Locked: two approvals citing one ballot serialise here, and the second
    # finds it used by the first's release.
    found = Ballot.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise GuidelineError(f"there is no ballot {pk}")
    if found.guideline_id != draft.pk:
        raise RuleRefused(f"ballot {pk} is about {found.guideline.key}, not {draft.key}")
    if found.kind != BallotKind.APPROVAL:
        raise RuleRefused(
            f"ballot {pk} is a {found.get_kind_display().lower()} ballot, not an approval "
            "ballot: a draft is approved by a passed approval ballot (2017A C6.3)"
        )
    if found.status != BallotStatus.PASSED:
        raise RuleRefused(
            f"ballot {pk} is {found.get_status_display().lower()}: a draft is approved only "
            "after its approval ballot passed (2017A C6.3)"
        )
    used = Release.objects.filter(ballot=found).select_related("guideline").first()
    if used is not None:
        raise RuleRefused(f"ballot {pk} approved {used.guideline.key} already")
    # The committee voted on a text: the draft must still be that text. An approval
    # moves the draft on, so a ballot of an earlier cycle never approves this one.
    voted = found.subject.get("revision") if isinstance(found.subject, dict) else None
    if voted is not None and voted != draft.revision:
        raise RuleRefused(
            f"{draft.key} changed since ballot {pk} opened (revision {voted}, now "
            f"{draft.revision}): the committee voted on another text; open a new approval "
            "ballot (2017A C6.3)"
        )
    earlier = Release.objects.filter(draft=draft, approved_at__gt=found.opened_at).first()
    if earlier is not None:
        raise RuleRefused(
            f"ballot {pk} opened before {draft.key} was approved as {earlier.guideline.key}: "
            "it was about that release; open a new approval ballot (2017A C6.3)"
        )
    return found


def open_findings(draft: Guideline) -> list:
    """The drafting rules' findings on ``draft`` that no override answers."""
    return [view.finding for view in draft_findings(draft) if view.override is None]


def _findings_checked(draft: Guideline) -> list[dict]:
    """Refuse while a finding is open; the overrides the approval rests on, if not."""
    views = draft_findings(draft)
    unanswered = [view.finding for view in views if view.override is None]
    if unanswered:
        shown = "; ".join(
            f"{f.rule} on {f.subject}: {f.message}" for f in unanswered[:FINDINGS_SHOWN]
        )
        more = len(unanswered) - FINDINGS_SHOWN
        raise RuleRefused(
            f"{draft.key} has {len(unanswered)} open findings of the drafting rules; fix each "
            f"or override it with a justification (2017A A7.2) before approval: {shown}"
            + (f"; and {more} more" if more > 0 else "")
        )
    return [
        {
            "rule": view.finding.rule,
            "subject": view.finding.subject,
            "message": view.finding.message,
            "justification": view.override.justification,
            "by": view.override.by.get_username(),
        }
        for view in views
    ]


def _worksheets(draft: Guideline) -> dict[str, str]:
    return {sheet.name: worksheet_text(sheet) for sheet in draft.worksheets.order_by("name")}


@transaction.atomic
def guideline_approve(
    *,
    draft: Guideline,
    name: str,
    actor,
    ballot: Ballot | int | None = None,
    approved_elsewhere: str = "",
    channel: str = Channel.WEB,
) -> Release:
    """Approve ``draft`` as the release ``name`` (``YYYY.MM``); the new Release."""
    standing = require(actor, Action.GUIDELINE_APPROVE)
    approved_elsewhere = (approved_elsewhere or "").strip()
    if (ballot is None) == (not approved_elsewhere):
        raise GuidelineError(
            "an approval rests on a passed approval ballot or, for history approved "
            "elsewhere, a recorded reason: give one of the two, not both"
        )
    # The draft's row lock first (the order every guideline write keeps):
    # two approvals of one draft serialise here.
    draft = guideline_lock(draft)
    require_approvable(draft)
    if approved_elsewhere and standing != Standing.SYSTEM:
        # Otherwise a reason would stand in for the committee's vote.
        raise NotAllowed(
            "Recording an approval made elsewhere is for operators, with manage.py "
            "approve_guideline --approved-elsewhere: on this site a draft is approved after "
            "a passed approval ballot (2017A C6.3).",
            action=Action.GUIDELINE_APPROVE,
        )
    authority: dict = {}
    if ballot is not None:
        ballot = _ballot_checked(ballot, draft)
        authority = {"ballot": ballot.pk, "tally": ballot.tally}
    else:
        authority = {"approved_elsewhere": approved_elsewhere}
    overrides = _findings_checked(draft)
    record_at_approval = {"worksheets": _worksheets(draft), "overrides": overrides}
    release_guideline, superseded = guideline_publish(
        draft=draft,
        name=name,
        actor=actor,
        channel=GUIDELINE_CHANNEL.get(channel, EventChannel.WEB),
        authority=authority,
    )
    replaces = (
        Guideline.objects.filter(key=release_guideline.replaces).first()
        if release_guideline.replaces
        else None
    )
    # The notes as approved, for the bundle: a flag on either guideline later changes
    # the rows, not what was released.
    record_at_approval["notes"] = release_notes_markdown(release_guideline, replaces)
    release = Release.objects.create(
        guideline=release_guideline,
        draft=draft,
        replaces=replaces,
        ballot=ballot,
        approved_elsewhere=approved_elsewhere,
        approved_by=actor,
        superseded=superseded,
        record=record_at_approval,
    )
    PublishingStep.objects.bulk_create(
        PublishingStep(release=release, name=step, position=index)
        for index, step in enumerate(STEP_ORDER)
    )
    record(
        kind="release.approved",
        actor=actor,
        subject=release,
        channel=channel,
        guideline_key=release_guideline.key,
        summary=f"{release_guideline.key} approved"
        + (f", replacing {replaces.key}" if replaces else "")
        + (f"; superseded {', '.join(superseded)}" if superseded else ""),
        data={
            **authority,
            "release": release_guideline.key,
            "draft": draft.key,
            "replaces": replaces.key if replaces else None,
            "superseded": superseded,
        },
    )
    _queue(release)
    return release


def _queue(release: Release) -> None:
    from releases.tasks import publish

    pk = release.pk
    transaction.on_commit(lambda: publish.delay(pk), robust=True)


def retryable(step: PublishingStep, release: Release, now=None) -> bool:
    """Failed; or stuck: waiting (its task was lost) or running (its worker was) too long."""
    if step.status == StepStatus.FAILED:
        return True
    if step.status == StepStatus.DONE:
        return False
    since = step.started_at or release.approved_at
    return (now or timezone.now()) - since > STUCK_AFTER


@transaction.atomic
def step_retry(*, release: Release, step: str, actor, channel: str = Channel.WEB) -> PublishingStep:
    """Run a failed (or stuck) step again, then the steps after it."""
    require(actor, Action.RELEASE_RETRY)
    found = PublishingStep.objects.select_for_update().filter(release=release, name=step).first()
    if found is None:
        raise GuidelineError(f"{release.key} has no publishing step {step!r}")
    if not retryable(found, release):
        raise RuleRefused(
            f"the {found.get_name_display().lower()} step of {release.key} is "
            f"{found.get_status_display().lower()}: only a failed step, or one waiting or "
            f"running for more than {int(STUCK_AFTER.total_seconds() // 60)} minutes, is "
            "retried"
        )
    before = found.status
    found.status = StepStatus.PENDING
    found.error = ""
    found.save(update_fields=["status", "error"])
    record(
        kind="release.step_retried",
        actor=actor,
        subject=release,
        channel=channel,
        guideline_key=release.key,
        summary=f"{release.key}: {found.get_name_display()} retried (was {before})",
        data={"step": step, "before": before},
    )
    _queue(release)
    return found
