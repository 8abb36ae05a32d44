"""The vendors' web workflow, end to end through the pages.

A reviewer registers a vendor, adds a product and a version and submits it; the
staff approve it (declining needs a reason). Someone else gets 403 on every write
and 404 on the private pages. The keys page registers a key with a real
self-signature and refuses a bad one beside its field. On the run page the owner
shares and links a run, the staff verify a compliant linked run, and a verified
run refuses any change (409).
"""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client

from committee.models import Event
from compliance.models import Product, ProductVersion, PublicKey, TestRun, Vendor, Verification
from tests.compliance.helpers import (
    a_product,
    a_run,
    a_vendor,
    a_verified_run,
    a_version,
    passing_tests,
    public_key,
    sign,
)
from tests.compliance.test_report import required_tests

pytestmark = pytest.mark.django_db


def client_of(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def field_error(response, field: str) -> str:
    """The error shown beside ``field`` (the id its input's aria-describedby names)."""
    html = text(response)
    marker = f'id="id_{field}_error">'
    assert marker in html, f"no error beside {field}"
    return unescape(html.split(marker, 1)[1].split("</span>", 1)[0])


# The workflow of a vendor


def test_a_reviewer_registers_a_vendor_adds_a_product_and_a_version_and_submits_it(reviewer):
    web = client_of(reviewer)
    assert "Register a vendor" in text(web.get("/vendors/"))

    created = web.post(
        "/vendors/",
        {"name": "Acme Clouds", "description": "Clouds.", "url": "https://acme.example"},
    )
    assert created.status_code == 302 and created["Location"] == "/vendors/acme-clouds/"
    vendor = Vendor.objects.get(slug="acme-clouds")
    assert vendor.status == "private" and list(vendor.admins.all()) == [reviewer]
    page = web.get("/vendors/acme-clouds/")
    assert "is registered, private" in text(page)  # the message
    assert "Submit for the foundation" in text(page) and "Add a product" in text(page)

    added = web.post(
        "/vendors/acme-clouds/products/",
        {"name": "Acme OS", "kind": "distribution", "url": "", "public": "on"},
    )
    assert added.status_code == 302 and added["Location"] == "/vendors/acme-clouds/acme-os/"
    product = Product.objects.get(vendor=vendor, slug="acme-os")
    assert product.kind == "distribution" and product.public

    versioned = web.post(
        "/vendors/acme-clouds/acme-os/versions/", {"version": "2026.1", "cpid": "cloud-9"}
    )
    assert versioned.status_code == 302
    assert ProductVersion.objects.filter(product=product, version="2026.1", cpid="cloud-9").exists()
    manage = text(web.get("/vendors/acme-clouds/acme-os/"))
    assert "2026.1" in manage and "<code>cloud-9</code>" in manage
    assert "the directory lists it once Acme Clouds is official" in manage

    hidden = web.post("/vendors/acme-clouds/acme-os/visibility/", {})
    assert hidden.status_code == 302
    assert not Product.objects.get(pk=product.pk).public

    submitted = web.post("/vendors/acme-clouds/submit/")
    assert submitted.status_code == 302
    assert Vendor.objects.get(pk=vendor.pk).status == "pending"
    again = web.post("/vendors/acme-clouds/submit/")
    assert again.status_code == 409 and "only a private vendor is submitted" in text(again)

    kinds = list(
        Event.objects.filter(actor=reviewer).order_by("at", "pk").values_list("kind", "channel")
    )
    assert kinds == [
        ("vendor.created", "web"),
        ("product.created", "web"),
        ("product.version_added", "web"),
        ("product.withdrawn", "web"),
        ("vendor.submitted", "web"),
    ]


def test_the_staff_approve_a_pending_vendor_and_a_decline_needs_a_reason(staff, reviewer):
    declined = a_vendor(reviewer, name="Decline Me", status="pending")
    approved = a_vendor(reviewer, name="Approve Me", status="pending")
    web = client_of(staff)
    listing = text(web.get("/vendors/"))
    assert "Waiting for the foundation" in listing and "Decline Me" in listing
    assert "Record the review" in text(web.get("/vendors/decline-me/"))

    bare = web.post("/vendors/decline-me/review/", {"decision": "decline", "reason": ""})
    assert bare.status_code == 400
    assert "Say why the vendor is declined" in field_error(bare, "reason")
    assert Vendor.objects.get(pk=declined.pk).status == "pending"

    said = web.post(
        "/vendors/decline-me/review/", {"decision": "decline", "reason": "Not a vendor."}
    )
    assert said.status_code == 302
    assert Vendor.objects.get(pk=declined.pk).status == "private"
    assert Event.objects.get(kind="vendor.declined").data == {"reason": "Not a vendor."}

    assert web.post("/vendors/approve-me/review/", {"decision": "approve"}).status_code == 302
    assert Vendor.objects.get(pk=approved.pk).status == "official"
    twice = web.post("/vendors/approve-me/review/", {"decision": "approve"})
    assert twice.status_code == 409 and "only a pending vendor is reviewed" in text(twice)
    nonsense = web.post("/vendors/approve-me/review/", {"decision": "maybe"})
    assert nonsense.status_code == 400 and 'id="review-decision-error"' in text(nonsense)
    assert Vendor.objects.get(pk=approved.pk).status == "official"

    # A reviewer, even the vendor's own admin, does not review it.
    own = client_of(reviewer).post("/vendors/approve-me/review/", {"decision": "decline"})
    assert own.status_code == 403 and "Approving a vendor" in text(own)


@pytest.fixture
def private_vendor(member):
    vendor = a_vendor(member, name="Secret Cloud", status="private")
    a_version(a_product(vendor, name="Hidden", public=False))
    return vendor


WRITES = [
    ("/vendors/secret-cloud/submit/", {}),
    ("/vendors/secret-cloud/admins/", {"username": "reviewer"}),
    ("/vendors/secret-cloud/products/", {"name": "Mine now", "kind": "distribution"}),
    ("/vendors/secret-cloud/hidden/versions/", {"version": "9.9"}),
    ("/vendors/secret-cloud/hidden/visibility/", {"public": "on"}),
    ("/vendors/secret-cloud/review/", {"decision": "approve"}),
]


def vendor_state():
    return (
        sorted(Vendor.objects.values_list("name", "status")),
        sorted(Vendor.admins.through.objects.values_list("vendor__name", "user__username")),
        sorted(Product.objects.values_list("name", "public")),
        sorted(ProductVersion.objects.values_list("version", flat=True)),
        Event.objects.count(),
    )


@pytest.mark.parametrize(("url", "data"), WRITES)
def test_someone_else_gets_403_or_404_on_each_write_and_nothing_changes(
    private_vendor, reviewer, url, data
):
    before = vendor_state()
    # Signed in but no admin, one finds no private vendor (404), except to review it,
    # which is the staff's alone (403); signed out, one is refused first (403).
    signed_in = 403 if url.endswith("/review/") else 404
    for client, expected in ((client_of(reviewer), signed_in), (client_of(), 403)):
        refused = client.post(url, data)
        assert refused.status_code == expected, url
        if expected == 404:
            continue
        assert "Not allowed" in text(refused)
        # The refusal says who may, and leaks nothing of the private vendor's page.
        assert "Add a product" not in text(refused) and "Hidden" not in text(refused)
        # Bad input too: the page with its form's errors is the admins' alone.
        invalid = client.post(url, {"name": "", "version": "", "username": "", "kind": "x"})
        assert invalid.status_code == 403 and "Hidden" not in text(invalid)
    assert vendor_state() == before


def test_private_pages_are_404_to_others_and_an_official_vendor_reads_without_its_forms(
    private_vendor, member, reviewer
):
    for client in (client_of(reviewer), client_of()):
        assert client.get("/vendors/secret-cloud/").status_code == 404
        assert client.get("/vendors/secret-cloud/hidden/").status_code == 404
    assert client_of().get("/vendors/").status_code == 302  # to sign in
    assert client_of(member).get("/vendors/no-such-vendor/").status_code == 404
    assert client_of(member).get("/vendors/secret-cloud/nothing/").status_code == 404
    assert client_of(member).post("/vendors/secret-cloud/nothing/versions/").status_code == 404
    assert client_of(member).post("/vendors/no-such/products/").status_code == 404

    Vendor.objects.filter(pk=private_vendor.pk).update(status="official")
    listed = a_product(private_vendor, name="Listed", public=True)
    read = client_of(reviewer).get("/vendors/secret-cloud/")
    assert read.status_code == 200
    html = text(read)
    assert "Listed" in html and f"/directory/secret-cloud/{listed.slug}/" in html
    assert "Hidden" not in html  # a private product stays the admins'
    assert "Add a product" not in html and "Submit for" not in html and "member" not in html
    assert client_of(reviewer).get("/vendors/secret-cloud/listed/").status_code == 404
    # Its admins see everything, with a link to the directory page.
    manage = text(client_of(member).get("/vendors/secret-cloud/listed/"))
    assert "/directory/secret-cloud/listed/" in manage and "Add a version" in manage


def test_bad_input_is_a_field_error_and_a_refused_write_says_why(private_vendor, member):
    web = client_of(member)
    empty = web.post("/vendors/", {"name": "", "url": "not an address"})
    assert empty.status_code == 400
    assert field_error(empty, "name") and field_error(empty, "url")
    taken = web.post("/vendors/", {"name": "secret CLOUD"})
    assert taken.status_code == 409 and "exists already" in field_error(taken, "name")
    moon = web.post("/vendors/secret-cloud/products/", {"name": "X", "kind": "moon"})
    assert moon.status_code == 400 and "moon" in field_error(moon, "kind")
    nul = web.post("/vendors/secret-cloud/products/", {"name": "a\x00b", "kind": "distribution"})
    assert nul.status_code == 400
    twice = web.post("/vendors/secret-cloud/hidden/versions/", {"version": "1.0"})
    assert twice.status_code == 409 and "has a version '1.0' already" in field_error(
        twice, "version"
    )
    nobody = web.post("/vendors/secret-cloud/admins/", {"username": "nobody"})
    assert nobody.status_code == 400 and "Nobody is signed up" in field_error(nobody, "username")
    assert ProductVersion.objects.count() == 1 and Vendor.objects.count() == 1


def test_an_admin_invites_another_who_manages_the_vendor_once_they_accept(
    private_vendor, reviewer, member, chair
):
    from compliance.models import VendorInvitation

    added = client_of(member).post("/vendors/secret-cloud/admins/", {"username": "reviewer"})
    assert added.status_code == 302
    assert not private_vendor.admins.filter(pk=reviewer.pk).exists()
    assert client_of(reviewer).get("/vendors/secret-cloud/hidden/").status_code == 404
    invitation = VendorInvitation.objects.get(user=reviewer)
    assert "invites you to administer" in text(client_of(reviewer).get("/vendors/"))

    answer = f"/vendor-invitations/{invitation.pk}/"
    # Only the invited answer.
    assert client_of(chair).post(answer, {"decision": "accept"}).status_code == 400
    assert client_of().post(answer, {"decision": "accept"}).status_code == 403
    assert client_of(reviewer).post(answer, {"decision": "maybe"}).status_code == 400
    assert client_of(reviewer).post(answer, {"decision": "accept"}).status_code == 302
    assert private_vendor.admins.filter(pk=reviewer.pk).exists()
    assert client_of(reviewer).get("/vendors/secret-cloud/hidden/").status_code == 200


def test_an_invitation_declined_makes_nobody_an_admin(private_vendor, reviewer, member):
    from compliance.models import VendorInvitation

    client_of(member).post("/vendors/secret-cloud/admins/", {"username": "reviewer"})
    invitation = VendorInvitation.objects.get(user=reviewer)
    declined = client_of(reviewer).post(
        f"/vendor-invitations/{invitation.pk}/", {"decision": "decline"}
    )
    assert declined.status_code == 302
    assert not private_vendor.admins.filter(pk=reviewer.pk).exists()
    assert not VendorInvitation.objects.exists()
    assert Event.objects.filter(kind="vendor.invitation_declined").exists()


# Public keys


def test_the_keys_page_registers_a_key_with_its_self_signature_and_deletes_it(reviewer):
    assert client_of().get("/account/keys/").status_code == 302  # to sign in
    web = client_of(reviewer)
    page = text(web.get("/account/keys/"))
    assert "refstack-client sign" in page and "You have registered no key" in page
    assert "/account/keys/" in text(web.get("/account/"))  # linked from the account page

    registered = web.post(
        "/account/keys/",
        {"raw_key": public_key("keys-page"), "self_signature": sign(b"signature", "keys-page")},
    )
    assert registered.status_code == 302
    key = PublicKey.objects.get(user=reviewer)
    assert key.comment == "keys-page@example.org"
    assert f"SHA256:{key.fingerprint}" in text(web.get("/account/keys/"))

    deleted = web.post(f"/account/keys/{key.pk}/delete/")
    assert deleted.status_code == 302
    assert not PublicKey.objects.exists()


def test_a_bad_key_or_self_signature_is_refused_beside_its_field(reviewer, member):
    web = client_of(reviewer)
    forged = web.post(
        "/account/keys/",
        {"raw_key": public_key("keys-page"), "self_signature": sign(b"signature", "other")},
    )
    assert forged.status_code == 400
    assert "Signature verification failed" in field_error(forged, "self_signature")
    # The textarea names its error for screen readers: aria-describedby, aria-invalid.
    assert 'aria-describedby="id_self_signature_helptext id_self_signature_error"' in text(forged)
    assert 'aria-invalid="true"' in text(forged)
    not_hex = web.post("/account/keys/", {"raw_key": public_key(), "self_signature": "zz"})
    assert "Malformed signature" in field_error(not_hex, "self_signature")
    not_a_key = web.post("/account/keys/", {"raw_key": "ssh-dss AAAA", "self_signature": "00"})
    assert not_a_key.status_code == 400 and "ssh-rsa" in field_error(not_a_key, "raw_key")
    missing = web.post("/account/keys/", {})
    assert missing.status_code == 400 and field_error(missing, "raw_key")
    assert not PublicKey.objects.exists()

    good = {"raw_key": public_key("keys-page"), "self_signature": sign(b"signature", "keys-page")}
    assert web.post("/account/keys/", good).status_code == 302
    twice = client_of(member).post("/account/keys/", good)
    assert twice.status_code == 409 and "registered already" in field_error(twice, "raw_key")
    theirs = PublicKey.objects.get()
    stolen = client_of(member).post(f"/account/keys/{theirs.pk}/delete/")
    assert stolen.status_code == 400 and f"you have no public key {theirs.pk}" in text(stolen)
    for url in ("/account/keys/", f"/account/keys/{theirs.pk}/delete/"):
        anonymous = client_of().post(url, good)
        assert anonymous.status_code == 403 and "Managing your public keys" in text(anonymous)
    assert PublicKey.objects.filter(user=reviewer).count() == 1


# The run page


@pytest.fixture
def cloud(member):
    """Member's official vendor with a public product and its version 1.0."""
    return a_version(a_product(a_vendor(member)), "1.0")


def test_the_owner_shares_and_links_a_run_and_another_user_gets_403(demo, cloud, member, reviewer):
    run = a_run(passing_tests(demo), owner=member)
    url = f"/results/{run.id}/"
    web = client_of(member)
    page = text(web.get(url))
    assert "Share this run" in page and "Example Cloud Inc Example Cloud 1.0" in page
    assert "Verify against" not in page  # the staff's

    assert web.post(f"{url}share/", {"shared": "on"}).status_code == 302
    assert TestRun.objects.get(pk=run.pk).shared
    assert "Make this run private" in text(web.get(url))
    linked = web.post(f"{url}link/", {"product_version": str(cloud.pk)})
    assert linked.status_code == 302
    assert TestRun.objects.get(pk=run.pk).product_version == cloud
    assert "Linked to" in text(web.get(url)) and "version 1.0" in text(web.get(url))

    # Someone else reads the shared run, without its controls, and may change nothing.
    other = client_of(reviewer)
    assert "Share this run" not in text(other.get(url)) and other.get(url).status_code == 200
    for write, data in (("share/", {}), ("link/", {"product_version": ""})):
        refused = other.post(f"{url}{write}", data)
        assert refused.status_code == 403 and "Sharing and linking a test run" in text(refused)
        assert client_of().post(f"{url}{write}", data).status_code == 403
    run.refresh_from_db()
    assert run.shared and run.product_version == cloud

    unlinked = web.post(f"{url}link/", {"product_version": ""})
    assert unlinked.status_code == 302
    assert TestRun.objects.get(pk=run.pk).product_version is None
    # Private again and linked to no listed product, the run is nobody else's business.
    assert web.post(f"{url}share/", {}).status_code == 302
    assert other.post(f"{url}share/", {"shared": "on"}).status_code == 404
    assert other.get(url).status_code == 404
    assert not TestRun.objects.get(pk=run.pk).shared


def test_linking_to_a_product_one_does_not_administer_or_to_nothing_real_is_refused(
    demo, cloud, member, reviewer
):
    theirs = a_version(a_product(a_vendor(reviewer, name="Other Inc"), name="Other"), "2.0")
    run = a_run(passing_tests(demo), owner=member)
    url = f"/results/{run.id}/link/"
    web = client_of(member)
    assert "Other Inc" not in text(web.get(f"/results/{run.id}/"))  # not offered
    refused = web.post(url, {"product_version": str(theirs.pk)})
    # Not offered, and not named: another vendor's versions are nobody else's business.
    assert refused.status_code == 400 and "Other Inc" not in text(refused)
    bad = web.post(url, {"product_version": "not-a-uuid"})
    assert bad.status_code == 400 and field_error(bad, "product_version")
    gone = web.post(url, {"product_version": "00000000-0000-0000-0000-000000000000"})
    assert gone.status_code == 400
    assert "You administer no product version" in field_error(gone, "product_version")
    assert TestRun.objects.get(pk=run.pk).product_version is None


def test_the_staff_verify_a_compliant_linked_run(demo, cloud, member, staff):
    run = a_run(passing_tests(demo), owner=member, version=cloud)
    url = f"/results/{run.id}/"
    assert "Verify against" not in text(client_of(member).get(url))
    refused = client_of(member).post(f"{url}verify/", {"guideline": "2026.06"})
    assert refused.status_code == 403 and "Verifying a test run" in text(refused)
    assert client_of().post(f"{url}verify/", {"guideline": "2026.06"}).status_code == 403

    web = client_of(staff)
    page = text(web.get(f"{url}?guideline=2026.06&target=platform"))
    assert "Verify against 2026.06, platform" in page
    verified = web.post(f"{url}verify/", {"guideline": "2026.06", "target": "platform"})
    assert verified.status_code == 302
    verification = Verification.objects.get(run=run)
    assert (verification.guideline.key, verification.target) == ("2026.06", "platform")
    assert verification.verified_by == staff
    after = text(client_of(member).get(url))
    assert "Verified, immutable" in after and "verified by the foundation's staff" in after
    assert "Share this run" not in after and "Change the link" not in after
    assert "Verify against 2026.06, platform" not in text(web.get(url))  # done once


def test_verifying_a_non_compliant_run_is_refused_naming_the_failing_capability(
    demo, cloud, member, staff
):
    failing = sorted({capability for capability, _ in required_tests(demo).values()})[0]
    run = a_run(passing_tests(demo, drop={failing}), owner=member, version=cloud)
    web = client_of(staff)
    assert "Verify against" not in text(web.get(f"/results/{run.id}/"))  # not offered
    refused = web.post(f"/results/{run.id}/verify/", {"guideline": "2026.06", "target": "platform"})
    assert refused.status_code == 409
    assert "does not comply with 2026.06" in text(refused)
    assert f"{failing} not passed" in text(refused)
    assert not Verification.objects.exists()

    unlinked = a_run(passing_tests(demo), owner=member)
    alone = web.post(f"/results/{unlinked.id}/verify/", {"guideline": "2026.06"})
    assert alone.status_code == 409 and "linked to no product" in text(alone)
    unknown = web.post(f"/results/{run.id}/verify/", {"guideline": "1999.01"})
    assert unknown.status_code == 400 and "there is no guideline 1999.01" in text(unknown)
    assert not Verification.objects.exists()


def test_a_verified_run_refuses_a_new_link_or_sharing_with_409(demo, cloud, member, staff):
    run = a_verified_run(cloud, demo, staff, owner=member).run
    other = a_version(cloud.product, "2.0")
    for web in (client_of(member), client_of(staff)):
        shared = web.post(f"/results/{run.id}/share/", {"shared": "on"})
        assert shared.status_code == 409 and "changes no more" in text(shared)
        relinked = web.post(f"/results/{run.id}/link/", {"product_version": str(other.pk)})
        assert relinked.status_code == 409 and "changes no more" in text(relinked)
    run.refresh_from_db()
    assert not run.shared and run.product_version == cloud
    page = text(client_of(member).get(f"/results/{run.id}/"))
    assert "Verified, immutable" in page and "Share this run" not in page
