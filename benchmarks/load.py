"""Load benchmark: serving a guideline document and test list over HTTP, against nginx.

With each server configuration (gunicorn's sync and gthread workers, granian's
WSGI interface) serving the app on loopback, wrk (2 threads; 8 and then 64
connections; ``--seconds`` per figure) measures requests per second and latency
p50/p99 for

- the 2020.06 document, ``/v1/guidelines/2020.06``;
- its required platform test list,
  ``/v1/guidelines/2020.06/tests?target=platform&type=required&alias=true&flag=false``;
- a revalidation of the document (If-None-Match with its ETag: 304);

and, in the same run (first and last), nginx serving the same bytes from disk:
the floor of what serving costs. Each configuration is measured twice: Django
alone (``defcore_site.wsgi:django_application``) and with the WSGI fast path in
front (``defcore_site.wsgi:application``); a bare WSGI app
(benchmarks/ceiling_app.py) shows what each server itself allows. Then

- nginx as a caching proxy in front of the production server (docs/serving.md's
  recipe): hits, and revalidation by ETag when the cached copy has expired;
- reads under writes: tooling reads the draft and a published document while a
  member edits the draft ten times a second through the API; p50/p99 of each,
  beside the same reads without writes, and how many times each server process
  built a document per edit (benchmarks/load_app.py counts them).

It prints the figures, the ratios to nginx and whether they meet the goal (at
least a quarter of nginx's requests/s on the document, p99 under 5 ms, at 8 and
at 64 connections, on a 2-core machine whose CPUs wrk shares with the server),
then where an in-process request spends its time.

It is a measurement, not a test: nothing is asserted about speed. It exits
non-zero only when a server gives wrong answers (the figures would be meaningless)
or a tool is missing (``make bench-tools`` installs wrk and nginx).

The data lives in a throwaway database the server processes share: a SQLite
file in a temporary folder, or, when DATABASE_URL=postgres://... is set, a fresh
database on that server, dropped at the end. The developer's database is never
touched. The real 2020.06 file comes from INTEROP_DATA or ../shared/interop-data;
without it the benchmark serves the demo guideline 2026.06 and says so.

    .venv/bin/python benchmarks/load.py
    .venv/bin/python benchmarks/load.py --seconds 3 --configs granian-2 --apps fast
    .venv/bin/python benchmarks/load.py --only writes --seconds 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/defcore make bench
"""

from __future__ import annotations

import argparse
import contextlib
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
import statistics
import subprocess
import sys
import tempfile
import threading
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
DEMO = REPO / "guidelines" / "demo" / "2026.06.json"

# The guideline served: 2020.06 from the interop data, else the demo 2026.06
# (use_guideline sets these).
KEY = "2020.06"
TEST_QUERY = "target=platform&type=required&alias=true&flag=false"
DOCUMENT_PATH = f"/v1/guidelines/{KEY}"
TESTS_PATH = f"/v1/guidelines/{KEY}/tests?{TEST_QUERY}"
DRAFT_KEY = "next"  # the draft started from it, which the member edits
DRAFT_PATH = f"/v1/guidelines/{DRAFT_KEY}"

CONNECTIONS = (8, 64)
THREADS = 2
GOAL_SHARE = 0.25
GOAL_P99_MS = 5.0
EDITS_PER_SECOND = 10


def use_guideline(key: str) -> None:
    global KEY, DOCUMENT_PATH, TESTS_PATH
    KEY = key
    DOCUMENT_PATH = f"/v1/guidelines/{KEY}"
    TESTS_PATH = f"/v1/guidelines/{KEY}/tests?{TEST_QUERY}"


@dataclass(frozen=True)
class Config:
    """How a server is started: gunicorn or granian, with these options."""

    server: str  # "gunicorn" or "granian"
    args: tuple[str, ...]
    workers: int

    @property
    def command_line(self) -> str:
        return f"{self.server} {' '.join(self.args)}"


def gunicorn(*args: str) -> Config:
    return Config("gunicorn", args, int(args[args.index("-w") + 1]))


def granian(workers: int, threads: int | None = None) -> Config:
    args = ["--interface", "wsgi", "--http", "1", "--no-ws", "--workers", str(workers)]
    if threads:
        args += ["--blocking-threads", str(threads)]
    return Config("granian", tuple(args), workers)


# Server configurations for a 2-core machine. wrk keeps connections alive; sync
# workers close each connection after one response, gthread workers keep it. With
# one shared listening socket, gthread workers take connections as they race for
# them and all 8 may land on one worker (half the throughput, or less);
# --reuse-port gives each worker its own socket and the kernel spreads connections.
# granian answers HTTP in Rust (a tokio runtime per worker) and calls the WSGI
# app on its blocking threads.
CONFIGS = {
    "sync-2": gunicorn("-k", "sync", "-w", "2"),
    "sync-4": gunicorn("-k", "sync", "-w", "4"),
    "sync-8": gunicorn("-k", "sync", "-w", "8"),
    "gthread-2x4": gunicorn("-k", "gthread", "-w", "2", "--threads", "4"),
    "gthread-2x4-rp": gunicorn("-k", "gthread", "-w", "2", "--threads", "4", "--reuse-port"),
    "gthread-4x2-rp": gunicorn("-k", "gthread", "-w", "4", "--threads", "2", "--reuse-port"),
    "granian-1": granian(1),
    "granian-2": granian(2),
    "granian-2x2": granian(2, 2),
    "granian-2x4": granian(2, 4),
    "granian-4": granian(4),
}
DEFAULT_CONFIGS = ("sync-4", "gthread-2x4-rp", "granian-2", "granian-2x2")
# The production server (README, docs/serving.md): nginx's cache goes in front
# of it, and the reads under writes are measured on it.
PRODUCTION = ("granian-2x2", "fast")
APPS = {
    "django": ("defcore_site.wsgi:django_application", "Django alone"),
    "fast": ("defcore_site.wsgi:application", "fast path"),
}
PARTS = ("servers", "proxy", "writes")


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


def signal_group(group: int, signum: int) -> bool:
    """Signal a process group this benchmark started; False if none of it is left."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True


def stop(process: subprocess.Popen | None) -> None:
    """Stop a server this benchmark started, and its workers, waiting for them.

    Servers are started in a session of their own (``start_new_session``), so
    their process group is theirs alone: a worker whose parent was killed
    (granian's, if it does not stop in time) is stopped too, not left serving.
    """
    if process is None:
        return
    group = process.pid
    if process.poll() is None:
        signal_group(group, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
    deadline = time.monotonic() + 5
    while signal_group(group, 0) and time.monotonic() < deadline:
        time.sleep(0.1)  # workers finishing after their parent
    signal_group(group, signal.SIGKILL)
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
    server: str  # "nginx", or the app and server configuration
    route: str  # "document", "test list", "304", "draft", "published"
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    extra: dict = field(default_factory=dict)


def wrk_command(url: str, seconds: float, connections: int, threads: int, headers=None):
    command = [
        find_tool("wrk") or "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    return command


def summary_of(stdout: str, stderr: str, returncode: int) -> dict:
    for line in stdout.splitlines():
        if line.startswith("WRK_SUMMARY "):
            return json.loads(line.removeprefix("WRK_SUMMARY "))
    raise RuntimeError(f"wrk gave no summary (exit {returncode}):\n{stdout}{stderr}")


def wrk(url: str, seconds: float, connections: int, headers=None) -> dict:
    command = wrk_command(url, seconds, connections, THREADS, headers)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    return summary_of(done.stdout, done.stderr, done.returncode)


def run_of(server: str, route: str, connections: int, figures: dict) -> Run:
    errors = sum(figures[k] for k in figures if k.endswith("errors") or k == "timeouts")
    return Run(
        server=server,
        route=route,
        connections=connections,
        rps=figures["requests"] / figures["seconds"],
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        requests=figures["requests"],
        errors=errors,
        extra=figures,
    )


def measure(server: str, route: str, url: str, seconds: float, connections: int, headers=None):
    return run_of(server, route, connections, wrk(url, seconds, connections, headers))


def warm(url: str, headers=None) -> None:
    """One second at the most connections: every worker builds its bytes, connections open."""
    wrk(url, 1, max(CONNECTIONS), headers)


def measure_routes(server: str, base: str, routes, seconds: float) -> list[Run]:
    """Each route (label, path, headers) at each connection count, after a warm-up."""
    for _label, path, headers in routes:
        warm(base + path, headers)
    return [
        measure(server, label, base + path, seconds, connections, headers)
        for connections in CONNECTIONS
        for label, path, headers in routes
    ]


def fetch(
    port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET", body=None
):
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
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
{body}
}}
"""

NGINX_FILES = """\
    server {{
        listen 127.0.0.1:{port};
        root {root};
        add_header Cache-Control "public, max-age=300";
    }}
"""

# docs/serving.md's recipe, on loopback and without TLS: what it caches, for how
# long (the app's Cache-Control), and how it revalidates (the app's ETag).
NGINX_PROXY = """\
    proxy_cache_path {tmp}/cache levels=1:2 keys_zone=guidelines:10m max_size=1g
                     inactive=1d use_temp_path=off;
    upstream defcore {{
        server 127.0.0.1:{upstream};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://defcore;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
        location ~ ^/(api/)?v1/guidelines {{
            proxy_pass http://defcore;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_cache guidelines;
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            proxy_cache_use_stale updating error timeout http_502 http_503 http_504;
            proxy_cache_background_update on;
            proxy_cache_bypass $http_authorization $cookie_sessionid;
            proxy_no_cache $http_authorization $cookie_sessionid;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
"""


def start_nginx(workdir: Path, name: str, body: str, **values) -> tuple[subprocess.Popen, int]:
    tmp = workdir / name
    tmp.mkdir(exist_ok=True)
    # As root, nginx's workers would switch to "nobody", who cannot read the
    # private temporary folder: keep them as the user running the benchmark.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    log = tmp / "nginx-error.log"
    for _attempt in range(3):
        port = free_port()
        conf = tmp / "nginx.conf"
        filled = NGINX_CONF.format(
            user=user,
            workers=min(2, os.cpu_count() or 1),
            tmp=tmp,
            body=body.format(tmp=tmp, port=port, **values),
        )
        conf.write_text(filled)
        with open(log, "ab") as errors:
            process = subprocess.Popen(
                [find_tool("nginx") or "nginx", "-p", str(tmp), "-c", str(conf), "-e", str(log)],
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
            )
        try:
            wait_for_port(port, process, log)
            return process, port
        except RuntimeError:
            stop(process)  # most likely the port was taken meanwhile: another one
    raise RuntimeError(f"nginx did not start:\n{tail(log)}")


def start_server(workdir: Path, env: dict, app: str, config: Config, name: str):
    """gunicorn or granian serving ``app`` (module:attribute) on a free loopback port."""
    log = workdir / f"{name}.log"
    for _attempt in range(3):
        port = free_port()
        executable = str(BIN / config.server) if (BIN / config.server).exists() else config.server
        if config.server == "gunicorn":
            command = [
                executable,
                app,
                "--bind",
                f"127.0.0.1:{port}",
                *config.args,
                "--no-control-socket",
                "--log-level",
                "warning",
                "--error-logfile",
                str(log),
            ]
        else:
            command = [
                executable,
                *config.args,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                app,
            ]
        # Each request writes a JSON log line to stderr (defcore_site.requestlog), as
        # in production: written, then dropped here. gunicorn's own errors go to
        # its log file; a granian that does not start is started again with its
        # output in the log, to say why.
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for_port(port, process, log)
            return process, port
        except RuntimeError:
            stop(process)
            if config.server == "granian":
                with open(log, "ab") as output:
                    again = subprocess.Popen(
                        command,
                        cwd=REPO,
                        env=env,
                        stdout=output,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                try:
                    wait_for_port(port, again, log, seconds=10)
                    return again, port
                except RuntimeError:
                    stop(again)
    raise RuntimeError(f"{config.server} did not start:\n{tail(log)}")


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
    import logging

    from defcore_site.wsgi import application, django_application, fast_path
    from guidelines import serving

    # Each request still writes its log line (a production cost), to nowhere.
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - for the process's life

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
        if fast_path.answer(dict(environ)) is None:
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


# -- reads under writes --------------------------------------------------------------


@dataclass
class Editor:
    """The member who edits the draft: an API token and a capability of the draft."""

    token: str
    capability: int
    version: int


class Writer(threading.Thread):
    """Edits the draft capability's description ``rate`` times a second through the API
    (PATCH /api/v1/capabilities/<id>, as the committee's tooling does), until stopped."""

    def __init__(self, port: int, editor: Editor, rate: float):
        super().__init__(daemon=True)
        self.port, self.editor, self.rate = port, editor, rate
        self.halt = threading.Event()
        self.latencies_ms: list[float] = []
        self.statuses: dict[int, int] = {}
        self.late = 0  # edits sent later than their slot (the server was slow)

    def run(self) -> None:
        connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Authorization": f"Token {self.editor.token}",
            "Content-Type": "application/json",
        }
        path = f"/api/v1/capabilities/{self.editor.capability}"
        start = time.monotonic()
        n = 0
        while not self.halt.is_set():
            slot = start + n / self.rate
            wait = slot - time.monotonic()
            if wait > 0:
                if self.halt.wait(wait):
                    break
            elif wait < -1 / self.rate:
                self.late += 1
            body = json.dumps(
                {"version": self.editor.version, "description": f"Edited under load, #{n}."}
            )
            sent = time.perf_counter()
            try:
                connection.request("PATCH", path, body=body, headers=headers)
                response = connection.getresponse()
                answer = response.read()
            except OSError:
                connection.close()
                connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.statuses[0] = self.statuses.get(0, 0) + 1
                n += 1
                continue
            self.latencies_ms.append((time.perf_counter() - sent) * 1000)
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            if response.status == 200:
                self.editor.version = json.loads(answer)["version"]
            else:  # read the version again, as an editor would after a 409
                connection.request("GET", path)
                again = connection.getresponse()
                self.editor.version = json.loads(again.read())["version"]
            n += 1
        connection.close()

    @property
    def edits(self) -> int:
        return self.statuses.get(200, 0)


def counters(folder: Path) -> dict[int, dict]:
    """Per server process (pid), the builds benchmarks/load_app.py wrote down."""
    found = {}
    for path in folder.glob("*.json"):
        try:
            found[int(path.stem)] = json.loads(path.read_text())
        except (ValueError, OSError):
            continue  # replaced while read: the next read has it
    return found


def builds_between(before: dict[int, dict], after: dict[int, dict]) -> dict[int, dict]:
    """Per pid: representations built (CACHE.builds, None if the cache has no such
    counter) and documents built per status, between two readings."""
    out = {}
    for pid, now in after.items():
        then = before.get(pid, {"builds": 0, "documents": {}})
        builds = None if now["builds"] is None else now["builds"] - (then["builds"] or 0)
        documents = {
            status: count - then["documents"].get(status, 0)
            for status, count in now["documents"].items()
        }
        out[pid] = {"builds": builds, "documents": documents}
    return out


def concurrent_reads(
    server: str, base: str, connections: int, seconds: float, tag: str
) -> list[Run]:
    """wrk on the draft and on the published document at once, half the connections
    (and one of the two wrk threads) each."""
    routes = (("draft", DRAFT_PATH), ("published", DOCUMENT_PATH))
    processes = [
        subprocess.Popen(
            wrk_command(base + path, seconds, connections // 2, THREADS // 2),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _label, path in routes
    ]
    runs = []
    for (label, _path), process in zip(routes, processes, strict=True):
        stdout, stderr = process.communicate(timeout=seconds + 60)
        figures = summary_of(stdout, stderr, process.returncode)
        runs.append(run_of(f"{server}, {tag}", label, connections, figures))
    return runs


@dataclass
class WritePhase:
    via: str  # "direct", or "nginx cache" in front
    connections: int
    quiet: list[Run]  # reads without writes
    busy: list[Run]  # reads while the member edits
    writer: Writer
    builds: dict[int, dict]
    workers: int
    seconds: float


def write_phase(
    server, via, base, port, editor, connections, seconds, folder, config
) -> WritePhase:
    """Reads without writes, then the same reads while the member edits (on the app's
    own port, whichever way the readers come)."""
    tag = "" if via == "direct" else f", via {via}"
    quiet = concurrent_reads(server, base, connections, seconds, f"no writes{tag}")
    time.sleep(0.2)
    before = counters(folder)
    writer = Writer(port, editor, EDITS_PER_SECOND)
    writer.start()
    try:
        busy = concurrent_reads(server, base, connections, seconds, f"10 edits/s{tag}")
    finally:
        writer.halt.set()
        writer.join(timeout=30)
    time.sleep(0.3)
    # A process writes its counts down after a request: a build in a request that
    # ended as wrk stopped is written down by the next one.
    for path in (DRAFT_PATH, DOCUMENT_PATH):
        for _ in range(4 * config.workers):
            fetch(port, path)
    return WritePhase(
        via,
        connections,
        quiet,
        busy,
        writer,
        builds_between(before, counters(folder)),
        config.workers,
        seconds,
    )


def reads_under_writes(workdir, env, editor: Editor, seconds: float) -> list[WritePhase]:
    config_name, app_name = PRODUCTION
    config = CONFIGS[config_name]
    folder = workdir / "counters"
    folder.mkdir(exist_ok=True)
    server_env = {
        **env,
        "LOAD_BENCH_COUNTERS": str(folder),
        "LOAD_BENCH_APP": app_name,
        "PYTHONPATH": os.pathsep.join([str(BENCHMARKS), str(REPO)]),
        # One member, ten edits a second: over the per-user write rate, which
        # is there against runaway scripts, not against this benchmark.
        "THROTTLE_USER_WRITES": "100000/min",
    }
    server = f"{APPS[app_name][1]}, {config_name}"
    print(f"measuring reads under writes on {server} ...", flush=True)
    process, port = start_server(workdir, server_env, "load_app:application", config, "writes")
    phases = []
    try:
        for path in (DRAFT_PATH, DOCUMENT_PATH):
            status, _, body = fetch(port, path)
            if status != 200 or not body.startswith(b"{"):
                raise RuntimeError(f"{path}: {status}, not a document")
        status, _, _ = fetch(
            port,
            f"/api/v1/capabilities/{editor.capability}",
            {"Authorization": f"Token {editor.token}"},
        )
        if status != 200:
            raise RuntimeError(f"the member cannot read the capability they edit: {status}")
        direct = f"http://127.0.0.1:{port}"
        nginx, proxy = start_nginx(workdir, "nginx-writes", NGINX_PROXY, upstream=port)
        try:
            for via, base in (("direct", direct), ("nginx cache", f"http://127.0.0.1:{proxy}")):
                warm(base + DRAFT_PATH)
                warm(base + DOCUMENT_PATH)
                for connections in CONNECTIONS:
                    phases.append(
                        write_phase(
                            server, via, base, port, editor, connections, seconds, folder, config
                        )
                    )
        finally:
            stop(nginx)
        errors = [r for p in phases for r in p.quiet + p.busy if r.extra["status_errors"]]
        if errors:
            now = [(path, *fetch(port, path)[::2]) for path in (DRAFT_PATH, DOCUMENT_PATH)]
            raise RuntimeError(
                "error statuses under writes: "
                + "; ".join(f"{r.route} {r.extra['status_errors']}" for r in errors)
                + "; now: "
                + "; ".join(f"{path} {status} {body[:200]!r}" for path, status, body in now)
            )
    finally:
        stop(process)
    return phases


def report_writes(phases: list[WritePhase], source: str) -> None:
    config_name, app_name = PRODUCTION
    print(
        f"\n== Reads under writes: {APPS[app_name][1]}, {config_name} "
        f"({CONFIGS[config_name].command_line}) =="
    )
    print(
        f"wrk reads the draft {DRAFT_PATH} and the published {DOCUMENT_PATH} at once, half "
        "the connections each, while a member PATCHes a capability of the draft "
        f"{EDITS_PER_SECOND} times a second through the API (each edit a new revision); "
        "SERVING_STAMP_TTL as in production"
    )
    print(
        "Direct: wrk reads the app's port. nginx cache: docs/serving.md's recipe in front "
        "(the draft's max-age is DRAFT_MAX_AGE, so nginx keeps serving what it has; the "
        "edits still reach the app)."
    )
    header = (
        f"{'via':<12} {'conns':>5} {'route':<10} {'writes':<7} {'requests/s':>11} "
        f"{'p50 ms':>8} {'p99 ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for phase in phases:
        for quiet, busy in zip(phase.quiet, phase.busy, strict=True):
            for run, label in ((quiet, "none"), (busy, f"{EDITS_PER_SECOND}/s")):
                errors = f"  ({run.errors} errors)" if run.errors else ""
                print(
                    f"{phase.via:<12} {phase.connections:>5} {run.route:<10} {label:<7} "
                    f"{run.rps:>11,.0f} {run.p50_ms:>8.2f} {run.p99_ms:>8.2f}{errors}"
                )
    print(f"\nBuilds per edit and server process ({source}):")
    for phase in phases:
        writer = phase.writer
        edits = writer.edits
        draft = [b["documents"].get("draft", 0) for b in phase.builds.values()]
        draft += [0] * (phase.workers - len(draft))  # processes that built nothing
        published = sum(
            n for b in phase.builds.values() for s, n in b["documents"].items() if s != "draft"
        )
        total = [b["builds"] for b in phase.builds.values() if b["builds"] is not None]
        latencies = sorted(writer.latencies_ms)
        p50 = statistics.median(latencies) if latencies else 0.0
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
        others = {s: n for s, n in writer.statuses.items() if s != 200}
        print(
            f"  {phase.via}, {phase.connections} connections: {edits} edits in "
            f"{phase.seconds:g} s (PATCH p50 {p50:.1f} ms, p99 {p99:.1f} ms"
            + (f"; other answers {others}" if others else "")
            + (f"; {writer.late} sent late" if writer.late else "")
            + ")"
        )
        if edits:
            per_process = ", ".join(f"{n / edits:.2f}" for n in sorted(draft, reverse=True))
            print(
                f"    draft documents built: {sum(draft)} in {phase.workers} processes = "
                f"{sum(draft) / edits / phase.workers:.2f} per edit per process "
                f"(by process: {per_process}; at most 1.00 with single flight)"
            )
        line = f"    published documents built meanwhile: {published}"
        if total:
            line += f"; all representations built (serving.CACHE.builds): {sum(total)}"
        print(line)
    print("\nPublished document, with writes against without:")
    for phase in phases:
        quiet = next(r for r in phase.quiet if r.route == "published")
        busy = next(r for r in phase.busy if r.route == "published")
        change = f"{busy.rps / quiet.rps - 1:+.0%}" if quiet.rps else "n/a"
        print(
            f"  {phase.via:<12} {phase.connections:>2} connections: {quiet.rps:>7,.0f} -> "
            f"{busy.rps:>7,.0f} req/s ({change}), p99 {quiet.p99_ms:.2f} -> {busy.p99_ms:.2f} ms"
        )
    for via in dict.fromkeys(p.via for p in phases):
        worst = max(r.p99_ms for p in phases if p.via == via for r in p.busy)
        verdict = "MEETS" if worst < GOAL_P99_MS else "misses"
        print(
            f"  {via}: reads' p99 under writes at most {worst:.2f} ms: "
            f"{verdict} p99 < {GOAL_P99_MS:g} ms"
        )


# -- the report ----------------------------------------------------------------------


def version_of(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except OSError:
        return f"{Path(command[0]).name} (not installed)"
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0] if lines else Path(command[0]).name


def load_average() -> str:
    """The 1-minute load average: above the CPU count, other work shares the machine
    with the benchmark, and its figures are lower and noisier."""
    one = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    busy = " (busy: other work shares the CPUs)" if one > cpus else ""
    return f"load average {one:.1f} on {cpus} CPUs{busy}"


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
    versions = [
        version_of([find_tool("wrk") or "wrk", "-v"]).split(" Copyright")[0],
        version_of([find_tool("nginx") or "nginx", "-v"]).replace("nginx version: ", ""),
        version_of([str(BIN / "gunicorn"), "--version"]),
        version_of([str(BIN / "granian"), "--version"]),
    ]
    return (
        f"Machine: {nproc} CPUs (nproc), {cpu}, Linux {platform.release()}; {load_average()}\n"
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"{', '.join(versions)}\n"
        f"Database: {database}"
    )


def print_table(runs: list[Run], reference: dict[tuple[str, int], Run]) -> None:
    print(
        "(vs nginx: requests/s over nginx's mean of its first and last runs from disk, "
        "same route and connections)"
    )
    header = (
        f"{'server':<38} {'route':<10} {'conns':>5} {'requests/s':>11} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'vs nginx':>9}"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        ref = reference.get((run.route, run.connections))
        own = run.server.startswith("nginx,")
        ratio = f"{run.rps / ref.rps:>8.1%}" if ref and not own else ""
        errors = f"  ({run.errors} errors)" if run.errors else ""
        print(
            f"{run.server:<38} {run.route:<10} {run.connections:>5} {run.rps:>11,.0f} "
            f"{run.p50_ms:>8.2f} {run.p99_ms:>8.2f} {ratio:>9}{errors}"
        )


def goal_misses(run: Run, reference: dict[tuple[str, int], Run]) -> list[str]:
    share = run.rps / reference[(run.route, run.connections)].rps
    misses = []
    if share < GOAL_SHARE:
        misses.append(f"throughput {share:.1%} < {GOAL_SHARE:.0%}")
    if run.p99_ms >= GOAL_P99_MS:
        misses.append(f"p99 {run.p99_ms:.2f} ms >= {GOAL_P99_MS:g} ms")
    return misses


def verdicts(runs: list[Run], reference: dict[tuple[str, int], Run]) -> None:
    """Per server configuration, the goal on the document at each connection count."""
    print(
        f"\n== Goal on the document: >= {GOAL_SHARE:.0%} of nginx's requests/s and "
        f"p99 < {GOAL_P99_MS:g} ms, at {' and '.join(map(str, CONNECTIONS))} connections =="
    )
    print(
        "(wrk keeps each connection's request in flight: mean latency = connections / "
        "requests per second, so at 64 connections p99 < 5 ms needs well over "
        f"{64 / GOAL_P99_MS * 1000:,.0f} requests/s)"
    )
    servers = list(dict.fromkeys(r.server for r in runs if not r.server.startswith("nginx,")))
    for server in servers:
        parts, meets = [], True
        for connections in CONNECTIONS:
            run = next(
                (
                    r
                    for r in runs
                    if r.server == server and r.route == "document" and r.connections == connections
                ),
                None,
            )
            if run is None:
                continue
            misses = goal_misses(run, reference)
            meets = meets and not misses
            share = run.rps / reference[("document", connections)].rps
            parts.append(f"{connections}: {share:5.1%} p99 {run.p99_ms:5.2f}")
        print(f"  {server:<38} {'; '.join(parts)}  {'MEETS' if meets else 'misses'}")


def fast_path_gain(runs: list[Run]) -> None:
    """Per server configuration measured both ways: what the fast path adds."""
    pairs = []
    for run in runs:
        label, _, config = run.server.partition(", ")
        if label != APPS["fast"][1]:
            continue
        slow = next(
            (
                r
                for r in runs
                if r.server == f"{APPS['django'][1]}, {config}"
                and r.route == run.route
                and r.connections == run.connections
            ),
            None,
        )
        if slow is not None:
            pairs.append((config, slow, run))
    pairs = [(config, slow, fast) for config, slow, fast in pairs if slow.rps and fast.rps]
    if not pairs:
        return
    print("\n== The WSGI fast path against Django alone, same server configuration ==")
    for config, slow, fast in pairs:
        print(
            f"  {config:<16} {fast.route:<10} {fast.connections:>3} conns: "
            f"{slow.rps:>8,.0f} -> {fast.rps:>8,.0f} req/s ({fast.rps / slow.rps:.1f}x), "
            f"p99 {slow.p99_ms:6.2f} -> {fast.p99_ms:6.2f} ms"
        )


def nginx_reference(runs: list[Run]) -> dict[tuple[str, int], Run]:
    """Per route and connection count, nginx's mean over its runs from disk (first and last)."""
    reference = {}
    keys = {(r.route, r.connections) for r in runs if r.server.startswith("nginx,")}
    for route, connections in keys:
        found = [
            r
            for r in runs
            if r.server.startswith("nginx,") and r.route == route and r.connections == connections
        ]
        reference[(route, connections)] = Run(
            server="nginx, mean",
            route=route,
            connections=connections,
            rps=sum(r.rps for r in found) / len(found),
            p50_ms=max(r.p50_ms for r in found),
            p99_ms=max(r.p99_ms for r in found),
            requests=sum(r.requests for r in found),
            errors=sum(r.errors for r in found),
        )
    return reference


# -- main ----------------------------------------------------------------------------


def check_answers(port: int, expected: dict[str, bytes]) -> str:
    """Fetch each route once (which also fills this worker's cache); return the document ETag."""
    status, headers, body = fetch(port, DOCUMENT_PATH)
    if status != 200 or body != expected["document"]:
        raise RuntimeError(f"{DOCUMENT_PATH}: {status}, {len(body)} bytes, not the exported file")
    etag = headers["etag"]
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


def prepare(database, env: dict, source: Path, root: Path) -> tuple[dict[str, bytes], Editor]:
    """Set Django up on the bench database, import the guideline, start the draft the
    member edits, write the reference's files."""
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

    from committee.models import Channel, Role
    from committee.services import seat_grant, token_create
    from committee.system import system_actor
    from guidelines import serving
    from guidelines.models import Capability
    from guidelines.services import guideline_import, guideline_start_draft

    call_command("migrate", verbosity=0, interactive=False)
    imported = guideline_import(
        raw=source.read_bytes(), key=KEY, filename=source.name, actor=system_actor()
    )
    guideline_start_draft(source=imported.guideline, actor=system_actor(), name=DRAFT_KEY)
    member = seat_grant(
        username="load-bench-member",
        role=Role.MEMBER,
        actor=system_actor(),
        channel=Channel.COMMAND,
    ).seat.user
    token = token_create(user=member, actor=member, channel=Channel.COMMAND)
    capability = Capability.objects.filter(guideline__key=DRAFT_KEY).order_by("pk").first()
    editor = Editor(token=token.key, capability=capability.pk, version=capability.version)
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
        f"Guideline {KEY} ({source}): document {len(expected['document']):,} bytes, test list "
        f"{len(expected['test list']):,} bytes ({lines} tests); "
        "wrk sends no Accept-Encoding, so no gzip"
    )
    serving.CACHE.clear()
    connection.close()  # the servers are other processes
    return expected, editor


def measure_nginx(workdir, root, expected, server, seconds: float) -> list[Run]:
    print(f"measuring {server} ...", flush=True)
    nginx, port = start_nginx(workdir, "nginx-files", NGINX_FILES, root=root)
    try:
        status, _, body = fetch(port, f"/{KEY}.json")
        if status != 200 or body != expected["document"]:
            raise RuntimeError("nginx does not serve the document file")
        routes = [
            ("document", f"/{KEY}.json", None),
            ("test list", f"/{KEY}-platform-required.txt", None),
        ]
        return measure_routes(server, f"http://127.0.0.1:{port}", routes, seconds)
    finally:
        stop(nginx)


def measure_server(
    workdir, env, app, config_name, server, log_name, check, seconds: float, routes=None
) -> list[Run]:
    """Start the server, check its answers (``check(port)`` gives the ETag to revalidate
    with), measure the routes at each connection count, stop it."""
    process, port = start_server(workdir, env, app, CONFIGS[config_name], log_name)
    try:
        etag = check(port)
        chosen = routes or ("document", "test list", "304")
        _, headers, _ = fetch(port, DOCUMENT_PATH, {"If-None-Match": etag})
        if int(headers.get("content-length") or 0):
            # wrk 4.1's HTTP parser waits for the body a 304's Content-Length announces
            # (RFC 9110 allows the header; the app sends it, and some servers pass it
            # on): wrk would count no answer, so this server's 304 is not measured.
            print("  (its 304 carries a Content-Length, which wrk cannot read: not measured)")
            chosen = [r for r in chosen if r != "304"]
        every = {
            "document": ("document", DOCUMENT_PATH, None),
            "test list": ("test list", TESTS_PATH, None),
            "304": ("304", DOCUMENT_PATH, {"If-None-Match": etag}),
        }
        found = measure_routes(
            server, f"http://127.0.0.1:{port}", [every[r] for r in chosen], seconds
        )
    finally:
        stop(process)
    if any(run.extra["status_errors"] for run in found):
        raise RuntimeError(
            f"{server}: error statuses under load:\n{tail(workdir / f'{log_name}.log')}"
        )
    return found


def measure_proxy(workdir, env, expected, seconds: float) -> list[Run]:
    """docs/serving.md's nginx cache in front of the production server: with the
    production max-age (hits), and with a one-second max-age, so that nginx
    revalidates by ETag every second while it is read."""
    config_name, app_name = PRODUCTION
    runs = []
    for label, extra in (("cache", {}), ("revalidating 1/s", {"PUBLISHED_MAX_AGE": "1"})):
        server = f"nginx {label} -> {config_name}"
        print(f"measuring {server} ...", flush=True)
        process, upstream = start_server(
            workdir, {**env, **extra}, APPS[app_name][0], CONFIGS[config_name], "proxied"
        )
        nginx = None
        try:
            nginx, port = start_nginx(
                workdir, f"nginx-proxy-{len(runs)}", NGINX_PROXY, upstream=upstream
            )
            states = []
            for _ in range(2):
                status, headers, body = fetch(port, DOCUMENT_PATH)
                if status != 200 or body != expected["document"]:
                    raise RuntimeError(f"nginx's cache answers {status}, {len(body)} bytes")
                states.append(headers.get("x-cache-status", "?"))
            etag = headers["etag"]
            status, headers, _ = fetch(port, DOCUMENT_PATH, {"If-None-Match": etag})
            if status != 304:
                raise RuntimeError(f"nginx's cache answers If-None-Match with {status}")
            if extra:
                time.sleep(1.5)  # expired: served stale while nginx revalidates
                for _ in range(2):
                    states.append(fetch(port, DOCUMENT_PATH)[1].get("x-cache-status", "?"))
                    time.sleep(0.2)
            print(f"  X-Cache-Status of the first requests: {', '.join(states)}")
            runs += measure_routes(
                server,
                f"http://127.0.0.1:{port}",
                [
                    ("document", DOCUMENT_PATH, None),
                    ("304", DOCUMENT_PATH, {"If-None-Match": etag}),
                ],
                seconds,
            )
        finally:
            stop(nginx)
            stop(process)
    return runs


def ceiling_configs(configs: list[str]) -> list[str]:
    """Per server (gunicorn, granian), the configuration to show its ceiling at: the
    production one, else one with a socket per worker, else the first measured."""
    chosen = []
    for kind in ("gunicorn", "granian"):
        mine = [c for c in configs if CONFIGS[c].server == kind]
        if mine:
            preferred = [c for c in mine if c == PRODUCTION[0] or c.endswith("-rp")]
            chosen.append((preferred or mine)[0])
    return chosen


def run(args, workdir: Path, source: Path) -> int:
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
        expected, editor = prepare(database, env, source, root)
        print(
            f"\nwrk: {THREADS} threads, {' and '.join(map(str, CONNECTIONS))} connections, "
            f"{args.seconds:g} s per figure after 1 s of warm-up per route. wrk and the "
            f"servers share the machine's {os.cpu_count()} CPUs: the figures are of the "
            "pair, not of the server alone."
        )
        runs: list[Run] = []
        if "servers" in args.parts or "proxy" in args.parts:
            print("Server configurations:")
            for name in args.configs:
                print(f"  {name:<15} {CONFIGS[name].command_line}")
            runs += measure_nginx(workdir, root, expected, "nginx, files, first", args.seconds)

        if "servers" in args.parts:
            for app_name in args.apps:
                app, label = APPS[app_name]
                for config_name in args.configs:
                    server = f"{label}, {config_name}"
                    print(f"measuring {server} ...", flush=True)
                    runs += measure_server(
                        workdir,
                        env,
                        app,
                        config_name,
                        server,
                        f"{app_name}-{config_name}",
                        lambda port: check_answers(port, expected),
                        args.seconds,
                    )
            if args.ceiling:
                # What each server allows any Python app: the bare app, document only.
                for config_name in ceiling_configs(args.configs):
                    server = f"bare WSGI app, {config_name}"
                    print(f"measuring {server} ...", flush=True)
                    runs += measure_server(
                        workdir,
                        {**env, "LOAD_BENCH_WWW": str(root), "PYTHONPATH": str(BENCHMARKS)},
                        "ceiling_app:application",
                        config_name,
                        server,
                        f"ceiling-{config_name}",
                        lambda port: check_ceiling(port, expected),
                        args.seconds,
                        routes=("document",),
                    )

        if "proxy" in args.parts:
            runs += measure_proxy(workdir, env, expected, args.seconds)

        if runs:
            # nginx again: how much the machine itself drifted during the run.
            runs += measure_nginx(workdir, root, expected, "nginx, files, last", args.seconds)

        if runs:
            reference = nginx_reference(runs)
            print("\n== Requests per second and latency ==")
            print_table(runs, reference)
            verdicts(runs, reference)
            fast_path_gain(runs)
            print(flush=True)

        if "writes" in args.parts:
            phases = reads_under_writes(workdir, env, editor, args.seconds)
            from guidelines import serving

            source_of_counts = (
                "documents counted by benchmarks/load_app.py; serving.CACHE.builds too"
                if hasattr(serving.CACHE, "builds")
                else "documents counted by benchmarks/load_app.py; this serving cache has "
                "no builds counter"
            )
            report_writes(phases, source_of_counts)
        if args.requests:
            where_the_time_goes(args.requests, args.profile)
        return 0
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        database.drop()


def main(argv: list[str] | None = None) -> int:
    global CONNECTIONS, PRODUCTION
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds",
        "--duration",
        dest="seconds",
        type=float,
        default=5,
        help="seconds of wrk per figure (default %(default)s)",
    )
    parser.add_argument(
        "--configs",
        default=",".join(DEFAULT_CONFIGS),
        help=f"server configurations, of {', '.join(CONFIGS)} (default %(default)s)",
    )
    parser.add_argument(
        "--apps",
        default="django,fast",
        help="django (Django alone), fast (fast path in front), or both (default %(default)s)",
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help="which parts: servers (each configuration against nginx), proxy (nginx's "
        "cache in front), writes (reads under writes) (default %(default)s)",
    )
    parser.add_argument(
        "--production",
        default=PRODUCTION[0],
        help="the configuration nginx's cache goes in front of and the reads under writes "
        "are measured on, with the fast path (default %(default)s)",
    )
    parser.add_argument(
        "--connections",
        default=",".join(map(str, CONNECTIONS)),
        help="wrk connection counts, even numbers (default %(default)s)",
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
        help="skip the bare WSGI app that shows each server's own ceiling",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (logs, configs) and say where"
    )
    args = parser.parse_args(argv)
    args.configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    args.apps = [a.strip() for a in args.apps.split(",") if a.strip()]
    args.parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = (
        [c for c in args.configs if c not in CONFIGS]
        + [a for a in args.apps if a not in APPS]
        + [p for p in args.parts if p not in PARTS]
    )
    if args.production not in CONFIGS:
        unknown.append(args.production)
    if unknown:
        parser.error(f"unknown configuration, app or part: {', '.join(unknown)}")
    PRODUCTION = (args.production, PRODUCTION[1])
    try:
        counts = tuple(int(c) for c in args.connections.split(",") if c.strip())
    except ValueError:
        parser.error("--connections takes numbers, e.g. 8,64")
    if not counts or any(c < 2 or c % 2 for c in counts):
        parser.error(
            "--connections takes even numbers of at least 2 (reads under writes halve them)"
        )
    CONNECTIONS = counts

    source = interop_data_dir() / "guidelines" / f"{KEY}.json"
    if not source.is_file():
        print(
            f"The real guideline data is not at {source.parent.parent} (set INTEROP_DATA to "
            f"the interop repository): serving the demo guideline {DEMO.stem} instead."
        )
        source = DEMO
        use_guideline(DEMO.stem)
    missing = [tool for tool in ("wrk", "nginx") if not find_tool(tool)]
    if missing:
        print(
            f"Load benchmark cannot run: {' and '.join(missing)} not installed "
            "(make bench-tools installs Debian's wrk and nginx)."
        )
        return 1
    wanted = {CONFIGS[c].server for c in args.configs} | {CONFIGS[PRODUCTION[0]].server}
    absent = [s for s in sorted(wanted) if not (BIN / s).exists() and not shutil.which(s)]
    if absent:
        print(f"Load benchmark cannot run: {' and '.join(absent)} not installed (make install).")
        return 1

    workdir = Path(tempfile.mkdtemp(prefix="defcore-load-"))
    started = time.monotonic()
    try:
        return run(args, workdir, source)
    except RuntimeError as exc:
        print(f"\nLoad benchmark failed: {exc}")
        return 1
    finally:
        print(f"\nLoad benchmark: {time.monotonic() - started:.0f} s; at the end, {load_average()}")
        if args.keep:
            print(f"Work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
