"""Serving guideline documents and test lists to tooling, fast and cacheable.

Each document or test list is computed once per guideline revision and kept
in this process as bytes (plain and gzip) with a strong ETag, so a request
costs no database work and no serialisation. Whether the stored revision is
still current is checked against the database at most once per
``SERVING_STAMP_TTL`` seconds per guideline and process; a change made in this
process marks its stamp unchecked at commit (the next read asks the database),
and other processes see it within that time. A revision is built once however
many requests miss it at once, and while it is built readers get the previous
one (``ServingCache``). The WSGI fast path (``defcore_site.wsgi``) and the views
share this.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

from django.conf import settings

from guidelines import testlist
from guidelines.models import Guideline, GuidelineStatus

PUBLISHED = (GuidelineStatus.APPROVED, GuidelineStatus.SUPERSEDED)
GZIP_MIN_BYTES = 200
# RFC 9110 qvalue: 0 to 1 with up to three decimals.
QVALUE = re.compile(r"q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)", re.IGNORECASE)


def cache_control(status: str) -> str:
    """How long tooling and shared caches may keep a representation unasked.

    Published guidelines change only by a flag (2017A D2.1), drafts often; both
    briefly, so that a change reaches tooling within minutes, and revalidation
    by the strong ETag costs a 304 (README, "Caching").
    """
    seconds = settings.PUBLISHED_MAX_AGE if status in PUBLISHED else settings.DRAFT_MAX_AGE
    return f"public, max-age={seconds}"


@dataclass(frozen=True)
class Stamp:
    """What the database said about a guideline, and when it was asked."""

    pk: int
    revision: int
    status: str
    last_modified: float  # seconds since the epoch
    checked_at: float


@dataclass(frozen=True)
class Representation:
    body: bytes
    gzip_body: bytes | None
    content_type: str
    etag: str  # strong, quoted, of the plain body
    last_modified: float
    cache_control: str
    # RFC 9530 Repr-Digest field values of the plain and the gzip bytes.
    digest: str = ""
    gzip_digest: str = ""

    @property
    def gzip_etag(self) -> str:
        return gzip_etag_of(self.etag)


def etag_of(body: bytes) -> str:
    """The strong ETag of a body: what tooling sends back in If-None-Match and If-Match."""
    return f'"{hashlib.sha256(body).hexdigest()[:40]}"'


def gzip_etag_of(etag: str) -> str:
    # A strong ETag names one representation: the gzip bytes get their own.
    return etag[:-1] + '-gzip"'


def etags_of(body: bytes) -> tuple[str, str]:
    """Both ETags a client may hold for ``body``: plain and gzip."""
    etag = etag_of(body)
    return etag, gzip_etag_of(etag)


def repr_digest(body: bytes) -> str:
    """The ``Repr-Digest`` value of ``body`` (RFC 9530): its SHA-256, base64, as a byte sequence.

    The digest is of the representation as sent: gzip bytes have their own.
    """
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def representation(
    body: bytes,
    content_type: str,
    stamp: Stamp,
    *,
    control: str | None = None,
    compressible: bool = True,
) -> Representation:
    small = len(body) < GZIP_MIN_BYTES
    compressed = None if small or not compressible else gzip.compress(body, 6, mtime=0)
    return Representation(
        body=body,
        gzip_body=compressed,
        content_type=content_type,
        etag=etag_of(body),
        last_modified=stamp.last_modified,
        cache_control=control or cache_control(stamp.status),
        digest=repr_digest(body),
        gzip_digest=repr_digest(compressed) if compressed is not None else "",
    )


class _Flight:
    """One build in progress: of a (key, variant) at one revision of one guideline."""

    __slots__ = ("done", "error", "owner", "result")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Representation | None = None
        self.error: Exception | None = None
        self.owner = threading.get_ident()


class ServingCache:
    """Per-process store of representations, keyed by guideline and variant.

    One entry per (key, variant): the representation of one revision of one
    guideline (its pk and revision), replaced when a newer one is built, the
    least recently used dropped beyond ``max_entries``.

    Reads under writes (a draft polled while it is edited): ``get`` builds each
    revision of a (key, variant) once, however many threads miss it at once
    (single flight). While it is being built, a reader that has the previous
    revision of the same guideline gets that at once (it was current a moment
    ago; other processes may serve it for SERVING_STAMP_TTL seconds anyway); a
    reader with nothing to serve waits for the build and gets its result, or
    its exception: a failed build is not retried by each waiter, since the
    same stamp would fail the same way (a bad test list query, a guideline
    deleted meanwhile), and N waiters must not become N builds. A reader that
    finds no build in progress builds itself; a writer that reports what it
    wrote asks for ``current`` and waits for a build in progress instead.

    ``forget`` (at the commit of a change) only marks the guideline's stamp
    unchecked: the next reader asks the database, and the entries stay to be
    served while their next revision is built. The fast path (``lookup``) only
    ever answers with the current revision.
    """

    def __init__(self, max_entries: int = 512):
        self._stamps: dict[str, Stamp | None] = {}
        self._checked: dict[str, float] = {}
        # (key, variant) -> (pk, revision, representation)
        self._entries: OrderedDict[tuple, tuple[int, int, Representation]] = OrderedDict()
        # (key, variant, pk, revision) -> the build in progress
        self._flights: dict[tuple, _Flight] = {}
        self._max = max_entries
        self._lock = threading.Lock()
        self._generation = 0  # bumped by clear(): a build started before it is not kept
        self.builds = 0  # representations built (benchmarks read it)

    @property
    def ttl(self) -> float:
        return settings.SERVING_STAMP_TTL

    def fresh_stamp(self, key: str) -> Stamp | None:
        """The stamp if it was checked recently; never touches the database."""
        checked = self._checked.get(key)
        if checked is None or time.monotonic() - checked > self.ttl:
            return None
        return self._stamps.get(key)

    def stamp(self, key: str) -> Stamp | None:
        """The guideline's current stamp (None: no such guideline), asking the database if stale."""
        checked = self._checked.get(key)
        if checked is not None and time.monotonic() - checked <= self.ttl:
            return self._stamps.get(key)
        row = (
            Guideline.objects.filter(key=key)
            .values_list("pk", "revision", "status", "updated_at")
            .first()
        )
        now = time.monotonic()
        stamp = None
        if row is not None:
            pk, revision, status, updated_at = row
            stamp = Stamp(pk, revision, status, updated_at.timestamp(), now)
        with self._lock:
            if stamp is None and self._stamps.get(key) is not None:
                # Deleted: nothing of it is served again, nor kept.
                for entry in [e for e in self._entries if e[0] == key]:
                    del self._entries[entry]
            self._stamps[key] = stamp
            self._checked[key] = now
        return stamp

    def lookup(self, key: str, variant: tuple, stamp: Stamp) -> Representation | None:
        """The entry of the stamp's revision; None if there is none (an older one is not)."""
        entry = self._entries.get((key, variant))
        if entry is None or entry[1] != stamp.revision or entry[0] != stamp.pk:
            return None
        return entry[2]

    def get(
        self,
        key: str,
        variant: tuple,
        build: Callable[[Stamp], Representation],
        *,
        current: bool = False,
    ) -> Representation | None:
        """The representation for the current revision, building it on a miss (see the class).

        ``current``: never the previous revision, even while the current one is
        built: for a writer telling its client the ETag of what it just wrote.
        """
        while True:
            stamp = self.stamp(key)
            if stamp is None:
                return None
            slot = (key, variant)
            flight_key = (key, variant, stamp.pk, stamp.revision)
            with self._lock:
                entry = self._entries.get(slot)
                if entry is not None and entry[0] == stamp.pk and entry[1] >= stamp.revision:
                    # Current (or newer than this reader's stamp: built by a reader
                    # that asked the database after it).
                    self._entries.move_to_end(slot)
                    return entry[2]
                flight = self._flights.get(flight_key)
                if flight is None:
                    flight = self._flights[flight_key] = _Flight()
                    generation = self._generation
                    leader = True
                elif flight.owner == threading.get_ident():
                    leader = None  # a build asking for itself: build, never wait for oneself
                else:
                    leader = False
                    if not current and entry is not None and entry[0] == stamp.pk:
                        return entry[2]  # the previous revision, while this one is built
            if leader is None:
                return build(stamp)
            if leader:
                return self._build(slot, flight_key, flight, generation, stamp, build)
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            if flight.result is not None:
                return flight.result
            # The builder ended without an outcome (interrupted): try again.

    def _build(self, slot, flight_key, flight, generation, stamp, build) -> Representation:
        try:
            built = build(stamp)
        except Exception as exc:
            flight.error = exc
            raise
        else:
            flight.result = built
            with self._lock:
                self.builds += 1
                entry = self._entries.get(slot)
                newer = entry is not None and entry[0] == stamp.pk and entry[1] > stamp.revision
                deleted = self._stamps.get(slot[0], stamp) is None  # meanwhile
                if generation == self._generation and not newer and not deleted:
                    self._entries[slot] = (stamp.pk, stamp.revision, built)
                    self._entries.move_to_end(slot)
                    while len(self._entries) > self._max:
                        self._entries.popitem(last=False)
            return built
        finally:
            with self._lock:
                if self._flights.get(flight_key) is flight:
                    del self._flights[flight_key]
            flight.done.set()

    def forget(self, key: str) -> None:
        """The guideline changed: its stamp is asked again of the database by the next reader.

        Its entries stay, to be served while their next revision is built (``get``);
        the fast path, which answers only with a current stamp, goes to Django meanwhile.
        """
        with self._lock:
            self._checked.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._checked.clear()
            self._stamps.clear()
            self._entries.clear()
            self._flights.clear()

    def size(self) -> tuple[int, int, int]:
        """How many entries, and the bytes of their plain and of their gzip bodies."""
        with self._lock:
            reps = [entry[2] for entry in self._entries.values()]
        return (
            len(reps),
            sum(len(r.body) for r in reps),
            sum(len(r.gzip_body or b"") for r in reps),
        )


CACHE = ServingCache()


def http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether the client takes gzip. A malformed weight (``gzip;q=abc``) is not a
    yes: the plain bytes are always acceptable, so they are the safe answer."""
    for part in accept_encoding.split(","):
        coding, _, params = part.partition(";")
        if coding.strip().lower() in {"gzip", "x-gzip"}:
            params = "".join(params.split())
            if not params:
                return True
            weight = QVALUE.fullmatch(params)
            return weight is not None and float(weight[1]) > 0
    return False


def etag_matches(if_none_match: str, etags: tuple[str, ...]) -> bool:
    if if_none_match.strip() == "*":
        return True
    # Weak comparison, as RFC 9110 prescribes for If-None-Match.
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return any(tag in candidates for tag in etags)


def if_match_satisfied(if_match: str, etags: tuple[str, ...]) -> bool:
    """If-Match against the current representation's ETags: strong comparison (RFC 9110)."""
    if if_match.strip() == "*":
        return True
    candidates = {tag.strip() for tag in if_match.split(",")}
    return any(tag in candidates for tag in etags)


def _not_modified_since(if_modified_since: str, last_modified: float) -> bool:
    try:
        since = parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    return int(last_modified) <= since


def respond(
    rep: Representation,
    *,
    method: str,
    if_none_match: str = "",
    if_modified_since: str = "",
    accept_encoding: str = "",
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body for a GET or HEAD of ``rep``, conditional requests included."""
    compress = rep.gzip_body is not None and accepts_gzip(accept_encoding)
    etag = rep.gzip_etag if compress else rep.etag
    headers = [
        ("ETag", etag),
        ("Last-Modified", http_date(rep.last_modified)),
        ("Cache-Control", rep.cache_control),
        ("Vary", "Accept-Encoding"),
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Expose-Headers", "ETag, Last-Modified, Repr-Digest"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if if_none_match:
        unchanged = etag_matches(if_none_match, (rep.etag, rep.gzip_etag))
    else:
        unchanged = bool(if_modified_since) and _not_modified_since(
            if_modified_since, rep.last_modified
        )
    if unchanged:
        # A 304 may state the length of what a 200 would send, and nothing else.
        length = len(rep.gzip_body if compress else rep.body)
        return 304, [*headers, ("Content-Length", str(length))], b""
    body = rep.gzip_body if compress else rep.body
    headers.append(("Content-Type", rep.content_type))
    headers.append(("Repr-Digest", rep.gzip_digest if compress else rep.digest))
    headers.append(("Content-Length", str(len(body))))
    if compress:
        headers.append(("Content-Encoding", "gzip"))
    return 200, headers, (b"" if method == "HEAD" else body)


# What is served: a guideline's document and its test lists.

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"


def _document(stamp: Stamp) -> Representation:
    """A published guideline's latest stored revision; a draft's document as it is now."""
    from guidelines.selectors import guideline_document_bytes

    guideline = Guideline.objects.get(pk=stamp.pk)
    if stamp.status in PUBLISHED:
        stored = (
            guideline.artifacts.documents().order_by("-number").values_list("body", flat=True)
        ).first()
        if stored is not None:
            return representation(bytes(stored), JSON, stamp)
    return representation(guideline_document_bytes(guideline), JSON, stamp)


def document(key: str, *, current: bool = False) -> Representation | None:
    """The guideline document by name; None if there is no such guideline.

    ``current``: the revision stored now, never the previous one (``ServingCache.get``).
    """
    return CACHE.get(key, ("document",), _document, current=current)


def test_list_variant(params) -> tuple:
    """The cache key of a test list request, before knowing the guideline."""
    return ("tests",) + testlist.query_key(params)


def tests(key: str, params) -> Representation | None:
    """A test list; None if no such guideline. Raises TestListError for bad parameters."""

    def build(stamp: Stamp) -> Representation:
        from guidelines.selectors import guideline_bundle

        bundle = guideline_bundle(Guideline.objects.get(pk=stamp.pk))
        query = testlist.parse_query(params, bundle)
        return representation(testlist.test_list(bundle, query).encode(), TEXT, stamp)

    return CACHE.get(key, test_list_variant(params), build)


# A published revision's bytes never change: cacheable for a year, and immutable.
IMMUTABLE = "public, max-age=31536000, immutable"


def stored(body: bytes, content_type: str, created_at: float) -> Representation:
    """A stored artifact (a published revision, a rendering, a bundle), as it is served.

    A zip is compressed already: it is sent as it is, so its Repr-Digest is the digest
    the release publishes.
    """
    stamp = Stamp(pk=0, revision=0, status="", last_modified=created_at, checked_at=0.0)
    compressible = content_type != "application/zip"
    return representation(body, content_type, stamp, control=IMMUTABLE, compressible=compressible)
