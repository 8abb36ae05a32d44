"""Operations: the health endpoint, and one structured log line per request.

README, "Operations".
"""

import json
import logging
import os

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token

from defcore_site.health import checks
from guidelines.serving import CACHE
from tests.test_wsgi_fast_path import call, environ_for

pytestmark = pytest.mark.django_db

NO_CELERY = {"HEALTH_CHECK_CELERY": False}


def test_health_is_200_when_the_database_and_cache_answer(client, settings):
    settings.HEALTH_CHECK_CELERY = False

    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert "no-store" in response["Cache-Control"]


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # Nothing listens on port 9: the cache is down.
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    },
    **NO_CELERY,
)
def test_health_is_503_naming_the_failing_check(client):
    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert (body["checks"]["database"], body["checks"]["cache"]) == ("ok", "unavailable")


def test_a_failing_checks_reason_is_logged_not_shown(client, settings, monkeypatch, caplog):
    """The database check's message names the server; the public answer must not."""
    from health_check.checks import Database
    from health_check.exceptions import ServiceUnavailable

    settings.HEALTH_CHECK_CELERY = False

    def down(self):
        raise ServiceUnavailable('connection to server at "db-7.internal" (10.2.3.4), port 5432')

    monkeypatch.setattr(Database, "run", down)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    text = response.content.decode()
    assert "db-7.internal" not in text and "10.2.3.4" not in text
    assert "db-7.internal" in caplog.text  # the operator still learns why


def test_a_flood_of_health_checks_costs_one_round(client, settings, monkeypatch):
    from health_check.checks import Database

    settings.HEALTH_CHECK_CELERY = False
    runs = []
    real = Database.run
    monkeypatch.setattr(Database, "run", lambda self: runs.append(1) or real(self))

    statuses = [client.get("/health/").status_code for _ in range(5)]

    assert statuses == [200] * 5
    assert len(runs) == 1
    settings.HEALTH_CHECK_SECONDS = 0  # no reuse: each request checks
    client.get("/health/")
    client.get("/health/")
    assert len(runs) == 3


def test_with_redis_configured_redis_and_a_celery_worker_are_checked(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.HEALTH_CHECK_CELERY = True

    assert [name for name, _, _ in checks()] == ["database", "cache", "redis", "celery"]
    assert checks()[-1][2] == {"limit": 1}  # the ping stops at the first worker

    settings.HEALTH_CHECK_CELERY = False
    assert [name for name, _, _ in checks()] == ["database", "cache", "redis"]

    settings.REDIS_URL = ""
    assert [name for name, _, _ in checks()] == ["database", "cache"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the Redis of REDIS_URL (CI)")
def test_health_checks_the_real_redis(client, settings):
    settings.HEALTH_CHECK_CELERY = False

    response = client.get("/health/")

    assert response.status_code == 200, response.content
    assert response.json()["checks"]["redis"] == "ok"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the Redis of REDIS_URL (CI)")
def test_health_fails_when_no_celery_worker_answers(client, settings):
    """CI runs no worker: the ping goes unanswered, and the balancer is told."""
    settings.HEALTH_CHECK_CELERY = True

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["celery"] != "ok"


# The request log.


@pytest.fixture
def log_lines(caplog):
    caplog.set_level(logging.INFO, logger="defcore.requests")

    def lines():
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == "defcore.requests"]

    return lines


def test_each_request_gets_one_json_line_with_status_duration_and_user(log_lines, member):
    from defcore_site.wsgi import application

    token = Token.objects.create(user=member)
    call(application, environ_for("/api/v1/catalog/guidelines"))
    call(
        application,
        environ_for("/api/v1/catalog/guidelines", headers={"Authorization": f"Token {token.key}"}),
    )
    call(application, environ_for("/api/v1/catalog/guidelines/nope?secret=1"))

    anonymous, signed_in, missing = log_lines()
    assert anonymous["method"] == "GET"
    assert anonymous["path"] == "/api/v1/catalog/guidelines"
    assert anonymous["status"] == 200
    assert anonymous["user"] == ""
    assert anonymous["duration_ms"] >= 0
    assert anonymous["fast_path"] is False
    assert signed_in["user"] == "member"
    assert missing["status"] == 404
    assert "secret" not in json.dumps(missing)  # query strings are not logged


def test_requests_answered_by_the_fast_path_are_logged_too(log_lines, demo):
    from defcore_site.wsgi import application, fast_path

    CACHE.clear()
    environ = environ_for("/v1/guidelines/2026.06")
    call(application, environ)  # Django answers, and fills the cache
    assert fast_path.answer(dict(environ)) is not None
    call(application, environ)  # the fast path answers

    by_django, by_fast_path = log_lines()
    assert by_django["fast_path"] is False
    assert by_fast_path["fast_path"] is True
    assert by_fast_path["status"] == 200
    assert by_fast_path["path"] == "/v1/guidelines/2026.06"
    assert by_fast_path["bytes"] == by_django["bytes"] > 0
    CACHE.clear()


def test_a_public_read_logs_no_user_and_loads_no_session(log_lines, client, demo, member):
    """Logging must not read credentials a public read ignores: no Vary: Cookie."""
    from defcore_site.wsgi import application

    client.force_login(member)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    CACHE.clear()
    status, headers, _ = call(
        application, environ_for("/api/v1/guidelines/2026.06", headers={"Cookie": cookie})
    )

    assert status.startswith("200")
    assert "cookie" not in dict(headers).get("vary", "").lower()
    assert log_lines()[-1]["user"] == ""
    CACHE.clear()
