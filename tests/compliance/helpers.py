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


# Vendors, products and verified runs, set up directly (the services have their own tests).


def passing_tests(guideline, target: str = "platform", *, drop=()) -> list[tuple[str, str]]:
    """(name, uuid) of every unflagged required test of ``target``, but those of the
    capabilities in ``drop``: a run that complies, or fails exactly those."""
    from tests.compliance.test_report import required_tests

    found = required_tests(guideline, target)
    return sorted(
        (name, uuid) for name, (capability, uuid) in found.items() if capability not in drop
    )


def a_vendor(admin, name: str = "Example Cloud Inc", status: str = "official"):
    from django.utils.text import slugify

    from compliance.models import Vendor

    vendor = Vendor.objects.create(name=name, slug=slugify(name), status=status)
    vendor.admins.add(admin)
    return vendor


def a_product(vendor, name: str = "Example Cloud", kind: str = "public-cloud", public=True):
    from django.utils.text import slugify

    from compliance.models import Product

    return Product.objects.create(
        vendor=vendor, name=name, slug=slugify(name), kind=kind, public=public
    )


def a_version(product, version: str = "1.0", cpid: str = ""):
    from compliance.models import ProductVersion

    return ProductVersion.objects.create(product=product, version=version, cpid=cpid)


def a_run(tests, *, owner=None, version=None, cpid: str = "cloud-1234"):
    """A run as if uploaded (signed by ``owner`` when given), linked to ``version``."""
    from compliance.models import TestRun

    return TestRun.objects.create(
        cpid=cpid,
        duration_seconds=600,
        tests=[list(test) for test in tests],
        test_count=len(tests),
        owner=owner,
        product_version=version,
    )


def a_verified_run(version, guideline, staff, *, owner, target: str = "platform"):
    """A run of ``version`` with every required test of ``guideline``, verified by ``staff``
    (a run that fails a required capability is not verified: see run_verify)."""
    from compliance.services import run_verify

    run = a_run(passing_tests(guideline, target), owner=owner, version=version)
    return run_verify(actor=staff, pk=run.pk, guideline=guideline, target=target)
