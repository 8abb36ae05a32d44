"""Benchmark: the memory of a serving process that holds every guideline.

The serving cache (``guidelines.serving.CACHE``) keeps each guideline's document
and the test lists tooling asks for in memory, as bytes (plain and gzip). The
goal (issue 12): a serving process holding all the committee's guidelines stays
under 150 MB resident.

This imports every guideline file of INTEROP_DATA (or ../shared/interop-data:
guidelines/ and add-ons/; the demo guidelines in guidelines/demo when it is
missing, which it says) the way ``manage.py import_guidelines`` does: an approved
file is stored approved, with its document as published revision 1. The committee
has about 30 files; with fewer, copies of them are imported under other names
(``2020.06-copy1``...) up to ``--count`` (30), so the figure is measured at that
count. Then, in
this process, it warms ``serving.document`` and the common test lists (the
lists RefStack tooling asks for: see QUERIES) of every guideline, and prints:

- the number of guidelines and of cache entries, and the bytes the entries hold
  (plain and gzip bodies);
- the resident memory (VmRSS, /proc/self/status) of this process before and
  after warming, and after ``gc.collect()``;
- the same for a fresh serving process, as a server worker (granian, gunicorn) is: a child that
  loads ``defcore_site.wsgi`` and warms the cache through its WSGI application
  (each URL twice: Django fills the cache, the fast path answers the second),
  on the same database. That is the figure the goal is about: this process
  also carries what the import left behind.

It is a measurement, not a test: it asserts nothing about time, and exits
non-zero only when the fresh serving process is above the goal. The database is
a throwaway test database made with Django's test utilities (a temporary SQLite
file, so that the child can read it and no database lives in this process's
memory; a ``test_*`` PostgreSQL database when DATABASE_URL=postgres://... is set),
dropped at the end.

    .venv/bin/python benchmarks/serving_memory.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/defcore \
        .venv/bin/python benchmarks/serving_memory.py
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defcore_site.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "k3y-" * 12)  # not a production run
# The warm-up sends a few hundred anonymous reads at once.
os.environ.setdefault("THROTTLE_ANON_READS", "100000/min")

import warnings  # noqa: E402

# WhiteNoise looks for collected static files; a benchmark has none.
warnings.filterwarnings("ignore", message="No directory at")

GOAL_MB = 150
# What tooling asks for (refstack-client, RefStack's UI and scripts): the default
# list, the required tests, and the required platform list as benchmarks/load.py asks.
QUERIES = (
    "",
    "type=required",
    "type=required,advisory",
    "target=platform&type=required&alias=true&flag=false",
    "type=required&alias=false&flag=false",
)
HOST = "127.0.0.1"


def rss_mb() -> float:
    """This process's resident memory (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def malloc_trim_mb() -> float:
    """RSS once glibc has returned the free heap to the system (malloc_trim): what is
    left is in use; the difference, memory freed but kept by the allocator."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return float("nan")
    return rss_mb()


def guideline_files() -> tuple[list[Path], str]:
    """The files to import, and where they come from."""
    shared = Path(os.environ.get("INTEROP_DATA") or REPO.parent / "shared" / "interop-data")
    if (shared / "guidelines").is_dir():
        files = sorted((shared / "guidelines").glob("*.json"))
        files += sorted((shared / "add-ons").glob("*.json"))
        return files, str(shared)
    demo = REPO / "guidelines" / "demo"
    return sorted(demo.glob("*.json")), f"{demo} ({shared} is missing: demo guidelines only)"


def warm(keys: list[str]) -> tuple[int, int]:
    """Fill the serving cache as tooling would; the representations asked, and refused."""
    from django.http import QueryDict

    from guidelines import serving
    from guidelines.testlist import TestListError

    asked = refused = 0
    for key in keys:
        assert serving.document(key) is not None, key
        asked += 1
        for query in QUERIES:
            try:
                serving.tests(key, QueryDict(query))
                asked += 1
            except TestListError:  # an add-on has no platform target
                refused += 1
    return asked, refused


def warm_through_wsgi(keys: list[str]) -> tuple[int, int]:
    """As a server worker serves: each URL through the WSGI application, twice."""
    import io

    from defcore_site.wsgi import application

    statuses: dict[str, int] = {}

    def start_response(status, headers):
        statuses["last"] = int(status.split()[0])

    served = refused = 0
    for key in keys:
        for path, query in [(f"/v1/guidelines/{key}", "")] + [
            (f"/v1/guidelines/{key}/tests", q) for q in QUERIES
        ]:
            for _ in range(2):
                environ = {
                    "REQUEST_METHOD": "GET",
                    "PATH_INFO": path,
                    "QUERY_STRING": query,
                    "SERVER_NAME": HOST,
                    "SERVER_PORT": "80",
                    "HTTP_HOST": HOST,
                    "HTTP_ACCEPT_ENCODING": "gzip",
                    "wsgi.url_scheme": "http",
                    "wsgi.input": io.BytesIO(b""),
                    "wsgi.errors": sys.stderr,
                }
                b"".join(application(environ, start_response))
            if statuses["last"] == 200:
                served += 1
            elif statuses["last"] == 400:
                refused += 1  # an add-on has no platform target
            else:
                raise AssertionError(f"{path}?{query}: {statuses['last']}")
    return served, refused


def cache_figures() -> dict:
    from guidelines import serving

    entries, plain, packed = serving.CACHE.size()
    return {
        "entries": entries,
        "bytes": plain + packed,
        "plain": plain,
        "gzip": packed,
        "builds": serving.CACHE.builds,
    }


def child(database: str, keys: list[str]) -> dict:
    """A fresh serving process on ``database``: what it holds once warm."""
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database
    figures = {"start_mb": rss_mb()}
    import defcore_site.wsgi  # noqa: F401 - loaded as a WSGI server loads it

    figures["loaded_mb"] = rss_mb()
    # The first guideline loads the code every request runs (views, serialisers,
    # the format's modules): what the others add is what holding them costs.
    served, refused = warm_through_wsgi(keys[:1])
    figures["first_mb"] = rss_mb()
    more, more_refused = warm_through_wsgi(keys[1:])
    figures.update(served=served + more, refused=refused + more_refused, warm_mb=rss_mb())
    gc.collect()
    figures["gc_mb"] = rss_mb()
    figures["trim_mb"] = malloc_trim_mb()
    figures.update(cache_figures())
    return figures


def run(test_database: str, count: int) -> int:
    from committee.system import system_actor
    from guidelines.models import Guideline
    from guidelines.services import guideline_import

    files, source = guideline_files()
    actor = system_actor()
    gc.collect()
    before_import = rss_mb()
    keys = []
    # Fewer files than the committee's (about 30): copies under other names, so
    # that the figure is measured at that count, not extrapolated.
    copies = [(path, n) for n in range(1, count) for path in files]
    for path, copy in [(path, 0) for path in files] + copies[: max(count - len(files), 0)]:
        key = path.name.removesuffix(".json") + (f"-copy{copy}" if copy else "")
        guideline_import(raw=path.read_bytes(), key=key, filename=path.name, actor=actor)
        keys.append(key)
    statuses = dict(
        Guideline.objects.filter(key__in=keys).values_list("key", "status").order_by("key")
    )
    gc.collect()
    before = rss_mb()
    asked, refused = warm(keys)
    after = rss_mb()
    gc.collect()
    after_gc = rss_mb()
    here = cache_figures()

    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    fresh = subprocess.run(
        [sys.executable, __file__, "--child", test_database, *keys],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if fresh.returncode != 0:
        print(fresh.stderr, file=sys.stderr)
        return 1
    served = json.loads(fresh.stdout.strip().splitlines()[-1])

    from django.db import connection

    by_status: dict[str, int] = {}
    for status in statuses.values():
        by_status[status] = by_status.get(status, 0) + 1
    print(f"Serving memory ({connection.vendor}; guidelines from {source})")
    print(
        f"  guidelines: {len(keys)}, {len(files)} files and {len(keys) - len(files)} copies ("
        + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
        + f"); test list queries per guideline: {len(QUERIES)}"
    )
    print(
        f"  cache: {here['entries']} entries ({asked} asked, {refused} refused: no such "
        f"target), {here['bytes'] / 2**20:.2f} MB held ({here['plain'] / 2**20:.2f} MB plain "
        f"+ {here['gzip'] / 2**20:.2f} MB gzip), {here['builds']} builds"
    )
    print("  this process (it imported them too):")
    print(f"    RSS before import            {before_import:8.1f} MB")
    print(f"    RSS before warming           {before:8.1f} MB")
    print(f"    RSS after warming            {after:8.1f} MB")
    print(f"    RSS after warming, gc        {after_gc:8.1f} MB")
    print("  a fresh serving process (defcore_site.wsgi, warmed through its WSGI app):")
    print(f"    RSS at start                 {served['start_mb']:8.1f} MB")
    print(f"    RSS with the app loaded      {served['loaded_mb']:8.1f} MB")
    print(f"    RSS after the first guideline{served['first_mb']:8.1f} MB")
    print(f"    RSS after warming            {served['warm_mb']:8.1f} MB")
    print(f"    RSS after warming, gc        {served['gc_mb']:8.1f} MB")
    print(f"    RSS after malloc_trim        {served['trim_mb']:8.1f} MB")
    print(
        f"    cache: {served['entries']} entries, {served['bytes'] / 2**20:.2f} MB held, "
        f"{served['builds']} builds, {served['served']} URLs served"
    )
    per_guideline = (served["gc_mb"] - served["first_mb"]) / max(len(keys) - 1, 1)
    print(f"    each guideline after the first: {per_guideline:.2f} MB (goal {GOAL_MB} MB in all)")
    return 0 if served["gc_mb"] <= GOAL_MB else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--count",
        type=int,
        default=30,
        help="guidelines to hold: the files, then copies of them under other names (30)",
    )
    parser.add_argument("--child", nargs="+", metavar=("DATABASE", "KEY"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    import django

    django.setup()
    if args.child:
        database, *keys = args.child
        print(json.dumps(child(database, keys)))
        return 0

    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    with tempfile.TemporaryDirectory(prefix="serving-memory-") as folder:
        test = connection.settings_dict["TEST"]
        if connection.vendor == "sqlite":
            test["NAME"] = str(Path(folder) / "test.sqlite3")
        else:
            test["NAME"] = f"test_{connection.settings_dict['NAME']}_memory_{os.getpid()}"
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            return run(connection.settings_dict["NAME"], args.count)
        finally:
            connection.close()
            teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
