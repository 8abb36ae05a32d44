"""The process rules checker: on the project's own chain of guidelines
(tests/data/guidelines, 2021.01 to 2024.01, one per schema generation), on rules broken
on purpose one at a time, and, for fidelity, on the committee's real chain."""

import copy

import pytest

from guidelines.rules import check
from guidelines.selectors import guideline_bundle

from .helpers import CHAIN as PROJECT_CHAIN
from .helpers import import_doc, import_file, import_project, project_doc

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


# The project's chain: each step breaks (or keeps) the rules as written down in
# tests/data/guidelines/README.md.

PROJECT_FINDINGS = {
    ("2021.01", "2021.06"): {
        ("2017A A4.6", "compute/compute-auth-get"),
        ("2017A A4.6", "compute/compute-auth-create"),
        ("2017A A4.5", "compute/compute-auth"),
    },
    ("2021.06", "2022.01"): {("2017A A4.6", "compute/compute-servers-create")},
    ("2022.01", "2022.06"): {("2017A A4.5", "compute/compute-keypairs")},
    # Deprecated before removed, advisory before required: nothing to find.
    ("2022.06", "2023.01"): set(),
    ("2023.01", "2023.06"): {
        ("2017A A4.6", "os_powered_compute/networks-list"),
        ("Listed capabilities defined", "os_powered_compute/volumes-v2-attach-detach"),
        ("Non-Admin", "networks-l3-router"),
    },
    ("2023.06", "2024.01"): {
        ("2017A A4.5", "os_powered_compute/volumes-v2-list"),
        ("2017A A4.5", "os_powered_compute/volumes-v2-create-delete"),
        ("Non-Admin", "networks-l3-router"),
    },
}


@pytest.fixture
def project_chain():
    return dict(zip(PROJECT_CHAIN, import_project(*PROJECT_CHAIN), strict=True))


def test_each_step_of_the_project_chain_finds_what_it_breaks(project_chain):
    assert sorted(PROJECT_FINDINGS) == list(zip(PROJECT_CHAIN, PROJECT_CHAIN[1:], strict=False))
    for (previous, draft), expected in PROJECT_FINDINGS.items():
        found = findings(project_chain[draft], project_chain[previous])
        assert {f.key for f in found} == expected, (previous, draft)
        assert all(f.message and f.rule and f.subject for f in found)


def test_the_1_2_to_1_3_regroup_is_found(project_chain):
    found = findings(project_chain["2021.06"], project_chain["2021.01"])

    assert messages(found, "2017A A4.5") == [
        "2017A A4.5: capability compute-auth leaves the required list of compute (no longer "
        "listed) without having been deprecated in 2021.01"
    ]
    assert (
        "2017A A4.6: compute-auth-create becomes required in compute but was not advisory in "
        "2021.01 (not listed)"
    ) in messages(found, "2017A A4.6")
    assert len(messages(found, "2017A A4.6")) == 2


def test_a_recorded_regroup_answers_the_lineage_findings_on_the_project_chain(project_chain):
    lineage = {"compute-auth-create": ["compute-auth"], "compute-auth-get": ["compute-auth"]}

    found = findings(project_chain["2021.06"], project_chain["2021.01"], lineage=lineage)

    # The successors inherit compute-auth's status, and it continues as them.
    assert found == []


def test_a_capability_removed_without_deprecation_is_found_by_its_status(project_chain):
    found = findings(project_chain["2022.06"], project_chain["2022.01"])

    assert messages(found, "2017A A4.5") == [
        "2017A A4.5: capability compute-keypairs leaves the required list of compute (removed) "
        "without having been deprecated in 2022.01"
    ]


def test_2023_06_to_2024_01_finds_volumes_v2_leaving_without_deprecation(project_chain):
    found = findings(project_chain["2024.01"], project_chain["2023.06"])

    assert messages(found, "2017A A4.5") == [
        "2017A A4.5: capability volumes-v2-list leaves the required list of os_powered_compute "
        "(no longer listed) without having been deprecated in 2023.06",
        "2017A A4.5: capability volumes-v2-create-delete leaves the required list of "
        "os_powered_compute (no longer listed) without having been deprecated in 2023.06",
    ]
    # volumes-v3-metadata was advisory in 2023.06: it may become required.
    assert messages(found, "2017A A4.6") == []


def test_1x_components_are_compared_with_their_2_0_names_on_the_project_chain(project_chain):
    found = findings(project_chain["2023.06"], project_chain["2023.01"])

    # compute/object are os_powered_compute/os_powered_storage: only the real addition.
    assert messages(found, "2017A A4.6") == [
        "2017A A4.6: networks-list becomes required in os_powered_compute but was not advisory "
        "in 2023.01 (not listed)"
    ]
    assert not messages(found, "2017A A4.5")
    assert not messages(found, "2017A A3.1")
    assert not messages(found, "2017A A3.2")


def test_the_non_admin_veto_on_the_project_chain(project_chain):
    found = findings(project_chain["2024.01"], project_chain["2023.06"])

    assert {f.subject for f in found if f.rule == "Non-Admin"} == {"networks-l3-router"}
    # Advisory, it is not vetoed.
    found = findings(project_chain["2023.01"], project_chain["2022.06"])
    assert not [f for f in found if f.rule == "Non-Admin"]


# The committee's real chain (fidelity: what the rules find in the real history).


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


# Rules broken on purpose, one at a time, on a copy of the project's 2024.01.


@pytest.fixture
def base():
    return project_doc("2024.01")


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

    found = findings(
        draft,
        totals={"compute-servers-list": 72, "compute-servers-create": -80, "networks-list": 74},
    )

    assert sorted(messages(found, "2017A A4.4")) == [
        "2017A A4.4: compute-servers-create is required but is not fully scored (-80), under "
        "the cut-off 74",
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
    tests[second]["idempotent_id"] = base["capabilities"]["networks-list"]["tests"][
        "tempest.api.network.test_networks.NetworksTest.test_list_networks"
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
