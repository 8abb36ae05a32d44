"""Benchmark: import and export of a large schema 2.0 guideline.

Generates, in memory and deterministically, a guideline document shaped like
the committee's 2020.06.json (scoring criteria, trademark approval, platforms,
two components, capabilities with tests, flags, aliases, designated sections,
test repositories), then for each size:

- imports it with ``guidelines.services.guideline_import``;
- exports it with ``guideline_document_bytes(guideline)``, as it is served
  and stored;
- checks the export is the generated document (JSON value equality).

It prints wall-clock seconds, SQL queries and peak memory per phase. Each
phase runs three times (``--repeat``): the fastest time is shown, with the
most memory any run took, since others sharing the machine only slow a run
down. It is a measurement, not a test: nothing is asserted about time. It exits non-zero
only when the export differs from the document, since the figures would then
be meaningless.

The database is a throwaway test database made with Django's test utilities
(a SQLite file in a temporary folder by default, a ``test_*`` PostgreSQL database when
DATABASE_URL=postgres://... is set), dropped at the end; the developer's
database is never touched.

    .venv/bin/python benchmarks/import_export.py
    .venv/bin/python benchmarks/import_export.py --shapes dense --dense-caps 1000 --profile
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/defcore make bench
"""

from __future__ import annotations

import argparse
import cProfile
import ctypes
import gc
import io
import json
import os
import pstats
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
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
from guidelines.selectors import guideline_document_bytes  # noqa: E402
from guidelines.services import guideline_import  # noqa: E402

SEED = 20200601
TESTS_PER_CAPABILITY = 10
DEFAULT_SIZES = (10_000,)

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


def real_source() -> tuple[dict, str]:
    """The committee's 2020.06 (INTEROP_DATA or ../shared), else the demo 2026.06."""
    shared = Path(os.environ.get("INTEROP_DATA") or REPO.parent / "shared" / "interop-data")
    path = shared / "guidelines" / "2020.06.json"
    if not path.is_file():
        path = REPO / "guidelines" / "demo" / "2026.06.json"
    return json.loads(path.read_text()), path.name


def clone_real(source: dict, n_tests: int) -> dict:
    """``source`` with its capabilities cloned until it has about ``n_tests`` tests.

    Each clone renames its capabilities (``compute-servers-list-0042``) and their
    tests (the test class gets the clone's number), gives the tests ids of their
    own (one id naming 347 tests is no guideline's shape: its warnings alone
    were 11 MB), lists them in the components beside the originals' statuses,
    and keeps everything else: the real shape of
    a guideline (2020.06: 79 capabilities, 3.7 tests each, a third with aliases
    or flags), only larger.
    """
    per_copy = sum(len(c.get("tests") or ()) for c in source["capabilities"].values())
    copies = max(1, -(-n_tests // max(per_copy, 1)))
    document = json.loads(json.dumps(source))
    originals = document["capabilities"]
    renamed: dict[str, list[str]] = {key: [] for key in originals}
    capabilities: dict[str, dict] = {}
    for copy in range(copies):
        for key, capability in originals.items():
            name = f"{key}-{copy:04d}"
            renamed[key].append(name)
            clone = dict(capability)
            tests = capability.get("tests")
            if isinstance(tests, dict):
                clone["tests"] = {
                    _clone_test(test, copy): _clone_body(body, copy) for test, body in tests.items()
                }
            elif isinstance(tests, list):
                clone["tests"] = [_clone_test(test, copy) for test in tests]
            capabilities[name] = clone
    document["capabilities"] = capabilities
    for component in document["components"].values():
        lists = component.get("capabilities") or {}
        for status, names in lists.items():
            lists[status] = [clone for name in names for clone in renamed.get(name, [name])]
    return document


def _clone_body(body, copy: int):
    """A cloned test's own idempotent id: in a guideline, an id names one test."""
    if copy == 0 or not isinstance(body, dict) or not isinstance(body.get("idempotent_id"), str):
        return body
    old = body["idempotent_id"]
    prefix = "id-" if old.startswith("id-") else ""
    return {**body, "idempotent_id": prefix + str(uuid.uuid5(uuid.NAMESPACE_OID, f"{old}/{copy}"))}


def _clone_test(name: str, copy: int) -> str:
    # tempest.api.compute.servers.test_x.ServersTest.test_y -> ...ServersTest0042.test_y
    head, dot, method = name.rpartition(".")
    return f"{head}{copy:04d}{dot}{method}" if dot else f"{name}{copy:04d}"


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


def _trim() -> None:
    """Give freed memory back to the system, so a phase's growth is its own (glibc only)."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@contextmanager
def measured(size: str, name: str, results: list[Phase], *, trace: bool, profiler=None):
    gc.collect()
    _trim()
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


@dataclass
class Case:
    shape: str  # "real" or "dense"
    label: str
    make: Callable[[], dict]  # the document, made when its turn comes: one in memory at a time


def cases(shapes: list[str], real_tests: list[int], dense_caps: list[int]) -> list[Case]:
    found: list[Case] = []
    if "real" in shapes:
        source, name = real_source()
        per_copy = sum(len(c.get("tests") or ()) for c in source["capabilities"].values())
        for n in real_tests:
            copies = max(1, -(-n // max(per_copy, 1)))
            caps, tests = copies * len(source["capabilities"]), copies * per_copy
            label = f"{name} x{copies}: {caps:,} caps / {tests:,} tests"
            found.append(Case("real", label, lambda n=n: clone_real(source, n)))
    if "dense" in shapes:
        for n in dense_caps:
            label = f"10 tests/cap: {n:,} caps / {n * TESTS_PER_CAPABILITY:,} tests"
            found.append(Case("dense", label, lambda n=n: generate(n)))
    return found


def json_baseline(raw: bytes) -> tuple[float, float]:
    """Seconds for ``json.loads`` and ``json.dumps`` (indented, as the files are) of a document."""
    start = time.perf_counter()
    document = json.loads(raw)
    loaded = time.perf_counter()
    json.dumps(document, indent=2, ensure_ascii=False)
    return loaded - start, time.perf_counter() - loaded


@dataclass
class Row:
    case: Case
    mib: float
    load: float
    dump: float
    baseline_phase: Phase
    imported: Phase
    exported: Phase
    same: bool

    @property
    def baseline(self) -> float:
        return self.baseline_phase.seconds


def fastest(phases: list[Phase]) -> Phase:
    """The fastest of a phase's runs, with the most memory any of them took.

    The machine is shared: a run is slowed by others, never sped up, so the
    fastest is the truest time; memory is not helped by others, so the worst
    is kept.
    """
    quickest = min(phases, key=lambda phase: phase.seconds)
    measured_memory = [
        p for p in phases if p.peak_rss_mib is not None and p.start_rss_mib is not None
    ]
    if not measured_memory:
        return quickest
    most = max(measured_memory, key=lambda phase: phase.peak_rss_mib - phase.start_rss_mib)
    return replace(
        quickest,
        start_rss_mib=most.start_rss_mib,
        peak_rss_mib=most.peak_rss_mib,
        py_peak_mib=max((p.py_peak_mib or 0 for p in phases), default=None) or None,
    )


def run(
    case_list: list[Case], *, trace: bool, profile: bool, profile_limit: int, repeat: int
) -> int:
    results: list[Phase] = []
    rows: list[Row] = []
    failed = False
    for number, case in enumerate(case_list):
        label = case.label
        document = case.make()
        raw = json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"
        runs: dict[str, list[Phase]] = {"json": [], "import": [], "export": []}
        for attempt in range(repeat):
            with measured(label, "json", runs["json"], trace=trace):
                load, dump = json_baseline(raw)
            print(
                f"\n[{label}] {len(raw) / 2**20:.1f} MiB of JSON; json.loads {load:.2f} s, "
                f"json.dumps {dump:.2f} s"
            )

            profiler = cProfile.Profile() if profile and attempt == 0 else None
            with measured(label, "import", runs["import"], trace=trace, profiler=profiler):
                result = guideline_import(
                    raw=raw,
                    key=f"bench-{number}-{attempt}",
                    filename=f"bench-{number}.json",
                    actor=system_actor(),
                )
            print(
                f"[{label}] import: {result.outcome}, {result.capabilities:,} capabilities, "
                f"{result.tests:,} tests, {result.flagged:,} flagged, "
                f"{len(result.warnings)} warnings, {runs['import'][-1].seconds:.2f} s"
            )
            for where, message in result.warnings[:5] if attempt == 0 else ():
                print(f"    warning {where}: {message}")
            if profiler is not None:
                print_profile(profiler, f"import ({label})", profile_limit)

            profiler = cProfile.Profile() if profile and attempt == 0 else None
            with measured(label, "export", runs["export"], trace=trace, profiler=profiler):
                body = guideline_document_bytes(result.guideline)
            if profiler is not None:
                print_profile(profiler, f"export ({label})", profile_limit)
            if attempt + 1 < repeat:
                del body, result
        results += [fastest(runs[name]) for name in ("json", "import", "export")]

        same = same_json(json.loads(body), document)
        same_text = body == raw
        verdict = "OK" if same else "MISMATCH"
        order = "byte-identical" if same_text else "bytes differ (key order or spacing)"
        print(f"[{label}] export equals the document: {verdict} ({order})")
        if not same:
            print(f"    first difference at {first_difference(json.loads(body), document)}")
        failed = failed or not same
        rows.append(
            Row(case, len(raw) / 2**20, load, dump, results[-3], results[-2], results[-1], same)
        )
        del document, raw, body, result

    print(f"\nDatabase: {engine_description()}")
    print_rows(rows, trace=trace)

    for shape in ("real", "dense"):
        counts = {row.case.label: row.exported.queries for row in rows if row.case.shape == shape}
        if len(set(counts.values())) > 1:
            print(f"Export query count GROWS with the guideline ({shape}): {counts}")
    if failed:
        print("MISMATCH: an export differs from its document; the figures are meaningless.")
        return 1
    return 0


def print_rows(rows: list[Row], *, trace: bool) -> None:
    header = (
        f"{'guideline':<46} {'MiB':>5} {'phase':<7} {'seconds':>8} "
        f"{'x json':>7} {'queries':>8} {'RSS MiB':>8} {'peak +MiB':>9} {'x size':>7}"
        + (f" {'py peak MiB':>12}" if trace else "")
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        for phase in (row.baseline_phase, row.imported, row.exported):
            grown = None
            if phase.peak_rss_mib is not None and phase.start_rss_mib is not None:
                grown = phase.peak_rss_mib - phase.start_rss_mib
            line = (
                f"{row.case.label:<46} {row.mib:>5.1f} {phase.name:<7} "
                f"{phase.seconds:>8.2f} {phase.seconds / row.baseline:>7.2f} "
                f"{phase.queries:>8,} "
                f"{phase.peak_rss_mib or 0:>8.0f} "
                f"{grown if grown is not None else float('nan'):>9.0f} "
                f"{(grown or 0) / row.mib:>7.2f}"
            )
            if trace:
                line += f" {phase.py_peak_mib:>12.0f}"
            print(line)
    print(
        "(json: json.loads + json.dumps of the same document in this run, the baseline; "
        "x json: the phase's seconds over the baseline's; RSS MiB: the process's resident "
        "peak during the phase; "
        "peak +MiB: that peak over the resident size when the phase began; x size: peak +MiB "
        "over the document's MiB)"
    )
    if trace:
        print("(py peak: tracemalloc peak of Python allocations; tracing slows the run)")


def _numbers(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shapes", default="real,dense", help="real, dense or both; default %(default)s"
    )
    parser.add_argument(
        "--real-tests",
        default="100000",
        help="real shape: comma-separated test counts to clone up to; default %(default)s",
    )
    parser.add_argument(
        "--dense-caps",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="dense shape: comma-separated capability counts (10 tests each); default %(default)s",
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
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each phase; the fastest is shown, with the most memory; default %(default)s",
    )
    args = parser.parse_args(argv)
    shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    case_list = cases(shapes, _numbers(args.real_tests), _numbers(args.dense_caps))

    # A name of our own for a server database, so a concurrent test run's
    # test database is neither reused nor destroyed. SQLite's is a file, as a
    # site's is: in memory, the database itself would count as the import's
    # memory, and its writes would cost nothing.
    workdir = tempfile.mkdtemp(prefix="defcore-bench-")
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = os.path.join(workdir, "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = (
            f"test_{connection.settings_dict['NAME']}_bench_{os.getpid()}"
        )
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        return run(
            case_list,
            trace=args.tracemalloc,
            profile=args.profile,
            profile_limit=args.profile_limit,
            repeat=max(1, args.repeat),
        )
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
