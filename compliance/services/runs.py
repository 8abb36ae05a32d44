"""Writes of runs: storing an upload, sharing a signed run, linking it to a product
version, and the staff's verification, after which the run changes no more.

Each is one transaction recorded in the committee's event log, except the
anonymous upload of a run, which the run itself records (who: nobody; when: its
``created_at``), as RefStack's contract lets anyone upload.
"""

from __future__ import annotations

from django.db import transaction

from committee.models import Channel
from committee.permissions import Action, NotAllowed, is_staff, require
from committee.record import record
from compliance.models import ProductVersion, PublicKey, TestRun, Verification
from compliance.report import report
from compliance.selectors import administered
from compliance.signing import SignatureError, signature_bytes, ssh_key, verify
from compliance.subunit import read_subunit
from compliance.upload import Upload, UploadError, read_upload, run_fields
from guidelines.errors import GuidelineError, RuleRefused
from guidelines.lifecycle import APPROVED
from guidelines.models import Guideline
from guidelines.selectors import guideline_bundle
from guidelines.testlist import TestListError


class UnknownKey(NotAllowed):
    """A signed upload whose key nobody registered: RefStack's 401."""


def run_upload(*, body: bytes, signature: str = "", public_key: str = "") -> TestRun:
    """Store a run refstack-client uploaded (JSON); signed runs belong to the key's owner."""
    owner = _signer(body, signature, public_key)
    return _store(read_upload(body), owner, source="json")


def run_upload_subunit(
    *, body: bytes, cpid, duration_seconds, signature: str = "", public_key: str = ""
) -> TestRun:
    """Store a run from its subunit v2 stream, failures and skips kept."""
    problems = run_fields(cpid, duration_seconds)
    if problems:
        raise UploadError(problems)
    owner = _signer(body, signature, public_key)
    upload = read_subunit(body, cpid=cpid, duration_seconds=duration_seconds)
    return _store(upload, owner, source="subunit")


def _signer(body: bytes, signature: str, public_key: str):
    """The owner of the key that signed ``body``; None if unsigned.

    The signature is checked before the key is looked up, as RefStack did, so a
    forged signature is a 400 and an unknown key a 401.
    """
    if not (signature or public_key):
        return None
    if not (signature and public_key):
        raise SignatureError(
            "a signed upload sends both X-Signature and X-Public-Key; an unsigned one neither"
        )
    key = ssh_key(public_key)
    verify(key, signature_bytes(signature), body)
    found = PublicKey.objects.select_related("user").filter(fingerprint=key.fingerprint).first()
    if found is None or not found.user.is_active:
        raise UnknownKey("X-Public-Key: no user has registered this key")
    return found.user


@transaction.atomic
def _store(upload: Upload, owner, *, source: str) -> TestRun:
    version = _version_of(upload.cpid, owner)
    run = TestRun.objects.create(
        product_version=version,
        cpid=upload.cpid,
        duration_seconds=upload.duration_seconds,
        tests=upload.tests,
        test_count=len(upload.tests),
        failed=upload.failed,
        skipped=upload.skipped,
        source=source,
        owner=owner,
    )
    if owner is not None:
        record(
            kind="run.uploaded",
            actor=owner,
            subject=run,
            channel=Channel.API,
            summary=f"Signed test run {run.id} uploaded ({run.test_count} tests passed)",
            data={
                "cpid": run.cpid,
                "tests": run.test_count,
                "source": source,
                "product_version": str(version.pk) if version else None,
            },
        )
    return run


def _version_of(cpid: str, owner):
    """RefStack's rule: a signed run goes to the product version whose cpid is the run's,
    when exactly one version has it and the run's owner administers its vendor. An
    unsigned run is nobody's to link: anyone may claim any cpid."""
    if owner is None:
        return None
    found = list(ProductVersion.objects.filter(cpid=cpid).select_related("product")[:2])
    if len(found) != 1:
        return None
    admins = found[0].product.vendor.admins
    return found[0] if admins.filter(pk=owner.pk).exists() else None


def _own_run(actor, pk) -> TestRun:
    """The run ``pk``, locked, for its owner (or the staff) to change; refused once verified."""
    require(actor, Action.RUN_MANAGE)
    run = TestRun.objects.select_for_update().filter(pk=pk).first()
    if run is None:
        raise GuidelineError(f"there is no test run {pk}")
    if run.owner_id is None:
        raise RuleRefused(
            f"run {run.id} is unsigned: only a signed run has an owner to share or link it"
        )
    if run.owner_id != actor.pk and not is_staff(actor):
        raise NotAllowed(
            "Sharing and linking a test run is for its owner: the run was signed by someone else.",
            action=Action.RUN_MANAGE,
        )
    if run.verifications.exists():
        raise RuleRefused(f"run {run.id} is verified: a verified run changes no more")
    return run


@transaction.atomic
def run_share(*, actor, pk, shared: bool, channel: str = Channel.WEB) -> TestRun:
    """Make a signed run public (RefStack's shared meta), or private again."""
    run = _own_run(actor, pk)
    if run.shared == shared:
        return run
    run.shared = shared
    run.save(update_fields=["shared"])
    record(
        kind="run.shared" if shared else "run.unshared",
        actor=actor,
        subject=run,
        channel=channel,
        summary=f"Test run {run.id} {'shared' if shared else 'made private'}",
    )
    return run


@transaction.atomic
def run_link(*, actor, pk, version_id, channel: str = Channel.WEB) -> TestRun:
    """Link a signed run to a version of a product of a vendor the actor administers;
    ``version_id`` None unlinks it."""
    run = _own_run(actor, pk)
    version = None
    if version_id is not None:
        # Among the actor's own vendors only: another vendor's versions are not theirs to
        # link to, nor to learn about.
        version = (
            ProductVersion.objects.select_related("product__vendor")
            .filter(pk=version_id, product__vendor__in=administered(actor))
            .first()
        )
        if version is None:
            raise GuidelineError(
                f"product_version_id: you administer no product version {version_id}"
            )
    if run.product_version_id == (version.pk if version else None):
        return run
    run.product_version = version
    run.save(update_fields=["product_version"])
    record(
        kind="run.linked" if version else "run.unlinked",
        actor=actor,
        subject=run,
        channel=channel,
        summary=(
            f"Test run {run.id} linked to {version}" if version else f"Test run {run.id} unlinked"
        ),
        data={"product_version": str(version.pk) if version else None},
    )
    return run


@transaction.atomic
def run_verify(*, actor, pk, guideline, target: str = "", channel: str = Channel.WEB):
    """The staff verify that a run linked to a product complies with an approved
    guideline for a target; the run is immutable from then on."""
    require(actor, Action.RUN_VERIFY)
    run = TestRun.objects.select_for_update().filter(pk=pk).first()
    if run is None:
        raise GuidelineError(f"there is no test run {pk}")
    # Read again under its lock: a guideline superseded meanwhile verifies nothing.
    guideline = Guideline.objects.select_for_update().get(pk=guideline.pk)
    if run.product_version_id is None:
        raise RuleRefused(
            f"run {run.id} is linked to no product: its owner links it to a product version "
            "before it is verified"
        )
    if run.owner_id == actor.pk or (
        run.product_version.product.vendor.admins.filter(pk=actor.pk).exists()
    ):
        # The foundation's word is someone else's than the vendor's own.
        raise RuleRefused(
            f"run {run.id} is yours or your vendor's: another of the staff verifies it"
        )
    if guideline.status != APPROVED:
        # The policy names the newest approved guidelines; a superseded one no longer counts.
        raise GuidelineError(
            f"guideline: {guideline.key} is {guideline.status}; a run is verified against an "
            "approved guideline"
        )
    try:
        found = report(run, guideline_bundle(guideline), target or None)
    except TestListError as exc:
        raise GuidelineError(f"target: {exc}") from None
    if not found.compliant:
        failing = [c.name for c in found.capabilities if c.status == "required" and not c.passed]
        raise RuleRefused(
            f"run {run.id} does not comply with {guideline.key} ({found.target}): "
            f"{', '.join(failing)} not passed"
        )
    if run.verifications.filter(guideline=guideline, target=found.target).exists():
        raise RuleRefused(
            f"run {run.id} is verified against {guideline.key} {found.target} already"
        )
    verification = Verification.objects.create(
        run=run,
        guideline=guideline,
        target=found.target,
        capabilities={c.name: c.passed for c in found.capabilities},
        verified_by=actor,
    )
    record(
        kind="run.verified",
        actor=actor,
        subject=run,
        channel=channel,
        summary=f"Test run {run.id} verified: {guideline.key} {found.target}",
        data={
            "guideline": guideline.key,
            "target": found.target,
            "product_version": str(run.product_version_id),
        },
        guideline_key=guideline.key,
    )
    return verification
