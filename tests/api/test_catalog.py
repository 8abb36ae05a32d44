"""The application's own read API: catalog, capabilities, tests, criteria.

Tried on the project's guidelines (the ``loaded`` fixture): the demo 2026.06
and dns.2026.06, the drafts next and dns.next started from them, and two
older ones written for the tests, 2025.12 (schema 2.0) and 2025.06 (1.2).
"""

import json

import pytest

pytestmark = pytest.mark.django_db


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_catalog_lists_guidelines_with_their_metadata(anonymous, loaded):
    rows = {g["key"]: g for g in results(anonymous.get("/api/v1/catalog/guidelines"))}

    assert list(rows) == ["2025.06", "2025.12", "2026.06", "dns.2026.06", "dns.next", "next"]
    g = rows["2026.06"]
    assert (g["status"], g["schema"], g["kind"], g["family"]) == ("approved", "2.0", "platform", "")
    assert g["target_approval"] == "2026.06"
    assert g["releases"] == ["2025.1", "2025.2", "2026.1"]
    assert (g["capability_count"], g["test_count"]) == (7, 9)
    assert g["targets"] == [
        "compute",
        "object",
        "os_powered_compute",
        "os_powered_storage",
        "platform",
        "storage",
    ]
    assert g["default_target"] == "platform"
    assert g["links"]["document"] == "http://testserver/api/v1/guidelines/2026.06"
    assert g["links"]["tests"] == "http://testserver/api/v1/guidelines/2026.06/tests"
    add_on = rows["dns.2026.06"]
    assert (add_on["kind"], add_on["family"], add_on["default_target"]) == ("add_on", "dns", "dns")
    assert (add_on["capability_count"], add_on["test_count"]) == (2, 2)
    legacy = rows["2025.06"]
    assert (legacy["schema"], legacy["status"], legacy["kind"]) == ("1.2", "superseded", "platform")
    # 1.x: the platform is the components it requires.
    assert legacy["targets"] == ["compute", "object", "platform"]


@pytest.mark.parametrize(
    "query, keys",
    [
        ("status=approved", ["2026.06", "dns.2026.06"]),
        ("status=draft&status=superseded", ["2025.06", "2025.12", "dns.next", "next"]),
        ("kind=add_on", ["dns.2026.06", "dns.next"]),
        ("kind=platform&schema=1.2", ["2025.06"]),
        ("family=powered&status=draft", ["next"]),
        ("family=dns&status=approved", ["dns.2026.06"]),
    ],
)
def test_the_catalog_filters_by_status_kind_and_family(anonymous, loaded, query, keys):
    found = [g["key"] for g in results(anonymous.get(f"/api/v1/catalog/guidelines?{query}"))]

    assert found == keys


def test_lists_are_paginated(anonymous, loaded):
    page = anonymous.get("/api/v1/capabilities?guideline=2026.06&page_size=3").json()
    last = anonymous.get("/api/v1/capabilities?guideline=2026.06&page_size=3&page=3").json()

    assert page["count"] == 7
    assert len(page["results"]) == 3
    assert "page=2" in page["next"]
    assert (len(last["results"]), last["next"]) == (1, None)
    assert len(anonymous.get("/api/v1/capabilities?guideline=2026.06").json()["results"]) == 7


def test_one_guideline_and_its_components(anonymous, loaded):
    one = anonymous.get("/api/v1/catalog/guidelines/dns.next").json()
    components = anonymous.get("/api/v1/catalog/guidelines/next/components").json()

    assert (one["status"], one["kind"], one["replaces"]) == ("draft", "add_on", "dns.2026.06")
    compute = next(c for c in components if c["name"] == "os_powered_compute")
    assert len(compute["capabilities"]["required"]) == 4
    assert compute["capabilities"]["removed"] == ["images-v1-list"]
    assert "nova" in compute["designated_sections"]["required"]


def test_capabilities_filter_by_component_status_project_and_search(anonymous, loaded):
    storage = results(
        anonymous.get(
            "/api/v1/capabilities?guideline=2026.06&component=os_powered_storage&status=required"
            "&page_size=100"
        )
    )
    keystone = results(anonymous.get("/api/v1/capabilities?guideline=2026.06&project=keystone"))
    search = results(anonymous.get("/api/v1/capabilities?guideline=next&search=servers"))
    advisory = results(anonymous.get("/api/v1/capabilities?guideline=next&status=advisory"))
    required = results(anonymous.get("/api/v1/capabilities?guideline=next&status=required"))

    assert {c["key"] for c in storage} == {"identity-v3-tokens-create", "objectstore-object-upload"}
    assert [c["key"] for c in keystone] == ["identity-v3-tokens-create"]
    assert {c["key"] for c in search} == {"compute-servers-create", "compute-servers-list"}
    assert [c["key"] for c in advisory] == ["compute-keypairs-create"]
    # identity-v3-tokens-create is required in both components: listed once.
    assert len(required) == 5
    tokens = next(c for c in storage if c["key"] == "identity-v3-tokens-create")
    assert tokens["statuses"] == [
        {"component": "os_powered_compute", "status": "required"},
        {"component": "os_powered_storage", "status": "required"},
    ]


def test_which_guidelines_require_this_test(anonymous, loaded):
    by_id = results(
        anonymous.get("/api/v1/tests?idempotent_id=id-e4abca34-c8b2-5815-b566-5b24e0f2a721")
    )

    assert {(t["guideline"], t["required"]) for t in by_id} >= {
        ("2025.12", True),
        ("2026.06", True),
    }
    assert all(t["name"].endswith("test_list_servers_with_detail") for t in by_id)


def test_tests_are_found_by_name_or_alias_and_flags_are_shown(anonymous, loaded):
    document = json.loads(loaded["2026.06"].read_bytes())
    name, alias, test_id = next(
        (name, test["aliases"][0], test["idempotent_id"])
        for capability in document["capabilities"].values()
        for name, test in capability["tests"].items()
        if test.get("aliases")
    )

    by_alias = results(anonymous.get(f"/api/v1/tests?name={alias}&guideline=2026.06"))
    flagged = results(anonymous.get("/api/v1/tests?guideline=2026.06&flagged=true"))

    assert [(t["name"], t["idempotent_id"]) for t in by_alias] == [(name, test_id)]
    assert [t["name"].rsplit(".", 1)[1] for t in flagged] == ["test_list_servers_filter_by_image"]
    assert all(t["flag"]["reason"] and t["required"] is False for t in flagged)


def test_criteria_per_guideline(anonymous, loaded):
    criteria = results(anonymous.get("/api/v1/criteria?guideline=2026.06"))
    add_on = results(anonymous.get("/api/v1/criteria?guideline=dns.2026.06"))

    assert len(criteria) == 12
    assert sum(c["weight"] for c in criteria) == 100
    assert len(add_on) == 9  # the DNS add-on does not consider deployed, foundation, proximity


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
