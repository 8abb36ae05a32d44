"""Load benchmark: serving the 2020.06 document and test list over HTTP, against nginx.

With gunicorn serving the app on loopback, wrk (8 connections, 2 threads,
``--duration`` seconds per route) measures requests per second and latency p50/p99 for

- the 2020.06 document, ``/v1/guidelines/2020.06``;
- its required platform test list,
  ``/v1/guidelines/2020.06/tests?target=platform&type=required&alias=true&flag=false``;
- a revalidation of the document (If-None-Match with its ETag: 304);

and, in the same run (first and last), nginx serving the same bytes from disk:
the floor of what serving costs. Each gunicorn configuration (sync and gthread
workers) is measured twice: Django alone (``defcore_site.wsgi:django_application``)
and with the WSGI fast path in front (``defcore_site.wsgi:application``); then a
bare WSGI app (benchmarks/ceiling_app.py) shows what gunicorn itself allows. It
prints the figures, the ratios to nginx and whether they meet the goal for
published documents and test lists (at least a quarter of nginx's requests/s, p99
under 5 ms, 8 connections on a 2-core machine), then where an in-process request
spends its time.

It is a measurement, not a test: nothing is asserted about speed. It exits
non-zero only when a server gives wrong answers (the figures would be meaningless)
or a tool is missing (``make bench-tools`` installs wrk and nginx).

The data lives in a throwaway database the gunicorn processes share: a SQLite
file in a temporary folder, or, when DATABASE_URL=postgres://... is set, a fresh
database on that server, dropped at the end. The developer's database is never
touched. The real 2020.06 file comes from INTEROP_DATA or ../shared/interop-data;
without it the benchmark says so and exits 0.

    .venv/bin/python benchmarks/load.py
    .venv/bin/python benchmarks/load.py --duration 3 --configs gthread-2x4
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/defcore make bench
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from wsgiref.util import setup_testing_defaults

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "k3y-" * 12)  # not a production run
BIN = Path(sys.executable).parent
BENCHMARKS = Path(__file__).resolve().parent
WRK_SCRIPT = BENCHMARKS / "wrk_summary.lua"

KEY = "2020.06"
TEST_QUERY = "target=platform&type=required&alias=true&flag=false"
DOCUMENT_PATH = f"/v1/guidelines/{KEY}"
TESTS_PATH = f"/v1/guidelines/{KEY}/tests?{TEST_QUERY}"

CONNECTIONS = 8
THREADS = 2
GOAL_SHARE = 0.25
GOAL_P99_MS = 5.0

# Worker configurations for a 2-core machine. wrk keeps connections alive; sync
# workers close each connection after one response, gthread workers keep it. With
# one shared listening socket, gthread workers take connections as they race for
# them and all 8 may land on one worker (half the throughput, or less);
# --reuse-port gives each worker its own socket and the kernel spreads connections.
CONFIGS = {
    "sync-2": ["-k", "sync", "-w", "2"],
    "sync-4": ["-k", "sync", "-w", "4"],
    "gthread-2x4": ["-k", "gthread", "-w", "2", "--threads", "4"],
    "gthread-2x4-rp": ["-k", "gthread", "-w", "2", "--threads", "4", "--reuse-port"],
    "gthread-4x2-rp": ["-k", "gthread", "-w", "4", "--threads", "2", "--reuse-port"],
}
DEFAULT_CONFIGS = ("sync-2", "sync-4", "gthread-2x4", "gthread-2x4-rp")
APPS = {
    "django": ("defcore_site.wsgi:django_application", "Django alone"),
    "fast": ("defcore_site.wsgi:application", "fast path"),
}


def interop_data_dir() -> Path:
    """As tests/conftest.py finds it (settings.INTEROP_DATA is the same variable)."""
    configured = os.environ.get("INTEROP_DATA")
    return Path(configured) if configured else REPO.parent / "shared" / "interop-data"


def find_tool(name: str) -> str | None:
    # nginx lives in /usr/sbin, which is not on every user's PATH.
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server not listening on port {port} after {seconds} s:\n{tail(log)}")


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(process: subprocess.Popen | None) -> None:
    """Stop a server this benchmark started (by its own pid), waiting for it."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- the throwaway database ----------------------------------------------------------


class BenchDatabase:
    """A SQLite file in the work folder, or a fresh PostgreSQL database next to DATABASE_URL's."""

    def __init__(self, workdir: Path):
        self.server_url = os.environ.get("DATABASE_URL", "").strip()
        self.name: str | None = None
        if self.server_url.startswith(("postgres://", "postgresql://")):
            self.name = f"defcore_load_{os.getpid()}_{int(time.time())}"
            parsed = urllib.parse.urlsplit(self.server_url)
            self.url = parsed._replace(path=f"/{self.name}").geturl()
        else:
            self.url = f"sqlite:///{workdir / 'bench.sqlite3'}"

    def _admin(self):
        import dj_database_url
        import psycopg2

        config = dj_database_url.parse(self.server_url)
        options = {
            "host": config.get("HOST") or None,
            "port": config.get("PORT") or None,
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
        }
        # The maintenance database if we may, else the configured one (only to connect).
        for dbname in ("postgres", config["NAME"]):
            try:
                connection = psycopg2.connect(dbname=dbname, **options)
                break
            except psycopg2.OperationalError:
                if dbname == config["NAME"]:
                    raise
        connection.autocommit = True
        return connection

    def create(self) -> None:
        if self.name is None:
            return
        connection = self._admin()  # not "with": psycopg2 would open a transaction
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            connection.close()

    def drop(self) -> None:
        if self.name is None:
            return
        connection = self._admin()
        try:
            with connection.cursor() as cursor:
                try:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                except Exception:  # PostgreSQL before 13 has no FORCE
                    cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        finally:
            connection.close()


# -- wrk -----------------------------------------------------------------------------


@dataclass
class Run:
    server: str  # "nginx", or the app and worker configuration
    route: str  # "document", "test list", "304"
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    extra: dict = field(default_factory=dict)


def wrk(url: str, seconds: float, headers: dict[str, str] | None = None) -> dict:
    command = [
        find_tool("wrk") or "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_SUMMARY "):
            return json.loads(line.removeprefix("WRK_SUMMARY "))
    raise RuntimeError(f"wrk gave no summary (exit {done.returncode}):\n{done.stdout}{done.stderr}")


def measure(server: str, route: str, url: str, seconds: float, headers=None) -> Run:
    wrk(url, 1, headers)  # warm-up: every worker builds its bytes, connections open
    figures = wrk(url, seconds, headers)
    errors = sum(figures[k] for k in figures if k.endswith("errors") or k == "timeouts")
    return Run(
        server=server,
        route=route,
        rps=figures["requests"] / figures["seconds"],
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        requests=figures["requests"],
        errors=errors,
        extra=figures,
    )


def fetch(port: int, path: str, headers: dict[str, str] | None = None):
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# -- servers -------------------------------------------------------------------------

NGINX_CONF = """\
{user}worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ application/json json; text/plain txt; }}
    default_type application/octet-stream;
    charset utf-8;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        add_header Cache-Control "public, max-age=300";
    }}
}}
"""


def start_nginx(workdir: Path, root: Path) -> tuple[subprocess.Popen, int]:
    tmp = workdir / "nginx"
    tmp.mkdir(exist_ok=True)
    # As root, nginx's workers would switch to "nobody", who cannot read the
    # private temporary folder: keep them as the user running the benchmark.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    log = tmp / "nginx-error.log"
    for _attempt in range(3):
        port = free_port()
        conf = tmp / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                user=user, workers=min(2, os.cpu_count() or 1), tmp=tmp, port=port, root=root
            )
        )
        with open(log, "ab") as errors:
            process = subprocess.Popen(
                [find_tool("nginx") or "nginx", "-p", str(tmp), "-c", str(conf), "-e", str(log)],
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        try:
            wait_for_port(port, process, log)
            return process, port
        except RuntimeError:
            stop(process)  # most likely the port was taken meanwhile: another one
    raise RuntimeError(f"nginx did not start:\n{tail(log)}")


def start_gunicorn(workdir: Path, env: dict, app: str, config: list[str], name: str):
    log = workdir / f"gunicorn-{name}.log"
    for _attempt in range(3):
        port = free_port()
        command = [
            str(BIN / "gunicorn") if (BIN / "gunicorn").exists() else "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            *config,
            "--no-control-socket",
            "--log-level",
            "warning",
            "--error-logfile",
            str(log),
        ]
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        try:
            wait_for_port(port, process, log)
            return process, port
        except RuntimeError:
            stop(process)
    raise RuntimeError(f"gunicorn did not start:\n{tail(log)}")


# -- in-process: where the time goes -------------------------------------------------


def environ_for(path_and_query: str, headers: dict[str, str] | None = None) -> dict:
    path, _, query = path_and_query.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "load.py",
        "SERVER_PORT": "8000",
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    return environ


def call(app, environ: dict) -> bytes:
    def start_response(status, headers, exc_info=None):
        pass

    result = app(dict(environ), start_response)
    try:
        return b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()


def per_request_us(app, environ: dict, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call(app, environ)
    return (time.perf_counter() - start) / n * 1e6


def code_key(function) -> tuple:
    code = function.__code__
    return (code.co_filename, code.co_firstlineno, code.co_name)


def django_split(app, environ: dict, n: int, tests: bool) -> tuple[list[tuple[str, float]], str]:
    """Shares of a Django request's time by layer, from cProfile cumulative times."""
    from django.conf import settings
    from django.core.handlers.base import BaseHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.urls.resolvers import URLResolver
    from rest_framework.views import APIView

    from guidelines import serving
    from guidelines.api import refstack

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        call(app, environ)
    profiler.disable()
    stats = pstats.Stats(profiler)
    cumulative = {key: value[3] for key, value in stats.stats.items()}

    def ct(function) -> float:
        return cumulative.get(code_key(function), 0.0)

    view_get = (refstack.GuidelineTestsView if tests else refstack.GuidelineDocumentView).get
    lookup = serving.tests if tests else serving.document
    total = ct(WSGIHandler.__call__)
    parts = [
        (
            "WSGI handler: request object, signals, response start",
            total - ct(BaseHandler.get_response),
        ),
        (
            f"middleware ({len(settings.MIDDLEWARE)} classes) around the view",
            ct(BaseHandler.get_response) - ct(BaseHandler._get_response),
        ),
        ("URL resolving", ct(URLResolver.resolve)),
        (
            "DRF dispatch: Request, negotiation, auth, permissions, finalize",
            ct(APIView.dispatch) - ct(view_get),
        ),
        ("our view: cache lookup" + (", query parsing" if tests else ""), ct(lookup)),
        ("our view: HttpResponse building in served()", ct(refstack.served) - ct(serving.respond)),
        ("serving.respond()", ct(serving.respond)),
    ]
    # Between _get_response and the parts it calls: view wrappers, csrf_exempt, etc.
    inner = ct(BaseHandler._get_response) - ct(URLResolver.resolve) - ct(APIView.dispatch)
    parts.insert(3, ("view call wrappers in BaseHandler._get_response", inner))
    leftover = ct(view_get) - ct(lookup) - ct(refstack.served)
    parts.append(("rest of the view method", leftover))
    shares = [(label, value / total) for label, value in parts]
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(12)
    text = out.getvalue()
    return shares, text[text.find("   ncalls") :].rstrip()


def where_the_time_goes(n: int, show_profile: bool) -> None:
    from defcore_site.wsgi import application, django_application
    from guidelines import serving

    document = environ_for(DOCUMENT_PATH)
    call(django_application, document)  # fill the cache
    etag = serving.document(KEY).etag
    routes = [
        ("document", document, False),
        ("test list", environ_for(TESTS_PATH), True),
        ("304", environ_for(DOCUMENT_PATH, {"If-None-Match": etag}), False),
    ]
    print(f"\n== Where the time goes: the WSGI app called in-process, {n:,} requests per figure ==")
    print("(no HTTP server, no sockets: the app's own cost per request, one thread)")
    print(f"{'route':<10} {'Django alone µs':>16} {'fast path µs':>13} {'speed-up':>9}")
    for label, environ, _tests in routes:
        call(django_application, environ)
        if application.answer(dict(environ)) is None:
            print(f"{label:<10} (the fast path does not answer it: check the settings)")
            continue
        slow = per_request_us(django_application, environ, n)
        fast = per_request_us(application, environ, n)
        print(f"{label:<10} {slow:>16.1f} {fast:>13.1f} {slow / fast:>8.1f}x")
    for label, environ, tests in routes[:2]:
        slow = per_request_us(django_application, environ, n)
        shares, top = django_split(django_application, environ, n, tests)
        print(
            f"\nDjango alone, {label}: {slow:.0f} µs per request, split by cProfile cumulative time"
        )
        print("(profiling inflates call-heavy layers; µs: the share of the unprofiled time)")
        for what, share in shares:
            print(f"  {what:<66} {share:>6.1%} {share * slow:>7.1f} µs")
        if show_profile:
            print(f"\n  top functions by own time ({label}):\n{top}")


# -- the report ----------------------------------------------------------------------


def machine(database: str) -> str:
    import django

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    versions = []
    for tool, args in (("wrk", ["-v"]), ("nginx", ["-v"])):
        done = subprocess.run([find_tool(tool) or tool, *args], capture_output=True, text=True)
        first = (done.stdout + done.stderr).strip().splitlines()[0]
        versions.append(first.replace("nginx version: ", "").split(" Copyright")[0])
    gunicorn = subprocess.run(
        [str(BIN / "gunicorn"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return (
        f"Machine: {nproc} CPUs (nproc), {cpu}, Linux {platform.release()}\n"
        f"Python {platform.python_version()}, Django {django.get_version()}, {gunicorn}, "
        f"{', '.join(versions)}\n"
        f"Database: {database}"
    )


def print_table(runs: list[Run], reference: dict[str, Run]) -> None:
    print(
        "(vs nginx: requests/s over nginx's mean of its first and last runs; "
        + ", ".join(f"{route} {ref.rps:,.0f}" for route, ref in reference.items())
        + ")"
    )
    header = (
        f"{'server':<34} {'route':<10} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'vs nginx':>9}"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        ref = reference.get(run.route)
        ratio = f"{run.rps / ref.rps:>8.1%}" if ref and not run.server.startswith("nginx") else ""
        errors = f"  ({run.errors} errors)" if run.errors else ""
        print(
            f"{run.server:<34} {run.route:<10} {run.rps:>11,.0f} {run.p50_ms:>8.2f} "
            f"{run.p99_ms:>8.2f} {ratio:>9}{errors}"
        )


def verdicts(title: str, runs: list[Run], reference: dict[str, Run]) -> None:
    print(f"\n{title}")
    for run in runs:
        if run.route not in reference:
            print(
                f"  {run.route:<10} {run.rps:>9,.0f} req/s, p99 {run.p99_ms:.2f} ms "
                "(no nginx counterpart)"
            )
            continue
        share = run.rps / reference[run.route].rps
        meets = share >= GOAL_SHARE and run.p99_ms < GOAL_P99_MS
        misses = []
        if share < GOAL_SHARE:
            misses.append(f"throughput {share:.1%} < {GOAL_SHARE:.0%}")
        if run.p99_ms >= GOAL_P99_MS:
            misses.append(f"p99 {run.p99_ms:.2f} ms >= {GOAL_P99_MS:g} ms")
        verdict = "MEETS the goal" if meets else "misses the goal: " + ", ".join(misses)
        print(
            f"  {run.route:<10} {run.rps:>9,.0f} req/s = {share:6.1%} of nginx, "
            f"p99 {run.p99_ms:5.2f} ms: {verdict}"
        )


def best_of(runs: list[Run]) -> str:
    """The configuration with the most requests/s over the goal's routes (document + test list)."""
    totals: dict[str, float] = {}
    for run in runs:
        if run.route in ("document", "test list"):
            totals[run.server] = totals.get(run.server, 0.0) + run.rps
    return max(totals, key=totals.get)


# -- main ----------------------------------------------------------------------------


def check_answers(port: int, expected: dict[str, bytes]) -> str:
    """Fetch each route once (which also fills this worker's cache); return the document ETag."""
    status, headers, body = fetch(port, DOCUMENT_PATH)
    if status != 200 or body != expected["document"]:
        raise RuntimeError(f"{DOCUMENT_PATH}: {status}, {len(body)} bytes, not the exported file")
    etag = headers["ETag"]
    status, _, body = fetch(port, TESTS_PATH)
    if status != 200 or body != expected["test list"]:
        raise RuntimeError(f"{TESTS_PATH}: {status}, {len(body)} bytes, not the saved test list")
    status, _, body = fetch(port, DOCUMENT_PATH, {"If-None-Match": etag})
    if status != 304 or body:
        raise RuntimeError(f"{DOCUMENT_PATH} with If-None-Match: {status}, not 304")
    return etag


def check_ceiling(port: int, expected: dict[str, bytes]) -> str:
    status, _, body = fetch(port, DOCUMENT_PATH)
    if status != 200 or body != expected["document"]:
        raise RuntimeError(f"the bare WSGI app answers {status}, {len(body)} bytes")
    return '"ceiling"'


def prepare(database: BenchDatabase, env: dict, data: Path, root: Path) -> dict[str, bytes]:
    """Set Django up on the bench database, import 2020.06, write the reference's files."""
    import warnings

    import django

    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(REPO))
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.http import QueryDict

    from committee.system import system_actor
    from guidelines import serving
    from guidelines.services import guideline_import

    call_command("migrate", verbosity=0, interactive=False)
    source = data / "guidelines" / f"{KEY}.json"
    guideline_import(raw=source.read_bytes(), key=KEY, filename=str(source), actor=system_actor())
    if connection.vendor == "sqlite":
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}, file {connection.settings_dict['NAME']}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}, database {database.name}"
    print(machine(f"{connection.settings_dict['ENGINE']} ({version})"))

    # nginx serves what the export command writes and the test list the app serves.
    document_file = root / f"{KEY}.json"
    subprocess.run(
        [sys.executable, "manage.py", "export_guideline", KEY, "-o", str(document_file)],
        cwd=REPO,
        env=env,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    tests_file = root / f"{KEY}-platform-required.txt"
    tests_file.write_bytes(serving.tests(KEY, QueryDict(TEST_QUERY)).body)
    expected = {"document": document_file.read_bytes(), "test list": tests_file.read_bytes()}
    lines = expected["test list"].count(b"\n")
    print(
        f"Files: document {len(expected['document']):,} bytes, test list "
        f"{len(expected['test list']):,} bytes ({lines} tests); "
        "wrk sends no Accept-Encoding, so no gzip"
    )
    connection.close()  # the servers are other processes
    return expected


def measure_nginx(workdir, root, expected, server, seconds: float) -> list[Run]:
    print(f"measuring {server} ...", flush=True)
    nginx, port = start_nginx(workdir, root)
    try:
        status, _, body = fetch(port, f"/{KEY}.json")
        if status != 200 or body != expected["document"]:
            raise RuntimeError("nginx does not serve the document file")
        base = f"http://127.0.0.1:{port}"
        return [
            measure(server, "document", f"{base}/{KEY}.json", seconds),
            measure(server, "test list", f"{base}/{KEY}-platform-required.txt", seconds),
        ]
    finally:
        stop(nginx)


def nginx_reference(runs: list[Run]) -> dict[str, Run]:
    """Per route, nginx's mean over its runs (first and last)."""
    reference = {}
    for route in ("document", "test list"):
        found = [r for r in runs if r.server.startswith("nginx") and r.route == route]
        reference[route] = Run(
            server="nginx, mean",
            route=route,
            rps=sum(r.rps for r in found) / len(found),
            p50_ms=max(r.p50_ms for r in found),
            p99_ms=max(r.p99_ms for r in found),
            requests=sum(r.requests for r in found),
            errors=sum(r.errors for r in found),
        )
    return reference


def measure_gunicorn(
    workdir, env, app, config_name, server, log_name, check, seconds: float
) -> list[Run]:
    """Start gunicorn, check its answers (``check(port)`` gives the ETag to revalidate
    with), measure the three requests, stop it."""
    process, port = start_gunicorn(workdir, env, app, CONFIGS[config_name], log_name)
    try:
        etag = check(port)
        base = f"http://127.0.0.1:{port}"
        found = [
            measure(server, "document", base + DOCUMENT_PATH, seconds),
            measure(server, "test list", base + TESTS_PATH, seconds),
            measure(server, "304", base + DOCUMENT_PATH, seconds, {"If-None-Match": etag}),
        ]
    finally:
        stop(process)
    if any(run.extra["status_errors"] for run in found):
        log = tail(workdir / f"gunicorn-{log_name}.log")
        raise RuntimeError(f"{server}: error statuses under load:\n{log}")
    return found


def run(args, workdir: Path, data: Path) -> int:
    database = BenchDatabase(workdir)
    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # self-contained: tasks eager, cache in memory
    env.update(
        DJANGO_SETTINGS_MODULE="defcore_site.settings",
        DATABASE_URL=database.url,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONWARNINGS="ignore:No directory at:UserWarning",  # WhiteNoise, no collectstatic
    )
    root = workdir / "www"
    root.mkdir()
    database.create()
    try:
        expected = prepare(database, env, data, root)
        print(
            f"\nwrk: {CONNECTIONS} connections, {THREADS} threads, {args.duration:g} s per route "
            "after 1 s of warm-up; wrk and the server share the machine's CPUs"
        )
        print("gunicorn configurations:")
        for name in args.configs:
            print(f"  {name:<15} gunicorn {' '.join(CONFIGS[name])}")
        runs = measure_nginx(workdir, root, expected, "nginx, first", args.duration)

        by_app: dict[str, list[Run]] = {}
        for app_name in args.apps:
            app, label = APPS[app_name]
            for config_name in args.configs:
                server = f"{label}, {config_name}"
                print(f"measuring {server} ...", flush=True)
                found = measure_gunicorn(
                    workdir,
                    env,
                    app,
                    config_name,
                    server,
                    f"{app_name}-{config_name}",
                    lambda port: check_answers(port, expected),
                    args.duration,
                )
                by_app.setdefault(app_name, []).extend(found)
                runs.extend(found)

        ceiling: list[Run] = []
        if args.ceiling and by_app:
            # gunicorn's own ceiling: at a --reuse-port configuration if measured (the
            # others' figures depend on how connections land on workers), else at
            # the configuration the last app did best with.
            config_name = next(
                (c for c in args.configs if c.endswith("-rp")),
                best_of(by_app[args.apps[-1]]).split(", ")[-1],
            )
            server = f"bare WSGI app, {config_name}"
            print(f"measuring {server} ...", flush=True)
            ceiling = measure_gunicorn(
                workdir,
                {**env, "LOAD_BENCH_WWW": str(root), "PYTHONPATH": str(BENCHMARKS)},
                "ceiling_app:application",
                config_name,
                server,
                f"ceiling-{config_name}",
                lambda port: check_ceiling(port, expected),
                args.duration,
            )
            runs.extend(ceiling)

        # nginx again: how much the machine itself drifted during the run.
        runs.extend(measure_nginx(workdir, root, expected, "nginx, last", args.duration))
        reference = nginx_reference(runs)
        report(runs, reference, by_app, ceiling)
        if args.requests:
            where_the_time_goes(args.requests, args.profile)
        return 0
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        database.drop()


def report(runs, reference, by_app, ceiling) -> None:
    print("\n== Requests per second and latency ==")
    print_table(runs, reference)
    for app_name, found in by_app.items():
        best = best_of(found)
        others = sorted({r.server for r in found} - {best})
        print(f"\nBest {APPS[app_name][1]} configuration: {best.split(', ')[-1]}", end="")
        if others:
            rest = "; ".join(
                f"{o.split(', ')[-1]} " + "/".join(f"{r.rps:,.0f}" for r in found if r.server == o)
                for o in others
            )
            print(f" (others, document/test list/304 req/s: {rest})")
        else:
            print()
        verdicts(
            f"Goal (>= {GOAL_SHARE:.0%} of nginx, p99 < {GOAL_P99_MS:g} ms), {best}:",
            [r for r in found if r.server == best],
            reference,
        )
    if {"django", "fast"} <= by_app.keys():
        print("\nFast path against Django alone, best configuration of each:")
        slow_best, fast_best = best_of(by_app["django"]), best_of(by_app["fast"])
        for route in ("document", "test list", "304"):
            slow = next(r for r in by_app["django"] if r.server == slow_best and r.route == route)
            fast = next(r for r in by_app["fast"] if r.server == fast_best and r.route == route)
            print(
                f"  {route:<10} {slow.rps:>9,.0f} -> {fast.rps:>9,.0f} req/s "
                f"({fast.rps / slow.rps:.1f}x), p99 {slow.p99_ms:.2f} -> {fast.p99_ms:.2f} ms"
            )
    if ceiling:
        print(
            "\nA bare WSGI app (benchmarks/ceiling_app.py: fixed bytes, no Django) shows what "
            f"any Python app can reach under {ceiling[0].server.split(', ')[-1]} here:"
        )
        config_name = ceiling[0].server.split(", ")[-1]
        for run in ceiling:
            ref = reference.get(run.route)
            share = f" = {run.rps / ref.rps:.1%} of nginx" if ref else ""
            line = f"  {run.route:<10} {run.rps:>9,.0f} req/s{share}, p99 {run.p99_ms:.2f} ms"
            for app_name, found in by_app.items():
                same = [r for r in found if r.route == run.route and r.server.endswith(config_name)]
                if same:
                    line += f"; {APPS[app_name][1]} {same[0].rps / run.rps:.0%} of it"
            print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duration", type=float, default=10, help="seconds of wrk per route (default 10)"
    )
    parser.add_argument(
        "--configs",
        default=",".join(DEFAULT_CONFIGS),
        help=f"gunicorn configurations, of {', '.join(CONFIGS)} (default %(default)s)",
    )
    parser.add_argument(
        "--apps",
        default="django,fast",
        help="django (Django alone), fast (fast path in front), or both (default %(default)s)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=10_000,
        help="in-process requests per figure for the time split; 0 skips it (default %(default)s)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print cProfile's top functions"
    )
    parser.add_argument(
        "--no-ceiling",
        dest="ceiling",
        action="store_false",
        help="skip the bare WSGI app that shows gunicorn's own ceiling",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (logs, configs) and say where"
    )
    args = parser.parse_args(argv)
    args.configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    args.apps = [a.strip() for a in args.apps.split(",") if a.strip()]
    unknown = [c for c in args.configs if c not in CONFIGS] + [
        a for a in args.apps if a not in APPS
    ]
    if unknown:
        parser.error(f"unknown configuration or app: {', '.join(unknown)}")

    data = interop_data_dir()
    if not (data / "guidelines" / f"{KEY}.json").is_file():
        print(
            f"Load benchmark skipped: the real guideline data is not at {data} "
            f"(no guidelines/{KEY}.json); set INTEROP_DATA to the interop repository."
        )
        return 0
    missing = [tool for tool in ("wrk", "nginx") if not find_tool(tool)]
    if missing:
        print(
            f"Load benchmark cannot run: {' and '.join(missing)} not installed "
            "(make bench-tools installs Debian's wrk and nginx)."
        )
        return 1

    workdir = Path(tempfile.mkdtemp(prefix="defcore-load-"))
    try:
        return run(args, workdir, data)
    except RuntimeError as exc:
        print(f"\nLoad benchmark failed: {exc}")
        return 1
    finally:
        if args.keep:
            print(f"Work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
