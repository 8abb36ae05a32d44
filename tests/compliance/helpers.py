"""refstack-client's wire format, made here: the body it posts and the signatures it makes."""

from __future__ import annotations

import json
from functools import cache

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


@cache
def private_key(name: str = "vendor") -> rsa.RSAPrivateKey:
    """One RSA key per name for the whole session (generating one takes a moment)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_key(name: str = "vendor") -> str:
    """The OpenSSH public key, with a comment, as ``~/.ssh/id_rsa.pub`` holds it."""
    raw = (
        private_key(name)
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    return f"{raw.decode()} {name}@example.org"


def sign(data: bytes, name: str = "vendor") -> str:
    """What refstack-client sends as X-Signature: hex PKCS#1 v1.5 SHA-256."""
    return private_key(name).sign(data, padding.PKCS1v15(), hashes.SHA256()).hex()


def body(tests, cpid: str = "cloud-1234", duration: int = 3600) -> bytes:
    """``json.dumps`` of what refstack-client uploads: results as [{"name", "uuid"}]."""
    results = [{"name": name, "uuid": uuid} for name, uuid in tests]
    return json.dumps({"cpid": cpid, "duration_seconds": duration, "results": results}).encode()
