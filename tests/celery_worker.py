"""A real Celery worker for the tests that need one (CI sets REDIS_URL; elsewhere they skip).

The worker runs in a thread of this process (celery.contrib.testing.worker.start_worker),
so that it shares the test database and Django's locmem mail outbox; the test's changes
must be committed (``transaction=True``) for the worker to read them. ``tests.conftest``
offers ``worker`` to every test.
"""

import time

import pytest
from django.db import connections


def wait_for(condition, what: str, deadline: float = 30.0):
    """Poll until the condition holds, or fail at the deadline."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"waited {deadline:.0f} s for {what}")
        time.sleep(0.05)


@pytest.fixture
def worker():
    import celery.contrib.testing.tasks  # noqa: F401  (the ping task start_worker checks with)
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from defcore_site.celery import app

    assert not app.conf.task_always_eager, "with REDIS_URL tasks go to the broker"
    app.control.purge()  # what earlier runs may have left in the queue

    def close_connections(**kwargs):
        connections.close_all()  # the worker thread's own, before the test database goes

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=True):
            yield app
    finally:
        task_postrun.disconnect(close_connections)
