"""No server error from the pages either: every web route, odd inputs, each role.

The API is fuzzed from its OpenAPI document (tests/test_fuzz_api.py); the pages
have no such document, so this walks their URL patterns and lets hypothesis
choose path values, query strings and form fields, reads and writes, signed out,
as a reviewer, a member, the chair and the foundation's staff. Examples are
bounded and derandomized so that CI runs the same cases every time.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidelines.serving import CACHE

pytestmark = pytest.mark.django_db

# /health/ answers 503 by design when a checked service is down (tests/test_operations.py).
EXCLUDED = ("admin/", "api/", "v1/", "static/", "health/")


def web_routes():
    """(route text, converters by name) of every page route, from the URLconf."""
    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and not route.startswith(EXCLUDED):
                found.append(route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


ROUTES = web_routes()
PARAM = re.compile(r"<(?:(?P<type>\w+):)?(?P<name>\w+)>")

# Real names most of the time, so that the pages behind the 404s are reached.
KNOWN = {
    "key": ["2026.06", "next", "dns.2026.06"],
    "a": ["2026.06", "next"],
    "b": ["next", "2026.06"],
    "capability_key": ["compute-servers-list", "images-v1-list"],
    "name": ["scoring.txt"],
    # load_demo_vendors: vendors and products, administered by the member too.
    "slug": ["example-cloud-inc", "sample-distro-ltd"],
    "vendor": ["example-cloud-inc", "sample-distro-ltd"],
    "product": ["example-public-cloud", "sample-openstack"],
}
ODD_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/?#"), min_size=1, max_size=40
)
ODD = st.one_of(
    ODD_TEXT,
    st.sampled_from(['a"b', "a\r\nb", "..", "%00", "%0d%0a", " ", "x" * 300, "2026.06.json"]),
)


def path_value(name, kind):
    if kind == "int":
        return st.one_of(st.integers(min_value=0, max_value=2**63), st.just(1))
    if kind == "uuid":
        return st.uuids().map(str)
    return st.one_of(st.sampled_from(KNOWN.get(name, ["x"])), ODD)


@st.composite
def requests(draw):
    route = draw(st.sampled_from(ROUTES))
    path = "/" + PARAM.sub(
        lambda m: str(draw(path_value(m["name"], m["type"]))).replace("/", "%2F"),
        route,
    )
    fields = draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "source",
                    "name",
                    "status",
                    "to",
                    "reason",
                    "value",
                    "note",
                    "version",
                    "description",
                    "component",
                    "criterion",
                    "rule",
                    "justification",
                    "predecessor",
                    "new_key",
                    "date",
                    "action",
                    "with",
                    "page",
                    "guideline",
                    "target",
                    "kind",
                    "public",
                    "shared",
                    "decision",
                    "username",
                    "raw_key",
                    "self_signature",
                    "product",
                    "product_version",
                    "url",
                ]
            ),
            st.one_of(ODD_TEXT, st.sampled_from(["1", "0", "-1", "2", "next", "required", ""])),
            max_size=5,
        )
    )
    method = draw(st.sampled_from(["GET", "POST", "HEAD"]))
    role = draw(st.sampled_from(["anonymous", "reviewer", "member", "chair", "staff"]))
    return method, path, fields, role


@pytest.fixture
def clients(demo_draft, chair, member, reviewer, staff):
    from django.core.management import call_command

    from compliance.models import Vendor
    from tests.conftest import DEMO
    from tests.guidelines.helpers import import_file

    import_file(DEMO / "dns.2026.06.json")
    call_command("load_demo_vendors", verbosity=0)
    for vendor in Vendor.objects.all():
        vendor.admins.add(member)
    made = {"anonymous": Client(raise_request_exception=False)}
    users = (("reviewer", reviewer), ("member", member), ("chair", chair), ("staff", staff))
    for role, user in users:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        made[role] = client
    CACHE.clear()
    yield made
    CACHE.clear()


def test_the_routes_are_found():
    """The walk finds the pages: if it found none, the fuzzing below would test nothing."""
    assert "guidelines/<str:key>/workspace/" in ROUTES
    assert "guidelines/<str:a>/diff/<str:b>/" in ROUTES
    assert len(ROUTES) >= 20


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests())
def test_no_page_answers_a_server_error(clients, request):
    method, path, fields, role = request
    client = clients[role]

    if method == "GET":
        response = client.get(path, fields)
    elif method == "HEAD":
        response = client.head(path, fields)
    else:
        response = client.post(path, fields)

    assert response.status_code < 500, (method, path, fields, role, response.status_code)


# A sweep that reaches every route, so that the random walk above is not the only
# guard: each route, each method, each role, with real names and then odd ones.

ODD_FIELDS = {
    "guideline": "\x00",
    "page": "-1",
    "since": "2026-02-30",
    "kind": "x" * 300,
    "name": 'a"b\r\n',
    "version": "99999999999999999999",
    "value": "2",
    "status": "nope",
    "product": "not-a-uuid",
    "product_version": "\x00",
    "decision": "maybe",
    "raw_key": "ssh-rsa AAAA",
}


def concrete(route: str, odd: bool) -> str:
    def value(match):
        if match["type"] == "int":
            return "999999" if odd else "1"
        if match["type"] == "uuid":
            return "00000000-0000-0000-0000-000000000000"
        return "x%22%0D%0A" if odd else KNOWN.get(match["name"], ["x"])[0]

    return "/" + PARAM.sub(value, route)


def test_every_route_method_and_role_answers_without_a_server_error(clients):
    failures = []
    for route in ROUTES:
        for odd in (False, True):
            path = concrete(route, odd)
            fields = ODD_FIELDS if odd else {}
            for role, client in clients.items():
                for method in ("get", "head", "post"):
                    response = getattr(client, method)(path, fields)
                    if response.status_code >= 500:
                        failures.append((method.upper(), path, role, response.status_code))
    assert failures == []
