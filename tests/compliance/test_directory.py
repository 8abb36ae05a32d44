"""The public directory: the listing and its filters, a product's page, the comparison of
products capability by capability, the badge, and the Atom feed of verifications.

The world: Acme (official) lists Acme Cloud (verified for the platform, then for
compute) and Acme Distro (not verified), and keeps Acme Lab private; Hidden Co is
private and Waiting Co pending, so neither's public product is listed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from django.test import Client

from compliance.models import Verification
from compliance.services import run_verify
from compliance.upload import bare_uuid
from guidelines.selectors import guideline_bundle
from tests.compliance.helpers import (
    a_product,
    a_run,
    a_vendor,
    a_verified_run,
    a_version,
    passing_tests,
)

pytestmark = pytest.mark.django_db

ADVISORY = "compute-keypairs-create"  # the demo's one advisory capability of the platform


def verified_on(verification, day: int, month: int = 7) -> Verification:
    Verification.objects.filter(pk=verification.pk).update(
        verified_at=datetime(2026, month, day, 12, tzinfo=UTC)
    )
    verification.refresh_from_db()
    return verification


def verified_with_advisory(version, guideline, staff, *, owner) -> Verification:
    """A verified platform run that also passes the advisory capability's tests."""
    extra = [
        (test.name, bare_uuid(test.idempotent_id or "") or "")
        for capability, tests in guideline_bundle(guideline).capabilities
        if capability.key == ADVISORY
        for test in tests
    ]
    run = a_run(passing_tests(guideline) + extra, owner=owner, version=version)
    return run_verify(actor=staff, pk=run.pk, guideline=guideline, target="platform")


@pytest.fixture
def world(demo, staff, member):
    acme = a_vendor(member, "Acme")
    cloud = a_product(acme, "Acme Cloud", kind="public-cloud")
    distro = a_product(acme, "Acme Distro", kind="distribution")
    lab = a_product(acme, "Acme Lab", kind="hosted-private-cloud", public=False)
    hidden = a_product(a_vendor(member, "Hidden Co", status="private"), "Hidden Cloud")
    waiting = a_product(a_vendor(member, "Waiting Co", status="pending"), "Waiting Cloud")
    cloud_1 = a_version(cloud, "1.0")
    platform = verified_on(a_verified_run(cloud_1, demo, staff, owner=member), 1)
    compute = a_verified_run(a_version(cloud, "2.0"), demo, staff, owner=member, target="compute")
    compute = verified_on(compute, 2, month=8)
    a_version(distro, "9")
    for unlisted, day in ((lab, 3), (hidden, 4), (waiting, 5)):
        version = a_version(unlisted, "1.0")
        verified_on(a_verified_run(version, demo, staff, owner=member), day, month=9)
    return {
        "cloud": cloud,
        "distro": distro,
        "lab": lab,
        "hidden": hidden,
        "waiting": waiting,
        "platform": platform,
        "compute": compute,
    }


def get(path, data=None, *, user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(path, data)


def text(response) -> str:
    return response.content.decode()


# The listing


def test_the_directory_lists_public_products_of_official_vendors_only(world):
    page = get("/directory/")
    assert page.status_code == 200
    html = text(page)
    assert ">Acme Cloud</a>" in html and ">Acme Distro</a>" in html
    for unlisted in ("Acme Lab", "Hidden Cloud", "Waiting Cloud"):
        assert unlisted not in html
    assert [row.product.name for row in page.context["rows"]] == ["Acme Cloud", "Acme Distro"]


def test_each_product_shows_its_latest_verification_or_not_verified(world):
    html = text(get("/directory/"))
    cloud, distro = html.split(">Acme Distro</a>")
    assert "2026.06</a>, compute, on <time" in cloud and "2026-08-02" in cloud
    assert "2026-07-01" not in cloud
    assert "Not verified" in distro
    # Links to each product's page, its badge, and a checkbox to compare it.
    assert 'href="/directory/acme/acme-cloud/"' in html
    assert 'href="/directory/acme/acme-cloud/badge.svg"' in html
    assert f'name="product" value="{world["cloud"].pk}"' in html


def test_the_page_links_its_atom_feed(world):
    html = text(get("/directory/"))
    assert (
        '<link rel="alternate" type="application/atom+xml" title="DefCore Site: verified products"'
        ' href="/feeds/verifications.atom">' in html
    )
    assert '<a href="/feeds/verifications.atom">' in html


def test_the_target_filter_keeps_each_products_latest_verification_for_it(world):
    page = get("/directory/", {"target": "platform"})
    assert page.status_code == 200
    [row] = page.context["rows"]
    assert row.verification == world["platform"]
    html = text(page)
    assert "2026.06</a>, platform, on" in html and "Acme Distro" not in html


def test_the_guideline_filter_lists_products_verified_against_it(world):
    page = get("/directory/", {"guideline": "2026.06"})
    assert [row.product.name for row in page.context["rows"]] == ["Acme Cloud"]
    assert page.context["rows"][0].verification == world["compute"]
    assert '<option value="2026.06" selected>' in text(page)


def test_the_kind_filter_lists_products_of_that_kind(world):
    page = get("/directory/", {"kind": "distribution"})
    assert [row.product.name for row in page.context["rows"]] == ["Acme Distro"]
    assert "Acme Cloud" not in text(page)
    assert [
        r.product.name for r in get("/directory/", {"kind": "public-cloud"}).context["rows"]
    ] == ["Acme Cloud"]


def test_a_filter_nothing_matches_says_so(world):
    page = get("/directory/", {"kind": "hosted-private-cloud"})
    assert page.status_code == 200
    assert "No product in the directory matches the filter" in text(page)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"guideline": "1999.01"}, "guideline: there is no guideline &#x27;1999.01&#x27;"),
        ({"kind": "moon-base"}, "kind: &#x27;moon-base&#x27; is not a kind of product"),
        ({"guideline": "2026.06\x00"}, "guideline: control characters (such as NUL)"),
        ({"target": "platform\x00"}, "target: control characters (such as NUL)"),
        ({"kind": "k" * 101}, "kind: at most 100 characters, not 101"),
        ({"guideline": "2026.06", "target": "moon"}, "target: &#x27;moon&#x27; is not one of"),
    ],
)
def test_a_bad_filter_is_a_400_that_says_what_is_wrong(world, query, says):
    page = get("/directory/", query)
    assert page.status_code == 400
    assert says in text(page)
    assert "Acme Cloud" not in text(page)


def test_a_draft_is_no_filter_of_the_directory(demo_draft):
    page = get("/directory/", {"guideline": demo_draft.key})
    assert page.status_code == 400
    assert f"guideline: {demo_draft.key} is a draft guideline" in text(page)


def test_the_directory_answers_get_only():
    assert Client().post("/directory/").status_code == 405


# A product's page


def test_a_listed_products_page_shows_its_facts_versions_verifications_and_badge(world):
    page = get("/directory/acme/acme-cloud/")
    assert page.status_code == 200
    html = text(page)
    assert "<h1>Acme Cloud</h1>" in html and "Public cloud by Acme" in html
    assert "<li>1.0</li>" in html and "<li>2.0</li>" in html
    for verification in (world["platform"], world["compute"]):
        assert f'href="/results/{verification.run_id}/"' in html
    assert html.index("2026-08-02") < html.index("2026-07-01")  # newest first
    assert '<img src="/directory/acme/acme-cloud/badge.svg" alt="DefCore: Compute 2026.06' in html
    assert (
        "[![DefCore verification of Acme Acme Cloud](http://testserver/directory/acme/acme-cloud/"
        "badge.svg)](http://testserver/directory/acme/acme-cloud/)" in html
    )
    assert "&lt;a href=&quot;http://testserver/directory/acme/acme-cloud/&quot;&gt;" in html
    assert "Not in the directory yet" not in html


@pytest.mark.parametrize("product", ["lab", "hidden", "waiting"])
def test_an_unlisted_products_page_is_for_its_vendors_admins_and_the_staff(
    world, product, member, staff, reviewer
):
    found = world[product]
    path = f"/directory/{found.vendor.slug}/{found.slug}/"
    assert get(path).status_code == 404
    assert get(path, user=reviewer).status_code == 404
    for user in (member, staff):
        page = get(path, user=user)
        assert page.status_code == 200
        assert "Not in the directory yet" in text(page) and found.name in text(page)
        assert "badge.svg" not in text(page)


def test_an_unknown_products_page_is_404(world):
    assert get("/directory/acme/nothing/").status_code == 404
    assert get("/directory/nobody/acme-cloud/").status_code == 404


# Comparing products


@pytest.fixture
def rivals(world, demo, staff, member):
    """Acme Cloud passes the advisory capability (verified last); Beta Cloud does not."""
    beta = a_product(a_vendor(member, "Beta"), "Beta Cloud")
    verified_on(a_verified_run(a_version(beta, "1"), demo, staff, owner=member), 10, month=9)
    advisory = verified_with_advisory(a_version(world["cloud"], "3.0"), demo, staff, owner=member)
    verified_on(advisory, 11, month=9)
    return world["cloud"], beta


def cells(html: str, capability: str) -> str:
    """The row of one capability in the comparison, from its header to the row's end."""
    start = html.index(f"<code>{capability}</code>")
    return html[start : html.index("</tr>", start)]


def test_comparing_two_products_shows_where_they_differ(rivals):
    cloud, beta = rivals
    page = get("/directory/compare/", {"product": [cloud.pk, beta.pk]})
    assert page.status_code == 200
    html = text(page)
    assert page.context["guideline"].key == "2026.06" and page.context["target"] == "platform"
    assert '<th scope="col">Acme Acme Cloud</th>' in html
    assert '<th scope="col">Beta Beta Cloud</th>' in html
    row = cells(html, ADVISORY)
    assert "differs</span>" in row and "badge--advisory" in row
    assert row.index("<td>Passes</td>") < row.index("<strong>Does not pass</strong>")
    same = cells(html, "compute-servers-list")
    assert same.count("<td>Passes</td>") == 2 and "differs" not in same
    assert 'role="region" aria-labelledby="comparison-caption" tabindex="0"' in html


def test_a_product_not_verified_against_the_guideline_says_so(rivals, world):
    cloud, beta = rivals
    page = get("/directory/compare/", {"product": [cloud.pk, world["distro"].pk, beta.pk]})
    assert page.status_code == 200
    html = text(page)
    assert "<strong>Not verified against 2026.06</strong>" in html
    # No guideline all three share: the newest approved one, for the platform.
    assert page.context["guideline"].key == "2026.06" and page.context["target"] == "platform"
    assert cells(html, ADVISORY).count("Not verified") == 1


def test_the_target_defaults_to_the_one_both_were_verified_for(rivals, world):
    cloud, beta = rivals
    page = get("/directory/compare/", {"product": [cloud.pk, beta.pk], "target": "compute"})
    assert page.context["target"] == "compute"
    html = text(page)
    assert "objectstore-object-upload" not in html  # storage is not part of compute
    assert "<strong>Not verified against 2026.06</strong> (compute)" in html


@pytest.mark.parametrize(
    ("how_many", "says"),
    [(1, "choose 2 to 4 different products to compare, not 1"), (5, "not 5")],
)
def test_fewer_than_two_or_more_than_four_products_is_a_400(world, demo, member, how_many, says):
    listed = [world["cloud"], world["distro"]] + [
        a_product(a_vendor(member, f"Vendor {n}"), f"Cloud {n}") for n in range(3)
    ]
    page = get("/directory/compare/", {"product": [p.pk for p in listed[:how_many]]})
    assert page.status_code == 400
    assert says in text(page) and "These products cannot be compared" in text(page)


def test_the_same_product_twice_is_one_product(world):
    cloud = world["cloud"].pk
    page = get("/directory/compare/", {"product": [cloud, cloud]})
    assert page.status_code == 400 and "not 1" in text(page)


@pytest.mark.parametrize(
    ("other", "says"),
    [
        ("00000000-0000-0000-0000-000000000000", "no product in the directory has the id"),
        ("not-a-uuid", "product: &#x27;not-a-uuid&#x27; is not a product id"),
        ("bad\x00id", "product: &#x27;bad?id&#x27; is not a product id"),
        ("lab", "no product in the directory has the id"),
    ],
)
def test_an_unknown_or_unlisted_product_is_a_400(world, other, says):
    other = str(world[other].pk) if other in world else other
    page = get("/directory/compare/", {"product": [world["cloud"].pk, other]})
    assert page.status_code == 400
    assert says in text(page)


def test_a_bad_guideline_or_target_to_compare_against_is_a_400(rivals):
    products = [p.pk for p in rivals]
    page = get("/directory/compare/", {"product": products, "guideline": "1999.01"})
    assert page.status_code == 400 and "there is no guideline" in text(page)
    page = get("/directory/compare/", {"product": products, "target": "moon"})
    assert page.status_code == 400 and "target: &#x27;moon&#x27; is not one of" in text(page)


# The badge


def badge(product):
    return get(f"/directory/{product.vendor.slug}/{product.slug}/badge.svg")


def test_the_badge_of_a_verified_product_names_its_latest_verification(world):
    response = badge(world["cloud"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    svg = ET.fromstring(response.content)
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.find(f"{ns}title").text == "Acme Acme Cloud: DefCore Compute 2026.06 verified"
    texts = [t.text for t in svg.iter(f"{ns}text")]
    assert "DefCore" in texts and "Compute 2026.06 verified" in texts
    assert "#2e7d32" in text(response)


def test_the_badge_of_an_unverified_product_says_not_verified_in_grey(world):
    response = badge(world["distro"])
    svg = ET.fromstring(response.content)
    assert "not verified" in [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "#6b6b6b" in text(response) and "#2e7d32" not in text(response)


def test_the_badge_escapes_the_products_name(world, member):
    product = a_product(world["cloud"].vendor, 'Cloud <&" Edition')
    response = badge(product)
    assert response.status_code == 200
    body = text(response)
    assert "Cloud &lt;&amp;&quot; Edition" in body and '<&"' not in body
    title = ET.fromstring(response.content).find("{http://www.w3.org/2000/svg}title")
    assert title.text == 'Acme Cloud <&" Edition: DefCore not verified'


@pytest.mark.parametrize("product", ["lab", "hidden", "waiting"])
def test_an_unlisted_product_has_no_badge(world, product, staff):
    found = world[product]
    assert badge(found).status_code == 404
    staff_client = Client()
    staff_client.force_login(staff)
    path = f"/directory/{found.vendor.slug}/{found.slug}/badge.svg"
    assert staff_client.get(path).status_code == 404


# The feed


def test_the_feed_lists_verifications_of_listed_products_newest_first(world):
    response = Client().get("/feeds/verifications.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.fromstring(response.content)
    entries = feed.findall("a:entry", ns)
    titles = [e.find("a:title", ns).text for e in entries]
    assert titles == [
        "Acme Acme Cloud: compute 2026.06 verified",
        "Acme Acme Cloud: platform 2026.06 verified",
    ]
    first = entries[0]
    assert first.find("a:link", ns).get("href") == "http://testserver/directory/acme/acme-cloud/"
    assert first.find("a:updated", ns).text.startswith("2026-08-02T12:00:00")
    ids = [e.find("a:id", ns).text for e in entries]
    assert ids[0].endswith(f"/feeds/verifications/{world['compute'].pk}") and len(set(ids)) == 2
    assert feed.find("a:updated", ns).text.startswith("2026-08-02T12:00:00")


def test_the_feed_answers_get_and_head_only(world):
    assert Client().head("/feeds/verifications.atom").status_code == 200
    assert Client().post("/feeds/verifications.atom").status_code == 405
