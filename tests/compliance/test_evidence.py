"""Evidence for the "deployed" criterion on the drafting workspace.

On ``next``, the draft started from the demo 2026.06: each capability's row says in
how many verified products it is deployed, and its page which verified products
would stop complying were it required. The products are those the directory lists,
each by its latest verified run read against the draft's tests; a product is
judged only within the components its verified target covers (2017A A4.7).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capabilities import evidence
from capabilities.services import capability_propose
from compliance.evidence import deployment
from compliance.services import run_verify
from compliance.upload import bare_uuid
from guidelines.models import Test
from guidelines.services import flag_set
from tests.compliance.helpers import a_product, a_run, a_vendor, a_version, passing_tests
from tests.conftest import DEMO
from tests.factories import UserFactory
from tests.guidelines.helpers import import_file

pytestmark = pytest.mark.django_db

# Advisory in the demo: a run that complies with 2026.06 may lack its test.
KEYPAIRS = "compute-keypairs-create"
SERVERS = "compute-servers-create"
# Required in os_powered_storage only: a compute cloud is not judged on it.
OBJECTS = "objectstore-object-upload"


def capability_tests(guideline, capability: str) -> list[tuple[str, str]]:
    """(name, bare uuid) of the unflagged tests of one capability."""
    found = Test.objects.filter(
        capability__guideline=guideline, capability__key=capability, is_flagged=False
    )
    return [(test.name, bare_uuid(test.idempotent_id or "") or "") for test in found]


def verified(guideline, staff, product_name: str, *, vendor=None, target="platform", extra=()):
    """A product with a run of ``guideline``'s required tests for ``target`` (and
    ``extra``), verified by ``staff``; the product is listed unless ``vendor`` says."""
    vendor = vendor or a_vendor(UserFactory(username="vendor-admin"), f"{product_name} Inc")
    version = a_version(a_product(vendor, product_name))
    run = a_run([*passing_tests(guideline, target), *extra], version=version)
    run_verify(actor=staff, pk=run.pk, guideline=guideline, target=target)
    return version.product


@pytest.fixture
def two_products(demo, demo_draft, staff):
    """Alpha's run has the keypairs test too; Beta's has only what 2026.06 requires."""
    alpha = verified(demo, staff, "Alpha Cloud", extra=capability_tests(demo, KEYPAIRS))
    beta = verified(demo, staff, "Beta Cloud")
    return alpha, beta


@pytest.fixture
def no_provider():
    evidence.unregister(deployment)
    try:
        yield
    finally:
        evidence.register(deployment)


def workspace(client, key="next") -> str:
    response = client.get(reverse("capabilities:workspace", args=[key]))
    assert response.status_code == 200
    return response.content.decode()


def capability_page(client, capability: str, key="next") -> str:
    response = client.get(reverse("capabilities:capability", args=[key, capability]))
    assert response.status_code == 200
    return response.content.decode()


def row(html: str, key: str) -> str:
    match = re.search(rf'<tr id="row-{re.escape(key)}".*?</tr>', html, flags=re.S)
    assert match, f"no row for {key}"
    return match.group(0)


def section(html: str) -> str:
    match = re.search(r'<section id="deployment".*?</section>', html, flags=re.S)
    assert match, "no deployment section"
    return match.group(0)


def product_url(product) -> str:
    return reverse(
        "compliance:product", kwargs={"vendor": product.vendor.slug, "product": product.slug}
    )


def test_each_row_counts_the_verified_products_that_pass_the_capability(client, two_products):
    html = workspace(client)

    assert "deployed in 1 of 2 verified products" in row(html, KEYPAIRS)
    assert "deployed in 2 of 2 verified products" in row(html, SERVERS)
    assert "deployed in 2 of 2 verified products" in row(html, OBJECTS)
    assert "No verified products yet" not in html


def test_the_capability_page_lists_the_products_that_would_stop_complying(client, two_products):
    alpha, beta = two_products

    shown = section(capability_page(client, KEYPAIRS))

    assert re.search(r"Deployed in <strong[^>]*>1 of 2</strong> verified products", shown)
    assert f'<a href="{product_url(beta)}">Beta Cloud Inc Beta Cloud</a>' in shown
    assert product_url(alpha) not in shown
    everywhere = section(capability_page(client, SERVERS))
    assert "None: every verified product passes it." in everywhere
    assert "<li>" not in everywhere


def test_a_product_the_directory_does_not_list_is_not_counted(client, demo, demo_draft, staff):
    verified(demo, staff, "Alpha Cloud", extra=capability_tests(demo, KEYPAIRS))
    hidden = a_vendor(UserFactory(username="vendor-admin"), "Hidden Inc", status="private")
    verified(demo, staff, "Private Vendor Cloud", vendor=hidden)
    unlisted = verified(demo, staff, "Unlisted Cloud")
    unlisted.public = False
    unlisted.save(update_fields=["public"])

    html = workspace(client)

    assert "deployed in 1 of 1 verified product<" in row(html, KEYPAIRS)
    impact = section(capability_page(client, KEYPAIRS))
    assert "None: every verified product passes it." in impact
    assert "Private Vendor Cloud" not in impact and "Unlisted Cloud" not in impact


def test_without_verified_products_the_pages_say_so_once(client, demo_draft):
    html = workspace(client)

    assert html.count("No verified products yet") == 1
    assert "deployed in" not in html
    assert "No verified products yet." in section(capability_page(client, KEYPAIRS))


def test_without_a_provider_the_pages_say_nothing_about_deployment(
    client, two_products, no_provider
):
    assert evidence.deployment(two_products[0]) is None
    html = workspace(client)

    assert "deployed in" not in html and "No verified products yet" not in html
    assert 'id="deployment"' not in capability_page(client, KEYPAIRS)


def test_a_capability_new_in_the_draft_is_deployed_in_none(client, demo_draft, two_products, chair):
    alpha, beta = two_products
    capability_propose(
        guideline=demo_draft,
        key="compute-servers-shelve",
        component="os_powered_compute",
        project="nova",
        description="Shelve a server.",
        tests=[
            {
                "name": "tempest.api.compute.servers.test_shelve.ShelveTest.test_shelve",
                "idempotent_id": "id-77eba8e0-036e-4635-944b-f7a8f3b78dc9",
            }
        ],
        actor=chair,
    )

    assert "deployed in 0 of 2 verified products" in row(
        workspace(client), "compute-servers-shelve"
    )
    impact = section(capability_page(client, "compute-servers-shelve"))
    assert product_url(alpha) in impact and product_url(beta) in impact


def test_the_draft_tests_decide_not_the_stored_verification(
    client, demo_draft, two_products, chair
):
    # Flagged in the draft, the keypairs test no longer counts against Beta.
    for test in Test.objects.filter(capability__guideline=demo_draft, capability__key=KEYPAIRS):
        flag_set(test=test, date="2026-07-01", reason="[D401] flaky", action="fix it", actor=chair)

    assert "deployed in 2 of 2 verified products" in row(workspace(client), KEYPAIRS)


def test_the_latest_verified_run_of_a_product_counts(client, demo, two_products, staff):
    _, beta = two_products
    run = a_run(
        [*passing_tests(demo), *capability_tests(demo, KEYPAIRS)], version=beta.versions.get()
    )
    run_verify(actor=staff, pk=run.pk, guideline=demo, target="platform")

    assert "deployed in 2 of 2 verified products" in row(workspace(client), KEYPAIRS)


def test_a_product_is_judged_within_the_components_of_its_target(client, demo, demo_draft, staff):
    verified(demo, staff, "Alpha Cloud")
    verified(demo, staff, "Compute Only Cloud", target="compute")

    html = workspace(client)

    assert "deployed in 2 of 2 verified products" in row(html, SERVERS)
    # A compute cloud is not judged on object storage (A4.7), nor shown as failing it.
    assert "deployed in 1 of 1 verified product<" in row(html, OBJECTS)
    assert "Compute Only Cloud" not in section(capability_page(client, OBJECTS))


def test_a_verification_of_an_add_on_says_nothing_of_the_platform(
    client, demo, demo_draft, staff, system
):
    dns = import_file(DEMO / "dns.2026.06.json").guideline
    verified(demo, staff, "Alpha Cloud")
    verified(dns, staff, "Dns Only Cloud", target="dns")

    assert "deployed in 1 of 1 verified product<" in row(workspace(client), SERVERS)


def test_the_workspace_costs_the_same_queries_for_one_product_or_three(
    client, demo, demo_draft, staff
):
    verified(demo, staff, "Alpha Cloud")
    workspace(client)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as one:
        html = workspace(client)
    assert "of 1 verified product<" in html
    verified(demo, staff, "Beta Cloud", extra=capability_tests(demo, KEYPAIRS))
    verified(demo, staff, "Gamma Cloud")
    with CaptureQueriesContext(connection) as three:
        html = workspace(client)

    assert "deployed in 1 of 3 verified products" in row(html, KEYPAIRS)
    assert len(three) == len(one)
