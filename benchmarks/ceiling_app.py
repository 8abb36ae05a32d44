"""The ceiling for any Python WSGI app under a server: fixed bytes, no Django, no logic.

benchmarks/load.py serves this with one gunicorn and one granian configuration
(the production one where it can), so that the gap between nginx and the fast
path splits into what the server costs (nginx -> this) and what the fast path
costs (this -> fast path). It answers the load benchmark's requests from the
files the nginx reference serves (folder LOAD_BENCH_WWW), with the headers a
client needs and no more.
"""

import os
from pathlib import Path

WWW = Path(os.environ["LOAD_BENCH_WWW"])
DOCUMENT = next(WWW.glob("*.json")).read_bytes()
TESTS = next(WWW.glob("*.txt")).read_bytes()
ETAG = '"ceiling"'


def application(environ, start_response):
    if environ.get("HTTP_IF_NONE_MATCH") == ETAG:
        start_response("304 Not Modified", [("ETag", ETAG)])
        return [b""]
    tests = environ["PATH_INFO"].endswith("/tests")
    body = TESTS if tests else DOCUMENT
    content_type = "text/plain; charset=utf-8" if tests else "application/json"
    start_response(
        "200 OK",
        [("Content-Type", content_type), ("Content-Length", str(len(body))), ("ETag", ETAG)],
    )
    return [body]
