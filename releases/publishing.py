"""The publishing steps that follow an approval, run by ``releases.tasks.publish``.

Each step is claimed under its row lock (so two workers never run one step at
once), run in its own transaction, and marked done in that same transaction:
a step is done exactly once. A step that raises is marked failed with the
error, the steps after it wait, and ``releases.services.step_retry`` puts it
back. Running a step again never duplicates anything: renderings and the
bundle are stored once, and the announcement is recorded with the step.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Callable
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from committee.models import Channel, Event
from committee.record import record
from committee.system import system_actor
from guidelines.models import Artifact, ArtifactFormat, GuidelineEvent
from guidelines.services.artifacts import renderings_store, sha256_of
from releases.models import STEP_ORDER, PublishingStep, Release, StepName, StepStatus

logger = logging.getLogger("defcore.publishing")

# The committee events a bundle's log carries: public ones (the Atom feed's).
PUBLIC_COMMITTEE_EVENTS = ("ballot.opened", "ballot.closed", "release.approved")
RENDERINGS = (ArtifactFormat.RST, ArtifactFormat.MARKDOWN, ArtifactFormat.HTML)


def run_pending(release_pk: int) -> list[str]:
    """Run the release's steps that wait, in order; the names of those done now.

    Stops at a step that fails or that another worker is running.
    """
    done = []
    for name in STEP_ORDER:
        attempt = _claim(release_pk, name)
        if attempt is None:
            return done
        if attempt == 0:
            continue  # done already
        mine = PublishingStep.objects.filter(
            release_id=release_pk, name=name, status=StepStatus.RUNNING, attempts=attempt
        )
        try:
            with transaction.atomic():
                release = Release.objects.select_related("guideline", "draft", "replaces").get(
                    pk=release_pk
                )
                RUNNERS[name](release)
                # Only the run that holds the claim completes the step; a run whose
                # claim was taken over (a retry of a step thought stuck) undoes its work.
                if not mine.update(status=StepStatus.DONE, finished_at=timezone.now()):
                    raise Superseded
        except Superseded:
            logger.warning("release %s: step %s was taken over by a retry", release_pk, name)
            return done
        except Exception as exc:  # any failure is the step's, shown on the release page
            logger.exception("release %s: step %s failed", release_pk, name)
            mine.update(
                status=StepStatus.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000] or "failed",
                finished_at=timezone.now(),
            )
            return done
        done.append(name)
    return done


class Superseded(Exception):
    """Another run claimed the step meanwhile: this one's work is rolled back."""


@transaction.atomic
def _claim(release_pk: int, name: str) -> int | None:
    """The attempt this run makes of the step; 0 if it is done; None to stop here."""
    step = (
        PublishingStep.objects.select_for_update(skip_locked=True)
        .filter(release_id=release_pk, name=name)
        .first()
    )
    if step is None or step.status in (StepStatus.RUNNING, StepStatus.FAILED):
        return None  # another worker holds it, runs it, or it waits for a retry
    if step.status == StepStatus.DONE:
        return 0
    step.status = StepStatus.RUNNING
    step.attempts += 1
    step.started_at = timezone.now()
    step.finished_at = None
    step.save(update_fields=["status", "attempts", "started_at", "finished_at"])
    return step.attempts


# The steps.


def _renderings(release: Release) -> None:
    """RST, Markdown and HTML of the release's first revision, from its stored JSON."""
    renderings_store(release.guideline, number=1)


def _bundle(release: Release) -> None:
    if release.bundle is not None:
        return  # built by an earlier run whose acknowledgement was lost
    body = bundle_bytes(release)
    release.bundle = body
    release.bundle_sha256 = sha256_of(body)
    release.save(update_fields=["bundle", "bundle_sha256"])


def _announce(release: Release) -> None:
    """The release is complete: the feed and the webhooks say so, with the bundle's digest."""
    # Under the release's row lock, once: two runs of this step never both announce.
    Release.objects.select_for_update().get(pk=release.pk)
    if Event.objects.filter(
        kind="release.published", subject_type="release", subject_id=str(release.pk)
    ).exists():
        return
    record(
        kind="release.published",
        actor=system_actor(),
        subject=release,
        channel=Channel.TASK,
        guideline_key=release.key,
        summary=f"{release.key} published: JSON, renderings and bundle ready",
        data={
            "release": release.key,
            "bundle_sha256": release.bundle_sha256,
            "document_sha256": first_document(release).sha256,
        },
    )


RUNNERS: dict[str, Callable[[Release], None]] = {
    StepName.RENDERINGS: _renderings,
    StepName.BUNDLE: _bundle,
    StepName.ANNOUNCE: _announce,
}


# The bundle.


def first_document(release: Release) -> Artifact:
    return Artifact.objects.get(guideline=release.guideline, number=1, format=ArtifactFormat.JSON)


def bundle_files(release: Release) -> dict[str, bytes]:
    """What the bundle holds, by file name, checksums aside."""
    key = release.key
    artifacts = {
        a.format: bytes(a.body)
        for a in Artifact.objects.filter(guideline=release.guideline, number=1)
    }
    missing = [fmt for fmt in ("json", *RENDERINGS) if fmt not in artifacts]
    if missing:
        raise RuntimeError(f"{key} has no {', '.join(missing)} artifact yet: renderings first")
    files = {f"{key}.{fmt}": artifacts[fmt] for fmt in ("json", *RENDERINGS)}
    # As approved (``Release.record``): a flag since changes the rows, not the release.
    files["release-notes.md"] = release.record["notes"].encode()
    for name, text in sorted(release.record.get("worksheets", {}).items()):
        files[f"scoring/{name}"] = text.encode()
    files["approval.json"] = _json(approval_record(release))
    files["events.json"] = _json(cycle_events(release))
    return files


def bundle_bytes(release: Release) -> bytes:
    """A zip of the release's files and ``SHA256SUMS`` (``sha256sum -c`` reads it).

    Deterministic: the same release gives the same bytes (names sorted, every
    entry dated at the approval).
    """
    files = bundle_files(release)
    sums = "".join(f"{sha256_of(body)}  {name}\n" for name, body in sorted(files.items()))
    files["SHA256SUMS"] = sums.encode()
    stamp = release.approved_at.astimezone(UTC).timetuple()[:6]
    folder = release.key
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _json(value) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n").encode()


def approval_record(release: Release) -> dict:
    """What the approval rests on: the ballot with its tally and positions, or the reason."""
    result = {
        "release": release.key,
        "draft": release.draft.key,
        "replaces": release.replaces.key if release.replaces else None,
        "approved_at": release.approved_at.isoformat(),
        "approved_by": release.approved_by.get_username(),
        "superseded": release.superseded,
        "overridden_findings": release.record.get("overrides", []),
    }
    ballot = release.ballot
    if ballot is None:
        result["approved_elsewhere"] = release.approved_elsewhere
        return result
    positions = ballot.positions.filter(current=True).select_related("voter").order_by("at", "pk")
    result["ballot"] = {
        "id": ballot.pk,
        "question": ballot.question,
        "outcome": ballot.status,
        "opened_at": ballot.opened_at.isoformat(),
        "opened_by": ballot.opened_by.get_username(),
        "closes_at": ballot.closes_at.isoformat(),
        "closed_at": ballot.closed_at.isoformat() if ballot.closed_at else None,
        "quorum": ballot.quorum,
        "threshold": ballot.threshold,
        "tally": ballot.tally,
        "electorate": sorted(v.user.get_username() for v in ballot.voters.select_related("user")),
        # A closed ballot's positions are public, hidden ones included.
        "positions": [
            {
                "voter": p.voter.get_username(),
                "value": p.value,
                "reason": p.reason,
                "at": p.at.isoformat(),
            }
            for p in positions
        ],
    }
    return result


def cycle_events(release: Release) -> list[dict]:
    """The cycle's public event log, oldest first: the draft's and the release's guideline
    events since the previous release of that draft, and the ballots' and approval's."""
    previous = (
        Release.objects.filter(draft=release.draft, approved_at__lt=release.approved_at)
        .order_by("-approved_at")
        .first()
    )
    since = previous.approved_at if previous else None
    window = {"created_at__lte": release.approved_at}
    if since is not None:
        window["created_at__gt"] = since
    rows = [
        {
            "at": e.created_at.isoformat(),
            "guideline": e.guideline.key,
            "kind": e.kind,
            "actor": e.actor.get_username(),
            "channel": e.channel,
            "subject": e.subject,
            "summary": e.summary,
        }
        for e in GuidelineEvent.objects.filter(
            guideline__in=[release.draft, release.guideline], **window
        ).select_related("guideline", "actor")
    ]
    # Up to the approval's own record, which is written just after the release.
    approval = Event.objects.filter(
        kind="release.approved", subject_type="release", subject_id=str(release.pk)
    ).first()
    committee_window = {"at__lte": approval.at if approval else release.approved_at}
    if since is not None:
        committee_window["at__gt"] = since
    rows += [
        {
            "at": e.at.isoformat(),
            "guideline": e.guideline_key,
            "kind": e.kind,
            "actor": e.actor.get_username(),
            "channel": e.channel,
            "subject": f"{e.subject_type} {e.subject_id}",
            "summary": e.summary,
        }
        for e in Event.objects.filter(
            guideline_key__in=[release.draft.key, release.key],
            kind__in=PUBLIC_COMMITTEE_EVENTS,
            **committee_window,
        ).select_related("actor")
    ]
    return sorted(rows, key=lambda row: row["at"])
