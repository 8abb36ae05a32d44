"""Benchmark: import and export of a large schema 2.0 guideline.

Generates, in memory and deterministically, a guideline document shaped like
the committee's 2020.06.json (scoring criteria, trademark approval, platforms,
two components, capabilities with tests, flags, aliases, designated sections,
test repositories), then for each size:

- imports it with ``guidelines.services.guideline_import``;
- exports it with ``document_text(guideline_document(guideline))``;
- checks the export is the generated document (JSON value equality).

It prints wall-clock seconds, SQL queries and peak memory per phase. It is a
measurement, not a test: nothing is asserted about time. It exits non-zero
only when the export differs from the document, since the figures would then
be meaningless.

The database is a throwaway test database made with Django's test utilities
(in-memory SQLite by default, a ``test_*`` PostgreSQL database when
DATABASE_URL=postgres://... is set), dropped at the end; the developer's
database is never touched.

    .venv/bin/python benchmarks/import_export.py
    .venv/bin/python benchmarks/import_export.py --sizes 1000 --profile
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/defcore make bench
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import resource
import sys
import time
import tracemalloc
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defcore_site.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "k3y-" * 12)  # not a production run

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from committee.system import system_actor  # noqa: E402
from guidelines.interop_format.fields import same_json  # noqa: E402
from guidelines.selectors import document_text, guideline_document  # noqa: E402
from guidelines.services import guideline_import  # noqa: E402

SEED = 20200601
TESTS_PER_CAPABILITY = 10
DEFAULT_SIZES = (1_000, 10_000)

# -- the document --------------------------------------------------------------

CRITERIA = {
    "atomic": ("Atomic", 6, "Capabilities are unique and cannot be built out of other ones"),
    "clients": ("Used by Clients", 10, "Candidates are called by common OpenStack clients"),
    "complete": ("Complete", 8, "Parity in capability tested across extension implementations"),
    "deployed": ("Widely Deployed", 8, "Supported by multiple public clouds and private products"),
    "discover": ("Discoverable", 8, "Can be found in Keystone and via service introspection"),
    "doc": ("Documented", 8, "Should be well documented, particularly the expected behavior"),
    "foundation": ("Foundation", 9, "Required by other must-pass tests and capabilities"),
    "future": ("Future Direction", 11, "Reflects the future technical direction"),
    "proximity": ("Proximity", 8, "Related to Core Capabilities, managed together"),
    "stable": ("Stable", 9, "Required stable for more than two releases"),
    "sticky": ("Core in Last Release", 9, "A must-pass test should stay a must-pass test"),
    "tools": ("Used by Tools", 6, "Supported by common tools outside of the community"),
}
# (area, project, component): capabilities are named <area>-..., as in 2020.06.
AREAS = (
    ("compute", "nova", "os_powered_compute"),
    ("identity", "keystone", "os_powered_compute"),
    ("images", "glance", "os_powered_compute"),
    ("networks", "neutron", "os_powered_compute"),
    ("volumes", "cinder", "os_powered_compute"),
    ("objectstore", "swift", "os_powered_storage"),
)
STATUSES = ("required", "advisory", "deprecated", "removed")
STATUS_WEIGHTS = (70, 15, 10, 5)
VERBS = ("list", "get", "create", "delete", "update", "metadata", "actions", "quotas", "acl")
PROJECT_SECTIONS = {
    "nova": ("required", ["scheduler driver", "compute driver", "rest api extensions"]),
    "keystone": ("required", ["assignment API", "auth (v3) API", "catalog API", "drivers"]),
    "glance": ("required", ["image API", "image upload", "drivers"]),
    "cinder": ("required", ["volume API", "drivers", "scheduler"]),
    "swift": ("required", ["object, account and container APIs", "middleware"]),
    "neutron": ("required", ["network API", "plugins", "drivers"]),
    "heat": ("informational", ["orchestration API"]),
    "horizon": ("informational", ["dashboard"]),
}
RELEASES = ["stein", "train", "ussuri", "victoria"]


def generate(n_capabilities: int, seed: int = SEED) -> dict:
    """A schema 2.0 guideline with ``n_capabilities`` capabilities of 10 tests each."""
    rng = random.Random(seed + n_capabilities)

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    criteria = {
        key: {"description": desc, "name": name, "weight": weight}
        for key, (name, weight, desc) in CRITERIA.items()
    }
    capabilities: dict[str, dict] = {}
    listed: dict[str, dict[str, list[str]]] = {
        component: {status: [] for status in STATUSES}
        for component in ("os_powered_compute", "os_powered_storage")
    }
    for i in range(n_capabilities):
        area, project, component = AREAS[i % len(AREAS)]
        verb = VERBS[(i // len(AREAS)) % len(VERBS)]
        key = f"{area}-{verb}-{i:06d}"
        tests: dict[str, dict] = {}
        for j in range(TESTS_PER_CAPABILITY):
            module = f"test_{area}_{verb}_{i:06d}"
            cls = f"{area.title()}{verb.title()}{i:06d}TestJSON"
            name = f"tempest.api.{area}.{module}.{cls}.test_{verb}_{j:02d}"
            test: dict = {"idempotent_id": f"id-{uid()}"}
            roll = rng.random()
            if roll < 0.30:
                aliases = [f"tempest.api.{area}.{module}.{cls}Legacy.test_{verb}_{j:02d}"]
                if rng.random() < 0.1:
                    aliases.append(f"tempest.api.{area}.v1.{cls}.test_{verb}_{j:02d}")
                test["aliases"] = aliases
            if roll > 0.97:
                flag = {
                    "date": f"20{rng.randint(15, 20)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    "reason": f"[D401] Skipped by Tempest due to bug {rng.randint(10**6, 10**7)}.",
                    "action": "Remove flag when Tempest fix is in place.",
                }
                if rng.random() < 0.5:
                    test["flagged"] = flag
                else:
                    # 2020.06 has flags written before the id too; order is kept.
                    test = {"flagged": flag, **test}
            tests[name] = test
        capability: dict = {
            "achievements": rng.sample(sorted(CRITERIA), rng.randint(3, 9)),
            "admin": rng.random() < 0.05,
            "description": f"{verb.title()} {area} resources through the {project} API ({i})",
            "project": project,
            "required_since": f"20{rng.randint(15, 20)}.{rng.choice(('01', '06', '08', '11'))}",
            "tests": tests,
        }
        if rng.random() < 0.01:
            # One 2020.06 capability has no required_since at all.
            del capability["required_since"]
        capabilities[key] = capability
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        listed[component][status].append(key)
        if area == "identity" and rng.random() < 0.2:
            # Identity capabilities are listed in the storage component too.
            listed["os_powered_storage"][status].append(key)
    section_projects = {
        "os_powered_compute": ["nova", "keystone", "glance", "cinder", "neutron"],
        "os_powered_storage": ["keystone", "swift"],
    }
    components = {
        name: {
            "capabilities": lists,
            "designated_sections": {"required": section_projects[name]},
        }
        for name, lists in listed.items()
    }
    designated_sections: dict[str, dict] = {}
    for project, (status, names) in PROJECT_SECTIONS.items():
        sections = {}
        for name in names:
            section: dict = {
                "description": f"{name} of {project}",
                "designated": rng.random() < 0.5,
            }
            if rng.random() < 0.3:
                section["comment"] = f"See the {project} documentation about {name}."
            sections[name] = section
        designated_sections[project] = {
            status: {
                "guidance": f"By default, designated except drivers of {project}.",
                "comment": f"All {project} code except drivers and plugins listed.",
                "sections": sections,
            }
        }
    return {
        "metadata": {
            "id": "2020.06",
            "schema": "2.0",
            "reference": "https://opendev.org/openstack/interop/raw/branch/master/doc/source/schema/2.0.json",
            "source": "https://opendev.org/openstack/interop/raw/branch/master/2020.06.json",
            "scoring": {"cutoff_score": 74, "criteria": criteria},
            "os_trademark_approval": {
                "target_approval": "2020.06",
                "replaces": "2019.11",
                "releases": RELEASES,
                "status": "approved",
            },
        },
        "platforms": {
            "OpenStack Powered Platform": {
                "description": "Core OpenStack services including compute and object storage.",
                "components": [{"name": "os_powered_compute"}, {"name": "os_powered_storage"}],
            },
            "OpenStack Powered Compute": {
                "description": "Core OpenStack compute services.",
                "components": [{"name": "os_powered_compute"}],
            },
            "OpenStack Powered Storage": {
                "description": "Core OpenStack object storage services.",
                "components": [{"name": "os_powered_storage"}],
            },
        },
        "components": components,
        "capabilities": capabilities,
        "designated_sections": designated_sections,
        "test_repositories": {
            "tempest": {
                "repository": "https://opendev.org/openstack/tempest/",
                "reference": "d43223773d75d2e82fb33a1281038e611c41d0f3",
                "description": "OpenStack Integrated API and Scenario Test Repository",
            }
        },
    }


# -- measuring -----------------------------------------------------------------


class QueryCounter:
    """``connection.execute_wrapper`` hook: counts every execute/executemany."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak RSS (VmHWM) so each phase gets its own; Linux only."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


@dataclass
class Phase:
    size: str
    name: str
    seconds: float
    queries: int
    start_rss_mib: float | None
    peak_rss_mib: float | None
    peak_rss_kind: str
    py_peak_mib: float | None = None


@contextmanager
def measured(size: str, name: str, results: list[Phase], *, trace: bool, profiler=None):
    gc.collect()
    rss_start = _status_kib("VmRSS")
    reset = _reset_peak_rss()
    if trace:
        tracemalloc.start()
    counter = QueryCounter()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        if profiler is not None:
            profiler.enable()
        try:
            yield
        finally:
            if profiler is not None:
                profiler.disable()
    seconds = time.perf_counter() - start
    py_peak = None
    if trace:
        py_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    hwm = _status_kib("VmHWM") if reset else None
    if hwm is not None:
        rss, kind = hwm / 1024, "phase"
    else:
        # ru_maxrss is KiB on Linux, bytes on macOS; it is the process's peak so far.
        scale = 2**20 if sys.platform == "darwin" else 1024
        rss, kind = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale, "process"
    start_mib = rss_start / 1024 if rss_start is not None else None
    results.append(Phase(size, name, seconds, counter.count, start_mib, rss, kind, py_peak))


def engine_description() -> str:
    settings = connection.settings_dict
    vendor = connection.vendor
    name = settings["NAME"]
    version = ""
    if vendor == "sqlite":
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    return f"{settings['ENGINE']} ({version}), test database {name!s}"


def first_difference(a, b, path: str = "") -> str | None:
    """JSON pointer of the first place where two JSON values differ, or None."""
    if type(a) is not type(b):
        return path or "/"
    if isinstance(a, dict):
        for key in a.keys() | b.keys():
            if key not in a or key not in b:
                return f"{path}/{key}"
            found = first_difference(a[key], b[key], f"{path}/{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return path or "/"
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}/{index}")
            if found:
                return found
        return None
    return None if a == b else (path or "/")


def print_profile(profiler: cProfile.Profile, title: str, limit: int) -> None:
    for sort in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(sort).print_stats(limit)
        print(f"\n--- cProfile of {title}, by {sort} (top {limit}) ---")
        # Skip pstats' preamble up to the column header.
        text = out.getvalue()
        print(text[text.find("   ncalls") :].rstrip())


def run(sizes: list[int], *, trace: bool, profile: bool, profile_limit: int) -> int:
    results: list[Phase] = []
    export_queries: dict[int, int] = {}
    failed = False
    for n in sizes:
        size = f"{n:,} caps / {n * TESTS_PER_CAPABILITY:,} tests"
        start = time.perf_counter()
        document = generate(n)
        raw = json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"
        print(
            f"\n[{size}] generated and serialized in {time.perf_counter() - start:.2f} s: "
            f"{len(raw) / 2**20:.1f} MiB of JSON"
        )

        profiler = cProfile.Profile() if profile else None
        with measured(size, "import", results, trace=trace, profiler=profiler):
            result = guideline_import(
                raw=raw, key=f"bench-{n}", filename=f"bench-{n}.json", actor=system_actor()
            )
        print(
            f"[{size}] import: {result.outcome}, {result.capabilities:,} capabilities, "
            f"{result.tests:,} tests, {result.flagged:,} flagged, "
            f"{len(result.warnings)} warnings"
        )
        for where, message in result.warnings[:5]:
            print(f"    warning {where}: {message}")
        if profiler is not None:
            print_profile(profiler, f"import ({size})", profile_limit)

        profiler = cProfile.Profile() if profile else None
        with measured(size, "export", results, trace=trace, profiler=profiler):
            text = document_text(guideline_document(result.guideline))
        export_queries[n] = results[-1].queries
        if profiler is not None:
            print_profile(profiler, f"export ({size})", profile_limit)

        same = same_json(json.loads(text), document)
        same_text = text.encode() == raw
        verdict = "OK" if same else "MISMATCH"
        order = "byte-identical" if same_text else "bytes differ (key order or spacing)"
        print(f"[{size}] export equals the generated document: {verdict} ({order})")
        if not same:
            exported = json.loads(text)
            print(f"    first difference at {first_difference(exported, document)}")
        failed = failed or not same
        del document, raw, text, result

    print(f"\nDatabase: {engine_description()}")
    mem_note = results[0].peak_rss_kind if results else "phase"
    header = (
        f"{'size':<30} {'phase':<7} {'seconds':>8} {'SQL queries':>12} "
        f"{'RSS start MiB':>14} {'peak RSS MiB':>13}" + (f" {'py peak MiB':>12}" if trace else "")
    )
    print(header)
    print("-" * len(header))
    for p in results:
        rss0 = f"{p.start_rss_mib:.0f}" if p.start_rss_mib is not None else "n/a"
        rss = f"{p.peak_rss_mib:.0f}" if p.peak_rss_mib is not None else "n/a"
        line = f"{p.size:<30} {p.name:<7} {p.seconds:>8.2f} {p.queries:>12,} {rss0:>14} {rss:>13}"
        if trace:
            line += f" {p.py_peak_mib:>12.0f}"
        print(line)
    if mem_note == "phase":
        print(
            "(RSS start: resident memory when the phase began; peak RSS: the process's "
            "resident peak during the phase, VmHWM reset before it)"
        )
    else:
        print("(peak RSS: the process's resident peak so far, ru_maxrss)")
    if trace:
        print("(py peak: tracemalloc peak of Python allocations; tracing slows the run)")

    counts = sorted(set(export_queries.values()))
    if len(export_queries) < 2:
        print(f"Export queries: {counts[0]} (one size only, nothing to compare)")
    elif len(counts) == 1:
        print(f"Export query count is the same for every size: {counts[0]} queries")
    else:
        listing = ", ".join(f"{n:,} caps: {q}" for n, q in export_queries.items())
        print(f"Export query count GROWS with the guideline: {listing}")
    if failed:
        print("MISMATCH: an export differs from its document; the figures are meaningless.")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="comma-separated capability counts (10 tests each); default %(default)s",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also report the tracemalloc peak per phase (slower)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile summary of each phase"
    )
    parser.add_argument("--profile-limit", type=int, default=25, help="rows per profile listing")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    # A name of our own for a server database, so a concurrent test run's
    # test database is neither reused nor destroyed. SQLite's test database
    # is in memory and private to this process.
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = (
            f"test_{connection.settings_dict['NAME']}_bench_{os.getpid()}"
        )
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        return run(
            sizes, trace=args.tracemalloc, profile=args.profile, profile_limit=args.profile_limit
        )
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
