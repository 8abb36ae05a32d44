"""The process rules checker, on the real chain of guidelines and on rules broken on purpose."""

import copy
import json

import pytest

from guidelines.rules import check
from guidelines.selectors import guideline_bundle

from .helpers import import_doc, import_file

pytestmark = pytest.mark.django_db

CHAIN = ["2015.03", "2015.07", "2016.08", "2018.02", "2020.06"]


def findings(draft, previous=None, **kwargs):
    return check(
        guideline_bundle(draft),
        guideline_bundle(previous) if previous is not None else None,
        **kwargs,
    )


def messages(found, rule):
    return [f.message for f in found if f.rule == rule]


@pytest.fixture
def chain(real_files):
    return {key: import_file(real_files[key]).guideline for key in CHAIN}


def test_2015_03_to_2015_07_finds_the_regroup(chain):
    found = findings(chain["2015.07"], chain["2015.03"])

    assert (
        "2017A A4.5: capability compute-auth leaves the required list of compute (no longer "
        "listed) without having been deprecated in 2015.03"
    ) in messages(found, "2017A A4.5")
    assert (
        "2017A A4.6: compute-auth-create becomes required in compute but was not advisory in "
        "2015.03 (not listed)"
    ) in messages(found, "2017A A4.6")
    assert len(messages(found, "2017A A4.6")) == 48


def test_a_recorded_regroup_answers_the_lineage_findings(chain):
    lineage = {"compute-auth-create": ["compute-auth"], "compute-auth-get": ["compute-auth"]}

    found = findings(chain["2015.07"], chain["2015.03"], lineage=lineage)

    subjects = {f.subject for f in found}
    assert "compute/compute-auth-create" not in subjects
    assert "compute/compute-auth" not in subjects  # it continues as its successors


def test_2018_02_to_2020_06_finds_volumes_v2_leaving_without_deprecation(chain):
    found = findings(chain["2020.06"], chain["2018.02"])

    leaving = [m for m in messages(found, "2017A A4.5") if "volumes-v2-" in m]
    assert len(leaving) == 13
    assert all("without having been deprecated in 2018.02" in m for m in leaving)


def test_1x_components_are_compared_with_their_2_0_names(chain):
    found = findings(chain["2018.02"], chain["2016.08"])

    # compute/object are os_powered_compute/os_powered_storage: no component-wide noise.
    assert len(messages(found, "2017A A4.6")) == 21
    assert not messages(found, "2017A A3.1")
    assert not messages(found, "2017A A3.2")


def test_each_step_of_the_shared_chain_is_checked(chain):
    for previous, draft in zip(CHAIN, CHAIN[1:], strict=False):
        found = findings(chain[draft], chain[previous])
        assert found, (previous, draft)
        assert all(f.message and f.rule and f.subject for f in found)


def test_the_non_admin_veto_in_the_real_data(chain):
    found = findings(chain["2020.06"], chain["2018.02"])

    assert {f.subject for f in found if f.rule == "Non-Admin"} == {
        "networks-l3-CRUD",
        "networks-l3-router",
    }


# Rules broken on purpose, one at a time, on a copy of 2020.06.


@pytest.fixture
def base(real_files):
    return json.loads(real_files["2020.06"].read_bytes())


def pair(base, change):
    previous = import_doc(base, key="previous").guideline
    doc = copy.deepcopy(base)
    change(doc)
    return findings(import_doc(doc, key="draft").guideline, previous)


def compute_lists(doc):
    return doc["components"]["os_powered_compute"]["capabilities"]


def test_a4_5_removed_without_being_deprecated(base):
    def change(doc):
        compute_lists(doc)["required"].remove("compute-servers-list")
        compute_lists(doc)["removed"].append("compute-servers-list")

    assert messages(pair(base, change), "2017A A4.5") == [
        "2017A A4.5: capability compute-servers-list leaves the required list of "
        "os_powered_compute (removed) without having been deprecated in previous"
    ]


def test_a4_5_deprecating_first_is_fine(base):
    def change(doc):
        compute_lists(doc)["required"].remove("compute-servers-list")
        compute_lists(doc)["deprecated"].append("compute-servers-list")

    assert messages(pair(base, change), "2017A A4.5") == []


def test_a4_6_required_without_being_advisory(base):
    def change(doc):
        compute_lists(doc)["required"].append("images-v2-import")

    assert messages(pair(base, change), "2017A A4.6") == [
        "2017A A4.6: images-v2-import becomes required in os_powered_compute but was not "
        "advisory in previous (not listed)"
    ]


def test_a3_1_and_a3_2_for_designated_sections(base):
    def change(doc):
        sections = doc["components"]["os_powered_compute"]["designated_sections"]
        sections["required"].remove("cinder")
        sections["required"].append("heat")

    found = pair(base, change)

    assert messages(found, "2017A A3.1") == [
        "2017A A3.1: heat becomes required in os_powered_compute but was not advisory in "
        "previous (not listed)"
    ]
    assert messages(found, "2017A A3.2") == [
        "2017A A3.2: designated section cinder leaves the required list of os_powered_compute "
        "(no longer listed) without having been deprecated in previous"
    ]


def test_a4_4_required_under_the_cutoff(base):
    draft = import_doc(base, key="draft").guideline

    found = findings(draft, totals={"compute-servers-list": 72, "compute-quotas-get": -80})

    assert sorted(messages(found, "2017A A4.4")) == [
        "2017A A4.4: compute-quotas-get is required but is not fully scored (-80), under the "
        "cut-off 74",
        "2017A A4.4: compute-servers-list is required but scores 72, under the cut-off 74",
    ]


def test_non_admin_an_admin_only_capability_cannot_be_required(base):
    base["capabilities"]["compute-servers-list"]["admin"] = True

    found = findings(import_doc(base, key="draft").guideline)

    assert "compute-servers-list" in {f.subject for f in found if f.rule == "Non-Admin"}


def test_one_status_per_component(base):
    compute_lists(base)["advisory"].append("compute-servers-list")

    found = findings(import_doc(base, key="draft").guideline)

    assert messages(found, "One status per component") == [
        "compute-servers-list is listed 2 times in os_powered_compute (required, advisory); a "
        "capability has one status per component"
    ]


def test_listed_capabilities_are_defined(base):
    compute_lists(base)["advisory"].append("compute-teleport")

    found = findings(import_doc(base, key="draft").guideline)

    assert messages(found, "Listed capabilities defined") == [
        "compute-teleport is listed as advisory in os_powered_compute but not defined in the "
        "guideline"
    ]


def test_tests_have_well_formed_unique_idempotent_ids(base):
    tests = base["capabilities"]["compute-servers-list"]["tests"]
    first, second = list(tests)[:2]
    tests[first]["idempotent_id"] += ",negative"
    tests[second]["idempotent_id"] = base["capabilities"]["compute-list-api-versions"]["tests"][
        "tempest.api.compute.test_versions.TestVersions.test_list_api_versions"
    ]["idempotent_id"]

    found = messages(findings(import_doc(base, key="draft").guideline), "2017A A2.4")

    assert any(first in m and "no well-formed idempotent id" in m for m in found)
    assert any("names 2 different tests" in m and second in m for m in found)


def test_flags_are_complete_and_typed(base):
    tests = base["capabilities"]["compute-servers-list"]["tests"]
    first, second = list(tests)[:2]
    tests[first]["flagged"] = {"date": "2026-01-01", "action": "fix it"}
    tests[second]["flagged"] = {"date": "2026-01-01", "reason": "flaky", "action": "fix it"}

    found = findings(import_doc(base, key="draft").guideline)

    assert f"HACKING D307: the flag on {first} has no reason" in messages(found, "HACKING D307")
    assert any(second in m and "flag type" in m for m in messages(found, "HACKING D309"))
