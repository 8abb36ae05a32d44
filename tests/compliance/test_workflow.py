"""Vendors, products and verifications: the services' workflow and who may do what.

A vendor goes private -> pending -> official by the staff's word; a signed run is
linked to a product version automatically when its cpid names exactly one version
of its owner's vendor, or by its owner; the staff verify a linked, compliant run,
which changes no more. Every step is recorded, and a refusal changes nothing.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from committee.models import Event
from committee.permissions import NotAllowed
from compliance.models import TestRun, Vendor, VendorStatus, Verification
from compliance.selectors import may_see, visible_runs
from compliance.services import (
    invitation_answer,
    product_create,
    product_update,
    pubkey_register,
    run_link,
    run_share,
    run_upload,
    run_verify,
    vendor_admin_add,
    vendor_create,
    vendor_review,
    vendor_submit,
    version_add,
)
from guidelines.errors import GuidelineError, RuleRefused, VersionConflict
from tests.compliance.helpers import (
    a_product,
    a_run,
    a_vendor,
    a_version,
    body,
    passing_tests,
    public_key,
    sign,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def kinds() -> list[str]:
    return list(Event.objects.order_by("pk").values_list("kind", flat=True))


# Vendors


def test_a_vendor_goes_private_pending_official_by_the_staffs_word(reviewer, staff):
    vendor = vendor_create(actor=reviewer, name="Example Cloud Inc", url="https://example.org")
    assert (vendor.status, vendor.slug) == (VendorStatus.PRIVATE, "example-cloud-inc")
    assert list(vendor.admins.all()) == [reviewer]

    vendor_submit(actor=reviewer, pk=vendor.pk)
    with pytest.raises(NotAllowed, match="is for the foundation's staff"):
        vendor_review(actor=reviewer, pk=vendor.pk, approve=True)
    vendor_review(actor=staff, pk=vendor.pk, approve=True)

    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.OFFICIAL
    assert kinds() == ["vendor.created", "vendor.submitted", "vendor.approved"]


def test_a_declined_vendor_is_private_again_and_the_reason_is_required(reviewer, staff):
    vendor = vendor_create(actor=reviewer, name="Example")
    vendor_submit(actor=reviewer, pk=vendor.pk)
    with pytest.raises(GuidelineError, match="reason: required"):
        vendor_review(actor=staff, pk=vendor.pk, approve=False)
    vendor_review(actor=staff, pk=vendor.pk, approve=False, reason="Who are you?")

    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.PRIVATE
    assert Event.objects.get(kind="vendor.declined").data == {"reason": "Who are you?"}
    with pytest.raises(RuleRefused, match="only a pending vendor is reviewed"):
        vendor_review(actor=staff, pk=vendor.pk, approve=True)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"name": ""}, "name: required"),
        ({"name": "x" * 101}, "name: at most 100"),
        ({"name": "!!!"}, "name: needs a letter or digit"),
        ({"name": "Acme", "url": "ftp://acme"}, "url: an http or https address"),
        ({"name": "Acme\x00"}, "name: no NUL"),
        ({"name": ["Acme"]}, "name: text expected"),
    ],
)
def test_bad_vendor_fields_are_named_and_nothing_is_written(reviewer, fields, says):
    with pytest.raises(GuidelineError, match=says):
        vendor_create(actor=reviewer, **fields)
    assert not Vendor.objects.exists() and not Event.objects.exists()


def test_vendor_names_are_unique_whatever_their_case(reviewer, member):
    vendor_create(actor=reviewer, name="Acme")
    with pytest.raises(VersionConflict, match="exists already"):
        vendor_create(actor=member, name="ACME")


def test_only_a_vendors_admins_and_the_staff_manage_it(reviewer, member, staff):
    vendor = vendor_create(actor=reviewer, name="Acme")
    with pytest.raises(NotAllowed, match="you are not one of them"):
        product_create(actor=member, vendor_id=vendor.pk, name="Cloud", kind="public-cloud")
    with pytest.raises(NotAllowed, match="sign in first"):
        vendor_submit(actor=None, pk=vendor.pk)
    assert not vendor.products.exists()

    invitation = vendor_admin_add(actor=reviewer, pk=vendor.pk, username="member")
    with pytest.raises(NotAllowed, match="you are not one of them"):
        product_create(actor=member, vendor_id=vendor.pk, name="Cloud", kind="public-cloud")
    with pytest.raises(GuidelineError, match="you have no invitation"):
        invitation_answer(actor=staff, pk=invitation.pk, accept=True)
    invitation_answer(actor=member, pk=invitation.pk, accept=True)
    product = product_create(
        actor=member, vendor_id=vendor.pk, name="Cloud", kind="public-cloud", public=True
    )
    version_add(actor=staff, product_id=product.pk, version="2026.1", cpid="abc")
    product_update(actor=reviewer, pk=product.pk, public=False)

    assert product.versions.get().cpid == "abc"
    assert kinds()[-5:] == [
        "vendor.admin_invited",
        "vendor.admin_added",
        "product.created",
        "product.version_added",
        "product.withdrawn",
    ]


def test_products_have_a_known_kind_and_unique_names_and_versions(member):
    vendor = a_vendor(member)
    with pytest.raises(GuidelineError, match="kind: one of distribution, public-cloud"):
        product_create(actor=member, vendor_id=vendor.pk, name="Cloud", kind="mainframe")
    product = product_create(actor=member, vendor_id=vendor.pk, name="Cloud", kind="distribution")
    with pytest.raises(VersionConflict, match="has a product named"):
        product_create(actor=member, vendor_id=vendor.pk, name="cloud", kind="distribution")
    version_add(actor=member, product_id=product.pk, version="1.0")
    with pytest.raises(VersionConflict, match="has a version '1.0' already"):
        version_add(actor=member, product_id=product.pk, version="1.0")


# Runs: linking, sharing, visibility


def signed_upload(user, cpid: str, tests=(("tempest.api.t", ""),), name="vendor") -> TestRun:
    if not user.public_keys.exists():
        pubkey_register(
            user=user, raw_key=public_key(name), self_signature=sign(b"signature", name)
        )
    data = body(list(tests), cpid=cpid)
    return run_upload(body=data, signature=sign(data, name), public_key=public_key(name))


def test_a_signed_run_links_itself_when_its_cpid_names_one_version_of_its_owners_vendor(member):
    version = a_version(a_product(a_vendor(member)), cpid="cloud-a")

    assert signed_upload(member, "cloud-a").product_version == version
    assert signed_upload(member, "cloud-b").product_version is None
    assert (
        Event.objects.filter(kind="run.uploaded").order_by("pk").last().data["product_version"]
        is None
    )


def test_no_automatic_link_when_two_versions_share_the_cpid_or_the_run_is_someone_elses(
    member, reviewer
):
    product = a_product(a_vendor(member))
    a_version(product, "1", cpid="cloud-a")
    a_version(product, "2", cpid="cloud-a")
    a_version(a_product(a_vendor(reviewer, "Other")), "1", cpid="cloud-c")

    assert signed_upload(member, "cloud-a").product_version is None
    # A cpid is anyone's to claim: neither another's signed run nor an unsigned one links.
    assert signed_upload(member, "cloud-c").product_version is None
    unsigned = run_upload(body=body([("tempest.api.t", "")], cpid="cloud-c"))
    assert unsigned.product_version is None


def test_the_owner_links_and_shares_a_run_and_others_may_not(member, reviewer):
    version = a_version(a_product(a_vendor(member), public=False))
    foreign = a_version(a_product(a_vendor(reviewer, "Other")))
    run = a_run([("tempest.api.t", "")], owner=member)

    with pytest.raises(NotAllowed, match="is for its owner"):
        run_link(actor=reviewer, pk=run.pk, version_id=version.pk)
    with pytest.raises(GuidelineError, match="you administer no product version"):
        run_link(actor=member, pk=run.pk, version_id=foreign.pk)
    with pytest.raises(GuidelineError, match="product_version_id: you administer no product"):
        run_link(actor=member, pk=run.pk, version_id=run.pk)
    assert TestRun.objects.get(pk=run.pk).product_version is None

    run_link(actor=member, pk=run.pk, version_id=version.pk)
    assert not may_see(TestRun.objects.get(pk=run.pk), None)  # linked to a private product
    run_share(actor=member, pk=run.pk, shared=True)
    assert may_see(TestRun.objects.get(pk=run.pk), None)
    run_link(actor=member, pk=run.pk, version_id=None)
    assert kinds()[-3:] == ["run.linked", "run.shared", "run.unlinked"]


def test_an_unsigned_run_has_nobody_to_share_or_link_it(member):
    run = a_run([("tempest.api.t", "")])
    with pytest.raises(RuleRefused, match="is unsigned"):
        run_share(actor=member, pk=run.pk, shared=True)


def test_a_run_linked_to_a_listed_product_is_public(member, reviewer):
    vendor = a_vendor(member, status=VendorStatus.PENDING)
    run = a_run([("tempest.api.t", "")], owner=member, version=a_version(a_product(vendor)))
    assert run not in visible_runs(None) and not may_see(run, reviewer)

    Vendor.objects.filter(pk=vendor.pk).update(status=VendorStatus.OFFICIAL)
    assert run in visible_runs(None) and may_see(run, None)


# Verification


def test_the_staff_verify_a_linked_compliant_run_which_then_changes_no_more(demo, member, staff):
    version = a_version(a_product(a_vendor(member)))
    run = a_run(passing_tests(demo), owner=member, version=version)

    with pytest.raises(NotAllowed, match="is for the foundation's staff"):
        run_verify(actor=member, pk=run.pk, guideline=demo, target="platform")
    verification = run_verify(actor=staff, pk=run.pk, guideline=demo, target="platform")

    assert (verification.guideline, verification.target) == (demo, "platform")
    assert verification.capabilities["compute-servers-create"] is True
    assert Event.objects.get(kind="run.verified").guideline_key == "2026.06"
    for change in (
        lambda: run_share(actor=member, pk=run.pk, shared=True),
        lambda: run_link(actor=member, pk=run.pk, version_id=None),
        lambda: run_link(actor=staff, pk=run.pk, version_id=None),
    ):
        with pytest.raises(RuleRefused, match="a verified run changes no more"):
            change()
    with pytest.raises(RuleRefused, match="verified against 2026.06 platform already"):
        run_verify(actor=staff, pk=run.pk, guideline=demo, target="platform")
    assert TestRun.objects.get(pk=run.pk).product_version == version


def test_verification_refuses_a_failing_an_unlinked_run_and_an_unapproved_guideline(
    demo, demo_draft, member, staff
):
    version = a_version(a_product(a_vendor(member)))
    failing = a_run(
        passing_tests(demo, drop=["compute-servers-create"]), owner=member, version=version
    )
    with pytest.raises(RuleRefused, match="compute-servers-create not passed"):
        run_verify(actor=staff, pk=failing.pk, guideline=demo, target="platform")
    unlinked = a_run(passing_tests(demo), owner=member)
    with pytest.raises(RuleRefused, match="is linked to no product"):
        run_verify(actor=staff, pk=unlinked.pk, guideline=demo, target="platform")
    linked = a_run(passing_tests(demo), owner=member, version=version)
    with pytest.raises(GuidelineError, match="next is draft"):
        run_verify(actor=staff, pk=linked.pk, guideline=demo_draft, target="platform")
    with pytest.raises(GuidelineError, match="target: target 'moon'"):
        run_verify(actor=staff, pk=linked.pk, guideline=demo, target="moon")
    assert not Verification.objects.exists()
    assert not Event.objects.filter(kind="run.verified").exists()


# The API: RefStack's PUT and shared metadata, and the staff's verifications


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_links_shares_and_verifies_a_run(demo, member, staff, reviewer):
    product = a_product(a_vendor(member))
    version = a_version(product)
    run = a_run(passing_tests(demo), owner=member)
    url = f"/v1/results/{run.id}"

    assert APIClient().get(url).status_code == 401
    assert client_of(reviewer).get(url).status_code == 403
    linked = client_of(member).put(url, {"product_version_id": str(version.id)}, format="json")
    assert linked.status_code == 200, linked.content
    assert linked.json()["product_version"]["product_info"]["name"] == "Example Cloud"
    # Linked to a listed product: public now.
    assert APIClient().get(url).status_code == 200

    shared = client_of(member).post(f"{url}/meta/shared", b"true", content_type="text/plain")
    assert shared.status_code == 200 and shared.json()["meta"] == {"shared": "true"}
    refused = client_of(reviewer).delete(f"{url}/meta/shared")
    assert refused.status_code == 403

    verify = f"/api/v1/results/{run.id}/verifications"
    assert (
        client_of(member).post(verify, {"guideline": "2026.06"}, format="json").status_code == 403
    )
    made = client_of(staff).post(verify, {"guideline": "2026.06"}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["target"] == "platform"
    listed = APIClient().get(f"/v1/results?verification_status=1&product_id={product.id}")
    assert [item["id"] for item in listed.json()["results"]] == [str(run.id)]
    assert listed.json()["results"][0]["verification_status"] == 1
    detail = APIClient().get(url).json()
    assert detail["verifications"][0]["guideline"] == "2026.06"
    again = client_of(member).put(url, {"product_version_id": None}, format="json")
    assert again.status_code == 409 and "changes no more" in again.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [("verification_status=2", "verification_status"), ("product_id=nope", "product_id")],
)
def test_bad_list_filters_name_the_field(query, field):
    response = APIClient().get(f"/v1/results?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "data",
    [{}, {"product_version_id": "nope"}, {"product_version_id": 5}, [], "x"],
)
def test_a_malformed_link_is_a_400(member, data):
    run = a_run([("tempest.api.t", "")], owner=member)
    response = client_of(member).put(f"/v1/results/{run.id}", data, format="json")
    assert response.status_code == 400, response.content


def test_verifying_needs_a_known_guideline(member, staff, demo):
    run = a_run(passing_tests(demo), owner=member, version=a_version(a_product(a_vendor(member))))
    url = f"/api/v1/results/{run.id}/verifications"
    assert client_of(staff).post(url, {}, format="json").status_code == 400
    assert client_of(staff).post(url, {"guideline": "1999.01"}, format="json").status_code == 404
    other = UserFactory(username="other", is_staff=True, is_active=False)
    assert client_of(other).post(url, {"guideline": "2026.06"}, format="json").status_code in (
        401,
        403,
    )


# Nobody is their own judge, and a private product stays private


def test_the_staff_neither_approve_their_own_vendor_nor_verify_their_own_run(demo, staff):
    from tests.factories import UserFactory

    vendor = vendor_create(actor=staff, name="Staff Cloud")
    vendor_submit(actor=staff, pk=vendor.pk)
    with pytest.raises(RuleRefused, match="another of the staff reviews it"):
        vendor_review(actor=staff, pk=vendor.pk, approve=True)
    other = UserFactory(username="other-staff", is_staff=True)
    vendor_review(actor=other, pk=vendor.pk, approve=True)

    run = a_run(passing_tests(demo), owner=staff, version=a_version(a_product(vendor)))
    with pytest.raises(RuleRefused, match="another of the staff verifies it"):
        run_verify(actor=staff, pk=run.pk, guideline=demo, target="platform")
    assert run_verify(actor=other, pk=run.pk, guideline=demo, target="platform")


def test_a_shared_run_does_not_reveal_a_product_the_directory_does_not_list(member, reviewer):
    hidden = a_product(a_vendor(member, "Secret Vendor", status="pending"), "Stealth Cloud")
    run = a_run([("tempest.api.t", "")], owner=member, version=a_version(hidden))
    run_share(actor=member, pk=run.pk, shared=True)

    for client in (APIClient(), client_of(reviewer)):
        item = client.get(f"/v1/results/{run.id}").json()
        assert item["product_version"] is None
        listed = client.get("/v1/results").json()["results"]
        assert [r["product_version"] for r in listed] == [None]
        assert client.get(f"/v1/results?product_id={hidden.pk}").json()["results"] == []
    from django.test import Client

    page = Client().get(f"/results/{run.id}/").content.decode()
    assert "Stealth Cloud" not in page and "Secret Vendor" not in page
    # Its vendor's admins see it.
    own = client_of(member).get(f"/v1/results/{run.id}").json()
    assert own["product_version"]["product_info"]["name"] == "Stealth Cloud"


def test_listing_runs_reads_the_callers_vendors_once_whatever_the_runs(member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    version = a_version(a_product(a_vendor(member, status="pending")))

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            listed = client_of(member).get("/v1/results").json()["results"]
        assert all(item["product_version"] for item in listed)
        return len(seen)

    a_run([("tempest.api.t", "")], owner=member, version=version)
    one = queries()
    for _ in range(3):
        a_run([("tempest.api.t", "")], owner=member, version=version)
    assert queries() == one
