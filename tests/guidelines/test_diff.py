"""Diffs between two guidelines: the function, the API route and the pages, on the real files."""

import copy
import json
import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from guidelines.diff import COMPONENTS_1X_AS_2_0, SUMMARY_KINDS, guideline_diff
from tests.guidelines.helpers import import_doc, import_file

pytestmark = pytest.mark.django_db

# guideline_bundle costs ten queries a guideline (DETAIL_QUERIES in test_pages.py).
DIFF_QUERIES = 2 * 10
# The page and the API look both guidelines up first.
PAGE_QUERIES = DIFF_QUERIES + 2

SERVERS = "tempest.api.compute.servers"
VOLUME = "tempest.api.volume"
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
def real(real_files):
    """Import real guideline files by name; returns the stored guidelines."""

    def load(*keys):
        return [import_file(real_files[key]).guideline for key in keys]

    return load


def document(real_files, key) -> dict:
    return json.loads(real_files[key].read_text())


def component(diff, name) -> dict:
    (found,) = [c for c in diff["components"] if c["name"] == name]
    return found


def nonzero(summary: dict) -> dict:
    return {kind: count for kind, count in summary.items() if count}


# The same guideline


def test_a_guideline_compared_with_itself_has_no_changes(real):
    (g,) = real("2020.06")

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


def test_the_same_document_under_another_name_differs_only_in_its_key(real_files):
    first = import_file(real_files["2020.06"]).guideline
    copy_ = import_file(real_files["2020.06"], key="2020.06-copy").guideline

    diff = guideline_diff(first, copy_)

    assert nonzero(diff["summary"]) == {"metadata": 1, "total": 1}
    assert diff["metadata"] == [{"field": "key", "from": "2020.06", "to": "2020.06-copy"}]


def test_the_diff_is_plain_json(real):
    old, new = real("2016.08", "2018.02")

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
    assert diff["from"] == {"key": "2016.08", "schema": "1.6", "status": "superseded"}


# 2020.06 and next (DOMAIN.md section 5: compute 60/0/0/0 and 57/3/0/14)


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


# 2018.02 to 2020.06: Cinder v2 goes


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


# 2016.08 (schema 1.6) to 2018.02 (schema 2.0)


def test_1x_components_are_matched_with_their_2_0_names(real):
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


def test_the_mapping_also_works_from_2_0_back_to_1x(real):
    old, new = real("2018.02", "2016.08")

    diff = guideline_diff(old, new)

    assert [(c["name"], c["from"], c["to"]) for c in diff["components"]] == [
        ("compute", "os_powered_compute", "compute"),
        ("object", "os_powered_storage", "object"),
    ]
    assert len(component(diff, "compute")["removed"]) == 22


def test_two_1x_guidelines_match_components_by_name(real):
    old, new = real("2015.07", "2016.08")

    diff = guideline_diff(old, new)

    assert [(c["name"], c["from"], c["to"]) for c in diff["components"]] == [
        ("compute", "compute", "compute"),
        ("object", "object", "object"),
    ]


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


# A synthetic change of each kind, on 2020.06's own document


def flag(reason):
    return {"date": "2026-01-15", "reason": reason, "action": "Remove it in the next guideline."}


def rename_key(tests: dict, old: str, new: str) -> dict:
    """The same tests with one key renamed, in the same order."""
    return {new if name == old else name: value for name, value in tests.items()}


@pytest.fixture
def edited(real_files):
    """2020.06, and a copy with one rename, one flag, one unflag and one new weight."""
    doc = document(real_files, "2020.06")
    changed = copy.deepcopy(doc)
    caps = changed["capabilities"]
    flavors = caps["compute-flavors-list"]
    old_name = "tempest.api.compute.flavors.test_flavors.FlavorsV2TestJSON.test_list_flavors"
    flavors["tests"] = rename_key(flavors["tests"], old_name, old_name + "_renamed")
    zones = caps["compute-availability-zones-list"]["tests"]
    zones_test = next(iter(zones))
    zones[zones_test]["flagged"] = flag("[D404] Fails on clouds without zones")
    servers = caps["compute-servers-list"]["tests"]
    unflagged = servers[f"{FLAGGED_IP}.test_list_servers_filtered_by_ip"].pop("flagged")
    changed["metadata"]["scoring"]["criteria"]["deployed"]["weight"] = 7
    before = import_doc(doc, key="2020.06").guideline
    after = import_doc(changed, key="2020.06-edited").guideline
    return before, after, {"renamed": old_name, "flagged": zones_test, "unflag": unflagged}


def test_each_synthetic_change_is_reported_exactly(edited):
    before, after, names = edited

    diff = guideline_diff(before, after)

    assert nonzero(diff["summary"]) == {
        "metadata": 1,
        "criteria_changed": 1,
        "tests_renamed": 1,
        "tests_flagged": 1,
        "tests_unflagged": 1,
        "total": 5,
    }
    assert diff["metadata"] == [{"field": "key", "from": "2020.06", "to": "2020.06-edited"}]
    assert diff["criteria"]["changed"] == [
        {"key": "deployed", "changes": [{"field": "weight", "from": 8, "to": 7}]}
    ]
    assert diff["tests"]["renamed"] == [
        {
            "from": names["renamed"],
            "to": names["renamed"] + "_renamed",
            "capability": "compute-flavors-list",
            "idempotent_id": "id-e36c0eaa-dff5-4082-ad1f-3f9a80aa3f59",
        }
    ]
    assert diff["tests"]["flagged"] == [
        {
            "name": names["flagged"],
            "capability": "compute-availability-zones-list",
            "idempotent_id": "id-a8333aa2-205c-449f-a828-d38c2489bf25",
            "flag": flag("[D404] Fails on clouds without zones"),
        }
    ]
    (unflagged,) = diff["tests"]["unflagged"]
    assert unflagged["name"] == f"{FLAGGED_IP}.test_list_servers_filtered_by_ip"
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
        f"{FLAGGED_IP}.test_list_servers_filtered_by_ip"
    ]
    assert diff["criteria"]["changed"][0]["changes"] == [{"field": "weight", "from": 7, "to": 8}]


def test_moves_flag_changes_aliases_and_ids_are_reported(real_files):
    doc = document(real_files, "2020.06")
    changed = copy.deepcopy(doc)
    caps = changed["capabilities"]
    # Move a test to another capability, keeping its name and id.
    moved_name = "tempest.api.compute.flavors.test_flavors.FlavorsV2TestJSON.test_list_flavors"
    caps["compute-list-api-versions"]["tests"][moved_name] = caps["compute-flavors-list"][
        "tests"
    ].pop(moved_name)
    # A flag's reason reworded, an alias added, and a malformed id (matched by name).
    resize = caps["compute-servers-resize"]["tests"]
    confirm = f"{SERVERS}.test_server_actions.ServerActionsTestJSON.test_resize_server_confirm"
    resize[confirm]["flagged"]["reason"] = "[D404] Reworded"
    resize[confirm]["aliases"] = [*resize[confirm].get("aliases", []), "tempest.new.alias"]
    zones = caps["compute-availability-zones-list"]["tests"]
    zones_test = next(iter(zones))
    zones[zones_test]["idempotent_id"] += ",smoke"
    before = import_doc(doc, key="2020.06").guideline
    after = import_doc(changed, key="2020.06-moved").guideline

    diff = guideline_diff(before, after)

    assert diff["tests"]["moved"] == [
        {
            "name": moved_name,
            "from": "compute-flavors-list",
            "to": "compute-list-api-versions",
            "idempotent_id": "id-e36c0eaa-dff5-4082-ad1f-3f9a80aa3f59",
        }
    ]
    (reworded,) = diff["tests"]["flag_changed"]
    assert (reworded["name"], reworded["to"]["reason"]) == (confirm, "[D404] Reworded")
    assert reworded["from"]["date"] == reworded["to"]["date"] == "2015-05-07"
    (aliases,) = diff["tests"]["aliases_changed"]
    assert aliases["name"] == confirm
    assert aliases["to"][-1] == "tempest.new.alias"
    assert diff["tests"]["idempotent_id_changed"] == [
        {
            "name": zones_test,
            "capability": "compute-availability-zones-list",
            "idempotent_id": "id-a8333aa2-205c-449f-a828-d38c2489bf25,smoke",
            "from": "id-a8333aa2-205c-449f-a828-d38c2489bf25",
            "to": "id-a8333aa2-205c-449f-a828-d38c2489bf25,smoke",
        }
    ]
    assert (diff["tests"]["added"], diff["tests"]["removed"]) == ([], [])


def test_tests_of_a_1_2_guideline_have_no_ids_and_are_matched_by_name(real, real_files):
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


def test_a_diff_costs_a_fixed_number_of_queries(real, edited, django_assert_max_num_queries):
    before, after, _ = edited
    old, new = real("2016.08", "2018.02")

    with django_assert_max_num_queries(DIFF_QUERIES):
        guideline_diff(before, after)
    with django_assert_max_num_queries(DIFF_QUERIES):
        guideline_diff(old, new)


# The API


def api_diff(client, a, b):
    return client.get(reverse("api:guideline-diff", kwargs={"a": a, "b": b}))


def test_the_api_gives_the_diff_as_json(client, real):
    real("2018.02", "2020.06")

    response = api_diff(client, "2018.02", "2020.06")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert (data["from"]["key"], data["to"]["key"]) == ("2018.02", "2020.06")
    assert data["summary"]["capabilities_removed"] == 16
    assert len(data["tests"]["renamed"]) == 3


def test_the_api_accepts_json_suffixes_on_both_names(client, real):
    real("2018.02", "2020.06")

    plain = client.get("/api/v1/guidelines/2018.02/diff/2020.06")
    suffixed = client.get("/api/v1/guidelines/2018.02.json/diff/2020.06.json")

    assert (plain.status_code, suffixed.status_code) == (200, 200)
    assert suffixed.json() == plain.json()


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/v1/guidelines/2099.01/diff/2020.06", "'2099.01'"),
        ("/api/v1/guidelines/2020.06/diff/2099.01.json", "'2099.01'"),
        ("/api/v1/guidelines/old/diff/new", "'old' or 'new'"),
    ],
)
def test_the_api_names_an_unknown_guideline_in_a_json_404(client, real, path, named):
    real("2020.06")

    response = client.get(path)

    assert response.status_code == 404
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (404, "not_found")
    assert f"No guideline named {named}" in error["message"]


def test_the_api_costs_a_fixed_number_of_queries(client, real, django_assert_max_num_queries):
    real("2016.08", "2018.02")

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = api_diff(client, "2016.08", "2018.02")

    assert response.status_code == 200


# The pages


def diff_page(client, a, b):
    return client.get(reverse("guidelines:diff", args=[a, b]))


def summary_link(anchor, count, words):
    return f'<a href="#{anchor}"><strong>{count}</strong> <span>{words}</span></a>'


def test_the_diff_page_shows_the_summary_and_a_renamed_test(client, real):
    real("2018.02", "2020.06")

    response = diff_page(client, "2018.02", "2020.06")

    assert response.status_code == 200
    assertContains(response, "Changes from")
    assertContains(response, summary_link("tests-renamed", 3, "tests renamed"), html=True)
    assertContains(response, summary_link("components", 16, "capabilities removed"), html=True)
    html = response.content.decode()
    renamed = html[html.index('id="tests-renamed"') :]
    renamed = renamed[: renamed.index("</section>")]
    assert "VolumesMetadataTest.test_crud_volume_metadata</code>" in renamed
    assert "was <code>tempest.api.volume.test_volume_metadata.VolumesMetadataTest" in renamed
    assertContains(response, '<span class="badge badge--required">required</span>')
    assertNotContains(response, "No changes: the two guidelines")


def test_the_diff_page_says_no_changes_for_the_same_guideline(client, real):
    real("2020.06")

    response = diff_page(client, "2020.06", "2020.06")

    assertContains(response, "No changes: the two guidelines say the same")
    assertNotContains(response, 'id="tests"')


def test_the_diff_page_explains_the_component_mapping(client, real):
    real("2016.08", "2018.02")

    response = diff_page(client, "2016.08", "2018.02")

    assertContains(
        response,
        "<code>compute</code> in 2016.08 is <code>os_powered_compute</code> in 2018.02",
    )
    assertContains(response, 'id="component-os_powered_storage"')


def test_the_diff_page_of_an_unknown_guideline_is_not_found(client, real):
    real("2020.06")

    assert diff_page(client, "2020.06", "2099.01").status_code == 404


def test_the_diff_page_costs_a_fixed_number_of_queries(client, real, django_assert_max_num_queries):
    real("2016.08", "2018.02")

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = diff_page(client, "2016.08", "2018.02")

    assert response.status_code == 200


def test_the_compare_form_on_a_guideline_page_leads_to_the_diff(client, real):
    real("2018.02", "2020.06")

    page = client.get(reverse("guidelines:detail", args=["2020.06"])).content.decode()
    form = re.search(r'<form class="compare-form" method="get" action="([^"]+)">', page)
    assert form is not None
    assert '<option value="2018.02">2018.02 (superseded)</option>' in page
    assert '<option value="2020.06">' not in page

    response = client.get(form.group(1), {"with": "2018.02"}, follow=True)

    # The older guideline comes first, so the diff reads as a changelog.
    assert response.redirect_chain == [
        (reverse("guidelines:diff", args=["2018.02", "2020.06"]), 302)
    ]
    assertContains(response, summary_link("tests-renamed", 3, "tests renamed"), html=True)


def test_the_compare_form_offers_the_replaced_guideline_first(client, real):
    real("2018.02", "next", "2020.06")

    page = client.get(reverse("guidelines:detail", args=["next"]))

    # next says it replaces 2018.02 (its metadata is stale, DOMAIN.md section 1).
    assert [g.key for g in page.context["page"].compare_with] == ["2018.02", "2020.06"]


def test_comparing_with_an_unknown_guideline_is_not_found(client, real):
    real("2020.06")

    response = client.get(reverse("guidelines:compare", args=["2020.06"]), {"with": "2099.01"})

    assert response.status_code == 404
