"""Writes of compliance: storing a run, registering and removing a public key.

Each is one transaction and recorded in the committee's event log, except the
anonymous upload of a run, which the run itself records (who: nobody; when: its
``created_at``), as RefStack's contract lets anyone upload.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from committee.models import Channel
from committee.permissions import Action, NotAllowed, require
from committee.record import record
from compliance.models import PublicKey, TestRun
from compliance.signing import SignatureError, signature_bytes, ssh_key, unquoted, verify
from compliance.subunit import read_subunit
from compliance.upload import Upload, UploadError, read_upload, run_fields
from guidelines.errors import GuidelineError, VersionConflict

# What a key signs to prove its holder registers it (refstack-client sign).
SELF_SIGNED = b"signature"


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
    run = TestRun.objects.create(
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
            data={"cpid": run.cpid, "tests": run.test_count, "source": source},
        )
    return run


@transaction.atomic
def pubkey_register(*, user, raw_key: str, self_signature: str) -> PublicKey:
    """Register ``raw_key`` for ``user``, who proves holding it by signing b"signature"."""
    require(user, Action.PUBKEY_MANAGE)
    key = ssh_key(unquoted(raw_key), field="raw_key")
    verify(
        key,
        signature_bytes(self_signature, field="self_signature"),
        SELF_SIGNED,
        field="self_signature",
    )
    if PublicKey.objects.filter(fingerprint=key.fingerprint).exists():
        raise VersionConflict("raw_key: this key is registered already")
    try:
        with transaction.atomic():
            stored = PublicKey.objects.create(
                user=user, key=key.key, comment=key.comment, fingerprint=key.fingerprint
            )
    except IntegrityError:
        raise VersionConflict("raw_key: this key is registered already") from None
    record(
        kind="pubkey.registered",
        actor=user,
        subject=stored,
        channel=Channel.API,
        summary=f"Public key SHA256:{key.fingerprint[:16]}... registered",
        data={"fingerprint": key.fingerprint},
    )
    return stored


@transaction.atomic
def pubkey_delete(*, user, pk: int) -> None:
    """Remove one of the caller's own keys; runs it signed stay theirs."""
    require(user, Action.PUBKEY_MANAGE)
    key = PublicKey.objects.select_for_update().filter(pk=pk, user=user).first()
    if key is None:
        raise GuidelineError(f"you have no public key {pk}")
    record(
        kind="pubkey.removed",
        actor=user,
        subject=key,
        channel=Channel.API,
        summary=f"Public key SHA256:{key.fingerprint[:16]}... removed",
        data={"fingerprint": key.fingerprint},
    )
    key.delete()
