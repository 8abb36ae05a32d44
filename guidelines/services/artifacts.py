"""Storing the bytes a published guideline is served from (``guidelines.models.Artifact``).

Called inside the transaction of the change that makes them: an approval
(revision 1, validated), a flag change on a published guideline (the next
revision), an import of history that was published elsewhere (revision 1, as it
came). The renderings of a revision are stored by the publishing tasks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

from django.db import transaction
from django.utils import timezone

from guidelines import bulk
from guidelines.errors import GuidelineError
from guidelines.interop_format.schemas import schema_violations
from guidelines.lifecycle import PUBLISHED
from guidelines.models import Artifact, ArtifactFormat, Guideline
from guidelines.selectors import document_bytes, guideline_document, guideline_document_bytes

# The human-readable renderings stored beside each published revision's JSON.
RENDERED = (ArtifactFormat.RST, ArtifactFormat.MARKDOWN, ArtifactFormat.HTML)
# How many violations a refusal lists; the rest are counted.
VIOLATIONS_SHOWN = 10


def sha256_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def latest_document(guideline: Guideline) -> Artifact | None:
    """The JSON revision tooling is served now; None if the guideline has none."""
    return Artifact.objects.documents().filter(guideline=guideline).order_by("-number").first()


def document_validate(guideline: Guideline, document: dict) -> None:
    """GuidelineError listing where ``document`` breaks the corrected schema of its generation."""
    violations = schema_violations(document, guideline.schema)
    if not violations:
        return
    shown = "; ".join(f"/{path}: {message}" for path, message in violations[:VIOLATIONS_SHOWN])
    more = len(violations) - VIOLATIONS_SHOWN
    raise GuidelineError(
        f"{guideline.key} does not validate against the corrected schema {guideline.schema} "
        f"({len(violations)} violations): {shown}" + (f"; and {more} more" if more > 0 else "")
    )


@dataclass(frozen=True)
class WrittenBody:
    """A document written to a file: stored from it a piece at a time."""

    file: BinaryIO  # at its start
    size: int
    sha256: str


def document_revision_store(
    guideline: Guideline, *, validate: bool, body: bytes | WrittenBody | None = None
) -> Artifact:
    """Store the guideline's JSON document as it is now, as its next published revision.

    ``validate``: refuse (GuidelineError, naming each violation) a document the
    corrected schema rejects. ``body``: the guideline's document as it is now,
    when the caller has it already (an import has just written it from the
    rows it stored). The caller holds the guideline's row lock, so revision
    numbers never collide.
    """
    if validate:
        document = guideline_document(guideline)
        document_validate(guideline, document)
        body = document_bytes(document) if body is None else body
    elif body is None:
        body = guideline_document_bytes(guideline)
    previous = latest_document(guideline)
    digest = body.sha256 if isinstance(body, WrittenBody) else sha256_of(body)
    if previous is not None and previous.sha256 == digest:
        return previous  # nothing changed in what tooling gets: no new revision
    number = previous.number + 1 if previous else 1
    if isinstance(body, WrittenBody):
        values = {
            "guideline_id": guideline.pk,
            "number": number,
            "format": ArtifactFormat.JSON,
            "sha256": digest,
            "size": body.size,
            "validated": validate,
            "created_at": timezone.now(),
        }
        bulk.insert_with_blob(Artifact, values, "body", body.file, body.size)
        # Without its body: the caller has it already.
        return Artifact.objects.defer("body").get(
            guideline=guideline, number=number, format=ArtifactFormat.JSON
        )
    return Artifact.objects.create(
        guideline=guideline,
        number=number,
        format=ArtifactFormat.JSON,
        body=body,
        sha256=digest,
        size=len(body),
        validated=validate,
    )


def document_revision_before_change(
    guideline: Guideline, *, body: bytes | WrittenBody | None = None
) -> Artifact | None:
    """Before a published guideline changes: make sure what was served is kept.

    History imported before artifacts existed has none; its current document
    becomes revision 1, so the change that follows is revision 2 and the bytes
    tooling had stay downloadable.
    """
    if guideline.status not in PUBLISHED:
        return None
    return latest_document(guideline) or document_revision_store(
        guideline, validate=False, body=body
    )


def document_revision_after_change(guideline: Guideline) -> Artifact | None:
    """After a published guideline changed (by a flag): its next revision.

    A guideline whose last revision was validated must stay valid: the change is
    refused otherwise.
    """
    if guideline.status not in PUBLISHED:
        return None
    previous = latest_document(guideline)
    stored = document_revision_store(guideline, validate=bool(previous and previous.validated))
    if previous is not None and stored.pk != previous.pk:
        _render_at_commit(guideline.pk, stored.number)
    return stored


def _render_at_commit(guideline_pk: int, number: int) -> None:
    """Queue the new revision's renderings for after the commit, as approvals do."""
    from guidelines.tasks import render_revision

    transaction.on_commit(lambda: render_revision.delay(guideline_pk, number), robust=True)


def rendering_store(guideline: Guideline, *, number: int, fmt: str, text: str) -> Artifact:
    """Store one rendering of a published revision; storing it again keeps the first.

    The publishing task may run twice (a retry after a lost acknowledgement):
    the unique (guideline, number, format) makes the second a no-op.
    """
    body = text.encode()
    artifact, _ = Artifact.objects.get_or_create(
        guideline=guideline,
        number=number,
        format=fmt,
        defaults={"body": body, "sha256": sha256_of(body), "size": len(body), "validated": False},
    )
    return artifact


def renderings_store(guideline: Guideline, *, number: int) -> list[Artifact]:
    """The RST, Markdown and HTML of published revision ``number``, stored once.

    Rendered from that revision's stored JSON, not from the rows as they are
    now: a rendering made late (a retry, a flag since) still shows its revision.
    """
    from guidelines.interop_format.fields import Report
    from guidelines.interop_format.reader import parse_json, read_document
    from guidelines.renderings import render_bundle

    stored = Artifact.objects.get(guideline=guideline, number=number, format=ArtifactFormat.JSON)
    bundle = read_document(parse_json(bytes(stored.body), Report()), Report())
    bundle.guideline.key = guideline.key
    return [
        rendering_store(guideline, number=number, fmt=fmt, text=render_bundle(bundle, fmt))
        for fmt in RENDERED
    ]
