"""RefStack's routes, as tooling hard-codes them (../shared/docs/REFSTACK.md).

Tried on the project's guidelines (the ``loaded`` fixture); the committee's
real files are used only to check fidelity to them and to what RefStack served.
"""

import gzip
import json
import re
from email.utils import formatdate

import pytest
from rest_framework.test import APIClient

from tests.guidelines.helpers import import_doc

pytestmark = pytest.mark.django_db

PREFIXES = ["/v1", "/api/v1"]
LINE = re.compile(r"^[^\[\]\r]+\[[^\]]*\]$")
REQUIRED_PLATFORM = "target=platform&type=required&alias=true&flag=false"


def lines(response):
    body = response.content.decode()
    assert body == "" or body.endswith("\n")
    return body.splitlines()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_list_has_refstack_shape_keyed_by_powered_and_add_on(anonymous, loaded, prefix):
    response = anonymous.get(f"{prefix}/guidelines")

    assert response.status_code == 200
    assert response.json() == {
        "dns": [
            {"name": "2026.06.json", "file": "dns.2026.06.json"},
            {"name": "next.json", "file": "dns.next.json"},
        ],
        "powered": [
            {"name": "2025.06.json", "file": "2025.06.json"},
            {"name": "2025.12.json", "file": "2025.12.json"},
            {"name": "2026.06.json", "file": "2026.06.json"},
            {"name": "next.json", "file": "next.json"},
        ],
    }


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("suffix", ["", ".json"])
@pytest.mark.parametrize("key", ["2025.06", "2026.06", "dns.2026.06"])
def test_the_document_is_the_published_json_value(anonymous, loaded, prefix, suffix, key):
    response = anonymous.get(f"{prefix}/guidelines/{key}{suffix}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == json.loads(loaded[key].read_bytes())


@pytest.mark.parametrize("key", ["2015.03", "2020.06", "orchestration.2020.06", "next"])
def test_each_real_guideline_is_served_as_the_committee_wrote_it(anonymous, real_loaded, key):
    """Fidelity to the committee's files: every schema generation comes back as written."""
    response = anonymous.get(f"/v1/guidelines/{key}.json")

    assert response.status_code == 200
    assert json.loads(response.content) == json.loads(real_loaded[key].read_bytes())


def test_real_test_lists_are_refstacks(anonymous, real_loaded):
    """Fidelity to what RefStack served for the committee's guidelines."""
    required = lines(anonymous.get(f"/v1/guidelines/2020.06/tests?{REQUIRED_PLATFORM}"))
    legacy = lines(anonymous.get("/v1/guidelines/2015.03/tests"))
    add_on = lines(anonymous.get("/v1/guidelines/orchestration.2020.06/tests"))

    assert len(required) == 375  # RefStack printed 377, with two duplicates
    assert all(LINE.match(line) for line in required)
    assert len(legacy) == 127
    assert all("[" not in line and line.startswith("tempest.") for line in legacy)
    assert len(add_on) == 60


# 2026.06's required tests on the whole platform, with aliases, without the flagged one.
REQUIRED_2026_06 = [
    "tempest.api.compute.servers.test_create_server.ServersTestJSON.test_list_servers"
    "[id-547ab8cd-2d48-5974-8472-dca59fac0e7b]",
    "tempest.api.compute.servers.test_create_server.ServersTestJSON.test_verify_server_details"
    "[id-7b6f852d-afb0-592e-bc93-193c5c758354]",
    "tempest.api.compute.servers.test_list_servers.ListServersTestJSON"
    ".test_list_servers_with_detail[id-e4abca34-c8b2-5815-b566-5b24e0f2a721]",
    "tempest.api.compute.servers.test_servers.ServersTestJSON.test_list_servers"
    "[id-547ab8cd-2d48-5974-8472-dca59fac0e7b]",
    "tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token"
    "[id-97e794b1-0678-5867-b844-677c2fba2daa]",
    "tempest.api.network.test_networks.NetworksTest.test_create_update_delete_network_subnet"
    "[id-7a7ccd9a-eba0-58e5-a11c-93423b1bda78]",
    "tempest.api.object_storage.test_object_services.ObjectTest.test_create_object"
    "[id-c99edf26-72d5-58b3-98d8-10e05a586f5d]",
]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_required_platform_test_list_of_2026_06(anonymous, loaded, prefix):
    response = anonymous.get(f"{prefix}/guidelines/2026.06/tests?{REQUIRED_PLATFORM}")

    found = lines(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert found == REQUIRED_2026_06
    assert all(LINE.match(line) for line in found)
    assert found == sorted(found)
    assert response.content.endswith(b"\n") and b"\r" not in response.content


def test_a_test_in_two_components_is_one_line(anonymous, loaded):
    """identity-v3-tokens-create is required for compute and for storage."""
    found = lines(anonymous.get("/v1/guidelines/2026.06/tests?target=platform&type=required"))

    assert len(set(found)) == len(found)
    assert sum("test_create_token" in line for line in found) == 1


def test_flag_false_drops_exactly_the_flagged_tests(anonymous, loaded):
    document = json.loads(loaded["2026.06"].read_bytes())
    flagged = set()
    for capability in document["capabilities"].values():
        for name, test in capability["tests"].items():
            if test.get("flagged"):
                for alias in [name, *test.get("aliases", [])]:
                    flagged.add(f"{alias}[{test['idempotent_id']}]")

    with_flagged = set(lines(anonymous.get("/v1/guidelines/2026.06/tests?flag=true")))
    without = set(lines(anonymous.get("/v1/guidelines/2026.06/tests?flag=false")))

    assert with_flagged - without == flagged
    assert without <= with_flagged
    assert len(flagged) == 1


def test_aliases_get_lines_of_their_own_with_the_same_id(anonymous, loaded):
    with_aliases = set(lines(anonymous.get("/v1/guidelines/2026.06/tests")))
    without = set(lines(anonymous.get("/v1/guidelines/2026.06/tests?alias=false")))

    extra = with_aliases - without
    assert extra == {
        "tempest.api.compute.servers.test_servers.ServersTestJSON.test_list_servers"
        "[id-547ab8cd-2d48-5974-8472-dca59fac0e7b]"
    }
    ids = {line[line.index("[") :] for line in without}
    assert all(line[line.index("[") :] in ids for line in extra)


def test_an_add_on_defaults_to_its_own_target(anonymous, loaded):
    response = anonymous.get("/v1/guidelines/dns.2026.06/tests")

    found = lines(response)
    assert response.status_code == 200
    assert found == [
        "designate_tempest_plugin.tests.api.v2.test_recordset.RecordsetsTest"
        ".test_create_recordset[a62d2025-a04f-589a-aad6-34da8897d11c]",
        "designate_tempest_plugin.tests.api.v2.test_zones.ZonesTest.test_create_zone"
        "[17657cfe-16e0-5536-bb83-6cf1833fddc3]",
    ]
    # Add-on files store bare uuids: copied as stored.
    assert all(re.search(r"\[[0-9a-f]{8}-[0-9a-f-]{27}\]$", line) for line in found)
    explicit = anonymous.get("/v1/guidelines/dns.2026.06/tests?target=dns")
    assert explicit.content == response.content


def test_schema_1_2_gives_bare_names(anonymous, loaded):
    found = lines(anonymous.get("/v1/guidelines/2025.06/tests"))

    # Every status of compute and object; identity-tokens, in both, once.
    assert found == [
        "tempest.api.compute.keypairs.test_keypairs.KeyPairsTestJSON.test_keypair_create_delete",
        "tempest.api.compute.servers.test_create_server.ServersTestJSON.test_verify_server_details",
        "tempest.api.compute.servers.test_list_servers.ListServersTestJSON"
        ".test_list_servers_filter_by_image",
        "tempest.api.compute.servers.test_list_servers.ListServersTestJSON"
        ".test_list_servers_with_detail",
        "tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token",
        "tempest.api.image.v1.test_images.ListImagesTest.test_index_no_params",
        "tempest.api.object_storage.test_object_services.ObjectTest.test_create_object",
        "tempest.api.object_storage.test_object_services.ObjectTest.test_get_object",
    ]
    assert all("[" not in line and line.startswith("tempest.") for line in found)


def test_targets_come_from_the_guideline(anonymous, loaded):
    storage = set(lines(anonymous.get("/v1/guidelines/2026.06/tests?target=object")))
    also = set(lines(anonymous.get("/v1/guidelines/2026.06/tests?target=storage")))
    compute = set(lines(anonymous.get("/v1/guidelines/2026.06/tests?target=compute")))
    platform = set(lines(anonymous.get("/v1/guidelines/2026.06/tests?target=platform")))

    assert storage == also
    assert storage and compute
    assert platform == storage | compute
    assert storage == {
        "tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token"
        "[id-97e794b1-0678-5867-b844-677c2fba2daa]",
        "tempest.api.object_storage.test_object_services.ObjectTest.test_create_object"
        "[id-c99edf26-72d5-58b3-98d8-10e05a586f5d]",
    }
    legacy = set(lines(anonymous.get("/v1/guidelines/2025.06/tests?target=object")))
    assert legacy == {
        "tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token",
        "tempest.api.object_storage.test_object_services.ObjectTest.test_create_object",
        "tempest.api.object_storage.test_object_services.ObjectTest.test_get_object",
    }


def test_type_selects_statuses_and_an_empty_selection_is_an_empty_body(anonymous, loaded):
    advisory = anonymous.get("/v1/guidelines/dns.2026.06/tests?type=advisory")
    both = set(lines(anonymous.get("/v1/guidelines/next/tests?type=required,advisory")))
    required = set(lines(anonymous.get("/v1/guidelines/next/tests?type=required")))

    assert (advisory.status_code, advisory.content) == (200, b"")
    assert required < both
    assert [line for line in both - required if "keypair" not in line] == []


@pytest.mark.parametrize(
    "query, reason",
    [
        ("target=nfv", "Invalid target 'nfv' for guideline 2026.06: use one of compute, object,"),
        ("type=mandatory", "Invalid type 'mandatory': use one or more of required, advisory"),
        ("type=required,bogus", "Invalid type 'bogus'"),
    ],
)
def test_a_bad_parameter_is_a_400_with_a_one_line_reason(anonymous, loaded, query, reason):
    response = anonymous.get(f"/v1/guidelines/2026.06/tests?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith(reason)
    assert response.content.count(b"\n") == 1


def test_an_unknown_guideline_is_a_404(anonymous, loaded):
    document = anonymous.get("/api/v1/guidelines/2099.01.json")
    listing = anonymous.get("/v1/guidelines/2099.01/tests")

    assert document.status_code == 404
    assert document.json()["error"]["message"] == "No guideline named '2099.01'."
    assert (listing.status_code, listing.content) == (404, b"No guideline named '2099.01'\n")


@pytest.mark.parametrize("path", ["/v1/guidelines/2026.06", "/v1/guidelines/2026.06/tests"])
def test_strong_etags_and_last_modified_give_304(anonymous, loaded, path):
    first = anonymous.get(path)
    etag, modified = first["ETag"], first["Last-Modified"]

    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)
    again = anonymous.get(path, HTTP_IF_NONE_MATCH=etag)
    since = anonymous.get(path, HTTP_IF_MODIFIED_SINCE=modified)
    other = anonymous.get(path, HTTP_IF_NONE_MATCH='"something-else"')
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert since.status_code == 304
    assert other.status_code == 200


def test_an_old_if_modified_since_gets_the_document(anonymous, loaded):
    response = anonymous.get(
        "/v1/guidelines/2026.06", HTTP_IF_MODIFIED_SINCE=formatdate(0, usegmt=True)
    )

    assert response.status_code == 200


def test_head_gives_the_headers_without_a_body(anonymous, loaded):
    get = anonymous.get("/api/v1/guidelines/2026.06")
    head = anonymous.head("/api/v1/guidelines/2026.06")

    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(get.content))
    assert head["ETag"] == get["ETag"]


def test_published_guidelines_and_drafts_cache_as_configured(anonymous, loaded, settings):
    settings.PUBLISHED_MAX_AGE, settings.DRAFT_MAX_AGE = 1800, 45

    approved = anonymous.get("/v1/guidelines/2026.06")
    approved_tests = anonymous.get("/v1/guidelines/2026.06/tests")
    draft = anonymous.get("/v1/guidelines/next")
    draft_tests = anonymous.get("/v1/guidelines/next/tests")

    assert approved["Cache-Control"] == approved_tests["Cache-Control"] == "public, max-age=1800"
    assert draft["Cache-Control"] == draft_tests["Cache-Control"] == "public, max-age=45"


def test_a_drafts_etag_changes_with_every_edit(
    anonymous, editor, loaded, django_capture_on_commit_callbacks
):
    before = anonymous.get("/v1/guidelines/next")
    document = json.loads(before.content)
    document["metadata"]["os_trademark_approval"]["releases"].append("victoria")

    with django_capture_on_commit_callbacks(execute=True):
        edit = editor.put(
            "/api/v1/guidelines/next", document, format="json", HTTP_IF_MATCH=before["ETag"]
        )
    after = anonymous.get("/v1/guidelines/next")
    stale = anonymous.get("/v1/guidelines/next", HTTP_IF_NONE_MATCH=before["ETag"])

    assert edit.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert json.loads(after.content) == document
    assert stale.status_code == 200
    assert edit.json()["revision"] == 2


def test_an_edit_through_the_importer_is_served_at_once(
    anonymous, loaded, django_capture_on_commit_callbacks
):
    first = anonymous.get("/v1/guidelines/next/tests")
    document = json.loads(anonymous.get("/v1/guidelines/next").content)
    document["capabilities"]["identity-v3-tokens-create"]["tests"] = {}

    with django_capture_on_commit_callbacks(execute=True):
        import_doc(document, key="next", replace=True)
    second = anonymous.get("/v1/guidelines/next/tests")

    assert first["ETag"] != second["ETag"]
    assert len(lines(second)) == len(lines(first)) - 1


def test_compression_for_clients_that_ask(anonymous, loaded):
    plain = anonymous.get("/v1/guidelines/2026.06")
    packed = anonymous.get("/v1/guidelines/2026.06", HTTP_ACCEPT_ENCODING="gzip, deflate")
    refused = anonymous.get("/v1/guidelines/2026.06", HTTP_ACCEPT_ENCODING="gzip;q=0")

    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 4
    assert packed["ETag"] != plain["ETag"]  # a strong ETag names one representation
    assert packed["Vary"].startswith("Accept-Encoding")
    assert "Content-Encoding" not in refused
    # Either representation's ETag revalidates.
    assert (
        anonymous.get(
            "/v1/guidelines/2026.06", HTTP_IF_NONE_MATCH=plain["ETag"], HTTP_ACCEPT_ENCODING="gzip"
        ).status_code
        == 304
    )


def test_browsers_on_other_sites_may_read(anonymous, loaded):
    response = anonymous.get("/v1/guidelines/2026.06", HTTP_ORIGIN="https://vendor.example")
    preflight = anonymous.options(
        "/api/v1/guidelines/2026.06/tests",
        HTTP_ORIGIN="https://vendor.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    write = anonymous.options(
        "/api/v1/guidelines/2026.06",
        HTTP_ORIGIN="https://vendor.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
    )

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "PUT" not in write["Access-Control-Allow-Methods"]


def test_another_process_sees_a_change_once_its_stamp_expires(anonymous, loaded, settings):
    """No commit hook reaches other processes: they ask the database after SERVING_STAMP_TTL."""
    settings.SERVING_STAMP_TTL = 0
    first = anonymous.get("/v1/guidelines/next/tests")
    document = json.loads(anonymous.get("/v1/guidelines/next").content)
    document["capabilities"]["identity-v3-tokens-create"]["tests"] = {}

    import_doc(document, key="next", replace=True)  # its on_commit never runs here
    second = anonymous.get("/v1/guidelines/next/tests")

    assert first["ETag"] != second["ETag"]


def test_a_fresh_stamp_serves_from_memory_without_queries(
    anonymous, loaded, django_assert_num_queries
):
    anonymous.get("/v1/guidelines/2026.06")
    anonymous.get("/v1/guidelines/2026.06/tests?" + REQUIRED_PLATFORM)

    with django_assert_num_queries(0):
        assert anonymous.get("/v1/guidelines/2026.06").status_code == 200
        assert anonymous.get("/v1/guidelines/2026.06/tests?" + REQUIRED_PLATFORM).status_code == 200


def test_an_empty_type_keeps_the_default_whichever_is_asked_first(anonymous, loaded):
    comma = anonymous.get("/v1/guidelines/next/tests?type=,")
    empty = anonymous.get("/v1/guidelines/next/tests?type=")
    absent = anonymous.get("/v1/guidelines/next/tests")

    assert comma.content == empty.content == absent.content != b""


@pytest.mark.parametrize("accept", ["text/plain", "", "application/xml"])
def test_any_accept_header_gets_the_test_list(anonymous, loaded, accept):
    response = anonymous.get("/v1/guidelines/2026.06/tests", HTTP_ACCEPT=accept)
    with_format = anonymous.get("/v1/guidelines/2026.06/tests?format=txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert with_format.status_code == 200


def test_a_304_has_no_content_type_and_the_real_length(anonymous, loaded):
    full = anonymous.get("/v1/guidelines/2026.06")

    again = anonymous.get("/v1/guidelines/2026.06", HTTP_IF_NONE_MATCH=full["ETag"])

    assert again.status_code == 304
    assert "Content-Type" not in again
    assert again["Content-Length"] == str(len(full.content))


def test_a_public_read_ignores_credentials(anonymous, loaded):
    response = anonymous.get("/api/v1/guidelines/2026.06", HTTP_AUTHORIZATION="Token stale")

    assert response.status_code == 200
    assert "Cookie" not in response.get("Vary", "")


def test_writes_under_v1_are_405_for_everyone_not_a_401_asking_for_credentials(demo, chair):
    from rest_framework.authtoken.models import Token

    signed = APIClient()
    signed.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=chair).key}")

    for client in (APIClient(), signed):
        response = client.put("/v1/guidelines/2026.06", {}, format="json")
        assert response.status_code == 405, response.content
        assert "WWW-Authenticate" not in response
