"""One structured log line per request, whoever answered it.

``RequestLog`` wraps the whole WSGI application (defcore_site.wsgi), so the
requests the fast path answers without Django are logged like the others. The
line is JSON on the ``defcore.requests`` logger, at INFO:

    {"method": "GET", "path": "/api/v1/guidelines/2020.06", "status": 200,
     "duration_ms": 0.41, "bytes": 65121, "user": "", "client": "10.0.0.7",
     "fast_path": true}

``user`` is the signed-in user's name, or "" when anonymous or not read (a
public read never looks at credentials). The query string is not logged: it
may carry what a client did not mean to publish.
"""

from __future__ import annotations

import json
import logging
import time

from django.utils.functional import empty

from defcore_site.throttling import client_address

logger = logging.getLogger("defcore.requests")

USER_KEY = "defcore.user"  # set in the WSGI environ by RequestUserMiddleware
FAST_PATH_KEY = "defcore.fast_path"  # set by the fast path when it answers


class RequestUserMiddleware:
    """Leaves the name of the user Django authenticated in the WSGI environ.

    Read after the view: DRF authenticates tokens in the view. A user nobody
    looked at stays unread, so logging never loads a session (which would add
    ``Vary: Cookie`` to public responses).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = request.__dict__.get("user")
        wrapped = getattr(user, "_wrapped", None)  # SimpleLazyObject until read
        read = user is not None and wrapped is not empty
        if read and getattr(user, "is_authenticated", False):
            request.META[USER_KEY] = user.get_username()
        return response


class RequestLog:
    """WSGI middleware: times the application and logs one line per request."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if not logger.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        started = time.perf_counter()
        seen: dict = {}

        def start(status, headers, exc_info=None):
            seen["status"] = status
            seen["headers"] = headers
            return (
                start_response(status, headers, exc_info)
                if exc_info
                else start_response(status, headers)
            )

        try:
            body = self.app(environ, start)
        except Exception:
            seen.setdefault("status", "500")
            self.log(environ, seen, started)
            raise
        self.log(environ, seen, started)
        return body

    @staticmethod
    def log(environ, seen: dict, started: float) -> None:
        status = seen.get("status", "500")
        length = next(
            (v for k, v in seen.get("headers", ()) if k.lower() == "content-length"), None
        )
        logger.info(
            json.dumps(
                {
                    "method": environ.get("REQUEST_METHOD", ""),
                    "path": environ.get("PATH_INFO", ""),
                    "status": int(status.split(" ", 1)[0]),
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "bytes": int(length) if length and length.isdigit() else None,
                    "user": environ.get(USER_KEY, ""),
                    # As throttles see it: X-Forwarded-For only from trusted proxies.
                    "client": client_address(environ),
                    "fast_path": bool(environ.get(FAST_PATH_KEY)),
                },
                ensure_ascii=False,
            )
        )
