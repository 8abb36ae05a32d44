"""The directory for tooling: GET /api/v1/products and /api/v1/products/<id>."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.compliance.helpers import a_product, a_vendor, a_verified_run, a_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(demo, member, staff):
    listed = a_product(a_vendor(member), "Example Cloud", kind="public-cloud")
    verification = a_verified_run(a_version(listed), demo, staff, owner=member)
    distro = a_product(a_vendor(member, "Distro Co"), "Distro", kind="distribution")
    a_product(a_vendor(member, "Secret Inc", status="private"), "Hidden")
    a_product(a_vendor(member, "Quiet Ltd"), "Unlisted", public=False)
    return listed, distro, verification


def test_the_list_is_the_directory_with_each_latest_verification(products):
    listed, distro, verification = products
    found = APIClient().get("/api/v1/products").json()

    assert [item["name"] for item in found] == ["Distro", "Example Cloud"]
    cloud = found[1]
    assert cloud["vendor"]["name"] == "Example Cloud Inc"
    assert cloud["latest_verification"]["guideline"] == "2026.06"
    assert cloud["latest_verification"]["run"] == str(verification.run_id)
    assert cloud["latest_verification"]["capabilities"]["compute-servers-create"] is True
    assert cloud["badge"].endswith("/directory/example-cloud-inc/example-cloud/badge.svg")
    assert found[0]["latest_verification"] is None


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("guideline=2026.06", ["Example Cloud"]),
        ("guideline=2026.06&target=platform", ["Example Cloud"]),
        ("kind=distribution", ["Distro"]),
        ("target=platform", ["Example Cloud"]),
    ],
)
def test_the_filters_keep_what_they_say(products, query, names):
    found = APIClient().get(f"/api/v1/products?{query}").json()
    assert [item["name"] for item in found] == names


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=mainframe", "kind"),
        ("guideline=1999.01", "guideline"),
        ("guideline=2026.06&target=moon", "target"),
        ("guideline=%00", "guideline"),
        (f"target={'x' * 101}", "target"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(products, query, field):
    response = APIClient().get(f"/api/v1/products?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["message"]


def test_a_listed_product_has_its_versions_and_verifications(products):
    listed, _, verification = products
    found = APIClient().get(f"/api/v1/products/{listed.pk}").json()
    assert [v["version"] for v in found["versions"]] == ["1.0"]
    assert [v["target"] for v in found["verifications"]] == ["platform"]


def test_a_product_the_directory_does_not_list_is_not_found(products):
    from compliance.models import Product

    hidden = Product.objects.get(name="Hidden")
    assert APIClient().get(f"/api/v1/products/{hidden.pk}").status_code == 404
    assert APIClient().get("/api/v1/products/not-a-uuid").status_code == 404
