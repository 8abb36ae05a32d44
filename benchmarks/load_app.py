"""Benchmark-only WSGI app: the site as served, plus a count of the documents built.

benchmarks/load.py serves this (never the site itself) in its reads-under-writes
part, to report how many times each server process built a guideline document
while a member edited the draft: once per revision it serves, not once per
waiting request. Nothing here is product code; the site has no such endpoint.

``application`` wraps ``defcore_site.wsgi.application`` (the fast path in front
of Django), or ``django_application`` when LOAD_BENCH_APP=django. Each process

- counts its builds: ``guidelines.serving.CACHE.builds`` (all representations,
  when the serving cache has that counter) and, by wrapping
  ``guidelines.serving._document``, the guideline documents built, per status
  (draft, approved, ...);
- writes them after any request that changed them, to
  ``$LOAD_BENCH_COUNTERS/<pid>.json`` (the benchmark adds up the files: a
  request to an endpoint lands on one process only);
- answers ``GET /_bench/builds`` with its own counts.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from defcore_site import wsgi
from guidelines import serving

COUNTERS = Path(os.environ["LOAD_BENCH_COUNTERS"])
SITE = wsgi.django_application if os.environ.get("LOAD_BENCH_APP") == "django" else wsgi.application

_lock = threading.Lock()
_documents: dict[str, int] = {}  # status -> documents built
_written: tuple | None = None
_build_document = serving._document


def _counting_document(stamp):
    built = _build_document(stamp)
    with _lock:
        _documents[stamp.status] = _documents.get(stamp.status, 0) + 1
    return built


serving._document = _counting_document  # serving.document() looks it up at each call


def snapshot() -> dict:
    with _lock:
        documents = dict(_documents)
    builds = getattr(serving.CACHE, "builds", None)
    return {"pid": os.getpid(), "builds": builds, "documents": documents}


def publish() -> None:
    """Write this process's counts if they changed since the last write."""
    global _written
    found = snapshot()
    state = (found["builds"], tuple(sorted(found["documents"].items())))
    if state == _written:
        return
    _written = state
    target = COUNTERS / f"{found['pid']}.json"
    temporary = COUNTERS / f".{found['pid']}-{threading.get_ident()}.tmp"
    temporary.write_text(json.dumps(found))
    os.replace(temporary, target)  # readers never see half a file


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/_bench/builds":
        body = json.dumps(snapshot()).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]
    try:
        return SITE(environ, start_response)
    finally:
        publish()
