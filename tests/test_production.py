"""Production settings are safe by default: README, "Production settings".

- no start without SECRET_KEY unless DEBUG is on;
- `check --deploy` finds nothing in the documented production environment;
- HTTPS_ONLY turns on secure cookies, HSTS, the redirect and the proxy header,
  and the WSGI fast path answers as Django does with it on;
- pages send a Content-Security-Policy; public answers show no server path.
"""

import json
import os
import re
import subprocess
import sys

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings

from defcore_site.wsgi import GuidelineFastPath
from guidelines.serving import CACHE
from tests.guidelines.conftest_paths import REPO
from tests.test_wsgi_fast_path import call, environ_for, fill

# The environment README, "Production settings", documents (with a database and
# Redis of the operator's; SQLite here so that the check needs no server).
PRODUCTION = {
    "SECRET_KEY": "Yq3v9Jd0rW4tPz8mLk2sXc7bNh5gFa1eRu6oIy0TqZw3VbNm8Kj4Hs",
    "ALLOWED_HOSTS": "interop.example.org",
    "HTTPS_ONLY": "true",
    "DATABASE_URL": "sqlite:////tmp/defcore-deploy-check.sqlite3",
}


def manage(*args, **env):
    """Run manage.py in a clean environment: only what the test names, no DEBUG."""
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV"}
    clean = {k: v for k, v in os.environ.items() if k in keep}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**clean, "DJANGO_SETTINGS_MODULE": "defcore_site.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def run_python(code, **env):
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV"}
    clean = {k: v for k, v in os.environ.items() if k in keep}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**clean, "DJANGO_SETTINGS_MODULE": "defcore_site.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_secret_key_and_debug_off_the_start_is_refused_naming_the_variable():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}

    # What gunicorn does first: load the WSGI application.
    started = run_python("import defcore_site.wsgi", **env)
    checked = manage("check", "--deploy", **env)

    assert started.returncode != 0
    last = started.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last
    assert "SECRET_KEY is not set" in last
    assert checked.returncode != 0
    assert "(defcore.E001) SECRET_KEY is not set" in checked.stderr


def test_without_secret_key_the_commands_that_sign_nothing_still_run():
    """An operator migrates before the key is in place; CI checks migrations without one."""
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}

    result = manage("makemigrations", "--check", "--dry-run", **env)

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_with_debug_on_a_local_start_needs_no_secret_key():
    result = manage("check", DEBUG="true")

    assert result.returncode == 0, result.stderr


def test_check_deploy_finds_nothing_in_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_does_complain_without_https_only():
    """The check above can fail: without the switch, Django names what is missing."""
    env = {k: v for k, v in PRODUCTION.items() if k != "HTTPS_ONLY"}

    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


HTTPS = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_REDIRECT_EXEMPT": [r"^health/?$"],
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


def test_https_only_sets_each_https_setting():
    probe = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {sorted(HTTPS)!r}}}))"
    )
    keep = {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        env={**env, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "defcore_site.settings"},
        capture_output=True,
        text=True,
        check=True,
    )

    values = json.loads(result.stdout)
    expected = {k: list(v) if isinstance(v, tuple) else v for k, v in HTTPS.items()}
    assert values == expected


@pytest.fixture
def served(client, demo):
    CACHE.clear()
    yield
    CACHE.clear()


@pytest.fixture
def https_site():
    """Django and the fast path as a server started with HTTPS_ONLY builds them:
    middleware reads its settings when the handler is made."""
    # No Celery ping: no worker runs in the tests (tests/test_operations.py covers it).
    with override_settings(**HTTPS, HEALTH_CHECK_CELERY=False):
        django = WSGIHandler()
        yield django, GuidelineFastPath(django)


DOCUMENT = "/api/v1/guidelines/2026.06"
OVER_HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


@pytest.mark.django_db
def test_with_https_on_the_fast_path_answers_over_https_with_djangos_headers(
    client, served, https_site
):
    django_application, fast_path = https_site
    fill(client, DOCUMENT, **{"X-Forwarded-Proto": "https"})
    environ = environ_for(DOCUMENT, **OVER_HTTPS)

    assert fast_path.answer(dict(environ)) is not None, "the fast path is off under HTTPS"
    ours = call(fast_path, environ)
    django = call(django_application, environ)

    assert ours == django
    headers = dict(ours[1])
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert "content-security-policy" in headers


@pytest.mark.django_db
def test_with_https_on_plain_http_is_redirected_by_django_not_answered(client, served, https_site):
    _, fast_path = https_site
    fill(client, DOCUMENT, **{"X-Forwarded-Proto": "https"})
    environ = environ_for(DOCUMENT)  # no proxy header: plain HTTP

    assert fast_path.answer(dict(environ)) is None
    status, headers, _ = call(fast_path, environ)
    assert status.startswith("301")
    assert dict(headers)["location"] == "https://testserver" + DOCUMENT


@pytest.mark.django_db
def test_with_https_on_the_health_check_answers_over_plain_http(https_site):
    django_application, _ = https_site

    status, _, _ = call(django_application, environ_for("/health/?format=json"))

    assert status.startswith("200")


@pytest.mark.django_db
def test_pages_send_a_content_security_policy(client, demo):
    for path in ("/", "/guidelines/2026.06/", "/accounts/login/", "/api/v1/docs/"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "object-src 'none'" in policy


@pytest.mark.django_db
def test_the_api_docs_page_has_no_inline_script(client):
    """The policy allows no inline script, so the Swagger page must load its own."""
    body = client.get("/api/v1/docs/").content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", body, flags=re.S | re.I)

    assert scripts, "the page loads its scripts"
    for attributes, content in scripts:
        assert "src=" in attributes and not content.strip(), attributes


@pytest.mark.django_db
def test_an_import_keeps_the_files_name_not_the_servers_path(client, demo, tmp_path):
    from tests.guidelines.helpers import import_file

    document = tmp_path / "secret-folder" / "2026.06-copy.json"
    document.parent.mkdir()
    document.write_bytes((REPO / "guidelines" / "demo" / "2026.06.json").read_bytes())
    import_file(document, key="copy")

    events = client.get("/api/v1/catalog/guidelines/copy/events").content.decode()
    page = client.get("/guidelines/copy/").content.decode()

    assert "2026.06-copy.json" in events
    for text in (events, page):
        assert str(tmp_path) not in text
        assert "secret-folder" not in text


@pytest.mark.django_db
def test_errors_show_no_server_path_or_traceback(client):
    response = client.get("/api/v1/catalog/guidelines/nope/events")

    text = response.content.decode()
    assert response.status_code == 404
    assert str(REPO) not in text
    assert "Traceback" not in text
