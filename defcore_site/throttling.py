"""Who a client is, for throttles, sign-in lockout and the request log, and the
API's throttles.

A client is a signed-in user, or else an address. The address is the
connection's, unless TRUSTED_PROXIES says how many proxies in front of the site
append to X-Forwarded-For: a header anyone can send is never trusted blindly,
or one client could pose as many and escape every limit.

Three kinds of limits, all counted in the default cache (Redis in production):

- ``ClientRateThrottle``: every API view's reads and writes, per client;
- ``CountedTokenAuthentication``: failed API tokens, per address, so that a
  token cannot be guessed at the speed of the network;
- ``signin_rate_limited``: sign-in attempts per address, whatever the
  usernames (django-axes locks one username from one address).
"""

from __future__ import annotations

import ipaddress
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def client_address(meta) -> str:
    """The client's address from a request's META (or a WSGI environ)."""
    remote = meta.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    if len(hops) < proxies:
        return remote  # not through every trusted proxy: the header is the client's own
    # Each trusted proxy appended the address it saw; the client is the one the
    # outermost trusted proxy saw.
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def client_ip(request) -> str:
    """The client's address, as the throttles and django-axes see it."""
    return client_address(request.META)


def rate_of(scope: str) -> str:
    # Read when asked, not when DRF was imported: a settings change applies.
    try:
        return api_settings.DEFAULT_THROTTLE_RATES[scope]
    except KeyError:
        raise ImproperlyConfigured(
            f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for {scope!r}"
        ) from None


class ClientRateThrottle(SimpleRateThrottle):
    """Rates by who asks (anonymous or signed in) and what for (read or write).

    Scopes ``anon_reads``, ``anon_writes``, ``user_reads``, ``user_writes`` in
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]; a write costs more than a read, so
    its rate is lower. The scope is known only per request, hence no rate here.
    """

    def __init__(self):
        pass

    def allow_request(self, request, view):
        who = "user" if request.user and request.user.is_authenticated else "anon"
        what = "reads" if request.method in SAFE_METHODS else "writes"
        self.scope = f"{who}_{what}"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        return rate_of(self.scope)

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressCount(SimpleRateThrottle):
    """Events counted per address in a sliding window (DRF's own bookkeeping):
    ``wait()`` before acting, ``count()`` when the event happens."""

    def __init__(self, scope: str, request):
        self.scope = scope
        self.rate = rate_of(scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.cache_format % {"scope": scope, "ident": client_ip(request)}
        self.now = self.timer()
        self.history = [t for t in cache.get(self.key, []) if t > self.now - self.duration]

    def exceeded(self) -> float | None:
        """Seconds until the next attempt is allowed, or None if it is now."""
        return self.wait() if len(self.history) >= self.num_requests else None

    def count(self) -> None:
        self.history.insert(0, self.now)
        cache.set(self.key, self.history, self.duration)


class CountedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, with failed tokens counted per address: past
    THROTTLE_BAD_TOKENS, the address gets 429 without its tokens being looked up.
    (Throttles run after authentication, so they never see a bad token.)"""

    def authenticate(self, request):
        if not request.META.get("HTTP_AUTHORIZATION"):
            return None
        failures = AddressCount("bad_tokens", request)
        wait = failures.exceeded()
        if wait is not None:
            raise Throttled(wait, detail="Too many failed API tokens from this address.")
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            failures.count()
            raise


def signin_rate_limited(view):
    """Sign-in attempts (POST) per address, past THROTTLE_SIGNINS: 429 and
    Retry-After. django-axes locks a username from an address after a few
    failures; this bounds one address trying many usernames."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST":
            attempts = AddressCount("signins", request)
            wait = attempts.exceeded()
            if wait is not None:
                response = HttpResponse(
                    "Too many sign-in attempts from your address; try again later.",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(max(1, round(wait)))
                return response
            attempts.count()
        return view(request, *args, **kwargs)

    return limited
