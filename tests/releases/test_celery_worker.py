"""A real Celery worker, against the Redis broker, runs a release's publishing after the
approval commits: renderings, bundle, announcement. CI sets REDIS_URL; elsewhere this skips.

The worker runs in a thread of this process (see tests/votes/test_celery_integration.py).
"""

import os

import pytest

from releases.models import Release
from releases.services import guideline_approve
from tests.celery_worker import wait_for
from tests.releases.helpers import bundle_members, checksums_hold, passed_ballot

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs Redis: set REDIS_URL (CI does) to run a real Celery worker against it",
    ),
]


@pytest.fixture(autouse=True)
def eager():
    """Not eager here: the tasks go to the broker, and the worker takes them."""
    yield


def test_a_worker_publishes_a_release_after_its_approval(demo_draft, chair, member, worker):
    ballot = passed_ballot(demo_draft, chair, member)
    release = guideline_approve(draft=demo_draft, name="2026.09", actor=chair, ballot=ballot)

    def published():
        states = set(release.steps.values_list("status", flat=True))
        return states == {"done"}

    wait_for(published, "the worker to run the three publishing steps")
    stored = Release.objects.get(pk=release.pk)
    assert "2026.09.html" in checksums_hold(bundle_members(bytes(stored.bundle)))
