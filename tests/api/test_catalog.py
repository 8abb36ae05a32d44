"""The application's own read API: catalog, capabilities, tests, criteria."""

import pytest

pytestmark = pytest.mark.django_db


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_catalog_lists_guidelines_with_their_metadata(anonymous, loaded):
    rows = {g["key"]: g for g in results(anonymous.get("/api/v1/catalog/guidelines"))}

    g = rows["2020.06"]
    assert (g["status"], g["schema"], g["kind"], g["family"]) == ("approved", "2.0", "platform", "")
    assert g["target_approval"] == "2020.06"
    assert g["releases"] == ["stein", "train", "ussuri", "victoria"]
    assert (g["capability_count"], g["test_count"]) == (79, 289)
    assert g["targets"] == [
        "compute",
        "object",
        "os_powered_compute",
        "os_powered_storage",
        "platform",
        "storage",
    ]
    assert g["default_target"] == "platform"
    assert g["links"]["document"] == "http://testserver/api/v1/guidelines/2020.06"
    assert g["links"]["tests"] == "http://testserver/api/v1/guidelines/2020.06/tests"
    add_on = rows["orchestration.2020.06"]
    assert (add_on["kind"], add_on["family"], add_on["default_target"]) == (
        "add_on",
        "orchestration",
        "orchestration",
    )


@pytest.mark.parametrize(
    "query, keys",
    [
        ("status=approved", ["2020.06", "orchestration.2020.06"]),
        ("status=draft&status=superseded", ["2015.03", "2018.02", "next", "orchestration.next"]),
        ("kind=add_on", ["orchestration.2020.06", "orchestration.next"]),
        ("kind=platform&schema=1.2", ["2015.03"]),
        ("family=powered&status=draft", ["next"]),
        ("family=orchestration&status=approved", ["orchestration.2020.06"]),
    ],
)
def test_the_catalog_filters_by_status_kind_and_family(anonymous, loaded, query, keys):
    found = [g["key"] for g in results(anonymous.get(f"/api/v1/catalog/guidelines?{query}"))]

    assert found == keys


def test_lists_are_paginated(anonymous, loaded):
    page = anonymous.get("/api/v1/capabilities?guideline=2020.06&page_size=10").json()

    assert page["count"] == 79
    assert len(page["results"]) == 10
    assert "page=2" in page["next"]
    assert len(anonymous.get("/api/v1/capabilities?guideline=2020.06").json()["results"]) == 79


def test_one_guideline_and_its_components(anonymous, loaded):
    one = anonymous.get("/api/v1/catalog/guidelines/orchestration.next").json()
    components = anonymous.get("/api/v1/catalog/guidelines/next/components").json()

    assert one["status"] == "draft"
    compute = next(c for c in components if c["name"] == "os_powered_compute")
    assert len(compute["capabilities"]["required"]) == 57
    assert len(compute["capabilities"]["removed"]) == 14
    assert "nova" in compute["designated_sections"]["required"]


def test_capabilities_filter_by_component_status_project_and_search(anonymous, loaded):
    storage = results(
        anonymous.get(
            "/api/v1/capabilities?guideline=2020.06&component=os_powered_storage&status=required"
            "&page_size=100"
        )
    )
    keystone = results(anonymous.get("/api/v1/capabilities?guideline=2020.06&project=keystone"))
    search = results(anonymous.get("/api/v1/capabilities?guideline=next&search=volume"))
    advisory = results(anonymous.get("/api/v1/capabilities?guideline=next&status=advisory"))

    assert len(storage) == 20
    assert {c["project"] for c in keystone} == {"keystone"}
    assert search
    assert all("volume" in c["key"] or "volume" in (c["description"] or "").lower() for c in search)
    assert len(advisory) == 3  # identity-v3-tokens-delete is advisory in both components
    tokens = next(c for c in storage if c["key"] == "identity-v3-tokens-create")
    assert tokens["statuses"] == [
        {"component": "os_powered_compute", "status": "required"},
        {"component": "os_powered_storage", "status": "required"},
    ]


def test_which_guidelines_require_this_test(anonymous, loaded):
    by_id = results(
        anonymous.get("/api/v1/tests?idempotent_id=id-e36c0eaa-dff5-4082-ad1f-3f9a80aa3f59")
    )

    assert {(t["guideline"], t["required"]) for t in by_id} >= {
        ("2018.02", True),
        ("2020.06", True),
    }
    assert all(t["name"].endswith("test_list_flavors") for t in by_id)


def test_tests_are_found_by_name_or_alias_and_flags_are_shown(anonymous, loaded, real_files):
    import json

    document = json.loads(real_files["2020.06"].read_bytes())
    name, alias, test_id = next(
        (name, test["aliases"][0], test["idempotent_id"])
        for capability in document["capabilities"].values()
        for name, test in capability["tests"].items()
        if test.get("aliases")
    )

    by_alias = results(anonymous.get(f"/api/v1/tests?name={alias}&guideline=2020.06"))
    flagged = results(anonymous.get("/api/v1/tests?guideline=2020.06&flagged=true"))

    assert [(t["name"], t["idempotent_id"]) for t in by_alias] == [(name, test_id)]
    assert len(flagged) == 11
    assert all(t["flag"]["reason"] and t["required"] is False for t in flagged)


def test_criteria_per_guideline(anonymous, loaded):
    criteria = results(anonymous.get("/api/v1/criteria?guideline=2020.06"))

    assert len(criteria) == 12
    assert sum(c["weight"] for c in criteria) == 100


@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/v1/capabilities?status=mandatory", "status"),
        ("/api/v1/catalog/guidelines?kind=vertical", "kind"),
        ("/api/v1/tests?flagged=perhaps", "flagged"),
    ],
)
def test_bad_query_parameters_get_a_json_error_naming_them(anonymous, loaded, path, field):
    response = anonymous.get(path)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (400, "invalid")
    assert field in error["fields"]
    assert field in error["message"]


def test_unknown_things_get_a_json_404(anonymous, loaded):
    for path in (
        "/api/v1/catalog/guidelines/2099.01",
        "/api/v1/capabilities/999999",
        "/api/v1/catalog/guidelines/2099.01/components",
    ):
        response = anonymous.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
