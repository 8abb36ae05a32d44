"""Throttles and sign-in lockout: README, "Throttling".

Each test shows the limit reached (429 with Retry-After, or the lockout page),
then the recovery once the window has passed. Time is moved, not waited for:
DRF's throttles read their clock through ``SimpleRateThrottle.timer``, and
django-axes counts the cool-off from the failures' stored times.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import override_settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from guidelines.serving import CACHE

pytestmark = pytest.mark.django_db

RATES = {
    "anon_reads": "3/min",
    "anon_writes": "2/min",
    "user_reads": "5/min",
    "user_writes": "2/min",
    "bad_tokens": "3/min",
    "signins": "4/min",
}


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: clock())
    return clock


@pytest.fixture
def rates(settings):
    """Low rates, and counts that start from zero."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}
    api_settings.reload()
    cache.clear()
    CACHE.clear()
    yield
    cache.clear()
    api_settings.reload()


def test_anonymous_reads_get_429_with_retry_after_then_recover(rates, clock, demo):
    client = APIClient()
    url = "/api/v1/catalog/guidelines"

    statuses = [client.get(url).status_code for _ in range(3)]
    refused = client.get(url)

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) == 60
    clock.now += 61
    assert client.get(url).status_code == 200


def test_writes_are_counted_apart_and_more_strictly(rates, clock, demo_draft, member):
    client = APIClient()
    client.force_authenticate(member)
    pk = demo_draft.capabilities.get(key="compute-servers-list").pk
    url = f"/api/v1/capabilities/{pk}"

    reads = [client.get(url).status_code for _ in range(4)]
    first = client.patch(url, {"version": 1, "description": "Lists servers."}, format="json")
    stale = client.patch(url, {"version": 1, "description": "Lists them."}, format="json")
    refused = client.patch(url, {"version": 2, "description": "Lists all."}, format="json")

    assert reads == [200] * 4  # 5/min for a signed-in user's reads
    assert (first.status_code, stale.status_code) == (200, 409)  # each counted
    assert refused.status_code == 429
    assert "Retry-After" in refused
    # A read still goes through: reads have their own count.
    assert client.get(url).status_code == 200
    clock.now += 61
    after = client.patch(url, {"version": 2, "description": "Lists all."}, format="json")
    assert after.status_code == 200


def test_signed_in_clients_are_counted_by_user_not_address(rates, clock, demo, member, reviewer):
    url = "/api/v1/catalog/guidelines"
    first, second = APIClient(), APIClient()
    first.force_authenticate(member)
    second.force_authenticate(reviewer)

    assert [first.get(url).status_code for _ in range(5)] == [200] * 5
    assert first.get(url).status_code == 429
    assert second.get(url).status_code == 200  # same address, another user


def test_documents_and_test_lists_are_never_throttled(rates, clock, demo):
    client = APIClient()
    paths = [
        "/api/v1/guidelines/2026.06",
        "/v1/guidelines/2026.06",
        "/api/v1/guidelines/2026.06/tests",
        "/v1/guidelines/2026.06.json/tests",
    ]

    statuses = {client.get(path).status_code for _ in range(10) for path in paths}

    assert statuses == {200}


def test_storing_a_document_is_a_throttled_write(rates, clock, demo, chair):
    client = APIClient()
    client.force_authenticate(chair)
    url = "/api/v1/guidelines/2026.06"

    def store():
        return client.put(url, b"{}", content_type="application/json").status_code

    statuses = [store() for _ in range(3)]

    assert 429 not in statuses[:2]  # each read and refused for what it says
    assert statuses[2] == 429
    clock.now += 61
    assert store() != 429


def test_failed_tokens_are_counted_per_address_and_then_not_even_looked_up(
    rates, clock, demo, member
):
    from rest_framework.authtoken.models import Token

    good = Token.objects.create(user=member).key
    client = APIClient()

    def with_token(key, address="10.0.0.5"):
        return client.post(
            "/api/v1/drafts",
            {"source": "2026.06"},
            format="json",
            HTTP_AUTHORIZATION=f"Token {key}",
            REMOTE_ADDR=address,
        )

    failures = [with_token(f"guess{n}").status_code for n in range(3)]
    refused = with_token("guess-again")
    even_the_right_one = with_token(good)

    assert failures == [401, 401, 401]
    assert refused.status_code == 429
    assert "Too many failed API tokens" in refused.json()["error"]["message"]
    assert int(refused["Retry-After"]) > 0
    assert even_the_right_one.status_code == 429  # the address waits out the window
    assert with_token(good, address="10.0.0.6").status_code == 201  # another address
    clock.now += 61
    assert with_token(good).status_code != 429


def test_sign_in_attempts_are_limited_per_address_across_usernames(rates, clock, client):
    def attempt(username, address="203.0.113.7"):
        return client.post(
            "/accounts/login/", {"username": username, "password": "x"}, REMOTE_ADDR=address
        )

    tries = [attempt(f"user{n}").status_code for n in range(4)]
    refused = attempt("user5")

    assert tries == [200] * 4  # the form again, each a different username
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert attempt("user5", address="198.51.100.1").status_code == 200
    assert client.get("/accounts/login/", REMOTE_ADDR="203.0.113.7").status_code == 200
    clock.now += 61
    assert attempt("user6").status_code == 200


@pytest.mark.parametrize(
    "forwarded, proxies, seen",
    [
        ("192.0.2.1", 0, "10.0.0.1"),  # no trusted proxy: the header is ignored
        ("192.0.2.1", 1, "192.0.2.1"),
        ("198.51.100.9, 192.0.2.1", 1, "192.0.2.1"),  # the client wrote the first one
        ("198.51.100.9, 192.0.2.1", 2, "198.51.100.9"),
        ("192.0.2.1", 2, "10.0.0.1"),  # fewer hops than proxies: not through them all
        ("not-an-address", 1, "10.0.0.1"),
        ("", 1, "10.0.0.1"),
    ],
)
def test_the_client_address_trusts_only_the_trusted_proxies(settings, forwarded, proxies, seen):
    from defcore_site.throttling import client_address

    settings.TRUSTED_PROXIES = proxies

    assert client_address({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded}) == seen


def test_a_bad_throttle_rate_stops_the_start_naming_the_variable():
    import os
    import subprocess
    import sys

    from tests.guidelines.conftest_paths import REPO

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "defcore_site.settings",
            "THROTTLE_ANON_READS": "600",
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "THROTTLE_ANON_READS='600' is not a rate" in result.stderr


def test_a_forwarded_for_header_is_not_trusted_without_trusted_proxies(rates, clock, demo):
    client = APIClient()
    url = "/api/v1/catalog/guidelines"
    for n in range(3):
        client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert (
        client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code
        == 429
    )


def test_with_a_trusted_proxy_clients_behind_it_are_counted_apart(rates, clock, demo, settings):
    settings.TRUSTED_PROXIES = 1
    client = APIClient()
    url = "/api/v1/catalog/guidelines"
    for _ in range(3):
        client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1")

    assert (
        client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429
    )
    assert (
        client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 200
    )


# Sign-in lockout (django-axes).

PASSWORD = "a-long-password-9"


@pytest.fixture
def account(django_user_model):
    return django_user_model.objects.create_user("lockme", password=PASSWORD)


def sign_in(client, password):
    return client.post("/accounts/login/", {"username": "lockme", "password": password})


@override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=timedelta(minutes=15))
def test_repeated_failed_sign_ins_lock_the_account_then_it_recovers(client, account):
    failures = [sign_in(client, "wrong").status_code for _ in range(2)]
    locked = sign_in(client, "wrong")
    still_locked = sign_in(client, PASSWORD)

    assert failures == [200, 200]  # the form again, with its error
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert locked["Retry-After"] == str(15 * 60)
    # Locked out, even the right password does not sign in.
    assert still_locked.status_code == 429
    assert "_auth_user_id" not in client.session

    # The cool-off counts from the last failure: move it back past the window.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    signed_in = sign_in(client, PASSWORD)

    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(account.pk)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_lockout_is_per_address_so_a_guesser_cannot_lock_a_member_out(client, account):
    for _ in range(3):
        client.post(
            "/accounts/login/",
            {"username": "lockme", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
        )

    from_elsewhere = client.post(
        "/accounts/login/", {"username": "lockme", "password": PASSWORD}, REMOTE_ADDR="198.51.100.4"
    )

    assert from_elsewhere.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_success_before_the_limit_starts_the_count_again(client, account):
    for _ in range(2):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()

    after = [sign_in(client, "wrong").status_code for _ in range(2)]

    assert after == [200, 200]


def test_anonymous_writes_have_their_own_stricter_count(rates, clock):
    """No route takes anonymous writes yet (they are 401 before any count); the
    scope is there for those that will, such as test-result uploads."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from rest_framework.request import Request

    from defcore_site.throttling import ClientRateThrottle

    def allowed(method):
        request = Request(getattr(RequestFactory(), method)("/api/v1/anything"))
        request.user = AnonymousUser()
        return ClientRateThrottle().allow_request(request, view=None)

    assert [allowed("post") for _ in range(3)] == [True, True, False]  # 2/min
    assert allowed("get") is True  # reads counted apart
    clock.now += 61
    assert allowed("post") is True
