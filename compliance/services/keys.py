"""Registering and removing the public keys that sign uploads (refstack-client sign)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from committee.models import Channel
from committee.permissions import Action, require
from committee.record import record
from compliance.models import PublicKey
from compliance.signing import signature_bytes, ssh_key, unquoted, verify
from guidelines.errors import GuidelineError, VersionConflict

# What a key signs to prove its holder registers it (refstack-client sign).
SELF_SIGNED = b"signature"


@transaction.atomic
def pubkey_register(
    *, user, raw_key: str, self_signature: str, channel: str = Channel.API
) -> PublicKey:
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
        channel=channel,
        summary=f"Public key SHA256:{key.fingerprint[:16]}... registered",
        data={"fingerprint": key.fingerprint},
    )
    return stored


@transaction.atomic
def pubkey_delete(*, user, pk: int, channel: str = Channel.API) -> None:
    """Remove one of the caller's own keys; runs it signed stay theirs."""
    require(user, Action.PUBKEY_MANAGE)
    key = PublicKey.objects.select_for_update().filter(pk=pk, user=user).first()
    if key is None:
        raise GuidelineError(f"you have no public key {pk}")
    record(
        kind="pubkey.removed",
        actor=user,
        subject=key,
        channel=channel,
        summary=f"Public key SHA256:{key.fingerprint[:16]}... removed",
        data={"fingerprint": key.fingerprint},
    )
    key.delete()
