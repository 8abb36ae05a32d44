"""No server error for any input: the regressions of issue 8, and the limits.

Each case here once answered 500 (or would have, given the input), or is a
bound README, "Limits", promises: 413 naming the limit for a body too large,
400 for JSON nested too deep, and duplicate keys read as json.load reads them.
"""

import gzip
import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from guidelines.interop_format.reader import FormatError
from guidelines.models import Guideline, GuidelineEvent
from guidelines.serving import CACHE, accepts_gzip
from tests.guidelines.helpers import export, import_doc
from tests.test_wsgi_fast_path import call, environ_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cold_serving_cache():
    CACHE.clear()
    yield
    CACHE.clear()


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# Accept-Encoding with a malformed weight: every document route, both paths.

DOCUMENT_ROUTES = [
    "/v1/guidelines/2026.06",
    "/v1/guidelines/2026.06.json",
    "/api/v1/guidelines/2026.06",
    "/v1/guidelines/2026.06/tests",
    "/api/v1/guidelines/2026.06.json/tests",
]


@pytest.mark.parametrize("path", DOCUMENT_ROUTES)
@pytest.mark.parametrize(
    "encoding", ["gzip;q=abc", "gzip;q=", "gzip;q=1.5", "gzip; q=-1", "gzip;;"]
)
def test_a_malformed_accept_encoding_gets_the_plain_bytes_on_both_paths(demo, path, encoding):
    from defcore_site.wsgi import application, django_application, fast_path

    environ = environ_for(path, headers={"Accept-Encoding": encoding})
    django = call(django_application, environ)  # fills the cache as a side effect
    assert fast_path.answer(dict(environ)) is not None
    fast = call(application, environ)

    for status, headers, _ in (django, fast):
        assert status.startswith("200")
        assert "content-encoding" not in dict(headers)
    assert fast == django


@pytest.mark.parametrize(
    "header, gzipped",
    [
        ("gzip", True),
        ("gzip;q=0.5", True),
        ("GZIP; Q=1.000", True),
        ("br, x-gzip;q=0.001", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("gzip;q=abc", False),
        ("gzip;q=1.5", False),
        ("identity", False),
        ("", False),
    ],
)
def test_accept_encoding_weights_are_read_as_rfc_9110_says(header, gzipped):
    assert accepts_gzip(header) is gzipped


def test_a_valid_gzip_request_still_gets_gzip(client, demo):
    response = client.get("/api/v1/guidelines/2026.06", headers={"accept-encoding": "gzip;q=0.8"})

    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["metadata"]["id"] == "2026.06"


# Nesting.


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("depth", [33, 5_000, 200_000])
def test_json_nested_too_deep_is_400_naming_the_limit(demo_draft, member, depth):
    pk = demo_draft.capabilities.get(key="compute-servers-list").pk
    body = b'{"version": 1, "description": ' + nested(depth) + b"}"

    response = as_user(member).generic(
        "PATCH", f"/api/v1/capabilities/{pk}", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert "nested deeper than 32 levels (MAX_JSON_DEPTH)" in response.json()["error"]["message"]


def test_json_within_the_depth_limit_is_read(demo_draft, member):
    pk = demo_draft.capabilities.get(key="compute-servers-list").pk
    body = b'{"version": 1, "description": ' + nested(31) + b"}"

    response = as_user(member).generic(
        "PATCH", f"/api/v1/capabilities/{pk}", body, content_type="application/json"
    )

    # Read, then refused by the serializer for what it is: not a string.
    assert response.status_code == 400
    assert "description" in response.json()["error"]["fields"]


@pytest.mark.parametrize("depth", [40, 100_000])
def test_a_document_nested_too_deep_is_refused_on_import_and_nothing_is_stored(depth):
    raw = b'{"schema": "1.2", "id": "2026.01", "extra": ' + nested(depth) + b"}"

    with pytest.raises(FormatError, match="MAX_JSON_DEPTH"):
        import_doc(raw, key="deep")

    assert not Guideline.objects.filter(key="deep").exists()


def test_a_document_nested_too_deep_is_400_over_the_api(chair):
    raw = b'{"schema": "1.2", "id": "2026.01", "extra": ' + nested(100_000) + b"}"

    response = as_user(chair).put("/api/v1/guidelines/deep", raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_document"
    assert "MAX_JSON_DEPTH" in response.json()["error"]["message"]


# Sizes.


@override_settings(MAX_BODY_BYTES=2048)
def test_a_body_over_the_limit_is_413_before_authentication(demo_draft):
    pk = demo_draft.capabilities.get(key="compute-servers-list").pk
    body = json.dumps({"version": 1, "description": "x" * 4096}).encode()

    response = APIClient().generic(
        "PATCH", f"/api/v1/capabilities/{pk}", body, content_type="application/json"
    )

    assert response.status_code == 413  # not 401: the body is never read
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert f"{len(body)} bytes" in error["message"]
    assert "at most 2048 bytes (MAX_BODY_BYTES)" in error["message"]


@override_settings(MAX_BODY_BYTES=2048, MAX_DOCUMENT_BYTES=8192)
def test_a_document_has_its_own_larger_limit(chair):
    client = as_user(chair)
    document = json.dumps(
        {"schema": "1.2", "id": "2026.01", "pad": "x" * 4000}
    ).encode()  # over the body limit, under the document limit
    too_large = json.dumps({"schema": "1.2", "pad": "x" * 9000}).encode()

    read = client.put("/api/v1/guidelines/sized", document, content_type="application/json")
    refused = client.put("/api/v1/guidelines/sized", too_large, content_type="application/json")

    assert read.status_code == 400  # read, and refused for what it says
    assert read.json()["error"]["code"] == "invalid_document"
    assert refused.status_code == 413
    assert "(MAX_DOCUMENT_BYTES)" in refused.json()["error"]["message"]
    assert not Guideline.objects.filter(key="sized").exists()


@override_settings(MAX_UPLOAD_BYTES=4096)
def test_a_worksheet_over_the_upload_limit_is_413_and_nothing_is_stored(demo_draft, chair):
    events = GuidelineEvent.objects.count()
    body = {"name": "scoring.txt", "text": "compute-servers-list 1 1 1\n" * 400}

    response = as_user(chair).post(
        "/api/v1/catalog/guidelines/next/worksheets", body, format="json"
    )

    assert response.status_code == 413
    assert "(MAX_UPLOAD_BYTES)" in response.json()["error"]["message"]
    assert GuidelineEvent.objects.count() == events


@override_settings(MAX_UPLOAD_BYTES=4096)
def test_a_file_upload_over_the_limit_is_413_in_plain_text_on_the_web(client, demo_draft, chair):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(chair)
    upload = SimpleUploadedFile("scoring.txt", b"x" * 8192, content_type="text/plain")

    response = client.post(
        "/guidelines/next/workspace/worksheets/", {"name": "scoring.txt", "file": upload}
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert "(MAX_UPLOAD_BYTES)" in response.content.decode()


# Duplicate keys, as json.load reads them.

REPEATED = b"""{
  "schema": "1.2",
  "id": "2026.01",
  "status": "draft",
  "source": "https://example.org/defcore-site/tests/repeated.json",
  "status": "approved",
  "platform": {"required": ["compute"]},
  "components": {"compute": {"name": "compute", "description": "Compute."}},
  "criteria": {},
  "capabilities": {
    "compute-servers-list": {
      "achievements": [],
      "admin": false,
      "description": "Lists servers.",
      "flagged": [],
      "name": "compute-servers-list",
      "status": "required",
      "tests": [
        "tempest.api.compute.servers.test_list.ServersTest.test_list",
        "tempest.api.compute.servers.test_list.ServersTest.test_list_detail"
      ],
      "tests": [
        "tempest.api.compute.servers.test_list.ServersTest.test_list_detail"
      ]
    }
  }
}"""


def test_repeated_keys_are_accepted_with_a_warning_and_the_last_value_kept():
    result = import_doc(REPEATED, key="repeated")

    warnings = dict(result.warnings)
    assert "'status' appears more than once" in warnings["/status"]
    assert "the last value is kept" in warnings["/status"]
    assert "'tests' appears more than once" in warnings["/capabilities/compute-servers-list/tests"]
    assert result.guideline.status == "approved"
    exported = export(result.guideline)
    assert exported == json.loads(REPEATED)  # json.loads keeps the last value too
    assert exported["status"] == "approved"
    assert exported["capabilities"]["compute-servers-list"]["tests"] == [
        "tempest.api.compute.servers.test_list.ServersTest.test_list_detail"
    ]


def test_repeated_keys_are_recorded_in_the_import_event():
    result = import_doc(REPEATED, key="repeated")

    event = GuidelineEvent.objects.get(guideline=result.guideline)
    recorded = {where: message for where, message in event.data["warnings"]}
    assert "'status' appears more than once" in recorded["/status"]
    assert "'tests' appears more than once" in recorded["/capabilities/compute-servers-list/tests"]


# Caching that tells the truth.


def test_published_documents_may_be_kept_minutes_and_drafts_a_minute(client, demo_draft):
    published = client.get("/api/v1/guidelines/2026.06")
    draft = client.get("/api/v1/guidelines/next")

    assert published["Cache-Control"] == "public, max-age=300"
    assert draft["Cache-Control"] == "public, max-age=60"


@override_settings(PUBLISHED_MAX_AGE=120, DRAFT_MAX_AGE=0)
def test_the_cache_lifetimes_are_settings(client, demo_draft):
    assert client.get("/api/v1/guidelines/2026.06")["Cache-Control"] == "public, max-age=120"
    assert client.get("/api/v1/guidelines/next")["Cache-Control"] == "public, max-age=0"


def test_a_flag_on_a_published_guideline_is_served_at_once_and_revalidation_sees_it(
    client, demo, member, django_capture_on_commit_callbacks
):
    before = client.get("/api/v1/guidelines/2026.06")
    test = demo.capabilities.get(key="compute-servers-list").tests.first()

    with django_capture_on_commit_callbacks(execute=True):
        flagged = as_user(member).put(
            f"/api/v1/tests/{test.pk}/flag",
            {
                "date": "2026-12-01",
                "reason": "[D404] Fails on some clouds.",
                "action": "Fix the test",
            },
            format="json",
        )
    again = client.get("/api/v1/guidelines/2026.06", headers={"if-none-match": before["ETag"]})

    assert flagged.status_code == 200, flagged.content
    assert again.status_code == 200  # not 304: the document changed
    assert again["ETag"] != before["ETag"]


# A NUL in a path: PostgreSQL refuses it in any text it compares.


@pytest.mark.parametrize(
    "path, json_body",
    [
        ("/api/v1/guidelines/%00", True),
        ("/v1/guidelines/%00/tests", True),
        ("/api/v1/catalog/guidelines/%00/events", True),
        ("/guidelines/%00/", False),
        ("/guidelines/%00/workspace/", False),
    ],
)
def test_a_nul_in_the_path_is_404(client, demo, path, json_body):
    response = client.get(path)

    assert response.status_code == 404
    if json_body:
        assert response.json()["error"]["code"] == "not_found"


def test_a_stored_worksheet_name_with_a_quote_or_newline_still_downloads(client, demo_draft, chair):
    from capabilities.models import Worksheet

    Worksheet.objects.create(guideline=demo_draft, name='odd"name\r\n.txt', lines=[])
    client.force_login(chair)

    response = client.get("/guidelines/next/workspace/worksheets/odd%22name%0D%0A.txt/text/")

    assert response.status_code == 200
    assert "\n" not in response["Content-Disposition"]


def test_a_weight_beyond_the_column_is_refused_by_the_service(demo_draft, chair):
    from capabilities.services import criterion_update
    from guidelines.errors import GuidelineError

    criterion = demo_draft.criteria.first()

    with pytest.raises(GuidelineError, match="from 0 to 2147483647"):
        criterion_update(criterion=criterion, actor=chair, changes={"weight": 2**31})


def test_an_unrouted_api_path_is_a_json_404_and_a_page_path_an_html_one(client):
    api = client.get("/api/v1/no-such-route")
    page = client.get("/no/such/page/")

    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert "Not found" in page.content.decode()


def test_a_server_error_on_an_api_path_is_the_apis_json_without_detail(monkeypatch):
    from django.test import Client

    from guidelines.api.catalog import GuidelineCatalogViewSet

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("/srv/secret/path failed")

    monkeypatch.setattr(GuidelineCatalogViewSet, "list", broken)

    response = Client(raise_request_exception=False).get("/api/v1/catalog/guidelines")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "/srv/secret" not in response.content.decode()


def test_a_schema_folder_with_a_file_nested_too_deep_is_walked_not_crashed(tmp_path):
    from guidelines.management.commands.import_guidelines import guideline_files

    (tmp_path / "deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)

    assert guideline_files([str(tmp_path)]) == [tmp_path / "deep.json"]
