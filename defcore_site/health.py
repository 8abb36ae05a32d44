"""``/health/``: whether this process can serve, for load balancers.

django-health-check runs the checks: the database always; the cache (Redis
when REDIS_URL is set, else memory); Redis itself and a Celery worker answering
a ping when REDIS_URL is set (tasks then run on workers, not in process).
HEALTH_CHECK_CELERY=false leaves the Celery ping out, for web nodes whose
balancer should not drop them when the workers are down.

The answer is 200 ``{"status": "ok", "checks": {"database": "ok", ...}}``, or 503
(what load balancers take as "take me out") with ``"status": "failing"`` and
``"unavailable"`` for each failing check. It is public, so it names checks and
nothing else: the reason, which may name hosts and ports, goes to the log.

Balancers poll it every few seconds, and anyone may: an answer is reused for
HEALTH_CHECK_SECONDS (default 2) within a process, so that a flood of requests
costs one round of checks, and the Celery ping stops at the first worker.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from django.conf import settings
from django.http import JsonResponse
from health_check.views import HealthCheckView

logger = logging.getLogger(__name__)

_last: dict = {}  # {"at": monotonic time, "answer": (body, status)}
_lock = threading.Lock()


def checks() -> list[tuple[str, str, dict]]:
    """(name shown, check class, options) for this configuration."""
    chosen = [
        ("database", "health_check.checks.Database", {}),
        ("cache", "health_check.checks.Cache", {}),
    ]
    if settings.REDIS_URL:
        chosen.append(("redis", "health_check.contrib.redis.Redis", {"client_factory": redis}))
        if settings.HEALTH_CHECK_CELERY:
            chosen.append(("celery", "health_check.contrib.celery.Ping", {"limit": 1}))
    return chosen


def redis():
    from redis.asyncio import Redis

    return Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def forget() -> None:
    """Drop the reused answer (tests, or after a settings change)."""
    with _lock:
        _last.clear()


class HealthView(HealthCheckView):
    async def get(self, request, *args, **kwargs):
        with _lock:
            recent = _last.get("at") is not None and (
                time.monotonic() - _last["at"] < settings.HEALTH_CHECK_SECONDS
            )
            answer = _last["answer"] if recent else None
        if answer is None:
            answer = await self.run_checks()
            with _lock:
                _last.update(at=time.monotonic(), answer=answer)
        body, status = answer
        return JsonResponse(body, status=status)

    async def run_checks(self) -> tuple[dict, int]:
        chosen = checks()
        self.checks = [(path, options) for _, path, options in chosen]
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        found = {}
        for (name, _, _), result in zip(chosen, results, strict=True):
            found[name] = "unavailable" if result.error else "ok"
            if result.error:
                logger.error("Health check %s failed: %s", name, result.error)
        failing = any(result.error for result in results)
        body = {"status": "failing" if failing else "ok", "checks": found}
        return body, 503 if failing else 200
