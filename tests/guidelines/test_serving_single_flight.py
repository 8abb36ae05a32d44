"""Reads under writes: the serving cache builds a revision once (single flight).

Tooling polls a draft while members edit it: every edit makes the cached
representation stale, and the requests that miss at once must not each rebuild
it. The unit tests drive ``ServingCache`` with stamps they set and builds that
block on an event they release, so every step waits for a condition, never for
time; the last tests go through ``serving.document`` and the database.
"""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from guidelines import serving
from guidelines.models import Guideline
from guidelines.serving import JSON, ServingCache, Stamp, representation
from tests.guidelines.helpers import import_doc

# Only a guard against a hang when the code under test is wrong: no test
# depends on how long anything takes.
HANG_GUARD = 30

KEY = "next"
VARIANT = ("document",)


def stamp(revision: int, pk: int = 7) -> Stamp:
    return Stamp(pk, revision, "draft", 1_700_000_000.0 + revision, 0.0)


def rep(text: str, at: Stamp) -> serving.Representation:
    return representation(text.encode() * 50, JSON, at)


class StubbedStamps(ServingCache):
    """A ServingCache whose stamps the test sets: no database."""

    def __init__(self):
        super().__init__()
        self.current: dict[str, Stamp | None] = {}

    def stamp(self, key):
        return self.current.get(key)


class Gate:
    """A build that blocks until the test releases it, counting its calls."""

    def __init__(self, text="built", error: BaseException | None = None):
        self.text, self.error = text, error
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, at: Stamp):
        with self._lock:
            self.calls += 1
        self.entered.set()
        assert self.release.wait(HANG_GUARD), "the test never released the build"
        if self.error is not None:
            raise self.error
        return rep(f"{self.text} r{at.revision}", at)


class CountingEvent(threading.Event):
    """threading.Event that tells the test how many threads are waiting on it."""

    waiting = 0
    changed = threading.Condition()

    def wait(self, timeout=None):
        with CountingEvent.changed:
            CountingEvent.waiting += 1
            CountingEvent.changed.notify_all()
        return super().wait(timeout)


@pytest.fixture
def waiters(monkeypatch):
    """Flights whose waiters are counted; ``waiters(n)`` returns once n threads wait."""

    class CountedFlight(serving._Flight):
        __slots__ = ()

        def __init__(self):
            super().__init__()
            self.done = CountingEvent()

    monkeypatch.setattr(serving, "_Flight", CountedFlight)
    CountingEvent.waiting = 0

    def until(n: int) -> None:
        with CountingEvent.changed:
            assert CountingEvent.changed.wait_for(lambda: CountingEvent.waiting >= n, HANG_GUARD), (
                f"{CountingEvent.waiting} threads waiting, expected {n}"
            )

    return until


def start(target, *args) -> tuple[threading.Thread, dict]:
    """Run ``target(*args)`` in a thread; its result or exception lands in the dict."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = target(*args)
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def join(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.join(HANG_GUARD)
        assert not thread.is_alive(), "a reader never returned"


# -- ServingCache, with stubbed stamps ---------------------------------------


def test_threads_racing_a_miss_build_once(waiters):
    cache = StubbedStamps()
    cache.current[KEY] = stamp(1)
    gate = Gate()
    barrier = threading.Barrier(8)

    def read():
        barrier.wait(HANG_GUARD)
        return cache.get(KEY, VARIANT, gate)

    readers = [start(read) for _ in range(8)]
    assert gate.entered.wait(HANG_GUARD)
    waiters(7)  # everyone but the builder waits for it
    gate.release.set()
    join(*(thread for thread, _ in readers))

    bodies = {outcome["value"].body for _, outcome in readers}
    assert gate.calls == 1
    assert cache.builds == 1
    assert bodies == {rep("built r1", stamp(1)).body}
    assert cache.lookup(KEY, VARIANT, stamp(1)).body in bodies


def test_a_reader_during_a_rebuild_gets_the_previous_revision_without_waiting(waiters):
    cache = StubbedStamps()
    cache.current[KEY] = stamp(1)
    previous = cache.get(KEY, VARIANT, lambda at: rep("old", at))
    cache.current[KEY] = stamp(2)  # an edit
    gate = Gate()
    builder, built = start(cache.get, KEY, VARIANT, gate)
    assert gate.entered.wait(HANG_GUARD)
    # Should the reader wait (wrongly), it would get the new revision, not hang.
    guard = threading.Timer(HANG_GUARD, gate.release.set)
    guard.start()
    try:
        during = cache.get(KEY, VARIANT, Gate("second build"))
        fast_path = cache.lookup(KEY, VARIANT, stamp(2))
    finally:
        guard.cancel()
        gate.release.set()
    join(builder)
    after = cache.get(KEY, VARIANT, Gate("third build"))

    assert during is previous
    assert CountingEvent.waiting == 0
    assert fast_path is None  # the fast path answers only with the current revision
    assert after is built["value"]
    assert after.body == rep("built r2", stamp(2)).body
    assert cache.lookup(KEY, VARIANT, stamp(2)) is after
    assert gate.calls == 1
    assert cache.builds == 2


def test_a_writer_asking_for_the_current_revision_waits_for_it_during_a_rebuild(waiters):
    # A PUT reports the ETag of what it stored: the client's next If-Match.
    cache = StubbedStamps()
    cache.current[KEY] = stamp(1)
    cache.get(KEY, VARIANT, lambda at: rep("old", at))
    cache.current[KEY] = stamp(2)
    gate = Gate()
    builder, built = start(cache.get, KEY, VARIANT, gate)
    assert gate.entered.wait(HANG_GUARD)
    writer, wrote = start(lambda: cache.get(KEY, VARIANT, Gate("must not be called"), current=True))
    waiters(1)

    assert wrote == {}  # waits, where a reader would have had the old one
    gate.release.set()
    join(builder, writer)

    assert wrote["value"] is built["value"]
    assert wrote["value"].body == rep("built r2", stamp(2)).body


def test_a_reader_with_nothing_to_serve_waits_and_gets_the_built_one(waiters):
    cache = StubbedStamps()
    cache.current[KEY] = stamp(3)
    gate = Gate()
    builder, built = start(cache.get, KEY, VARIANT, gate)
    assert gate.entered.wait(HANG_GUARD)
    reader, read = start(cache.get, KEY, VARIANT, Gate("must not be called"))
    waiters(1)

    assert read == {}  # still waiting
    gate.release.set()
    join(builder, reader)

    assert read["value"] is built["value"]
    assert cache.builds == 1


def test_a_previous_revision_of_another_guideline_of_that_name_is_not_served(waiters):
    """A guideline deleted and made again under its name starts at revision 1 again."""
    cache = StubbedStamps()
    cache.current[KEY] = stamp(5, pk=1)
    cache.get(KEY, VARIANT, lambda at: rep("old guideline", at))
    cache.current[KEY] = stamp(1, pk=2)
    gate = Gate()
    builder, built = start(cache.get, KEY, VARIANT, gate)
    assert gate.entered.wait(HANG_GUARD)
    reader, read = start(cache.get, KEY, VARIANT, Gate("must not be called"))
    waiters(1)
    gate.release.set()
    join(builder, reader)

    assert read["value"] is built["value"]
    assert read["value"].body == rep("built r1", stamp(1, pk=2)).body


def test_a_failing_build_releases_its_waiters_with_its_exception(waiters):
    cache = StubbedStamps()
    cache.current[KEY] = stamp(1)
    gate = Gate(error=ValueError("the build failed"))
    builder, failed = start(cache.get, KEY, VARIANT, gate)
    assert gate.entered.wait(HANG_GUARD)
    readers = [start(cache.get, KEY, VARIANT, Gate("must not be called")) for _ in range(3)]
    waiters(3)
    gate.release.set()
    join(builder, *(thread for thread, _ in readers))

    assert isinstance(failed["error"], ValueError)
    assert all(outcome["error"] is failed["error"] for _, outcome in readers)
    assert gate.calls == 1
    assert cache.builds == 0
    assert cache.lookup(KEY, VARIANT, stamp(1)) is None
    # Nothing of the failure is kept: the next reader builds.
    assert (
        cache.get(KEY, VARIANT, lambda at: rep("next try", at)).body
        == rep("next try", stamp(1)).body
    )


def test_a_builder_interrupted_without_an_exception_lets_a_waiter_build(waiters):
    class Interrupted(BaseException):
        pass

    cache = StubbedStamps()
    cache.current[KEY] = stamp(1)
    gate = Gate(error=Interrupted())
    builder, interrupted = start(cache.get, KEY, VARIANT, gate)
    assert gate.entered.wait(HANG_GUARD)
    reader, read = start(cache.get, KEY, VARIANT, lambda at: rep("retried", at))
    waiters(1)
    gate.release.set()
    join(builder, reader)

    assert isinstance(interrupted["error"], Interrupted)
    assert read["value"].body == rep("retried", stamp(1)).body
    assert cache.builds == 1


def test_a_newer_revision_is_not_replaced_by_an_older_build():
    cache = StubbedStamps()
    cache.current[KEY] = stamp(1)
    gate = Gate()
    slow, _ = start(cache.get, KEY, VARIANT, gate)  # revision 1, still building
    assert gate.entered.wait(HANG_GUARD)
    cache.current[KEY] = stamp(2)
    newer = cache.get(KEY, VARIANT, lambda at: rep("newer", at))
    gate.release.set()
    join(slow)

    assert cache.lookup(KEY, VARIANT, stamp(2)) is newer
    assert cache.get(KEY, VARIANT, Gate("must not be called")) is newer


def test_forget_keeps_the_entries_and_asks_for_the_stamp_again():
    cache = StubbedStamps()
    cache.current[KEY] = stamp(1)
    kept = cache.get(KEY, VARIANT, lambda at: rep("kept", at))
    cache.forget(KEY)

    assert cache.fresh_stamp(KEY) is None  # the fast path goes to Django
    assert cache.lookup(KEY, VARIANT, stamp(1)) is kept
    assert cache.size() == (1, len(kept.body), len(kept.gzip_body))


def test_entries_stay_bounded_whatever_the_revisions():
    cache = StubbedStamps()
    cache._max = 3
    for revision in range(1, 6):
        for key in ("a", "b", "c", "d"):
            cache.current[key] = stamp(revision, pk=ord(key))
            cache.get(key, VARIANT, lambda at: rep("x", at))
            cache.forget(key)

    assert cache.size()[0] == 3
    assert cache.builds == 20


# -- Through serving.document and the database -------------------------------


def edit(draft_key: str) -> None:
    """A content change to the draft, committed (its on_commit forgets what is served)."""
    document = json.loads(serving.document(draft_key).body)
    document["metadata"]["os_trademark_approval"]["releases"].append("victoria")
    import_doc(document, key=draft_key, replace=True)


@pytest.fixture
def gate_documents(monkeypatch):
    """``gate_documents()``: from now on serving.document's builds block on the gate it returns."""

    def install() -> Gate:
        real = serving._document
        gate = Gate()

        def build(at):
            gate(at)
            return real(at)

        monkeypatch.setattr(serving, "_document", build)
        return gate

    return install


@pytest.fixture
def cold_cache():
    serving.CACHE.clear()
    yield serving.CACHE
    serving.CACHE.clear()


@pytest.mark.django_db(transaction=True)
def test_readers_of_an_edited_draft_get_the_previous_revision_while_one_rebuilds(
    cold_cache, demo_draft, waiters, gate_documents
):
    before = serving.document(KEY)
    edit(KEY)  # committed: this process forgets the stamp
    revision = Guideline.objects.get(key=KEY).revision
    builds = cold_cache.builds
    gate = gate_documents()
    builder, built = start(serving.document, KEY)
    assert gate.entered.wait(HANG_GUARD)
    guard = threading.Timer(HANG_GUARD, gate.release.set)
    guard.start()
    try:
        during = serving.document(KEY)
    finally:
        guard.cancel()
        gate.release.set()
    join(builder)
    after = serving.document(KEY)

    assert during is before
    assert CountingEvent.waiting == 0
    assert after is built["value"]
    assert after.etag != before.etag
    assert "victoria" in json.loads(after.body)["metadata"]["os_trademark_approval"]["releases"]
    assert cold_cache.lookup(KEY, ("document",), cold_cache.stamp(KEY)) is after
    assert cold_cache.stamp(KEY).revision == revision
    assert cold_cache.builds == builds + 1


@pytest.mark.django_db(transaction=True)
def test_readers_racing_a_cold_document_build_it_once(cold_cache, demo, gate_documents, waiters):
    builds = cold_cache.builds
    gated_document = gate_documents()
    readers = [start(serving.document, "2026.06") for _ in range(4)]
    assert gated_document.entered.wait(HANG_GUARD)
    waiters(3)
    gated_document.release.set()
    join(*(thread for thread, _ in readers))

    assert [outcome.get("error") for _, outcome in readers] == [None] * 4
    assert len({id(outcome["value"]) for _, outcome in readers}) == 1
    assert gated_document.calls == 1
    assert cold_cache.builds == builds + 1


def test_a_read_after_a_change_sees_the_new_revision(
    cold_cache, demo_draft, django_capture_on_commit_callbacks
):
    before = serving.document(KEY)
    builds = cold_cache.builds
    with django_capture_on_commit_callbacks(execute=True):
        edit(KEY)
    after = serving.document(KEY)

    assert after.etag != before.etag
    assert "victoria" in json.loads(after.body)["metadata"]["os_trademark_approval"]["releases"]
    assert cold_cache.builds == builds + 1


def test_a_deleted_guideline_is_not_served(cold_cache, demo_draft):
    served = serving.document(KEY)
    old = cold_cache.fresh_stamp(KEY)
    Guideline.objects.filter(key=KEY).delete()
    cold_cache.forget(KEY)  # as a change committed in this process would

    assert served is not None
    assert serving.document(KEY) is None
    assert cold_cache.fresh_stamp(KEY) is None
    assert cold_cache.lookup(KEY, ("document",), old) is None  # nor kept
    assert cold_cache.size() == (0, 0, 0)


def test_another_process_stops_serving_a_deleted_guideline_once_its_stamp_expires(
    cold_cache, demo_draft, settings
):
    serving.document(KEY)
    Guideline.objects.filter(key=KEY).delete()  # elsewhere: no forget here
    settings.SERVING_STAMP_TTL = 0

    assert serving.document(KEY) is None
