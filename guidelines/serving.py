"""Serving guideline documents and test lists to tooling, fast and cacheable.

Each document or test list is computed once per guideline revision and kept
in this process as bytes (plain and gzip) with a strong ETag, so a request
costs no database work and no serialisation. Whether the stored revision is
still current is checked against the database at most once per
``SERVING_STAMP_TTL`` seconds per guideline and process; a change made in this
process forgets its entries at commit, so other processes see it within that
time. The WSGI fast path (``defcore_site.wsgi``) and the views share this.
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


class ServingCache:
    """Per-process store of representations, keyed by guideline and variant."""

    def __init__(self, max_entries: int = 512):
        self._stamps: dict[str, Stamp | None] = {}
        self._checked: dict[str, float] = {}
        self._entries: OrderedDict[tuple, tuple[int, Representation]] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

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
        if key in self._checked and time.monotonic() - self._checked[key] <= self.ttl:
            return self._stamps[key]
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
            self._stamps[key] = stamp
            self._checked[key] = now
        return stamp

    def lookup(self, key: str, variant: tuple, stamp: Stamp) -> Representation | None:
        entry = self._entries.get((key, variant))
        if entry is None or entry[0] != stamp.revision:
            return None
        return entry[1]

    def get(
        self, key: str, variant: tuple, build: Callable[[Stamp], Representation]
    ) -> Representation | None:
        """The representation for the current revision, building it on a miss."""
        stamp = self.stamp(key)
        if stamp is None:
            return None
        found = self.lookup(key, variant, stamp)
        if found is not None:
            return found
        built = build(stamp)
        with self._lock:
            self._entries[(key, variant)] = (stamp.revision, built)
            self._entries.move_to_end((key, variant))
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return built

    def forget(self, key: str) -> None:
        with self._lock:
            self._checked.pop(key, None)
            self._stamps.pop(key, None)
            for entry in [e for e in self._entries if e[0] == key]:
                del self._entries[entry]

    def clear(self) -> None:
        with self._lock:
            self._checked.clear()
            self._stamps.clear()
            self._entries.clear()


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
    from guidelines.selectors import document_text, guideline_document

    guideline = Guideline.objects.get(pk=stamp.pk)
    if stamp.status in PUBLISHED:
        stored = (
            guideline.artifacts.documents().order_by("-number").values_list("body", flat=True)
        ).first()
        if stored is not None:
            return representation(bytes(stored), JSON, stamp)
    return representation(document_text(guideline_document(guideline)).encode(), JSON, stamp)


def document(key: str) -> Representation | None:
    """The guideline document by name; None if there is no such guideline."""
    return CACHE.get(key, ("document",), _document)


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
