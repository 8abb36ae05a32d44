"""RefStack's routes, as tooling hard-codes them (../shared/docs/REFSTACK.md)."""

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
        "orchestration": [
            {"name": "2020.06.json", "file": "orchestration.2020.06.json"},
            {"name": "next.json", "file": "orchestration.next.json"},
        ],
        "powered": [
            {"name": "2015.03.json", "file": "2015.03.json"},
            {"name": "2018.02.json", "file": "2018.02.json"},
            {"name": "2020.06.json", "file": "2020.06.json"},
            {"name": "next.json", "file": "next.json"},
        ],
    }


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("suffix", ["", ".json"])
def test_the_document_is_the_published_json_value(anonymous, loaded, prefix, suffix):
    response = anonymous.get(f"{prefix}/guidelines/2020.06{suffix}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == json.loads(loaded["2020.06"].read_bytes())


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_required_platform_test_list_of_2020_06(anonymous, loaded, prefix):
    response = anonymous.get(f"{prefix}/guidelines/2020.06/tests?{REQUIRED_PLATFORM}")

    found = lines(response)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert len(found) == 375  # RefStack printed 377, with two duplicates
    assert all(LINE.match(line) for line in found)
    assert found == sorted(found)
    assert len(set(found)) == len(found)
    assert response.content.endswith(b"\n") and b"\r" not in response.content


def test_flag_false_drops_exactly_the_flagged_tests(anonymous, loaded):
    document = json.loads(loaded["2020.06"].read_bytes())
    flagged = set()
    for capability in document["capabilities"].values():
        for name, test in capability["tests"].items():
            if test.get("flagged"):
                for alias in [name, *test.get("aliases", [])]:
                    flagged.add(f"{alias}[{test['idempotent_id']}]")

    with_flagged = set(lines(anonymous.get("/v1/guidelines/2020.06/tests?flag=true")))
    without = set(lines(anonymous.get("/v1/guidelines/2020.06/tests?flag=false")))

    assert with_flagged - without == flagged
    assert without <= with_flagged
    assert len(flagged) >= 11


def test_aliases_get_lines_of_their_own_with_the_same_id(anonymous, loaded):
    with_aliases = set(lines(anonymous.get("/v1/guidelines/2020.06/tests")))
    without = set(lines(anonymous.get("/v1/guidelines/2020.06/tests?alias=false")))

    extra = with_aliases - without
    assert extra
    ids = {line[line.index("[") :] for line in without}
    assert all(line[line.index("[") :] in ids for line in extra)


def test_an_add_on_defaults_to_its_own_target(anonymous, loaded):
    response = anonymous.get("/v1/guidelines/orchestration.2020.06/tests")

    found = lines(response)
    assert response.status_code == 200
    assert len(found) == 60
    # Add-on files store bare uuids: copied as stored.
    assert all(re.search(r"\[[0-9a-f]{8}-[0-9a-f-]{27}\]$", line) for line in found)
    explicit = anonymous.get("/v1/guidelines/orchestration.2020.06/tests?target=orchestration")
    assert explicit.content == response.content


def test_schema_1_2_gives_bare_names(anonymous, loaded):
    found = lines(anonymous.get("/v1/guidelines/2015.03/tests"))

    assert len(found) == 127
    assert all("[" not in line and line.startswith("tempest.") for line in found)


def test_targets_come_from_the_guideline(anonymous, loaded):
    storage = set(lines(anonymous.get("/v1/guidelines/2020.06/tests?target=object")))
    also = set(lines(anonymous.get("/v1/guidelines/2020.06/tests?target=storage")))
    compute = set(lines(anonymous.get("/v1/guidelines/2020.06/tests?target=compute")))
    platform = set(lines(anonymous.get("/v1/guidelines/2020.06/tests?target=platform")))

    assert storage == also
    assert storage and compute
    assert platform == storage | compute
    legacy = anonymous.get("/v1/guidelines/2015.03/tests?target=object")
    assert len(lines(legacy)) > 0


def test_type_selects_statuses_and_an_empty_selection_is_an_empty_body(anonymous, loaded):
    advisory = anonymous.get("/v1/guidelines/2020.06/tests?type=advisory")
    both = set(lines(anonymous.get("/v1/guidelines/next/tests?type=required,advisory")))
    required = set(lines(anonymous.get("/v1/guidelines/next/tests?type=required")))

    assert (advisory.status_code, advisory.content) == (200, b"")
    assert required < both


@pytest.mark.parametrize(
    "query, reason",
    [
        ("target=nfv", "Invalid target 'nfv' for guideline 2020.06: use one of compute, object,"),
        ("type=mandatory", "Invalid type 'mandatory': use one or more of required, advisory"),
        ("type=required,bogus", "Invalid type 'bogus'"),
    ],
)
def test_a_bad_parameter_is_a_400_with_a_one_line_reason(anonymous, loaded, query, reason):
    response = anonymous.get(f"/v1/guidelines/2020.06/tests?{query}")

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


@pytest.mark.parametrize("path", ["/v1/guidelines/2020.06", "/v1/guidelines/2020.06/tests"])
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
        "/v1/guidelines/2020.06", HTTP_IF_MODIFIED_SINCE=formatdate(0, usegmt=True)
    )

    assert response.status_code == 200


def test_head_gives_the_headers_without_a_body(anonymous, loaded):
    get = anonymous.get("/api/v1/guidelines/2020.06")
    head = anonymous.head("/api/v1/guidelines/2020.06")

    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(get.content))
    assert head["ETag"] == get["ETag"]


def test_published_guidelines_cache_long_and_drafts_short(anonymous, loaded):
    approved = anonymous.get("/v1/guidelines/2020.06")
    draft = anonymous.get("/v1/guidelines/next")

    assert approved["Cache-Control"] == "public, max-age=86400"
    assert draft["Cache-Control"] == "public, max-age=60"


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
    document = json.loads(loaded["next"].read_bytes())
    document["capabilities"]["compute-list-api-versions"]["tests"] = {}

    with django_capture_on_commit_callbacks(execute=True):
        import_doc(document, key="next", replace=True)
    second = anonymous.get("/v1/guidelines/next/tests")

    assert first["ETag"] != second["ETag"]
    assert len(lines(second)) == len(lines(first)) - 1


def test_compression_for_clients_that_ask(anonymous, loaded):
    plain = anonymous.get("/v1/guidelines/2020.06")
    packed = anonymous.get("/v1/guidelines/2020.06", HTTP_ACCEPT_ENCODING="gzip, deflate")
    refused = anonymous.get("/v1/guidelines/2020.06", HTTP_ACCEPT_ENCODING="gzip;q=0")

    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 4
    assert packed["ETag"] != plain["ETag"]  # a strong ETag names one representation
    assert packed["Vary"].startswith("Accept-Encoding")
    assert "Content-Encoding" not in refused
    # Either representation's ETag revalidates.
    assert (
        anonymous.get(
            "/v1/guidelines/2020.06", HTTP_IF_NONE_MATCH=plain["ETag"], HTTP_ACCEPT_ENCODING="gzip"
        ).status_code
        == 304
    )


def test_browsers_on_other_sites_may_read(anonymous, loaded):
    response = anonymous.get("/v1/guidelines/2020.06", HTTP_ORIGIN="https://vendor.example")
    preflight = anonymous.options(
        "/api/v1/guidelines/2020.06/tests",
        HTTP_ORIGIN="https://vendor.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    write = anonymous.options(
        "/api/v1/guidelines/2020.06",
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
    document = json.loads(loaded["next"].read_bytes())
    document["capabilities"]["compute-list-api-versions"]["tests"] = {}

    import_doc(document, key="next", replace=True)  # its on_commit never runs here
    second = anonymous.get("/v1/guidelines/next/tests")

    assert first["ETag"] != second["ETag"]


def test_a_fresh_stamp_serves_from_memory_without_queries(
    anonymous, loaded, django_assert_num_queries
):
    anonymous.get("/v1/guidelines/2020.06")
    anonymous.get("/v1/guidelines/2020.06/tests?" + REQUIRED_PLATFORM)

    with django_assert_num_queries(0):
        assert anonymous.get("/v1/guidelines/2020.06").status_code == 200
        assert anonymous.get("/v1/guidelines/2020.06/tests?" + REQUIRED_PLATFORM).status_code == 200


def test_an_empty_type_keeps_the_default_whichever_is_asked_first(anonymous, loaded):
    comma = anonymous.get("/v1/guidelines/next/tests?type=,")
    empty = anonymous.get("/v1/guidelines/next/tests?type=")
    absent = anonymous.get("/v1/guidelines/next/tests")

    assert comma.content == empty.content == absent.content != b""


@pytest.mark.parametrize("accept", ["text/plain", "", "application/xml"])
def test_any_accept_header_gets_the_test_list(anonymous, loaded, accept):
    response = anonymous.get("/v1/guidelines/2020.06/tests", HTTP_ACCEPT=accept)
    with_format = anonymous.get("/v1/guidelines/2020.06/tests?format=txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert with_format.status_code == 200


def test_a_304_has_no_content_type_and_the_real_length(anonymous, loaded):
    full = anonymous.get("/v1/guidelines/2020.06")

    again = anonymous.get("/v1/guidelines/2020.06", HTTP_IF_NONE_MATCH=full["ETag"])

    assert again.status_code == 304
    assert "Content-Type" not in again
    assert again["Content-Length"] == str(len(full.content))


def test_a_public_read_ignores_credentials(anonymous, loaded):
    response = anonymous.get("/api/v1/guidelines/2020.06", HTTP_AUTHORIZATION="Token stale")

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
