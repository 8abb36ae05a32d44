"""Diffs between two guidelines: the function, the API route and the pages.

On the project's own guidelines (tests/data/guidelines: a chain from schema 1.2 to
2.0 and a stale ``next`` draft), and, for fidelity, on the committee's real files.
"""

import copy
import json
import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from guidelines.diff import COMPONENTS_1X_AS_2_0, SUMMARY_KINDS, guideline_diff
from tests.guidelines.helpers import (
    import_doc,
    import_file,
    import_project,
    project_doc,
    project_path,
)

pytestmark = pytest.mark.django_db

# guideline_bundle costs ten queries a guideline (DETAIL_QUERIES in test_pages.py).
DIFF_QUERIES = 2 * 10
# The page and the API look both guidelines up first.
PAGE_QUERIES = DIFF_QUERIES + 2

SERVERS = "tempest.api.compute.servers"
VOLUME = "tempest.api.volume"
FILTERS = f"{SERVERS}.test_list_server_filters.ListServerFiltersTestJSON"
METADATA = f"{VOLUME}.test_volume_metadata.VolumesMetadataTest"
FLAVORS = "tempest.api.compute.flavors.test_flavors.FlavorsV2TestJSON"
# 2023.01 -> 2023.06 (the project's documents): same idempotent id, new name.
PROJECT_RENAMED_BY_ID = {
    "from": f"{FILTERS}.test_list_servers_filter_by_server_status",
    "to": f"{FILTERS}.test_list_servers_filter_by_active_status",
    "capability": "compute-servers-list",
}
RENAMED_BY_ID = {
    # 2016.08 -> 2018.02: same idempotent id, new name (found by script on the real files).
    "from": f"{SERVERS}.test_list_server_filters.ListServerFiltersTestJSON"
    ".test_list_servers_filter_by_server_status",
    "to": f"{SERVERS}.test_list_server_filters.ListServerFiltersTestJSON"
    ".test_list_servers_filter_by_active_status",
    "capability": "compute-servers-list",
    "idempotent_id": "id-ca78e20e-fddb-4ce6-b7f7-bcbf8605e66e",
}
FLAGGED_IP = f"{SERVERS}.test_list_server_filters.ListServerFiltersTestJSON"
VOLUMES_V2_REQUIRED_IN_2018_02 = [
    "volumes-v2-create-delete",
    "volumes-v2-snapshot-create-delete",
    "volumes-v2-get",
    "volumes-v2-list",
    "volumes-v2-update",
    "volumes-v2-copy-image-to-volume",
    "volumes-v2-clone",
    "volumes-v2-availability-zones",
    "volumes-v2-extensions",
    "volumes-v2-metadata",
    "volumes-v2-reserve",
    "volumes-v2-readonly",
    "volumes-v2-upload",
]


@pytest.fixture
def project():
    """Import the project's own test guidelines by name; returns the stored guidelines."""
    return import_project


@pytest.fixture
def real(real_files):
    """Import real guideline files by name; returns the stored guidelines."""

    def load(*keys):
        return [import_file(real_files[key]).guideline for key in keys]

    return load


def document(real_files, key) -> dict:
    return json.loads(real_files[key].read_text())


def id_of(doc, capability, name) -> str:
    return doc["capabilities"][capability]["tests"][name]["idempotent_id"]


def names_in(key) -> set[str]:
    return {name for cap in project_doc(key)["capabilities"].values() for name in cap["tests"]}


def component(diff, name) -> dict:
    (found,) = [c for c in diff["components"] if c["name"] == name]
    return found


def nonzero(summary: dict) -> dict:
    return {kind: count for kind, count in summary.items() if count}


# The same guideline


def test_a_guideline_compared_with_itself_has_no_changes(project):
    (g,) = project("2024.01")

    diff = guideline_diff(g, g)

    assert diff["summary"]["total"] == 0
    assert set(diff["summary"]) == {*SUMMARY_KINDS, "total"}
    assert diff["metadata"] == []
    assert diff["criteria"] == {"added": [], "removed": [], "changed": []}
    assert diff["capabilities"] == {"defined": [], "undefined": [], "changed": []}
    assert all(rows == [] for rows in diff["tests"].values())
    assert [
        (c["name"], c["from"], c["to"], c["added"], c["removed"], c["moved"])
        for c in diff["components"]
    ] == [
        ("os_powered_compute", "os_powered_compute", "os_powered_compute", [], [], []),
        ("os_powered_storage", "os_powered_storage", "os_powered_storage", [], [], []),
    ]


def test_the_same_document_under_another_name_differs_only_in_its_key():
    first = import_file(project_path("2024.01")).guideline
    copy_ = import_file(project_path("2024.01"), key="2024.01-copy").guideline

    diff = guideline_diff(first, copy_)

    assert nonzero(diff["summary"]) == {"metadata": 1, "total": 1}
    assert diff["metadata"] == [{"field": "key", "from": "2024.01", "to": "2024.01-copy"}]


def test_the_diff_is_plain_json(project):
    old, new = project("2023.01", "2023.06")

    diff = guideline_diff(old, new)

    assert json.loads(json.dumps(diff)) == diff
    assert list(diff) == [
        "from",
        "to",
        "summary",
        "metadata",
        "criteria",
        "components",
        "capabilities",
        "tests",
    ]
    assert diff["from"] == {"key": "2023.01", "schema": "1.6", "status": "superseded"}
    assert diff["to"] == {"key": "2023.06", "schema": "2.0", "status": "superseded"}


# 2024.01 and next (next: copied before 2024.01's approval, with stale metadata)


def test_next_makes_three_required_compute_capabilities_advisory_in_the_project_data(project):
    old, new = project("2024.01", "next")

    diff = guideline_diff(old, new)

    compute = component(diff, "os_powered_compute")
    assert compute["moved"] == [
        {"capability": "volumes-v3-metadata", "from": "required", "to": "advisory"},
        {"capability": "compute-flavors-list", "from": "required", "to": "advisory"},
        {"capability": "identity-v3-tokens-create", "from": "required", "to": "advisory"},
    ]
    # next still lists the two Cinder v2 capabilities it no longer defines.
    assert compute["added"] == [
        {"capability": "volumes-v2-list", "status": "removed"},
        {"capability": "volumes-v2-create-delete", "status": "removed"},
    ]
    assert compute["removed"] == []
    assert component(diff, "os_powered_storage")["moved"] == [
        {"capability": "identity-v3-tokens-create", "from": "required", "to": "advisory"}
    ]
    assert nonzero(diff["summary"]) == {
        "metadata": 5,
        "capabilities_added": 2,
        "capabilities_moved": 4,
        "capabilities_changed": 1,
        "total": 12,
    }
    # Same tests, same flags, same criteria.
    assert all(rows == [] for rows in diff["tests"].values())
    assert diff["criteria"] == {"added": [], "removed": [], "changed": []}
    assert {"field": "status", "from": "approved", "to": "draft"} in diff["metadata"]
    # next's replaces is stale (2023.06 in both): not a change.
    assert "replaces" not in {row["field"] for row in diff["metadata"]}
    # next was copied before 2024.01 was approved: it does not require it yet.
    assert diff["capabilities"]["changed"] == [
        {
            "capability": "volumes-v3-metadata",
            "changes": [{"field": "required_since", "from": "2024.01", "to": ""}],
        }
    ]


def test_from_next_to_2024_01_the_same_changes_go_the_other_way(project):
    old, new = project("next", "2024.01")

    diff = guideline_diff(old, new)

    compute = component(diff, "os_powered_compute")
    # In 2024.01's order this time.
    assert [(m["capability"], m["from"], m["to"]) for m in compute["moved"]] == [
        ("compute-flavors-list", "advisory", "required"),
        ("identity-v3-tokens-create", "advisory", "required"),
        ("volumes-v3-metadata", "advisory", "required"),
    ]
    assert compute["removed"] == [
        {"capability": "volumes-v2-list", "status": "removed"},
        {"capability": "volumes-v2-create-delete", "status": "removed"},
    ]
    assert compute["added"] == []
    assert diff["summary"]["capabilities_removed"] == 2
    assert diff["summary"]["total"] == 12


# 2023.06 to 2024.01: Cinder v2 goes


def test_the_volumes_v2_capabilities_are_removed_from_2023_06_to_2024_01(project):
    old, new = project("2023.06", "2024.01")

    diff = guideline_diff(old, new)

    compute = component(diff, "os_powered_compute")
    assert compute["removed"] == [
        # Listed as removed in 2023.06 (and never defined there); 2024.01 no longer lists it.
        {"capability": "volumes-v2-attach-detach", "status": "removed"},
        {"capability": "volumes-v2-list", "status": "required"},
        {"capability": "volumes-v2-create-delete", "status": "required"},
    ]
    assert [c["capability"] for c in diff["capabilities"]["undefined"]] == [
        "volumes-v2-list",
        "volumes-v2-create-delete",
    ]
    assert compute["moved"] == [
        {"capability": "volumes-v3-metadata", "from": "advisory", "to": "required"}
    ]
    removed_tests = {(t["capability"], t["name"]) for t in diff["tests"]["removed"]}
    assert removed_tests == {
        ("volumes-v2-list", f"{VOLUME}.test_volumes_list.VolumesListTestJSON.test_volume_list"),
        (
            "volumes-v2-list",
            f"{VOLUME}.test_volumes_list.VolumesListTestJSON.test_volume_list_with_details",
        ),
        (
            "volumes-v2-create-delete",
            f"{VOLUME}.test_volumes_get.VolumesGetTest.test_volume_create_get_update_delete",
        ),
    }


def test_only_a_criterion_description_changes_from_2023_06_to_2024_01(project):
    old, new = project("2023.06", "2024.01")

    criteria = guideline_diff(old, new)["criteria"]

    assert (criteria["added"], criteria["removed"]) == ([], [])
    # Only a grammar fix in one description; no weight (2017A A4.1-A4.3).
    assert criteria["changed"] == [
        {
            "key": "atomic",
            "changes": [
                {
                    "field": "description",
                    "from": "Capabilities is unique and cannot be built out of other "
                    "required capabilities",
                    "to": "Capabilities are unique and cannot be built out of other "
                    "required capabilities",
                }
            ],
        }
    ]


def test_a_test_renamed_with_its_old_name_as_alias_is_a_rename_in_the_project_data(project):
    old, new = project("2023.06", "2024.01")

    tests = guideline_diff(old, new)["tests"]

    metadata_id = id_of(
        project_doc("2023.06"),
        "volumes-v3-metadata",
        f"{METADATA}.test_create_get_delete_volume_metadata",
    )
    assert tests["renamed"] == [
        {
            "from": f"{METADATA}.test_create_get_delete_volume_metadata",
            "to": f"{METADATA}.test_crud_volume_metadata",
            "capability": "volumes-v3-metadata",
            "idempotent_id": metadata_id,
        }
    ]
    assert tests["aliases_changed"] == [
        {
            "name": f"{METADATA}.test_crud_volume_metadata",
            "capability": "volumes-v3-metadata",
            "idempotent_id": metadata_id,
            "from": [],
            "to": [f"{METADATA}.test_create_get_delete_volume_metadata"],
        }
    ]
    assert [t["name"] for t in tests["flagged"]] == [
        "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_no_params"
    ]


def test_a_duplicate_id_that_goes_is_removed_not_a_second_rename():
    """As in 2018.02 (8e623b9): one id listed twice in a capability, then only once."""
    old_doc, new_doc = project_doc("2023.06"), project_doc("2024.01")
    old_tests = old_doc["capabilities"]["volumes-v3-metadata"]["tests"]
    metadata_id = old_tests[f"{METADATA}.test_create_get_delete_volume_metadata"]["idempotent_id"]
    old_tests[f"{METADATA}.test_update_volume_metadata"]["idempotent_id"] = metadata_id
    del new_doc["capabilities"]["volumes-v3-metadata"]["tests"][
        f"{METADATA}.test_update_volume_metadata"
    ]
    old = import_doc(old_doc, key="2023.06").guideline
    new = import_doc(new_doc, key="2024.01").guideline

    tests = guideline_diff(old, new)["tests"]

    assert [(t["from"], t["to"]) for t in tests["renamed"]] == [
        (
            f"{METADATA}.test_create_get_delete_volume_metadata",
            f"{METADATA}.test_crud_volume_metadata",
        )
    ]
    assert {
        "name": f"{METADATA}.test_update_volume_metadata",
        "capability": "volumes-v3-metadata",
        "idempotent_id": metadata_id,
    } in tests["removed"]


# 2023.01 (schema 1.6) to 2023.06 (schema 2.0)


def test_1x_components_are_matched_with_their_2_0_names(project):
    old, new = project("2023.01", "2023.06")

    diff = guideline_diff(old, new)

    assert [(c["name"], c["from"], c["to"]) for c in diff["components"]] == [
        ("os_powered_compute", "compute", "os_powered_compute"),
        ("os_powered_storage", "object", "os_powered_storage"),
    ]
    assert (diff["summary"]["components_added"], diff["summary"]["components_removed"]) == (0, 0)
    compute = component(diff, "os_powered_compute")
    assert compute["moved"] == [
        {"capability": "networks-l3-router", "from": "advisory", "to": "required"}
    ]
    # Only real changes: 2023.01 compute listed 11 names, 2023.06 os_powered_compute 13.
    assert compute["added"] == [
        {"capability": "volumes-v3-metadata", "status": "advisory"},
        {"capability": "volumes-v2-attach-detach", "status": "removed"},
        {"capability": "networks-list", "status": "required"},
    ]
    assert compute["removed"] == [{"capability": "identity-v2-tokens-create", "status": "removed"}]
    storage = component(diff, "os_powered_storage")
    assert (storage["added"], storage["removed"], storage["moved"]) == ([], [], [])
    assert COMPONENTS_1X_AS_2_0 == {
        "compute": "os_powered_compute",
        "object": "os_powered_storage",
    }


def test_the_mapping_also_works_from_2_0_back_to_1x(project):
    old, new = project("2023.06", "2023.01")

    diff = guideline_diff(old, new)

    assert [(c["name"], c["from"], c["to"]) for c in diff["components"]] == [
        ("compute", "os_powered_compute", "compute"),
        ("object", "os_powered_storage", "object"),
    ]
    assert len(component(diff, "compute")["removed"]) == 3
    assert component(diff, "compute")["added"] == [
        {"capability": "identity-v2-tokens-create", "status": "removed"}
    ]


def test_two_1x_guidelines_match_components_by_name(project):
    old, new = project("2022.06", "2023.01")

    diff = guideline_diff(old, new)

    assert [(c["name"], c["from"], c["to"]) for c in diff["components"]] == [
        ("compute", "compute", "compute"),
        ("object", "object", "object"),
    ]
    # Deprecated, then removed; advisory, then required.
    assert [(m["capability"], m["from"], m["to"]) for m in component(diff, "compute")["moved"]] == [
        ("identity-v2-tokens-create", "deprecated", "removed"),
        ("images-v2-list", "advisory", "required"),
        ("volumes-v2-list", "advisory", "required"),
        ("volumes-v2-create-delete", "advisory", "required"),
    ]
    # The 2016.08 weights (cfbaac7): five criteria change weight.
    assert [c["key"] for c in diff["criteria"]["changed"]] == [
        "atomic",
        "clients",
        "foundation",
        "future",
        "tools",
    ]


def test_tests_renamed_between_2023_01_and_2023_06_are_found_by_idempotent_id(project):
    old, new = project("2023.01", "2023.06")

    tests = guideline_diff(old, new)["tests"]

    expected = {
        **PROJECT_RENAMED_BY_ID,
        "idempotent_id": id_of(
            project_doc("2023.01"), "compute-servers-list", PROJECT_RENAMED_BY_ID["from"]
        ),
    }
    assert tests["renamed"] == [expected]
    added = {t["name"] for t in tests["added"]}
    removed = {t["name"] for t in tests["removed"]}
    assert PROJECT_RENAMED_BY_ID["to"] not in added
    assert PROJECT_RENAMED_BY_ID["from"] not in removed
    assert removed == {"tempest.api.identity.v2.test_tokens.TokensTest.test_create_token"}
    assert len(added) == 4


# A synthetic change of each kind, on 2024.01's own document


def flag(reason):
    return {"date": "2026-01-15", "reason": reason, "action": "Remove it in the next guideline."}


def rename_key(tests: dict, old: str, new: str) -> dict:
    """The same tests with one key renamed, in the same order."""
    return {new if name == old else name: value for name, value in tests.items()}


@pytest.fixture
def edited():
    """2024.01, and a copy with one rename, one flag, one unflag and one new weight."""
    doc = project_doc("2024.01")
    changed = copy.deepcopy(doc)
    caps = changed["capabilities"]
    flavors = caps["compute-flavors-list"]
    old_name = f"{FLAVORS}.test_list_flavors"
    flavors["tests"] = rename_key(flavors["tests"], old_name, old_name + "_renamed")
    create = caps["compute-servers-create"]["tests"]
    create_test = next(iter(create))
    create[create_test]["flagged"] = flag("[D404] Fails on clouds without a public network")
    servers = caps["compute-servers-list"]["tests"]
    unflagged = servers[f"{FILTERS}.test_list_servers_filter_by_flavor"].pop("flagged")
    changed["metadata"]["scoring"]["criteria"]["deployed"]["weight"] = 7
    before = import_doc(doc, key="2024.01").guideline
    after = import_doc(changed, key="2024.01-edited").guideline
    return before, after, {"renamed": old_name, "flagged": create_test, "unflag": unflagged}


def test_each_synthetic_change_is_reported_exactly(edited):
    before, after, names = edited
    doc = project_doc("2024.01")

    diff = guideline_diff(before, after)

    assert nonzero(diff["summary"]) == {
        "metadata": 1,
        "criteria_changed": 1,
        "tests_renamed": 1,
        "tests_flagged": 1,
        "tests_unflagged": 1,
        "total": 5,
    }
    assert diff["metadata"] == [{"field": "key", "from": "2024.01", "to": "2024.01-edited"}]
    assert diff["criteria"]["changed"] == [
        {"key": "deployed", "changes": [{"field": "weight", "from": 8, "to": 7}]}
    ]
    assert diff["tests"]["renamed"] == [
        {
            "from": names["renamed"],
            "to": names["renamed"] + "_renamed",
            "capability": "compute-flavors-list",
            "idempotent_id": id_of(doc, "compute-flavors-list", names["renamed"]),
        }
    ]
    assert diff["tests"]["flagged"] == [
        {
            "name": names["flagged"],
            "capability": "compute-servers-create",
            "idempotent_id": id_of(doc, "compute-servers-create", names["flagged"]),
            "flag": flag("[D404] Fails on clouds without a public network"),
        }
    ]
    (unflagged,) = diff["tests"]["unflagged"]
    assert unflagged["name"] == f"{FILTERS}.test_list_servers_filter_by_flavor"
    assert unflagged["capability"] == "compute-servers-list"
    assert unflagged["flag"] == names["unflag"]
    assert (diff["tests"]["added"], diff["tests"]["removed"]) == ([], [])


def test_the_other_direction_reports_the_opposite_changes(edited):
    before, after, names = edited

    diff = guideline_diff(after, before)

    assert [(t["from"], t["to"]) for t in diff["tests"]["renamed"]] == [
        (names["renamed"] + "_renamed", names["renamed"])
    ]
    assert [t["name"] for t in diff["tests"]["unflagged"]] == [names["flagged"]]
    assert [t["name"] for t in diff["tests"]["flagged"]] == [
        f"{FILTERS}.test_list_servers_filter_by_flavor"
    ]
    assert diff["criteria"]["changed"][0]["changes"] == [{"field": "weight", "from": 7, "to": 8}]


def test_moves_flag_changes_aliases_and_ids_are_reported():
    doc = project_doc("2024.01")
    changed = copy.deepcopy(doc)
    caps = changed["capabilities"]
    # Move a test to another capability, keeping its name and id.
    moved_name = f"{FLAVORS}.test_list_flavors"
    caps["compute-servers-list"]["tests"][moved_name] = caps["compute-flavors-list"]["tests"].pop(
        moved_name
    )
    # A flag's reason reworded, an alias added, and a malformed id (matched by name).
    servers = caps["compute-servers-list"]["tests"]
    by_flavor = f"{FILTERS}.test_list_servers_filter_by_flavor"
    servers[by_flavor]["flagged"]["reason"] = "[D404] Reworded"
    servers[by_flavor]["aliases"] = [*servers[by_flavor].get("aliases", []), "tempest.new.alias"]
    create = caps["compute-servers-create"]["tests"]
    create_test = next(iter(create))
    create[create_test]["idempotent_id"] += ",smoke"
    before = import_doc(doc, key="2024.01").guideline
    after = import_doc(changed, key="2024.01-moved").guideline

    diff = guideline_diff(before, after)

    assert diff["tests"]["moved"] == [
        {
            "name": moved_name,
            "from": "compute-flavors-list",
            "to": "compute-servers-list",
            "idempotent_id": id_of(doc, "compute-flavors-list", moved_name),
        }
    ]
    (reworded,) = diff["tests"]["flag_changed"]
    assert (reworded["name"], reworded["to"]["reason"]) == (by_flavor, "[D404] Reworded")
    assert reworded["from"]["date"] == reworded["to"]["date"] == "2023-04-12"
    (aliases,) = diff["tests"]["aliases_changed"]
    assert aliases["name"] == by_flavor
    assert aliases["to"] == ["tempest.new.alias"]
    create_id = id_of(doc, "compute-servers-create", create_test)
    assert diff["tests"]["idempotent_id_changed"] == [
        {
            "name": create_test,
            "capability": "compute-servers-create",
            "idempotent_id": create_id + ",smoke",
            "from": create_id,
            "to": create_id + ",smoke",
        }
    ]
    assert (diff["tests"]["added"], diff["tests"]["removed"]) == ([], [])


def test_tests_of_a_1_2_guideline_have_no_ids_and_are_matched_by_name(project):
    old, new = project("2021.01", "2021.06")

    tests = guideline_diff(old, new)["tests"]

    # 2021.01 lists test names only (schema 1.2); each name is in one capability.
    names = {key: names_in(key) for key in ("2021.01", "2021.06")}
    assert {t["name"] for t in tests["added"]} == names["2021.06"] - names["2021.01"] == set()
    assert {t["name"] for t in tests["removed"]} == names["2021.01"] - names["2021.06"]
    assert [t["capability"] for t in tests["removed"]] == ["compute-images-v1"]
    assert tests["renamed"] == []
    # 2021.06 gives every test an id that 2021.01 did not have.
    assert len(tests["idempotent_id_changed"]) == len(names["2021.01"] & names["2021.06"]) == 13
    assert all(t["from"] is None for t in tests["idempotent_id_changed"])
    # The regroup: compute-auth's tests went to the capabilities made from it.
    assert [(t["from"], t["to"]) for t in tests["moved"]] == [
        ("compute-auth", "compute-auth-get"),
        ("compute-auth", "compute-auth-create"),
    ]


def test_a_diff_costs_a_fixed_number_of_queries(project, edited, django_assert_max_num_queries):
    before, after, _ = edited
    old, new = project("2023.01", "2023.06")

    with django_assert_max_num_queries(DIFF_QUERIES):
        guideline_diff(before, after)
    with django_assert_max_num_queries(DIFF_QUERIES):
        guideline_diff(old, new)


# The API


def api_diff(client, a, b):
    return client.get(reverse("api:guideline-diff", kwargs={"a": a, "b": b}))


def test_the_api_gives_the_diff_as_json(client, project):
    project("2023.06", "2024.01")

    response = api_diff(client, "2023.06", "2024.01")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert (data["from"]["key"], data["to"]["key"]) == ("2023.06", "2024.01")
    assert data["summary"]["capabilities_removed"] == 3
    assert len(data["tests"]["renamed"]) == 1
    assert data == json.loads(json.dumps(guideline_diff(*project("2023.06", "2024.01"))))


def test_the_api_accepts_json_suffixes_on_both_names(client, project):
    project("2023.06", "2024.01")

    plain = client.get("/api/v1/guidelines/2023.06/diff/2024.01")
    suffixed = client.get("/api/v1/guidelines/2023.06.json/diff/2024.01.json")

    assert (plain.status_code, suffixed.status_code) == (200, 200)
    assert suffixed.json() == plain.json()


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/v1/guidelines/2099.01/diff/2024.01", "'2099.01'"),
        ("/api/v1/guidelines/2024.01/diff/2099.01.json", "'2099.01'"),
        ("/api/v1/guidelines/old/diff/new", "'old' or 'new'"),
    ],
)
def test_the_api_names_an_unknown_guideline_in_a_json_404(client, project, path, named):
    project("2024.01")

    response = client.get(path)

    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (404, "not_found")
    assert f"No guideline named {named}" in error["message"]


def test_the_api_costs_a_fixed_number_of_queries(client, project, django_assert_max_num_queries):
    project("2023.01", "2023.06")

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = api_diff(client, "2023.01", "2023.06")

    assert response.status_code == 200


# The pages


def diff_page(client, a, b):
    return client.get(reverse("guidelines:diff", args=[a, b]))


def summary_link(anchor, count, words):
    return f'<a href="#{anchor}"><strong>{count}</strong> <span>{words}</span></a>'


def test_the_diff_page_shows_the_summary_and_a_renamed_test(client, project):
    project("2023.06", "2024.01")

    response = diff_page(client, "2023.06", "2024.01")

    assert response.status_code == 200
    assertContains(response, "Changes from")
    assertContains(response, "20 changes.")
    assertContains(response, summary_link("tests-renamed", 1, "test renamed"), html=True)
    assertContains(response, summary_link("components", 3, "capabilities removed"), html=True)
    html = response.content.decode()
    renamed = html[html.index('id="tests-renamed"') :]
    renamed = renamed[: renamed.index("</section>")]
    assert "VolumesMetadataTest.test_crud_volume_metadata</code>" in renamed
    assert "was <code>tempest.api.volume.test_volume_metadata.VolumesMetadataTest" in renamed
    assertContains(response, '<span class="badge badge--required">required</span>')
    assertNotContains(response, "No changes: the two guidelines")


def test_the_diff_page_says_no_changes_for_the_same_guideline(client, project):
    project("2024.01")

    response = diff_page(client, "2024.01", "2024.01")

    assertContains(response, "No changes: the two guidelines say the same")
    assertNotContains(response, 'id="tests"')


def test_the_diff_page_explains_the_component_mapping(client, project):
    project("2023.01", "2023.06")

    response = diff_page(client, "2023.01", "2023.06")

    assertContains(
        response,
        "<code>compute</code> in 2023.01 is <code>os_powered_compute</code> in 2023.06",
    )
    compute = response.content.decode().split('id="component-os_powered_compute"')[1]
    assert "was <code>compute</code>" in compute.split("</h3>")[0]


def test_the_diff_page_of_an_unknown_guideline_is_not_found(client, project):
    project("2024.01")

    assert diff_page(client, "2024.01", "2099.01").status_code == 404


def test_the_diff_page_costs_a_fixed_number_of_queries(
    client, project, django_assert_max_num_queries
):
    project("2023.01", "2023.06")

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = diff_page(client, "2023.01", "2023.06")

    assert response.status_code == 200


def test_the_compare_form_on_a_guideline_page_leads_to_the_diff(client, project):
    project("2023.06", "2024.01")

    page = client.get(reverse("guidelines:detail", args=["2024.01"])).content.decode()
    form = re.search(r'<form class="compare-form" method="get" action="([^"]+)">', page)
    assert form is not None
    assert '<option value="2023.06">2023.06 (superseded)</option>' in page
    assert '<option value="2024.01">' not in page

    response = client.get(form.group(1), {"with": "2023.06"}, follow=True)

    # The older guideline comes first, so the diff reads as a changelog.
    assert response.redirect_chain == [
        (reverse("guidelines:diff", args=["2023.06", "2024.01"]), 302)
    ]
    assertContains(response, summary_link("tests-renamed", 1, "test renamed"), html=True)


def test_the_compare_form_offers_the_replaced_guideline_first(client, project):
    project("2023.06", "next", "2024.01")

    page = client.get(reverse("guidelines:detail", args=["next"]))

    # next says it replaces 2023.06 (its metadata is stale, as the committee's was).
    assert [g.key for g in page.context["page"].compare_with] == ["2023.06", "2024.01"]


def test_comparing_with_an_unknown_guideline_is_not_found(client, project):
    project("2024.01")

    response = client.get(reverse("guidelines:compare", args=["2024.01"]), {"with": "2099.01"})

    assert response.status_code == 404


# Fidelity: what the diff finds in the committee's real history (DOMAIN.md section 5).


def test_next_makes_three_required_compute_capabilities_advisory(real):
    old, new = real("2020.06", "next")

    diff = guideline_diff(old, new)

    compute = component(diff, "os_powered_compute")
    assert compute["moved"] == [
        {"capability": "volumes-v3-upload", "from": "required", "to": "advisory"},
        {"capability": "compute-servers-create-multiple", "from": "required", "to": "advisory"},
        {"capability": "identity-v3-tokens-delete", "from": "required", "to": "advisory"},
    ]
    # next still lists the 14 capabilities it removed (deleted later, in 8afa96d).
    assert len(compute["added"]) == 14
    assert {item["status"] for item in compute["added"]} == {"removed"}
    assert {"capability": "volumes-v2-list", "status": "removed"} in compute["added"]
    assert compute["removed"] == []
    # 60 required, less the 3 now advisory: next's 57.
    assert component(diff, "os_powered_storage")["moved"] == [
        {"capability": "identity-v3-tokens-delete", "from": "required", "to": "advisory"}
    ]
    assert nonzero(diff["summary"]) == {
        "metadata": 7,
        "capabilities_added": 14,
        "capabilities_moved": 4,
        "capabilities_changed": 8,
        "total": 33,
    }
    # Same tests, same flags, same criteria.
    assert all(rows == [] for rows in diff["tests"].values())
    assert {"field": "status", "from": "approved", "to": "draft"} in diff["metadata"]
    # next was copied before 2020.06 was approved: it does not require them yet.
    assert {
        "capability": "volumes-v3-upload",
        "changes": [{"field": "required_since", "from": "2019.06", "to": ""}],
    } in diff["capabilities"]["changed"]


def test_from_next_to_2020_06_the_same_changes_go_the_other_way(real):
    old, new = real("next", "2020.06")

    diff = guideline_diff(old, new)

    compute = component(diff, "os_powered_compute")
    assert [(m["capability"], m["from"], m["to"]) for m in compute["moved"]] == [
        ("compute-servers-create-multiple", "advisory", "required"),
        ("identity-v3-tokens-delete", "advisory", "required"),
        ("volumes-v3-upload", "advisory", "required"),
    ]
    assert len(compute["removed"]) == 14
    assert compute["removed"][0] == {"capability": "volumes-v2-reserve", "status": "removed"}
    assert compute["added"] == []
    assert diff["summary"]["capabilities_removed"] == 14
    assert diff["summary"]["total"] == 33


def test_the_volumes_v2_capabilities_are_removed_from_2018_02_to_2020_06(real):
    old, new = real("2018.02", "2020.06")

    diff = guideline_diff(old, new)

    compute = component(diff, "os_powered_compute")
    removed = {item["capability"]: item["status"] for item in compute["removed"]}
    assert {key: removed[key] for key in VOLUMES_V2_REQUIRED_IN_2018_02} == dict.fromkeys(
        VOLUMES_V2_REQUIRED_IN_2018_02, "required"
    )
    # Listed as removed in 2018.02 (and never defined there); 2020.06 no longer lists it.
    assert removed["volumes-v2-attach-detach"] == "removed"
    undefined = [c["capability"] for c in diff["capabilities"]["undefined"]]
    assert set(VOLUMES_V2_REQUIRED_IN_2018_02) <= set(undefined)
    assert {"capability": "identity-v3-catalog", "from": "advisory", "to": "required"} in compute[
        "moved"
    ]
    removed_tests = {(t["capability"], t["name"]) for t in diff["tests"]["removed"]}
    assert (
        "volumes-v2-list",
        f"{VOLUME}.test_volumes_list.VolumesListTestJSON.test_volume_list",
    ) in removed_tests


def test_criteria_weights_do_not_change_from_2018_02_to_2020_06(real):
    old, new = real("2018.02", "2020.06")

    criteria = guideline_diff(old, new)["criteria"]

    assert (criteria["added"], criteria["removed"]) == ([], [])
    # Only a grammar fix in one description; no weight (2017A A4.1-A4.3).
    assert criteria["changed"] == [
        {
            "key": "atomic",
            "changes": [
                {
                    "field": "description",
                    "from": "Capabilities is unique and cannot be built out of other "
                    "must-pass capabilities",
                    "to": "Capabilities are unique and cannot be built out of other "
                    "must-pass capabilities",
                }
            ],
        }
    ]


def test_a_test_renamed_with_its_old_name_as_alias_is_a_rename(real):
    old, new = real("2018.02", "2020.06")

    tests = guideline_diff(old, new)["tests"]

    metadata = f"{VOLUME}.test_volume_metadata.VolumesMetadataTest"
    assert {
        "from": f"{metadata}.test_create_get_delete_volume_metadata",
        "to": f"{metadata}.test_crud_volume_metadata",
        "capability": "volumes-v3-metadata",
        "idempotent_id": "id-6f5b125b-f664-44bf-910f-751591fe5769",
    } in tests["renamed"]
    # 2018.02 listed the same id twice in volumes-v3-metadata (8e623b9): the duplicate
    # goes, it is not a second rename.
    assert {
        "name": f"{metadata}.test_update_volume_metadata",
        "capability": "volumes-v3-metadata",
        "idempotent_id": "id-6f5b125b-f664-44bf-910f-751591fe5769",
    } in tests["removed"]
    assert len(tests["renamed"]) == 3


def test_1x_components_are_matched_with_their_2_0_names_in_the_real_files(real):
    old, new = real("2016.08", "2018.02")

    diff = guideline_diff(old, new)

    assert [(c["name"], c["from"], c["to"]) for c in diff["components"]] == [
        ("os_powered_compute", "compute", "os_powered_compute"),
        ("os_powered_storage", "object", "os_powered_storage"),
    ]
    assert (diff["summary"]["components_added"], diff["summary"]["components_removed"]) == (0, 0)
    storage = component(diff, "os_powered_storage")
    assert {
        "capability": "objectstore-container-list",
        "from": "advisory",
        "to": "required",
    } in storage["moved"]
    # Only real changes: 2016.08 compute listed 61 names, 2018.02 os_powered_compute 73.
    compute = component(diff, "os_powered_compute")
    assert (len(compute["added"]), len(compute["removed"])) == (22, 10)
    assert COMPONENTS_1X_AS_2_0 == {
        "compute": "os_powered_compute",
        "object": "os_powered_storage",
    }


def test_the_mapping_also_works_from_2_0_back_to_1x_in_the_real_files(real):
    old, new = real("2018.02", "2016.08")

    diff = guideline_diff(old, new)

    assert [(c["name"], c["from"], c["to"]) for c in diff["components"]] == [
        ("compute", "os_powered_compute", "compute"),
        ("object", "os_powered_storage", "object"),
    ]
    assert len(component(diff, "compute")["removed"]) == 22


def test_tests_renamed_between_2016_08_and_2018_02_are_found_by_idempotent_id(real):
    old, new = real("2016.08", "2018.02")

    tests = guideline_diff(old, new)["tests"]

    assert RENAMED_BY_ID in tests["renamed"]
    added = {t["name"] for t in tests["added"]}
    removed = {t["name"] for t in tests["removed"]}
    assert RENAMED_BY_ID["to"] not in added
    assert RENAMED_BY_ID["from"] not in removed
    # ServersTestManualDisk shared its ids with ServersTestJSON in 2016.08; 2018.02 kept
    # the JSON variant (with the other as an alias) and dropped the ManualDisk one.
    host = (
        f"{SERVERS}.test_create_server.ServersTestManualDisk.test_host_name_is_same_as_server_name"
    )
    assert host in removed
    assert not [t for t in tests["renamed"] if t["from"] == host]


def test_tests_of_a_1_2_guideline_have_no_ids_and_are_matched_by_name_in_the_real_files(
    real, real_files
):
    old, new = real("2015.03", "2015.07")

    tests = guideline_diff(old, new)["tests"]

    # 2015.03 lists test names only (schema 1.2); each name is in one capability.
    names = {}
    for key in ("2015.03", "2015.07"):
        caps = document(real_files, key)["capabilities"].values()
        names[key] = {name for cap in caps for name in cap["tests"]}
    assert {t["name"] for t in tests["added"]} == names["2015.07"] - names["2015.03"]
    assert {t["name"] for t in tests["removed"]} == names["2015.03"] - names["2015.07"]
    assert tests["renamed"] == []
    # 2015.07 gives every test an id that 2015.03 did not have.
    assert len(tests["idempotent_id_changed"]) == len(names["2015.03"] & names["2015.07"])
