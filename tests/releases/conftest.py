import pytest

from guidelines import serving


@pytest.fixture(autouse=True)
def eager(eager_tasks):
    """Publishing tasks run in this process, right after the approval commits;
    tests/releases/test_celery_worker.py runs them in a real worker instead."""


@pytest.fixture(autouse=True)
def cold_serving_cache():
    serving.CACHE.clear()
    yield
    serving.CACHE.clear()
