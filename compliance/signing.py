"""refstack-client's signatures: RSA PKCS#1 v1.5 over SHA-256, hex-encoded, with an
OpenSSH public key (``ssh-rsa AAAA... comment``).

Each refusal says which part is wrong, as RefStack's did, but never as a 500.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_ssh_public_key

from guidelines.errors import GuidelineError

# An RSA key of 16384 bits is about 2.8 kB in OpenSSH form; nothing real is longer.
MAX_KEY_CHARS = 4096
MAX_SIGNATURE_CHARS = 4096
HEX = re.compile(r"\A[0-9a-fA-F]+\Z")


class SignatureError(GuidelineError):
    """A malformed key or signature, or a signature that does not verify (400)."""


@dataclass(frozen=True)
class SshKey:
    key: str  # "ssh-rsa AAAA...": what is stored and matched
    comment: str
    fingerprint: str  # hex SHA-256 of the key blob
    public: rsa.RSAPublicKey


def ssh_key(text: str, *, field: str = "X-Public-Key") -> SshKey:
    """Parse an OpenSSH RSA public key; SignatureError naming ``field`` if it is not one."""
    text = (text or "").strip()
    if not text or len(text) > MAX_KEY_CHARS or "\x00" in text:
        raise SignatureError(f"{field}: malformed public key (an OpenSSH ssh-rsa key)")
    parts = text.split(None, 2)
    if len(parts) < 2 or parts[0] != "ssh-rsa":
        raise SignatureError(f"{field}: malformed public key: it must start with ssh-rsa")
    try:
        blob = base64.b64decode(parts[1], validate=True)
        public = load_ssh_public_key(f"{parts[0]} {parts[1]}".encode())
    except (ValueError, UnsupportedAlgorithm, base64.binascii.Error):
        raise SignatureError(f"{field}: malformed public key") from None
    if not isinstance(public, rsa.RSAPublicKey):
        raise SignatureError(f"{field}: malformed public key: only RSA keys are accepted")
    return SshKey(
        key=f"{parts[0]} {parts[1]}",
        comment=parts[2].strip()[:200] if len(parts) > 2 else "",
        fingerprint=hashlib.sha256(blob).hexdigest(),
        public=public,
    )


def signature_bytes(text: str, *, field: str = "X-Signature") -> bytes:
    text = (text or "").strip()
    # refstack-client sign prints Python bytes literals: b'...'.
    if text.startswith(("b'", 'b"')) and text.endswith(text[1]) and len(text) >= 3:
        text = text[2:-1]
    if not text or len(text) > MAX_SIGNATURE_CHARS or len(text) % 2 or not HEX.match(text):
        raise SignatureError(f"{field}: malformed signature (the hex of an RSA signature)")
    return bytes.fromhex(text)


def verify(key: SshKey, signature: bytes, data: bytes, *, field: str = "X-Signature") -> None:
    """SignatureError unless ``signature`` is ``key``'s PKCS#1 v1.5 SHA-256 signature of
    ``data``."""
    try:
        key.public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        raise SignatureError(f"{field}: signature verification failed") from None


def unquoted(text: str) -> str:
    """A key as ``refstack-client sign`` prints it (``b'ssh-rsa ...'``), or as is."""
    text = (text or "").strip()
    if text.startswith(("b'", 'b"')) and text.endswith(text[1]) and len(text) >= 3:
        return text[2:-1]
    return text
