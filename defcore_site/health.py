"""``/health/``: whether this process can serve, for load balancers.

django-health-check runs the checks: the database always; the cache (Redis
when REDIS_URL is set, else memory); Redis itself and a Celery worker answering
a ping when REDIS_URL is set (tasks then run on workers, not in process).
HEALTH_CHECK_CELERY=false leaves the Celery ping out, for web nodes whose
balancer should not drop them when the workers are down.

The answer is 200 ``{"status": "ok", "checks": {"database": "ok", ...}}``, or 503
(what load balancers take as "take me out") with ``"status": "failing"`` and the
failing check's message. It is public, so it names checks, never hosts or paths.
"""

import asyncio

from django.conf import settings
from django.http import JsonResponse
from health_check.views import HealthCheckView


def checks() -> list[tuple[str, str, dict]]:
    """(name shown, check class, options) for this configuration."""
    chosen = [
        ("database", "health_check.checks.Database", {}),
        ("cache", "health_check.checks.Cache", {}),
    ]
    if settings.REDIS_URL:
        chosen.append(("redis", "health_check.contrib.redis.Redis", {"client_factory": redis}))
        if settings.HEALTH_CHECK_CELERY:
            chosen.append(("celery", "health_check.contrib.celery.Ping", {}))
    return chosen


def redis():
    from redis.asyncio import Redis

    return Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


class HealthView(HealthCheckView):
    async def get(self, request, *args, **kwargs):
        chosen = checks()
        self.checks = [(path, options) for _, path, options in chosen]
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        found = {
            name: str(result.error) if result.error else "ok"
            for (name, _, _), result in zip(chosen, results, strict=True)
        }
        failing = any(result.error for result in results)
        return JsonResponse(
            {"status": "failing" if failing else "ok", "checks": found},
            status=503 if failing else 200,
        )
