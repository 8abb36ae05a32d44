"""Settings, read from environment variables with working local defaults.

No variable set: SQLite in the project folder, Celery tasks run eagerly in
process, local-memory cache. Production sets DATABASE_URL (PostgreSQL),
REDIS_URL (Celery broker and cache), SECRET_KEY, ALLOWED_HOSTS and, behind
HTTPS, HTTPS_ONLY=true. A bad or missing value stops the start with a message
naming the variable. README, "Production settings", lists them all.
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number >= {minimum}.")
    return number


RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate(name: str, default: str) -> str:
    """A throttle rate, checked now: DRF would only parse it on the first request."""
    value = os.environ.get(name, "").strip() or default
    if not RATE.match(value):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: a number of requests per second, minute, "
            "hour or day, such as 600/min"
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# Local development (DEBUG on: make run) may use a fixed key; anything else
# must bring its own, or sessions, CSRF tokens and password resets could be forged
# by anyone who has read this file. Without one, serving is refused
# (defcore_site.startup: the WSGI application, and `manage.py check --deploy`),
# while commands that sign nothing (migrate, makemigrations) still run.
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-local-development-key-change-me"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "health_check",
    # The layers, lowest first: a lower app never imports a higher one
    # (import-linter checks it in make lint).
    "committee",
    "guidelines",
    "capabilities",
    "votes",
    # Side by side above votes; none imports another.
    "releases",
    "cycles",
    "compliance",
    # The site itself: the checks that refuse a start without what it needs.
    "defcore_site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: too large is 413, naming the limit.
    "defcore_site.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who asked, for the request log that defcore_site.wsgi writes.
    "defcore_site.requestlog.RequestUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it answers locked-out sign-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "defcore_site.urls"
WSGI_APPLICATION = "defcore_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "committee.context_processors.standing",
            ],
        },
    },
]


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
        }
    scheme = urlparse(url).scheme
    if scheme not in {"postgres", "postgresql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL has scheme {scheme!r}: use postgres://user@host:port/name "
            "or sqlite:///path/to/file."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from exc
    if scheme != "sqlite" and not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database (postgres://host/NAME).")
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    if urlparse(REDIS_URL).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} is not a redis:// or rediss:// URL.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Zero-setup default: tasks run in the calling process, cache in memory.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Periodic work, for `celery -A defcore_site beat` (one beat process per site).
CELERY_BEAT_SCHEDULE = {
    "close-expired-ballots": {"task": "votes.close_expired_ballots", "schedule": 60.0},
}
# --- E-mail and notifications (votes.notifications, committee.webhooks) --------
# README, "Notifications". E-mail goes to the console (the worker's output) unless
# an SMTP server is named: EMAIL_URL=smtp://user:password@host:25 (smtp+tls://
# for STARTTLS, default port 587; smtps:// for TLS, 465), or EMAIL_HOST with
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL.
# DEBUG always prints to the console; EMAIL_BACKEND overrides all of this.
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_URL:
    from urllib.parse import unquote

    _email = urlparse(EMAIL_URL)
    _email_ports = {"smtp": 25, "smtp+tls": 587, "smtps": 465}
    if _email.scheme not in _email_ports or not _email.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL has scheme {_email.scheme!r} or no host: use smtp://, smtp+tls:// "
            "or smtps://user:password@host:port."
        )
    EMAIL_HOST = _email.hostname
    EMAIL_PORT = _email.port or _email_ports[_email.scheme]
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL: choose one.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or not EMAIL_HOST
    else "django.core.mail.backends.smtp.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "DefCore Site <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address as members reach it, for the links in e-mails and the feed.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
if urlparse(SITE_URL).scheme not in {"http", "https"} or not urlparse(SITE_URL).netloc:
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r} is not an http:// or https:// address.")
# A failed e-mail task is retried after NOTIFY_RETRY_SECONDS x 2^n, NOTIFY_MAX_RETRIES times.
NOTIFY_RETRY_SECONDS = env_int("NOTIFY_RETRY_SECONDS", 60, minimum=1)
NOTIFY_MAX_RETRIES = env_int("NOTIFY_MAX_RETRIES", 5)
# Webhooks: a delivery gives up after WEBHOOK_MAX_ATTEMPTS attempts, waiting
# WEBHOOK_RETRY_SECONDS x 2^(n-1) after the n-th; each waits WEBHOOK_TIMEOUT for an answer.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
WEBHOOK_RETRY_SECONDS = env_int("WEBHOOK_RETRY_SECONDS", 60, minimum=1)
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 5, minimum=1)
CELERY_BEAT_SCHEDULE["remind-ballot-voters"] = {
    "task": "votes.send_ballot_reminders",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["retry-due-webhooks"] = {
    "task": "committee.retry_due_webhooks",
    "schedule": 60.0,
}
# Cycle milestones are reminded to the seated committee this many days ahead.
CYCLE_REMINDER_DAYS = env_int("CYCLE_REMINDER_DAYS", 7)
CELERY_BEAT_SCHEDULE["remind-cycle-milestones"] = {
    "task": "cycles.send_milestone_reminders",
    "schedule": 3600.0,
}
# --- end of e-mail and notifications ------------------------------------------
# /health/ pings a Celery worker when tasks go to workers (defcore_site.health).
HEALTH_CHECK_CELERY = env_bool("HEALTH_CHECK_CELERY", True)
# How long a process reuses a health answer: a flood of checks costs one round.
HEALTH_CHECK_SECONDS = env_int("HEALTH_CHECK_SECONDS", 2)
CELERY_TIMEZONE = "UTC"

# django-axes counts failed sign-ins (web form and admin) and locks the account
# for that address after SIGNIN_FAILURE_LIMIT of them, for SIGNIN_LOCKOUT_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", 15, minimum=1))
# A username from one address: a guesser cannot lock a member out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "defcore_site.lockout.locked_out"
# The same client address as the API throttles: X-Forwarded-For only from
# TRUSTED_PROXIES proxies, else the connection's address.
AXES_CLIENT_IP_CALLABLE = "defcore_site.throttling.client_ip"
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Signing in or out without a ?next= page lands on the guideline list.
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files from the finders too when there is no collectstatic run
# (make run, tests): WhiteNoise then behaves like runserver's static view.
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Writes authenticate with a per-user API token, or with the web session
    # (DRF then enforces CSRF). Reads of guidelines are public.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, with failed tokens counted per address (defcore_site.throttling).
        "defcore_site.throttling.CountedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": [
        # Bounded nesting (MAX_JSON_DEPTH); sizes are bounded before parsing.
        "guidelines.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "guidelines.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "guidelines.api.errors.exception_handler",
    # Per client (a signed-in user, else an address), reads and writes apart;
    # 429 with Retry-After. Guideline documents and test lists are never
    # throttled (guidelines.api.refstack). README, "Throttling".
    "DEFAULT_THROTTLE_CLASSES": ["defcore_site.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon_reads": env_rate("THROTTLE_ANON_READS", "600/min"),
        "anon_writes": env_rate("THROTTLE_ANON_WRITES", "30/min"),
        "user_reads": env_rate("THROTTLE_USER_READS", "2400/min"),
        "user_writes": env_rate("THROTTLE_USER_WRITES", "240/min"),
        "bad_tokens": env_rate("THROTTLE_BAD_TOKENS", "20/min"),
        "signins": env_rate("THROTTLE_SIGNINS", "30/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DefCore Site API",
    "DESCRIPTION": (
        "Interoperability guidelines, their capabilities, tests and criteria, for "
        "tooling. The RefStack-compatible routes (/v1/guidelines..., "
        "/api/v1/guidelines...) keep RefStack's shapes; the rest is this "
        "application's own API, version 1."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed package, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Read-only routes are readable from any web page; writes are not offered
# cross-origin at all.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/)?v1/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified"]

# Request sizes (README, "Limits"): 413 above them, before anything is parsed.
MAX_BODY_BYTES = env_int("MAX_BODY_BYTES", 1024 * 1024, minimum=1024)
MAX_DOCUMENT_BYTES = env_int("MAX_DOCUMENT_BYTES", 64 * 1024 * 1024, minimum=1024)
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 4 * 1024 * 1024, minimum=1024)
# An uploaded test run (POST /v1/results): a full tempest run of 50,000 tests is ~8 MB.
MAX_RESULTS_BYTES = env_int("MAX_RESULTS_BYTES", 32 * 1024 * 1024, minimum=1024)
# JSON nested deeper than this is refused with 400 (guideline documents nest about 7 deep).
MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 32, minimum=8)
# Django's own bounds, set to ours so that its 400 never comes first.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(
    MAX_BODY_BYTES, MAX_DOCUMENT_BYTES, MAX_UPLOAD_BYTES, MAX_RESULTS_BYTES
)
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES

# How long shared caches and tooling may keep a served document before asking
# again (README, "Caching"). Revalidation by ETag is cheap (304), and a flag added
# to a published guideline must reach tooling within minutes.
PUBLISHED_MAX_AGE = env_int("PUBLISHED_MAX_AGE", 300)
DRAFT_MAX_AGE = env_int("DRAFT_MAX_AGE", 60)

# Publishing (README, "Publishing a release"). Vendors may use the newest two
# approved guidelines of a kind (2017A C6.1): an approval supersedes the older ones.
APPROVED_GUIDELINES_KEPT = env_int("APPROVED_GUIDELINES_KEPT", 2, minimum=1)
# Where a 2.0 release says its document lives (its "source"): this, then
# [add-ons/]<name>.json, as the committee's repository laid its files out.
GUIDELINE_SOURCE_BASE = os.environ.get(
    "GUIDELINE_SOURCE_BASE", "https://opendev.org/openstack/interop/raw/branch/master/"
).strip()
if not GUIDELINE_SOURCE_BASE.endswith("/"):
    GUIDELINE_SOURCE_BASE += "/"

# How long a process trusts what it knows of a guideline's revision before
# asking the database again (guidelines.serving).
try:
    SERVING_STAMP_TTL = float(os.environ.get("SERVING_STAMP_TTL", "1.0"))
except ValueError as exc:
    raise ImproperlyConfigured("SERVING_STAMP_TTL must be a number of seconds.") from exc

# HTTPS (README, "Production settings"). HTTPS_ONLY=true says the site is reached
# only over HTTPS, directly or through a proxy that sets X-Forwarded-Proto (and
# drops any the client sent): secure cookies, HSTS, plain HTTP redirected. The
# health check stays reachable over plain HTTP for load balancers.
HTTPS_ONLY = env_bool("HTTPS_ONLY", False)
if HTTPS_ONLY:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health/?$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)

# Pages may load only this site's own styles, scripts and images (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # One JSON line per request (defcore_site.requestlog); REQUEST_LOG=false silences it.
        "defcore.requests": {
            "level": "INFO" if env_bool("REQUEST_LOG", True) else "WARNING",
        },
    },
}

# Where the committee's real guideline files live, for tests and `make run`.
INTEROP_DATA = os.environ.get("INTEROP_DATA", "")
