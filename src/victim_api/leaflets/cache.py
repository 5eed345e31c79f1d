"""The public read path's in-process cache of published leaflets.

Each process keeps, per slug, every published language's JSON body and HTML
page as bytes, with their strong ETags and ready-made headers, so a request
that hits the cache touches neither the database nor the renderer, and a
matching ``If-None-Match`` is answered with one string comparison.

Freshness: a commit in this process that publishes or retires a version drops
its slug at once (``service.CHANGED_SLUGS``, read by an ``after_commit`` hook).
Other processes (more workers, more pods, the CLI) are seen when an entry is
older than ``VICTIM_API_LEAFLET_CACHE_SECONDS``: the next request then runs one
indexed query for the published version ids, and rebuilds only if they changed.
Responses say ``max-age=300`` anyway, so a few seconds more changes nothing a
reader could notice. Unknown slugs are cached too (so a flood of 404s stays
cheap), within a bound on the number of slugs.
"""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.responses import Response

from victim_api.leaflets import service
from victim_api.leaflets.language import negotiate_language
from victim_api.leaflets.render import PAGE_CONTENT_SECURITY_POLICY
from victim_api.platform.db import Database
from victim_api.platform.jsonutil import dumps

PUBLIC_CACHE_CONTROL = b"public, max-age=300"
VARY = b"Accept-Language, Accept"
MAX_SLUGS = 256
MAX_NEGOTIATIONS = 512
MAX_MEMOISED_HEADER = 256
JSON_TYPE = b"application/json"
HTML_TYPE = b"text/html; charset=utf-8"


class Prebuilt(Response):
    """A response whose status, headers and body were all made in advance."""

    def __init__(self, status_code: int, raw_headers: list[tuple[bytes, bytes]], body: bytes):
        self.status_code = status_code
        self.body = body
        self.background = None
        # A copy: whatever sends it may add headers of its own.
        self.raw_headers = list(raw_headers)


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class Representation:
    """One media type of one published version: its bytes, ETag and headers."""

    etag: str
    body: bytes
    ok_headers: list[tuple[bytes, bytes]]
    not_modified_headers: list[tuple[bytes, bytes]]

    @classmethod
    def of(
        cls,
        body: bytes,
        media_type: bytes,
        *,
        language: str | None = None,
        extra: Iterable[tuple[bytes, bytes]] = (),
    ) -> Representation:
        etag = strong_etag(body)
        # RFC 9110 15.4.5: a 304 carries the headers a 200 would have had for caching.
        # Browsers on the force's own origins may read it: the platform's CORS
        # middleware answers those (VICTIM_API_CORS_ORIGINS), never `*`.
        caching = [
            (b"etag", etag.encode()),
            (b"cache-control", PUBLIC_CACHE_CONTROL),
        ]
        if language is not None:
            caching += [(b"content-language", language.encode()), (b"vary", VARY)]
        ok = [
            *caching,
            (b"content-type", media_type),
            (b"content-length", str(len(body)).encode()),
            *extra,
        ]
        return cls(etag, body, ok, caching)

    def respond(self, if_none_match: str | None) -> Response:
        if if_none_match is not None and etag_matches(if_none_match, self.etag):
            return Prebuilt(304, self.not_modified_headers, b"")
        return Prebuilt(200, self.ok_headers, self.body)


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 13.1.2: weak comparison, a list of tags, or ``*``."""
    if if_none_match == etag:
        return True
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


@dataclass(frozen=True)
class CachedLeaflet:
    id: str
    language: str
    json: Representation
    html: Representation


@dataclass
class SlugEntry:
    checked_at: float
    ids: dict[str, str]
    leaflets: dict[str, CachedLeaflet]
    negotiated: dict[tuple[str | None, str | None], str] = field(default_factory=dict)

    def negotiate(self, lang: str | None, accept_language: str | None) -> CachedLeaflet | None:
        """The leaflet in the reader's language (memoised per header value)."""
        if not self.leaflets:
            return None
        key = (lang, accept_language)
        chosen = self.negotiated.get(key)
        if chosen is None:
            chosen = negotiate_language(self.leaflets, lang=lang, accept_language=accept_language)
            if len(accept_language or "") <= MAX_MEMOISED_HEADER:
                if len(self.negotiated) >= MAX_NEGOTIATIONS:
                    self.negotiated.clear()
                self.negotiated[key] = chosen
        return self.leaflets[chosen]


def _cached(published: service.PublishedLeaflet) -> CachedLeaflet:
    return CachedLeaflet(
        id=published.id,
        language=published.language,
        json=Representation.of(dumps(published.document), JSON_TYPE, language=published.language),
        html=Representation.of(
            published.page.encode(),
            HTML_TYPE,
            language=published.language,
            extra=[(b"content-security-policy", PAGE_CONTENT_SECURITY_POLICY.encode())],
        ),
    )


@dataclass(frozen=True)
class IndexEntry:
    checked_at: float
    representation: Representation


class PublishedCache:
    """Published leaflets of one app, by slug. Safe to share between threads."""

    def __init__(self, ttl_seconds: float, *, max_slugs: int = MAX_SLUGS) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_slugs = max_slugs
        self._slugs: dict[str, SlugEntry] = {}
        self._index: IndexEntry | None = None
        self._generation = 0
        self._lock = threading.Lock()
        _CACHES.add(self)

    # Reads: cheap, lock-free, never block. None means "load it".

    def slug(self, slug: str) -> SlugEntry | None:
        entry = self._slugs.get(slug)
        if entry is not None and time.monotonic() - entry.checked_at < self.ttl_seconds:
            return entry
        return None

    def index(self) -> IndexEntry | None:
        entry = self._index
        if entry is not None and time.monotonic() - entry.checked_at < self.ttl_seconds:
            return entry
        return None

    # Loads: blocking database work (run them in a worker thread).

    def load_slug(self, database: Database, slug: str) -> SlugEntry:
        generation = self._generation
        previous = self._slugs.get(slug)
        now = time.monotonic()
        with database.read_session() as session:
            ids = service.published_ids(session, slug)
            if previous is not None and previous.ids == ids:
                entry = replace(previous, checked_at=now)
            else:
                published = service.published_leaflets(session, slug)
                entry = SlugEntry(
                    checked_at=now,
                    ids={p.language: p.id for p in published},
                    leaflets={p.language: _cached(p) for p in published},
                )
        with self._lock:
            # A change committed while we read must not be overwritten by what we read.
            if self._generation == generation:
                self._make_room(slug)
                self._slugs[slug] = entry
        return entry

    def load_index(self, database: Database) -> IndexEntry:
        generation = self._generation
        with database.read_session() as session:
            body = service.published_index(session)
        entry = IndexEntry(time.monotonic(), Representation.of(dumps(body), JSON_TYPE))
        previous = self._index
        if previous is not None and previous.representation.etag == entry.representation.etag:
            entry = IndexEntry(entry.checked_at, previous.representation)
        with self._lock:
            if self._generation == generation:
                self._index = entry
        return entry

    def invalidate(self, slugs: Iterable[str] | None = None) -> None:
        """Forget ``slugs`` (every slug when None) and the list."""
        with self._lock:
            self._generation += 1
            if slugs is None:
                self._slugs = {}
            else:
                for slug in slugs:
                    self._slugs.pop(slug, None)
            self._index = None

    def _make_room(self, slug: str) -> None:
        if slug in self._slugs or len(self._slugs) < self.max_slugs:
            return
        known = {s: e for s, e in self._slugs.items() if e.leaflets}
        self._slugs = known if len(known) < self.max_slugs else {}


_CACHES: weakref.WeakSet[PublishedCache] = weakref.WeakSet()


@event.listens_for(Session, "after_commit")
def _drop_changed_slugs(session: Any) -> None:
    slugs = session.info.pop(service.CHANGED_SLUGS, None)
    if slugs:
        for cache in list(_CACHES):
            cache.invalidate(slugs)
