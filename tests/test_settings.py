"""Settings come from the environment, with a working default and clear errors."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.guidelines.conftest_paths import REPO

PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), "
    "'cache': settings.CACHES['default']['BACKEND'], "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL}))"
)


def start(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env={**clean, "DJANGO_SETTINGS_MODULE": "defcore_site.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_variables_the_app_uses_sqlite_eager_tasks_and_a_memory_cache():
    result = start()

    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"] == str(REPO / "db.sqlite3")
    assert config["cache"].endswith("LocMemCache")
    assert config["eager"] is True


def test_postgres_and_redis_urls_select_postgres_redis_and_a_broker():
    result = start(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/defcore",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["name"] == "defcore"
    assert config["cache"].endswith("RedisCache")
    assert config["eager"] is False
    assert config["broker"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DATABASE_URL", "mysql://root@localhost/defcore"),
        ("DATABASE_URL", "postgres://localhost"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("DEBUG", "perhaps"),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_variable(variable, value):
    result = start(**{variable: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_the_configured_cache_works():
    """In CI this goes through the Redis server named by REDIS_URL."""
    cache.set("defcore-settings-probe", {"ok": 1}, 30)
    assert cache.get("defcore-settings-probe") == {"ok": 1}
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
