"""The WSGI fast path (defcore_site.wsgi) gives the answers Django gives, or lets Django answer.

Each test fills guidelines.serving.CACHE through Django (the test client), then
calls the WSGI callables directly with the same environ: ``application`` (fast
path in front of Django) and ``django_application`` (Django alone).
``fast_path.answer(environ)`` tells whether the fast path would answer at all.
"""

from contextlib import contextmanager

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import resolve

from defcore_site.wsgi import ROUTE, application, django_application, fast_path
from guidelines.serving import CACHE

pytestmark = pytest.mark.django_db

DOCUMENT = "/v1/guidelines/2026.06"
TESTS = "/v1/guidelines/2026.06/tests?target=platform&type=required&alias=true&flag=false"
SERVED = [
    DOCUMENT,
    "/v1/guidelines/2026.06.json",
    "/api/v1/guidelines/2026.06",
    TESTS,
    "/api/v1/guidelines/2026.06.json/tests?type=required,advisory&alias=false",
    "/v1/guidelines/2026.06/tests",
]
HOST = {"host": "testserver"}


@pytest.fixture(autouse=True)
def empty_cache():
    CACHE.clear()
    yield
    CACHE.clear()


@pytest.fixture
def guideline(demo):
    """The demo 2026.06: an approved guideline, served to tooling."""
    return demo


@contextmanager
def connections_kept():
    # As Django's test client does: the request signals would close the test's
    # database connection, inside its transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def environ_for(path, method="GET", headers=None, **extra):
    request = RequestFactory().generic(method, path, headers={**HOST, **(headers or {})}, **extra)
    return request.environ


def call(app, environ):
    """Status code, headers (name case ignored, order ignored) and body."""
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, headers

    with connections_kept():
        result = app(dict(environ), start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    headers = sorted((name.lower(), value) for name, value in started["headers"])
    return started["status"], headers, body


def fill(client, path, **headers):
    """Ask Django, as tooling would, so the cache holds the representation."""
    response = client.get(path, headers={**HOST, **headers})
    assert response.status_code == 200
    return response


def assert_same(environ, *, fast: bool = True):
    answered = fast_path.answer(dict(environ)) is not None
    assert answered is fast, "fast path answered" if answered else "fast path fell through"
    ours = call(application, environ)
    assert ours == call(django_application, environ)
    return ours


@pytest.mark.parametrize("path", SERVED)
def test_a_served_representation_is_the_same_as_djangos(client, guideline, path):
    fill(client, path)

    status, headers, body = assert_same(environ_for(path))

    assert status == "200 OK"
    assert dict(headers)["etag"] == fill(client, path)["ETag"]
    assert body == fill(client, path).content


@pytest.mark.parametrize("path", [DOCUMENT, TESTS])
def test_revalidation_gives_the_same_304(client, guideline, path):
    etag = fill(client, path)["ETag"]

    status, headers, body = assert_same(environ_for(path, headers={"if-none-match": etag}))

    assert status == "304 Not Modified"
    assert body == b""
    assert ("etag", etag) in headers


def test_if_modified_since_gives_the_same_304(client, guideline):
    last_modified = fill(client, DOCUMENT)["Last-Modified"]

    status, _, _ = assert_same(environ_for(DOCUMENT, headers={"if-modified-since": last_modified}))

    assert status == "304 Not Modified"


@pytest.mark.parametrize("path", [DOCUMENT, "/api/v1/guidelines/2026.06", TESTS])
def test_head_is_the_same(client, guideline, path):
    full = fill(client, path)

    status, headers, body = assert_same(environ_for(path, "HEAD"))

    assert status == "200 OK"
    assert body == b""
    assert dict(headers)["content-length"] == str(len(full.content))


@pytest.mark.parametrize("path", [DOCUMENT, TESTS])
def test_gzip_is_the_same(client, guideline, path):
    fill(client, path)

    status, headers, body = assert_same(environ_for(path, headers={"accept-encoding": "gzip"}))

    assert status == "200 OK"
    assert ("content-encoding", "gzip") in headers
    assert body[:2] == b"\x1f\x8b"


def test_a_cold_cache_goes_to_django_which_fills_it(client, guideline):
    environ = environ_for(DOCUMENT)

    first = assert_same(environ, fast=False)
    second = assert_same(environ)  # Django's answer above filled the cache

    assert first == second


def test_a_stale_revision_check_goes_to_django(client, guideline, settings):
    fill(client, DOCUMENT)
    settings.SERVING_STAMP_TTL = -1  # every stamp is too old to trust

    assert_same(environ_for(DOCUMENT), fast=False)


def test_a_test_list_variant_not_yet_built_goes_to_django(client, guideline):
    fill(client, TESTS)

    status, _, body = assert_same(environ_for(DOCUMENT + "/tests?type=required"), fast=False)

    assert status == "200 OK"
    assert body


def test_equivalent_parameters_share_the_cached_list(client, guideline):
    fill(client, TESTS)

    # Same query_key: other order, case and spacing.
    path = DOCUMENT + "/tests?flag=false&alias=TRUE&type=%20required&target=Platform"
    status, _, body = assert_same(environ_for(path))

    assert status == "200 OK"
    assert body == fill(client, TESTS).content


@pytest.mark.parametrize(
    "path", ["/v1/guidelines/nope", "/api/v1/guidelines/nope.json", "/v1/guidelines/nope/tests"]
)
def test_an_unknown_guideline_is_djangos_404(client, guideline, path):
    fill(client, DOCUMENT)
    client.get(path)  # the cache now knows there is no such guideline

    status, _, _ = assert_same(environ_for(path), fast=False)

    assert status == "404 Not Found"


@pytest.mark.parametrize("query", ["type=nope", "target=nowhere", "type=required&target=mars"])
def test_bad_parameters_are_djangos_400(client, guideline, query):
    fill(client, TESTS)

    status, _, body = assert_same(environ_for(f"{DOCUMENT}/tests?{query}"), fast=False)

    assert status == "400 Bad Request"
    assert body.startswith(b"Invalid ")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", DOCUMENT),
        ("PUT", DOCUMENT),
        ("PUT", "/api/v1/guidelines/2026.06"),
        ("DELETE", "/api/v1/guidelines/2026.06"),
        ("POST", TESTS),
        ("OPTIONS", DOCUMENT),
    ],
)
def test_other_methods_are_djangos(client, guideline, method, path):
    fill(client, path)

    status, _, _ = assert_same(environ_for(path, method), fast=False)

    assert not status.startswith("2") or method == "OPTIONS"


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "bad host"])
def test_a_host_django_refuses_is_djangos_400(client, guideline, host):
    fill(client, DOCUMENT)

    status, _, _ = assert_same(environ_for(DOCUMENT, headers={"host": host}), fast=False)

    assert status == "400 Bad Request"


def test_an_allowed_host_with_a_port_is_served(client, guideline):
    fill(client, DOCUMENT)

    status, _, _ = assert_same(environ_for(DOCUMENT, headers={"host": "127.0.0.1:8000"}))

    assert status == "200 OK"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        # A public read ignores credentials: a stale token is no 401.
        ({"authorization": "Token not-a-token"}, "200 OK"),
        ({"cookie": "sessionid=stale"}, "200 OK"),
        ({"origin": "https://example.com"}, "200 OK"),
    ],
)
def test_requests_django_must_decide_go_to_django(client, guideline, headers, status):
    fill(client, DOCUMENT)

    got, _, _ = assert_same(environ_for(DOCUMENT, headers=headers), fast=False)

    assert got == status


@pytest.mark.parametrize(
    "accept", ["*/*", "application/json", "text/html,*/*;q=0.8", "text/plain", ""]
)
def test_any_accept_header_is_served(client, guideline, accept):
    """Each route has one representation: tooling's Accept headers never make a 406."""
    fill(client, DOCUMENT)

    assert_same(environ_for(DOCUMENT, headers={"accept": accept}))


def test_a_format_parameter_changes_nothing(client, guideline):
    fill(client, TESTS + "&format=txt")

    status, _, _ = assert_same(environ_for(TESTS + "&format=txt"))

    assert status == "200 OK"


def test_too_many_parameters_are_djangos_400(client, guideline, settings):
    fill(client, TESTS)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3

    status, _, _ = assert_same(environ_for(TESTS), fast=False)  # four parameters

    assert status == "400 Bad Request"


def test_a_remembered_query_string_gives_the_same_answer_again(client, guideline):
    fill(client, TESTS)
    first = assert_same(environ_for(TESTS))

    assert assert_same(environ_for(TESTS)) == first
    assert assert_same(environ_for(TESTS, "HEAD"))[0] == "200 OK"


def test_settings_it_does_not_reproduce_turn_it_off(client, guideline, settings):
    fill(client, DOCUMENT)
    assert fast_path.answer(environ_for(DOCUMENT)) is not None

    project_stack = settings.MIDDLEWARE
    settings.MIDDLEWARE = [*project_stack, "django.middleware.gzip.GZipMiddleware"]
    assert fast_path.answer(environ_for(DOCUMENT)) is None

    settings.MIDDLEWARE = project_stack
    assert fast_path.answer(environ_for(DOCUMENT)) is not None

    settings.SECURE_SSL_REDIRECT = True
    assert fast_path.answer(environ_for(DOCUMENT)) is None


@pytest.mark.parametrize(
    "path",
    [
        "/v1/guidelines/2026.06",
        "/v1/guidelines/2026.06.json",
        "/v1/guidelines/2026.06.json.json",
        "/api/v1/guidelines/dns.2026.06.json/tests",
        "/api/v1/guidelines/.json",
        "/v1/guidelines/next/tests",
    ],
)
def test_the_route_pattern_reads_the_key_as_django_does(path):
    route = ROUTE.fullmatch(path)

    assert route is not None
    assert route["key"] == resolve(path).kwargs["key"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/guidelines",
        "/v1/guidelines/",
        "/v1/guidelines/a/b",
        "/v2/guidelines/a",
        "/v1/guidelines/a/tests/",
    ],
)
def test_other_paths_are_not_routes_of_the_fast_path(path):
    assert ROUTE.fullmatch(path) is None
