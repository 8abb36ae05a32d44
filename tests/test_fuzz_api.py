"""Property-based fuzzing of the whole REST API: no request is ever answered with a 5xx.

schemathesis reads the OpenAPI document the site serves (``/api/v1/schema/``)
and, for every operation in it, generates requests (path parameters, queries,
headers, bodies) that hypothesis varies. Each request is sent in-process to
the WSGI application tooling talks to (``defcore_site.wsgi.application``,
fast path included), once per role: anonymous, reviewer (signed in, no seat),
member and chair, by API token. The same path is also asked with OPTIONS, and
GET routes with HEAD. Any 5xx fails the test, with the request that caused it
and the server's traceback.

The database holds the demo guideline 2026.06, the draft ``next`` started
from it with a worksheet, and the DNS add-on dns.2026.06; path parameters and
some body fields are swapped for real names and ids most of the time, or the
fuzzer would only ever meet 404s. Writes are kept: each example sees what the
earlier ones of its operation changed.

The run is bounded and reproducible: a few examples per operation,
``derandomize=True`` (the same examples on every run, in CI too), no example
database written anywhere. Set FUZZ_EXAMPLES to explore more locally.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from werkzeug.test import Client

from defcore_site.wsgi import application

SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
ROLES = ("anonymous", "reviewer", "member", "chair")
DEMO = "guidelines/demo"
KEYS = ["2026.06", "next", "dns.2026.06", "2026.06.json", "next.json"]
# Names no row can have: PostgreSQL refuses NUL in a query, a 500 unless caught.
HOSTILE = ["\x00", "next\x00"]
# Integers past what the database's columns hold.
HUGE = [2**31, 2**63]

WORKSHEET = """\
Scores of the next guideline (demo).

compute-servers-create:   [1,1,1] [1,1,1] [1,1,1] [1,1,1] [1] [102]*
compute-servers-list:     [1,0,1] [1,?,1] [1,1,1] [1,1,0] [1] [-1]
not-a-capability:         [0,0,0] [0,0,0] [0,0,0] [0,0,0] [0] [0]
"""


@dataclass
class World:
    """The data the requests are about, and who sends them."""

    tokens: dict[str, str]
    keys: list[str]
    capabilities: list[int]
    capability_keys: list[str]
    criteria: list[int]
    criterion_keys: list[str]
    tests: list[int]
    components: list[str]
    worksheets: list[str]
    findings: list[tuple[str, str]]
    documents: dict[str, bytes]
    ballots: list[int]
    runs: list[str] = field(default_factory=list)  # test runs (uploaded, unsigned)
    products: list[str] = field(default_factory=list)  # products the directory lists
    pubkeys: list[int] = field(default_factory=list)  # the member's public key
    errors: list[str] = field(default_factory=list)

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"Authorization": f"Token {token}"} if token else {}


@pytest.fixture
def world(db, demo, demo_draft, system, chair, member, reviewer):
    from pathlib import Path

    from capabilities.selectors import draft_findings
    from capabilities.services import worksheet_import
    from guidelines.models import Capability, Criterion, Guideline, Test
    from guidelines.serving import CACHE
    from tests.guidelines.helpers import import_file
    from votes.services import ballot_open

    repo = Path(__file__).resolve().parent.parent
    import_file(repo / DEMO / "dns.2026.06.json")
    worksheet_import(guideline=demo_draft, text=WORKSHEET, actor=system)
    # Ballots to vote on: the member and the chair are their electorate.
    ballots = [
        ballot_open(
            guideline=guideline,
            kind=kind,
            question="Fuzz?",
            closes_at=timezone.now() + timedelta(days=30),
            positions_visible=visible,
            actor=chair,
        ).pk
        for guideline, kind, visible in (
            (demo_draft, "approval", True),
            (demo, "question", False),
            (demo_draft, "question", True),
        )
    ]

    # A run to read and report on, and a key to remove.
    from compliance.services import pubkey_register, run_upload
    from tests.compliance.helpers import public_key, sign

    runs = [
        str(
            run_upload(
                body=b'{"cpid": "c", "duration_seconds": 1, "results": [{"name": "tempest.t"}]}'
            ).id
        )
    ]
    pubkeys = [
        pubkey_register(user=member, raw_key=public_key(), self_signature=sign(b"signature")).pk
    ]
    # A listed product with a version, and a signed run of the member's linked to it.
    from tests.compliance.helpers import a_product, a_run, a_vendor, a_version

    version = a_version(a_product(a_vendor(member)))
    runs.append(str(a_run([("tempest.t", "")], owner=member, version=version).pk))

    # A fuzzer is a flood by design: the suite's throttle rates (tests/settings.py)
    # are far above what it sends.

    # Django closes the connection at the end of each request; the test's
    # transaction must survive them (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    errors: list[str] = []

    def record(sender, request=None, **kwargs):
        errors.append(traceback.format_exc())

    got_request_exception.connect(record)
    CACHE.clear()

    guidelines = Guideline.objects.filter(key__in=["2026.06", "next", "dns.2026.06"])
    capabilities = Capability.objects.filter(guideline__in=guidelines)
    drafted = capabilities.filter(guideline=demo_draft)
    criteria = Criterion.objects.filter(guideline__in=guidelines)

    def ids(rows):
        return sorted(rows.values_list("pk", flat=True))

    yield World(
        tokens={
            role: Token.objects.create(user=user).key
            for role, user in (("reviewer", reviewer), ("member", member), ("chair", chair))
        },
        keys=KEYS,
        # The draft's twice as often as the published ones': that is where writes succeed.
        capabilities=ids(drafted) * 2 + ids(capabilities),
        capability_keys=sorted(set(capabilities.values_list("key", flat=True))),
        criteria=ids(criteria.filter(guideline=demo_draft)) * 2 + ids(criteria),
        criterion_keys=sorted(set(criteria.values_list("key", flat=True))),
        tests=ids(Test.objects.filter(capability__in=drafted)) * 2
        + ids(Test.objects.filter(capability__in=capabilities)),
        components=["os_powered_compute", "os_powered_storage", "os_powered_dns"],
        worksheets=["scoring.txt"],
        findings=[(v.finding.rule, v.finding.subject) for v in draft_findings(demo_draft)],
        documents={
            "2026.06": (repo / DEMO / "2026.06.json").read_bytes(),
            "dns.2026.06": (repo / DEMO / "dns.2026.06.json").read_bytes(),
        },
        ballots=ballots,
        runs=runs,
        products=[str(version.product_id)],
        pubkeys=pubkeys,
        errors=errors,
    )
    got_request_exception.disconnect(record)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    CACHE.clear()


def often(data, value_list, *, keep_generated=1, out_of=4):
    """A real value most of the time: the generated one keep_generated times out of out_of."""
    if data.draw(st.integers(0, out_of - 1), label="real?") < keep_generated:
        return None
    return data.draw(st.sampled_from(value_list))


def comment_pool(world: World) -> list[int]:
    """Comments to reply to, edit, resolve and hide: a thread by each role, on a
    capability of the draft, made when first asked for."""
    from guidelines.models import Capability
    from votes.comments import comment_post
    from votes.models import Comment

    if not Comment.objects.exists():
        capability = Capability.objects.get(pk=world.capabilities[0])
        for token in Token.objects.filter(key__in=world.tokens.values()).select_related("user"):
            first = comment_post(target=capability, body="Why *this*?", actor=token.user)
            comment_post(parent=first, body="Because.", actor=token.user)
    return sorted(Comment.objects.values_list("pk", flat=True))


def comment_targets(world: World) -> list[dict[str, str]]:
    """The one target a comment list or post names (?guideline=, ?capability=...)."""
    return [
        {"guideline": "next"},
        {"guideline": "2026.06"},
        {"guideline": "next\x00"},
        {"capability": str(world.capabilities[0])},
        {"test": str(world.tests[0])},
        {"ballot": str(world.ballots[0])},
        {"guideline": "next", "ballot": str(world.ballots[0])},
        {},
    ]


def realistic_path(case, data, world: World) -> None:
    params = case.path_parameters or {}
    path = case.path
    if path == "/api/v1/comments":
        chosen = often(data, comment_targets(world))
        if chosen is not None:
            case.query = {**(case.query or {}), **chosen}
            for name in {"guideline", "capability", "test", "ballot"} - chosen.keys():
                case.query.pop(name, None)
    for name in list(params):
        if name == "id":
            parts = path.split("/")
            collection = parts[parts.index("{id}") - 1]
            pool = {
                "capabilities": world.capabilities,
                "criteria": world.criteria,
                "tests": world.tests,
                "ballots": world.ballots,
                "comments": comment_pool(world),
                "results": world.runs,
                "products": world.products,
                "pubkeys": world.pubkeys,
            }[collection]
        elif name in ("key", "a", "b"):
            if path.startswith(("/v1/", "/api/v1/guidelines/")):
                pool = world.keys  # RefStack's routes take name.json too
            elif case.method == "GET":
                pool = ["next", "2026.06", "dns.2026.06"]
            else:
                pool = ["next", "next", "2026.06", "dns.2026.06"]
            if path == "/api/v1/guidelines/{key}" and case.method == "PUT":
                pool = ["next", "2026.06", "2027.next", "dns.next"]
        elif name == "name":
            pool = world.worksheets * 3
        elif name == "criterion":
            pool = [*world.criterion_keys, "non-admin"]
        else:
            continue
        if name != "id":
            pool = [*pool, *HOSTILE]
        chosen = often(data, pool)
        if chosen is not None:
            params[name] = chosen


def current_version(case) -> int:
    from guidelines.models import Capability

    pk = (case.path_parameters or {}).get("id")
    found = Capability.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    return found.version if found else 1


def body_values(world: World, case) -> dict[str, list]:
    """Real or telling values for the body fields the API's writes take."""
    statuses = (
        ["review", "draft", "approved", "superseded"]
        if case.path.endswith("/status")
        else ["required", "advisory", "deprecated", "removed"]
    )
    return {
        "component": world.components,
        "status": statuses,
        "version": [current_version(case)] * 3 + [1, *HUGE],
        "source": world.keys,
        "family": ["powered", "dns", "orchestration"],
        "name": ["scoring.txt", "next", "dns.next", "other.next", 'say "hi".txt', "a\r\nb.txt"],
        "key": ["compute-servers-rescue", *world.capability_keys],
        "project": ["nova", "designate"],
        "description": ["Rescue a server.", ""],
        "admin": [False, True],
        "required_since": ["", "2026.06"],
        "predecessors": [[k] for k in world.capability_keys],
        "note": ["", "because"],
        "values": [{k: "1"} for k in world.criterion_keys] + [{"non-admin": "0"}],
        "value": ["1", "0", "?"],
        "text": [WORKSHEET],
        "rule": [rule for rule, _ in world.findings] or ["Non-Admin"],
        "subject": [subject for _, subject in world.findings] or ["compute-servers-create"],
        "justification": ["The committee agreed."],
        "reason": ["[D401] fails on some clouds", "no type", "S: out for review"],
        "date": ["2026-06-01", "2026-13-45"],
        "action": ["Fix the test.", ""],
        "weight": [0, 8, 12, *HUGE],
        "tests": [
            [{"name": "tempest.api.compute.test_rescue", "idempotent_id": "id-" + "1" * 32}],
            [],
        ],
        "guideline": ["next", "2026.06", "dns.2026.06", *HOSTILE],
        "kind": ["question", "approval", "capabilities", "flag"],
        "question": ["Approve next?", ""],
        "closes_at": [
            (timezone.now() + timedelta(days=2)).isoformat(),
            (timezone.now() - timedelta(days=2)).isoformat(),
            "2026-12-31T00:00:00",
        ],
        "quorum": [1, 2, 0, *HUGE],
        "threshold": ["2/3", "1/2", "3/2", "0/1", "999/999"],
        "positions_visible": [True, False],
        "position": ["yes", "no", "abstain", "recuse", "block"],
        "withdraw": [False, True],
        "body": [
            "Looks *good*",
            "",
            "   ",
            "<script>alert(1)</script>",
            "[x](javascript:alert(1))",
            "x" * 20_001,
            "a\x00b",
        ],
        "parent": [*comment_pool(world), 0, *HUGE],
    }


# A complete body for each write: with values from body_values, the request
# gets past validation to the service, where most of the faults would be.
COMPLETE = {
    ("POST", "/drafts"): (["source"], ["family"]),
    ("POST", "/capabilities"): (
        ["key", "component", "status", "project", "description", "admin", "tests"],
    ),
    ("PATCH", "/capabilities/{id}"): (["version", "description"], ["version", "admin"]),
    ("POST", "/move"): (["component", "status", "version"],),
    ("POST", "/rename"): (["key", "version"],),
    ("POST", "/lineage"): (["predecessors", "note"],),
    ("PUT", "/scores"): (["values", "note"],),
    ("PUT", "/scores/{criterion}"): (["value", "note"],),
    ("PUT", "/consensus/{criterion}"): (["value"],),
    ("PATCH", "/criteria/{id}"): (["weight"], ["name", "description"]),
    ("POST", "/overrides"): (["rule", "subject", "justification"],),
    ("POST", "/status"): (["status", "reason"],),
    ("POST", "/worksheets"): (["name", "text"],),
    ("PUT", "/flag"): (["date", "reason", "action"],),
    ("POST", "/ballots"): (["guideline", "kind", "question", "closes_at"],),
    ("PUT", "/position"): (["position"], ["position", "reason"]),
    ("POST", "/close"): (["reason"], ["reason", "withdraw"]),
    ("POST", "/comments"): (["body"], ["body", "parent"]),
    ("PATCH", "/comments/{id}"): (["body"],),
    ("POST", "/hide"): (["reason"],),
}


def realistic_body(case, data, world: World) -> None:
    if case.path == "/api/v1/guidelines/{key}" and case.method == "PUT":
        # A whole document: sometimes a real one, so the importer gets past parsing,
        # with the ETag of what is stored now or a stale one.
        document = often(data, list(world.documents.values()), keep_generated=2)
        if document is not None:
            case.body = json.loads(document)
            key = (case.path_parameters or {}).get("key", "")
            etag = client.get(f"/api/v1/guidelines/{key}").headers.get("ETag")
            if_match = often(data, [etag, '"stale"'] if etag else ['"stale"'])
            if if_match:
                case.headers["If-Match"] = if_match
        return
    values = body_values(world, case)
    shapes = next(
        (v for (m, end), v in COMPLETE.items() if m == case.method and case.path.endswith(end)),
        None,
    )
    if shapes and data.draw(st.integers(0, 2), label="complete body?") == 0:
        fields = data.draw(st.sampled_from(shapes))
        case.body = {name: data.draw(st.sampled_from(values[name])) for name in fields}
        return
    if not isinstance(case.body, dict):
        return
    for name in list(case.body):
        if name in values:
            chosen = often(data, values[name])
            if chosen is not None:
                case.body[name] = chosen


def describe(method, path, query, headers, body) -> str:
    """The request, to reproduce it: the path percent-encoded as sent, credentials left out."""
    shown = {k: v for k, v in headers.items() if k.lower() != "authorization"}
    request = f"{method} {quote(path, safe='/%.,:@')}"
    if query:
        request += f" query={query!r}"
    if shown:
        request += f" headers={shown!r}"
    if isinstance(body, (dict, list, str, int, float, bool)) or body is None and method != "GET":
        request += f" body={json.dumps(body)[:2000]}"
    return request


# What the run sent and got, for the summary printed at the end of the module.
STATS: Counter = Counter()
CLASSES = ("2xx", "3xx", "4xx", "5xx")
MESSAGES: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def fuzz_summary(request):
    started = time.monotonic()
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or not STATS["requests"]:
        return
    by_status = ", ".join(f"{k}: {v}" for k, v in sorted(STATS.items()) if k in CLASSES)
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        reporter.write_line(
            f"\nfuzz: {STATS['examples']} examples, {STATS['requests']} requests "
            f"({by_status}) in {time.monotonic() - started:.0f} s"
        )
        if os.environ.get("FUZZ_VERBOSE"):
            for key, count in sorted(STATS.items()):
                reporter.write_line(f"  {key}: {count}")
            for key, message in sorted(MESSAGES.items()):
                reporter.write_line(f"  {key}: {message}")


def check(world: World, status: int, request: str, operation: str = "") -> None:
    STATS["requests"] += 1
    STATS[f"{status // 100}xx"] += 1
    STATS[f"{operation} {status}"] += 1
    if status >= 500:
        detail = "\n".join(world.errors[-1:]) or "(no traceback recorded)"
        pytest.fail(f"{status} for {request}\n{detail}")
    world.errors.clear()


client = Client(application)


@SCHEMA.parametrize()
@SCHEMA.given(data=st.data())
@hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
def test_no_request_is_answered_with_a_server_error(case, data, world):
    STATS["examples"] += 1
    realistic_path(case, data, world)
    realistic_body(case, data, world)
    case.headers.pop("Authorization", None)
    for role in ROLES:
        response = case.call(headers=world.headers(role))
        if os.environ.get("FUZZ_VERBOSE") and 400 <= response.status_code < 500:
            MESSAGES[f"{case.method} {case.path} {response.status_code}"] = response.text[:160]
        check(
            world,
            response.status_code,
            f"{role}: "
            + describe(case.method, case.formatted_path, case.query, case.headers, case.body),
            f"{case.method} {case.path} {role}",
        )
    # The methods the document does not list, on the same URL: OPTIONS (CORS
    # preflights, DRF's metadata) everywhere, HEAD where GET is.
    for method in ("OPTIONS", "HEAD") if case.method == "GET" else ("OPTIONS",):
        response = client.open(
            case.formatted_path,
            method=method,
            query_string=case.query,
            headers={"Origin": "https://example.org", **world.headers("member")},
        )
        check(
            world,
            response.status_code,
            f"member: {describe(method, case.formatted_path, case.query, {}, None)}",
        )
