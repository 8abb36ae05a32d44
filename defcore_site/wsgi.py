"""WSGI entry point, with a fast path for the documents and test lists tooling fetches.

``application`` is Django wrapped in ``GuidelineFastPath``; ``django_application``
is Django alone (``gunicorn defcore_site.wsgi:django_application`` serves without
the fast path, as benchmarks/load.py does to compare).

Why: a published document or test list is already bytes in ``guidelines.serving``
(computed once per revision), yet answering it through Django costs far more than
building the answer: the middleware stack, URL resolving, DRF's dispatch (content
negotiation, authentication, permissions) and the response objects. The fast path
answers GET and HEAD of

    /v1/guidelines/<key>[.json]            /api/v1/guidelines/<key>[.json]
    /v1/guidelines/<key>[.json]/tests      /api/v1/guidelines/<key>[.json]/tests

straight from ``guidelines.serving.CACHE`` with ``guidelines.serving.respond()``,
the function the views use, and adds the headers Django's layers would have added,
so both paths give the same status, headers and body. It never touches the
database: anything it is not sure to answer as Django would goes to Django, which
fills the cache for the next request:

- the cache knows nothing current about the guideline (``CACHE.fresh_stamp``:
  checked against the database less than SERVING_STAMP_TTL seconds ago) or has
  not built this representation for the current revision (``CACHE.lookup``);
  so an unknown guideline (404) and a bad parameter (400, never cached) always
  reach Django;
- a method other than GET or HEAD;
- a Host header Django would refuse (400), or no Host header at all;
- credentials or a CORS request (Authorization, Cookie, Origin): Django's
  sessions and CORS middleware decide those;
- plain HTTP when HTTPS_ONLY redirects it (Django answers the redirect); over
  HTTPS it adds the Strict-Transport-Security header SecurityMiddleware would;
- a body larger than MAX_BODY_BYTES (Django answers 413);
- a settings change it was not written for (another MIDDLEWARE stack,
  X-Forwarded-Host, ...): it then turns itself off and says so in the log;
- a URL that Django does not route to the views it stands in for.

tests/test_wsgi_fast_path.py compares both paths header for header.

Outermost, ``RequestLog`` (defcore_site.requestlog) writes one line per request,
whichever path answered it.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from http import HTTPStatus

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defcore_site.settings")
django_application = get_wsgi_application()

# No start without a secret key (DEBUG off): the message names the variable.
from defcore_site.startup import require_secret_key  # noqa: E402

require_secret_key()

# Imported once Django is set up.
from csp.constants import HEADER as CSP_HEADER  # noqa: E402
from csp.constants import HEADER_REPORT_ONLY as CSP_HEADER_REPORT_ONLY  # noqa: E402
from csp.utils import build_policy  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.exceptions import TooManyFieldsSent  # noqa: E402
from django.core.handlers.wsgi import get_bytes_from_wsgi, get_path_info  # noqa: E402
from django.core.signals import setting_changed  # noqa: E402
from django.http import HttpRequest, QueryDict  # noqa: E402
from django.http.request import split_domain_port, validate_host  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly  # noqa: E402

from defcore_site.middleware import body_limit, content_length  # noqa: E402
from defcore_site.requestlog import FAST_PATH_KEY, RequestLog  # noqa: E402
from guidelines import serving  # noqa: E402
from guidelines.api.refstack import (  # noqa: E402
    AnyAccept,
    GuidelineDocumentView,
    GuidelineTestsView,
)
from guidelines.api.urls import KEY  # noqa: E402

logger = logging.getLogger(__name__)

# The routes of guidelines.api.urls, as Django matches them (fullmatch of PATH_INFO).
ROUTE = re.compile(rf"/(?P<api>api/)?v1/guidelines/{KEY}(?P<tests>/tests)?")

# The middleware whose effect on these responses the fast path reproduces
# (RouteProfile below). Another stack turns the fast path off until it is
# reviewed: a new middleware may refuse requests or add headers.
EMULATED_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "defcore_site.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "defcore_site.requestlog.RequestUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
)

# Request headers that make the answer depend on more than the URL: left to Django.
DJANGO_DECIDES = ("HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_ORIGIN")

# Query strings whose parse is remembered (GuidelineFastPath.query).
MAX_QUERIES = 256
UNKNOWN = object()


def incompatible_settings() -> str | None:
    """Why the fast path cannot stand in for Django under these settings, or None."""
    if tuple(settings.MIDDLEWARE) != EMULATED_MIDDLEWARE:
        return "MIDDLEWARE is not the stack the fast path reproduces"
    for name in (
        "USE_X_FORWARDED_HOST",  # another Host to validate
        "PREPEND_WWW",  # redirects
        "DISALLOWED_USER_AGENTS",  # 403s
    ):
        if getattr(settings, name):
            return f"{name} is set"
    return None


def is_secure(environ) -> bool:
    """Whether Django's HttpRequest.is_secure() would say yes."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def hsts_header() -> tuple[str, str] | None:
    """SecurityMiddleware's Strict-Transport-Security header for HTTPS responses."""
    if not settings.SECURE_HSTS_SECONDS:
        return None
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return ("Strict-Transport-Security", value)


def body_too_large(environ, method: str, path: str) -> bool:
    """Whether RequestLimitsMiddleware would answer 413 (a GET may carry a body)."""
    content_type = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip()
    limit, _setting = body_limit(method, path, content_type)
    return content_length(environ) > limit


def host_allowed(environ) -> bool:
    """Whether Django's HttpRequest.get_host() would accept this request's Host."""
    host = environ.get("HTTP_HOST")
    if not host:
        return False  # Django would fall back to SERVER_NAME: let it
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


@dataclass(frozen=True)
class RouteProfile:
    """What Django adds to a served representation on one route (document or tests,
    under /v1/ or /api/v1/), derived from the view Django routes it to and from the
    settings of the middleware in EMULATED_MIDDLEWARE."""

    methods: frozenset[str]
    vary: tuple[str, ...]  # appended to respond()'s Vary, in Django's order
    headers: tuple[tuple[str, str], ...]  # added unless respond() set them
    secure_headers: tuple[tuple[str, str], ...]  # added too over HTTPS (HSTS)

    def finish(
        self, headers: list[tuple[str, str]], body: bytes, secure: bool
    ) -> list[tuple[str, str]]:
        present = {name.lower() for name, _ in headers}
        out = []
        for name, value in headers:
            if name.lower() == "vary":  # as django.utils.cache.patch_vary_headers
                have = {v.strip().lower() for v in value.split(",")}
                value = ", ".join([value, *(v for v in self.vary if v.lower() not in have)])
            out.append((name, value))
        if "vary" not in present and self.vary:
            out.append(("Vary", ", ".join(self.vary)))
        out.extend((name, value) for name, value in self.headers if name.lower() not in present)
        if secure:
            out.extend(
                (name, value) for name, value in self.secure_headers if name.lower() not in present
            )
        return out


def route_profile(path: str, key: str, tests: bool) -> RouteProfile | None:
    """The profile of the route ``path`` is on; None if Django does not route it
    to a view the fast path can stand in for."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    base = GuidelineTestsView if tests else GuidelineDocumentView
    view_class = getattr(match.func, "cls", None)
    if (
        view_class is None
        or not issubclass(view_class, base)
        or view_class.get is not base.get
        or match.kwargs.get("key") != key
    ):
        return None
    view = view_class(**getattr(match.func, "initkwargs", {}))
    probe = HttpRequest()
    probe.method = "GET"
    view.setup(probe)  # as Django does per request: HEAD answered by get()
    # Public reads only: nothing counted, no credentials read (so no session,
    # and no Vary: Cookie), one representation whatever the Accept header.
    if (
        view.get_throttles()
        or view.get_authenticators()
        or not all(p in (AllowAny, IsAuthenticatedOrReadOnly) for p in view.permission_classes)
        or not issubclass(view.content_negotiation_class, AnyAccept)
    ):
        return None
    drf = dict(view.default_response_headers)  # Allow, and Vary: Accept
    vary = [v.strip() for v in drf.pop("Vary", "").split(",") if v.strip()]
    if re.match(settings.CORS_URLS_REGEX, path):
        vary.append("origin")  # CorsMiddleware, Origin or not
    headers = list(drf.items())
    headers.append(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    policy = settings.SECURE_REFERRER_POLICY
    if policy:
        parts = policy.split(",") if isinstance(policy, str) else policy
        headers.append(("Referrer-Policy", ",".join(p.strip() for p in parts)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.extend(csp_headers(path))
    methods = frozenset(
        m.upper() for m in view.http_method_names if m in ("get", "head") and hasattr(view, m)
    )
    hsts = hsts_header()
    return RouteProfile(methods, tuple(vary), tuple(headers), (hsts,) if hsts else ())


def csp_headers(path: str) -> list[tuple[str, str]]:
    """What csp.middleware.CSPMiddleware adds to a response without a policy of its own."""
    out = []
    for header, name, report_only in (
        (CSP_HEADER, "CONTENT_SECURITY_POLICY", False),
        (CSP_HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        policy = build_policy(report_only=report_only)
        prefixes = tuple((getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
        if policy and not path.startswith(prefixes):
            out.append((header, policy))
    return out


class GuidelineFastPath:
    """WSGI middleware: answers hot guideline reads from the serving cache, else Django."""

    def __init__(self, app):
        self.app = app
        self._reset()
        setting_changed.connect(self._reset)

    def _reset(self, **_kwargs) -> None:
        # Worked out on first use, again after a settings change (tests).
        self._checked = False
        self._off: str | None = None
        self._profiles: dict[tuple[bool, bool], RouteProfile | None] = {}
        self._queries: dict[str, tuple | None] = {}

    def __call__(self, environ, start_response):
        answer = self.answer(environ)
        if answer is None:
            return self.app(environ, start_response)
        status, headers, body = answer
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]

    def disabled(self) -> str | None:
        """Why the fast path is off, or None."""
        if not self._checked:
            self._off = incompatible_settings()
            self._checked = True
            if self._off:
                logger.warning("WSGI fast path off: %s; Django answers every request.", self._off)
        return self._off

    def query(self, environ) -> tuple | None:
        """The test list variant the query string asks for; None if Django must decide.

        Parsed as Django parses request.GET, the QueryDict the views read; that
        costs more than the rest of the fast path, so the outcome is remembered
        per query string (tooling sends a handful of them).
        """
        raw = environ.get("QUERY_STRING", "")
        queries = self._queries  # one lookup: another thread may clear it meanwhile
        found = queries.get(raw, UNKNOWN)
        if found is not UNKNOWN:
            return found
        try:
            params = QueryDict(get_bytes_from_wsgi(environ, "QUERY_STRING", ""))
        except TooManyFieldsSent:
            found = None  # Django answers 400
        else:
            found = serving.test_list_variant(params)
        if len(queries) >= MAX_QUERIES:
            queries.clear()  # bounded: query strings come from clients
        queries[raw] = found
        return found

    def answer(self, environ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """Status, headers and body as Django would give them; None: ask Django."""
        method = environ.get("REQUEST_METHOD", "").upper()
        if method not in ("GET", "HEAD"):
            return None
        path = get_path_info(environ)
        route = ROUTE.fullmatch(path)
        if route is None or self.disabled():
            return None
        if any(environ.get(name) for name in DJANGO_DECIDES):  # empty is absent
            return None
        secure = is_secure(environ)
        if settings.SECURE_SSL_REDIRECT and not secure:
            return None  # Django redirects to HTTPS
        if not host_allowed(environ) or body_too_large(environ, method, path):
            return None
        key = route["key"]
        stamp = serving.CACHE.fresh_stamp(key)
        if stamp is None:
            return None
        query = self.query(environ)
        if query is None:
            return None
        tests = route["tests"] is not None
        variant = query if tests else ("document",)
        rep = serving.CACHE.lookup(key, variant, stamp)
        if rep is None:
            return None
        which = (route["api"] is not None, tests)
        profile = self._profiles.get(which, UNKNOWN)
        if profile is UNKNOWN:
            profile = self._profiles[which] = route_profile(path, key, tests)
        if profile is None or method not in profile.methods:
            return None
        status, headers, body = serving.respond(
            rep,
            method=method,
            if_none_match=environ.get("HTTP_IF_NONE_MATCH", ""),
            if_modified_since=environ.get("HTTP_IF_MODIFIED_SINCE", ""),
            accept_encoding=environ.get("HTTP_ACCEPT_ENCODING", ""),
        )
        environ[FAST_PATH_KEY] = True
        return status, profile.finish(headers, body, secure), body


fast_path = GuidelineFastPath(django_application)
application = RequestLog(fast_path)
