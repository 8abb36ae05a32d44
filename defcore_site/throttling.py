"""Who a client is, for throttles and sign-in lockout, and the API's throttle.

A client is a signed-in user, or else an address. The address is the
connection's, unless TRUSTED_PROXIES says how many proxies in front of the site
append to X-Forwarded-For: a header anyone can send is never trusted blindly,
or one client could pose as many and escape every limit.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def client_ip(request) -> str:
    """The client's address, as the throttles and django-axes see it."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    # Each trusted proxy appended the address it saw; the client is the one
    # the outermost trusted proxy saw.
    return hops[-min(proxies, len(hops))] if hops else remote


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
        # Read when asked, not when DRF was imported: a settings change applies.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for {self.scope!r}"
            ) from None

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = client_ip(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
