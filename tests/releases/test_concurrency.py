"""On PostgreSQL: two chairs approving one draft at once give one release.

Both approvals wait on the draft's row lock, held from a third connection until
both are seen waiting (pg_stat_activity); then the first creates the release and
the second finds the draft moved on (its ballot was about the text before). Each
cites its own passed ballot, so nothing but the draft's lock can keep them apart.
"""

import pytest

from committee.models import Event
from guidelines.models import Artifact, Guideline
from releases.models import Release
from releases.services import guideline_approve
from tests.releases.helpers import passed_ballot
from tests.test_published_immutability import (
    LockHolder,
    Worker,
    lock_waiters,
    needs_postgresql,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_approvals_of_one_draft_at_once_give_one_release(demo_draft, chair, member):
    needs_postgresql()
    ballots = [passed_ballot(demo_draft, chair, member) for _ in range(2)]
    holder = LockHolder(demo_draft)
    approvers = [
        Worker(
            lambda ballot=ballot: guideline_approve(
                draft=demo_draft, name="2026.09", actor=chair, ballot=ballot
            )
        )
        for ballot in ballots
    ]

    holder.start_holding()
    try:
        for approver in approvers:
            approver.start()
        wait_until(
            lambda: (
                sum(holder.pid in blockers for _, blockers in lock_waiters()) >= 1
                and len(lock_waiters()) == 2
            ),
            "both approvals wait on the draft's row lock",
        )
    finally:
        holder.go.set()
        for thread in (holder, *approvers):
            thread.join(timeout=30)
            assert not thread.is_alive()

    outcomes = sorted(("release" if a.error is None else type(a.error).__name__) for a in approvers)
    assert outcomes == ["RuleRefused", "release"], [a.error for a in approvers]
    [loser] = [a for a in approvers if a.error is not None]
    # It read the draft as the first approval left it: moved on, not what it voted on.
    assert "changed since ballot" in str(loser.error)
    assert Release.objects.count() == 1
    assert Guideline.objects.filter(key="2026.09").count() == 1
    assert Artifact.objects.filter(guideline__key="2026.09", format="json").count() == 1
    assert Event.objects.filter(kind="release.approved").count() == 1
    assert Release.objects.get().ballot in ballots
