"""Benchmark: refstack-client's uploads and reads at RefStack's sizes, and the report.

RefStack 2.1.0 on this machine (REFSTACK.md) took 24.2 s to accept a run of 50,000
results, 8.0 s to return it, and 4 to 6 s to list results with two such runs on the
first page. Through the whole stack (middleware, DRF, the database), this prints:

- POST /v1/results/ of 300 and of 50,000 results;
- GET /v1/results/<id> of the 50,000-result run;
- GET /v1/results with two 50,000-result runs on the first page;
- GET /api/v1/results/<id>/report on a guideline: the committee's 2020.06 when
  INTEROP_DATA (or ../shared/interop-data) has it, else the demo 2026.06.

Each figure is the median of several runs, in milliseconds. It is a measurement,
not a test: nothing is asserted about time. The database is a throwaway test
database (in-memory SQLite by default; DATABASE_URL=postgres://... for PostgreSQL).

    .venv/bin/python benchmarks/results.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defcore_site.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "k3y-" * 12)  # not a production run
# A benchmark sends more than a CI job would: throttles off, as in the test settings.
os.environ.setdefault("THROTTLE_ANON_WRITES", "100000/min")
os.environ.setdefault("THROTTLE_ANON_READS", "100000/min")

import warnings  # noqa: E402

import django  # noqa: E402

# WhiteNoise looks for collected static files; a benchmark has none.
warnings.filterwarnings("ignore", message="No directory at")

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from committee.system import system_actor  # noqa: E402
from compliance.upload import bare_uuid  # noqa: E402
from guidelines.selectors import guideline_bundle  # noqa: E402
from guidelines.services import guideline_import  # noqa: E402

REPEAT = 5
HOST = {"HTTP_HOST": "127.0.0.1"}


def results_body(count: int, seed: int = 0) -> bytes:
    results = [
        {
            "name": f"tempest.api.bench.test_module_{n // 100}.BenchTest.test_case_{n}_{seed}",
            "uuid": str(uuid.UUID(int=n * 7919 + seed)),
        }
        for n in range(count)
    ]
    return json.dumps(
        {"cpid": f"bench-{seed}", "duration_seconds": 3600, "results": results}
    ).encode()


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    value = call()
    return (time.perf_counter() - start) * 1000, value


def median_ms(call, repeat: int = REPEAT) -> float:
    return statistics.median(timed(call)[0] for _ in range(repeat))


def guideline_for_report():
    shared = Path(os.environ.get("INTEROP_DATA") or REPO.parent / "shared" / "interop-data")
    path = shared / "guidelines" / "2020.06.json"
    if not path.is_file():
        path = REPO / "guidelines" / "demo" / "2026.06.json"
    key = path.name.removesuffix(".json")
    result = guideline_import(
        raw=path.read_bytes(), key=key, filename=path.name, actor=system_actor()
    )
    return result.guideline


def run() -> int:
    client = Client(**HOST)
    rows = []

    def upload(count: int, seed: int):
        response = client.generic(
            "POST", "/v1/results/", results_body(count, seed), content_type="application/json"
        )
        assert response.status_code == 201, response.content[:300]
        return response.json()["test_id"]

    seeds = iter(range(1, 10_000))
    rows.append(("POST /v1/results/, 300 results", median_ms(lambda: upload(300, next(seeds)))))
    big = [results_body(50_000, 100 + n) for n in range(REPEAT)]
    bodies = iter(big)

    def upload_big():
        response = client.generic(
            "POST", "/v1/results/", next(bodies), content_type="application/json"
        )
        assert response.status_code == 201, response.content[:300]
        return response.json()["test_id"]

    times = []
    ids = []
    for _ in range(REPEAT):
        ms, run_id = timed(upload_big)
        times.append(ms)
        ids.append(run_id)
    rows.append(("POST /v1/results/, 50,000 results", statistics.median(times)))
    rows.append(
        (
            "GET /v1/results/<id>, 50,000 results",
            median_ms(lambda: client.get(f"/v1/results/{ids[-1]}")),
        )
    )
    rows.append(
        (
            "GET /v1/results, 50,000-result runs on page 1",
            median_ms(lambda: client.get("/v1/results")),
        )
    )
    guideline = guideline_for_report()
    bundle = guideline_bundle(guideline)
    # Every test of the guideline once (a test in two capabilities is one result).
    names = list(
        {
            t.name: {"name": t.name, "uuid": bare_uuid(t.idempotent_id or "") or ""}
            for _, tests in bundle.capabilities
            for t in tests
        }.values()
    )
    body = json.dumps({"cpid": "real", "duration_seconds": 60, "results": names}).encode()
    real = client.generic("POST", "/v1/results/", body, content_type="application/json")
    assert real.status_code == 201, real.content[:300]
    real_id = real.json()["test_id"]
    report_url = f"/api/v1/results/{real_id}/report?guideline={guideline.key}&target=platform"
    assert client.get(report_url).status_code == 200
    rows.append(
        (f"GET .../report, {guideline.key} platform", median_ms(lambda: client.get(report_url)))
    )

    database = connection.vendor
    print(f"Test results at RefStack's sizes ({database}; median of {REPEAT}, milliseconds)")
    width = max(len(name) for name, _ in rows)
    for name, ms in rows:
        print(f"  {name:<{width}}  {ms:10.1f} ms")
    return 0


def main() -> int:
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = (
            f"test_{connection.settings_dict['NAME']}_bench_{os.getpid()}"
        )
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        return run()
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
