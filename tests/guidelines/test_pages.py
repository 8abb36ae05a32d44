"""The guideline list and guideline pages, on the demo data and the project's own test
guidelines (tests/data/guidelines); the committee's real files only to check that a large
guideline costs no more queries."""

import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from committee.system import system_actor
from guidelines.models import Guideline, SchemaGeneration
from guidelines.pages import newest_first
from guidelines.services import guideline_import

from .helpers import import_project, project_path

pytestmark = pytest.mark.django_db

# guideline_get, guideline_bundle (ten), the replaced guideline, the last import,
# and the comment thread (its first comments, then their replies when there are some).
DETAIL_QUERIES = 15


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


@pytest.fixture
def project():
    """Import the project's own test guidelines by name; returns the stored guidelines."""
    return import_project


@pytest.fixture
def real(real_files):
    """Import real guideline files by name; returns the stored guidelines."""

    def load(*keys):
        stored = []
        for key in keys:
            path = real_files[key]
            result = guideline_import(
                raw=path.read_bytes(), key=key, filename=str(path), actor=system_actor()
            )
            stored.append(result.guideline)
        return stored

    return load


def list_page(client):
    return client.get(reverse("guidelines:list"))


def detail_page(client, key):
    return client.get(reverse("guidelines:detail", args=[key]))


def headings(html: str, level: int) -> list[str]:
    found = re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", heading).split()) for heading in found]


# The list


def test_the_list_groups_the_platform_before_each_add_on(client, demo):
    response = list_page(client)

    assert response.status_code == 200
    assert headings(response.content.decode(), 2) == ["OpenStack Powered Platform", "DNS add-on"]
    assertContains(response, f'href="{reverse("guidelines:detail", args=["2026.06"])}"')
    assertContains(response, f'href="{reverse("guidelines:detail", args=["dns.2026.06"])}"')


def test_the_list_shows_status_schema_releases_target_and_counts(client, demo):
    response = list_page(client)

    platform, dns = response.context["groups"]
    (guideline,) = platform.guidelines
    assert (guideline.key, guideline.capability_count, guideline.test_count) == ("2026.06", 7, 9)
    assert [(g.key, g.capability_count, g.test_count) for g in dns.guidelines] == [
        ("dns.2026.06", 2, 2)
    ]
    assertContains(response, '<span class="badge badge--approved">Approved</span>', count=2)
    assertContains(response, "2025.1, 2025.2, 2026.1")
    assertContains(response, '<td data-label="Target approval">dns.2026.06</td>', html=True)
    assertContains(response, '<td data-label="Capabilities" class="num">7</td>', html=True)
    assertContains(response, '<td data-label="Tests" class="num">9</td>', html=True)


def test_the_list_names_add_on_groups_and_counts_their_tests(client, project):
    project("2021.01", "2024.01", "orchestration.2024.01")

    response = list_page(client)

    groups = response.context["groups"]
    assert [g.title for g in groups] == ["OpenStack Powered Platform", "Orchestration add-on"]
    assert [g.key for g in groups[0].guidelines] == ["2024.01", "2021.01"]
    counts = {g.key: (g.capability_count, g.test_count) for grp in groups for g in grp.guidelines}
    assert counts == {"2024.01": (13, 19), "2021.01": (9, 14), "orchestration.2024.01": (3, 5)}
    assertContains(response, "zed, 2023.1, 2023.2", count=2)
    assertContains(response, "train, ussuri, victoria", count=1)
    assertContains(response, '<span class="badge badge--superseded">Superseded</span>', html=True)


def test_next_drafts_come_first_then_the_newest():
    keys = ["2015.03", "next", "2020.06", "2016.08", "orchestration.next", "orchestration.2020.06"]
    ordered = newest_first([Guideline(key=key) for key in keys])

    assert [g.key for g in ordered] == [
        "orchestration.next",
        "next",
        "orchestration.2020.06",
        "2020.06",
        "2016.08",
        "2015.03",
    ]


def test_an_empty_site_says_how_to_load_guidelines(client):
    response = list_page(client)

    assertContains(response, "No guidelines yet.")
    assertContains(response, "manage.py load_demo")


def test_the_list_costs_one_query_however_many_guidelines(
    client, project, django_assert_max_num_queries
):
    project("2021.01", "2023.06", "2024.01", "next", "orchestration.2024.01")

    with django_assert_max_num_queries(1):
        response = list_page(client)

    assert response.status_code == 200


# One guideline


def test_an_unknown_guideline_is_not_found(client, demo):
    response = detail_page(client, "1999.01")

    assert response.status_code == 404
    assertContains(response, "Not found", status_code=404)


def test_a_key_with_json_suffix_is_not_found(client, demo):
    assert detail_page(client, "2026.06.json").status_code == 404


def test_the_demo_guideline_page_shows_its_header(client, demo):
    response = detail_page(client, "2026.06")

    assert response.status_code == 200
    assertContains(response, '<span class="badge badge--approved">Approved</span>', html=True)
    assertContains(response, "<dt>Schema</dt><dd>2.0</dd>", html=True)
    assertContains(response, "<dt>Cutoff score</dt><dd>74</dd>", html=True)
    assertContains(response, "<dt>Target approval</dt><dd>2026.06</dd>", html=True)
    # The replaced guideline is not on this site, so it is not a link.
    assertContains(response, "2025.12 <span")
    assertNotContains(response, 'href="/guidelines/2025.12/"')
    assertContains(response, 'href="https://example.org/defcore-site/demo/2026.06.json"')


def test_the_demo_page_lists_capabilities_by_component_and_status(client, demo):
    response = detail_page(client, "2026.06")

    page = response.context["page"]
    [compute, storage] = page.components
    assert [group.status for group in compute.capabilities] == ["required", "advisory", "removed"]
    assert [group.status for group in storage.capabilities] == ["required"]
    assertContains(response, 'href="#cap-compute-servers-create"')
    assertContains(response, 'id="cap-compute-servers-create"')


def test_a_flagged_test_shows_its_date_reason_and_action(client, demo):
    response = detail_page(client, "2026.06")

    assertContains(response, 'class="is-flagged"', count=1)
    assertContains(response, '<span class="badge badge--flagged">Flagged</span>', html=True)
    assertContains(response, "<dt>Date</dt><dd>2026-05-04</dd>", html=True)
    assertContains(response, "[D404] Fails on clouds that hide image ids from non-owners")
    assertContains(response, "Fix the test upstream and unflag in the next guideline")


def test_an_add_on_page_shows_the_platform_components_it_requires(client, demo):
    response = detail_page(client, "dns.2026.06")

    [program] = response.context["page"].programs
    assert program.title == "DNS"
    assert [ref.name for ref in program.required_platform] == ["os_powered_compute"]
    assertContains(response, "Requires platform components")
    assertContains(response, "<dt>Cutoff score</dt><dd>60</dd>", html=True)


def test_the_2024_01_page_shows_every_capability_and_test(client, project):
    project("2024.01")

    response = detail_page(client, "2024.01")

    html = response.content.decode()
    assert len(re.findall(r'<section class="capability" id="cap-', html)) == 13
    assert response.context["page"].test_count == 19
    assertContains(response, "13 capabilities, 19 tests, 3 flagged.")
    assertContains(response, 'class="is-flagged"', count=3)
    assertContains(response, "Keep it flagged until Tempest creates its own image.")
    assertContains(response, "[D406] Removed from Tempest")


def test_the_2024_01_criteria_weights_sum_to_100(client, project):
    project("2024.01")

    response = detail_page(client, "2024.01")

    page = response.context["page"]
    assert len(page.criteria) == 12
    assert page.criteria_total == 100
    assertContains(
        response, '<td data-label="Total of weights" class="num total">100</td>', html=True
    )
    assertContains(response, "Widely Deployed")


def test_designated_sections_and_test_repositories_are_shown(client, project):
    project("2024.01")

    response = detail_page(client, "2024.01")

    projects = [p.project for p in response.context["page"].designated_sections]
    assert projects == ["nova", "keystone", "glance", "cinder", "neutron", "swift"]
    assertContains(response, "By default, designated except the scheduler and the virt drivers.")
    assertContains(response, "Designated since the first guideline that required the project.")
    assertContains(response, '<span class="tag tag--no">not designated</span>', html=True)
    reference = json.loads(project_path("2024.01").read_bytes())["test_repositories"]["tempest"][
        "reference"
    ]
    assertContains(response, reference)
    assertContains(response, 'href="https://opendev.org/openstack/tempest/"')


def test_the_importer_warnings_are_in_a_collapsed_block(client, project):
    [guideline] = project("2024.01")
    warnings = guideline.events.imports().first().data["warnings"]

    response = detail_page(client, "2024.01")

    assert len(warnings) == 6
    assertContains(response, "What the importer noticed (6)")
    assertContains(response, "/capabilities/compute-flavors-list/descriptin")
    assert re.search(
        r"<details[^>]*>\s*<summary>What the importer noticed", response.content.decode()
    )


def test_a_replaced_guideline_on_this_site_is_linked(client, project):
    project("2024.01")
    Guideline.objects.create(key="2023.06", schema=SchemaGeneration.V2_0)

    response = detail_page(client, "2024.01")

    assertContains(response, '<a href="/guidelines/2023.06/">2023.06</a>', html=True)


def test_a_1_2_guideline_shows_its_unnamed_platform_with_components_by_status(client, project):
    project("2021.01")

    response = detail_page(client, "2021.01")

    [platform] = response.context["page"].programs
    assert platform.title == "Platform"
    assert [(g.status, [r.name for r in g.items]) for g in platform.members] == [
        ("required", ["compute", "object"])
    ]
    [compute, _object] = response.context["page"].components
    assert [(g.status, len(g.items)) for g in compute.capabilities] == [
        ("required", 4),
        ("advisory", 2),
        ("removed", 1),
    ]
    assertContains(response, "<dt>Schema</dt><dd>1.2</dd>", html=True)
    # 1.2 flags are a list of test names, without date, reason or action.
    assertContains(response, 'class="is-flagged"', count=2)
    assertContains(response, "<dt>Reason</dt><dd>not given</dd>", html=True, count=2)


def test_capabilities_listed_but_not_defined_are_marked(client, project):
    project("2023.06")

    response = detail_page(client, "2023.06")

    assert response.context["page"].undefined == ["volumes-v2-attach-detach"]
    assertContains(response, '<span class="badge badge--undefined">not defined</span>', count=1)
    assertNotContains(response, 'href="#cap-volumes-v2-attach-detach"')
    assertContains(response, 'href="#cap-volumes-v3-metadata"')


def test_capabilities_defined_but_not_listed_are_pointed_out(client, project):
    project("orchestration.2024.01", "2024.01")

    response = detail_page(client, "2024.01")

    assert response.context["page"].unlisted == ["images-v2-import"]
    assertContains(response, "Defined but not listed in any component")


def test_an_orchestration_page_shows_the_add_on_weights(client, project):
    project("orchestration.2024.01")

    response = detail_page(client, "orchestration.2024.01")

    assert response.context["page"].criteria_total == 75
    assertContains(response, "3 capabilities, 5 tests.")
    assertContains(response, "https://example.org/interop/2024.01.json")
    assertContains(response, "<dt>Cutoff score</dt><dd>60</dd>", html=True)


@pytest.mark.parametrize("key", ["2021.01", "2024.01", "next"])
def test_a_guideline_page_costs_a_fixed_number_of_queries(
    client, project, demo, key, django_assert_max_num_queries
):
    project(key)

    with django_assert_max_num_queries(DETAIL_QUERIES):
        small = detail_page(client, "dns.2026.06")
    with django_assert_max_num_queries(DETAIL_QUERIES):
        large = detail_page(client, key)

    assert (small.status_code, large.status_code) == (200, 200)


@pytest.mark.parametrize("key", ["2015.03", "2020.06"])
def test_a_large_real_guideline_page_costs_the_same_queries(
    client, real, demo, key, django_assert_max_num_queries
):
    """Scale: the committee's files have up to 91 capabilities and 350 tests."""
    real(key)

    with django_assert_max_num_queries(DETAIL_QUERIES):
        small = detail_page(client, "dns.2026.06")
    with django_assert_max_num_queries(DETAIL_QUERIES):
        large = detail_page(client, key)

    assert (small.status_code, large.status_code) == (200, 200)
