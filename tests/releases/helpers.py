"""Helpers of the publishing tests: a passed approval ballot, the bundle's files."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta

from django.utils import timezone

from votes.models import Ballot
from votes.services import ballot_close, ballot_open, position_set


def passed_ballot(draft, chair, *voters) -> Ballot:
    """An approval ballot on ``draft`` that the chair and ``voters`` passed, closed early."""
    ballot = ballot_open(
        guideline=draft,
        kind="approval",
        question=f"Approve {draft.key} as the next release?",
        closes_at=timezone.now() + timedelta(days=7),
        actor=chair,
    )
    for person in (chair, *voters):
        position_set(ballot=ballot, actor=person, value="yes")
    return ballot_close(ballot=ballot, actor=chair, reason="everyone has voted")


def override_all(draft, chair, justification="The committee agreed on its call") -> int:
    """Answer every open finding on ``draft`` as the chair would; how many there were."""
    from capabilities.services import finding_override
    from releases.services import open_findings

    found = open_findings(draft)
    for finding in found:
        finding_override(
            guideline=draft,
            rule=finding.rule,
            subject=finding.subject,
            justification=justification,
            actor=chair,
        )
    return len(found)


def bundle_members(body: bytes) -> dict[str, bytes]:
    """The bundle's files by name, without the folder they are in."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {
            name.split("/", 1)[1]: archive.read(name)
            for name in archive.namelist()
            if not name.endswith("/")
        }


def checksums_hold(files: dict[str, bytes]) -> list[str]:
    """The files SHA256SUMS lists, after checking each (AssertionError if one differs)."""
    listed = []
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
        listed.append(name)
    return listed
