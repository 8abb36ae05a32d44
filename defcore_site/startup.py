"""What the site refuses to start without.

Without ``SECRET_KEY`` (and DEBUG off), anything signed (sessions, CSRF tokens,
password resets) could be forged, so serving is refused with a message naming
the variable: by the WSGI application as it loads, and by
``manage.py check --deploy``. Commands that sign nothing (``migrate``,
``makemigrations``) still run, so an operator can prepare the database before
the key is in place.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY = (
    "SECRET_KEY is not set. Set SECRET_KEY to a long random value "
    "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
    "or DEBUG=true for local development only."
)


def secret_key_set() -> bool:
    # settings.SECRET_KEY itself raises when empty: read what was configured.
    return bool(getattr(settings._wrapped, "SECRET_KEY", ""))


def require_secret_key() -> None:
    """Refuse to serve without a key (the WSGI application calls it as it loads)."""
    if not secret_key_set():
        raise ImproperlyConfigured(MISSING_KEY)


def secret_key_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if secret_key_set():
        return []
    return [checks.Error(MISSING_KEY, id="defcore.E001")]
