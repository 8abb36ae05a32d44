import pytest

from defcore_site.celery import app as celery_app
from guidelines import serving


@pytest.fixture(autouse=True)
def eager():
    """Publishing tasks run in this process, right after the approval commits.

    With REDIS_URL set (CI) they would go to a broker no worker reads here;
    tests/releases/test_celery_worker.py runs them in a real worker instead.
    """
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def cold_serving_cache():
    serving.CACHE.clear()
    yield
    serving.CACHE.clear()
