"""``/openreferral``: the public Open Referral (HSDS 3.0, UK profile) feed of the directory.

Public by the UK profile's rules: no key, ``Access-Control-Allow-Origin: *``
(``platform.middleware.PublicCorsMiddleware``, errors included), throttled per
client address. Lists use HSDS page numbers (``page`` from 1, ``per_page`` up
to 100), the one place the API pages by OFFSET, because the standard asks for
numbered pages. Errors stay ``application/problem+json``.

Every response carries an ``ETag`` derived from the directory revision (which
every directory write bumps) and the request URL, with ``Cache-Control:
public, max-age=60``; ``If-None-Match`` answers 304 after reading one row, and
a body already rendered for this revision and URL is served from memory.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from victim_api.directory import documents
from victim_api.directory.schemas import (
    SEARCH_PATTERN,
    UUID_PATTERN,
    HsdsApiInfo,
    HsdsService,
    HsdsServiceAtLocationFull,
    HsdsServiceAtLocationPage,
    HsdsServicePage,
    HsdsTaxonomy,
    HsdsTaxonomyPage,
    HsdsTaxonomyTerm,
    HsdsTaxonomyTermPage,
    Weekday,
)
from victim_api.directory.service import current_revision
from victim_api.directory.vocabulary import HSDS_VERSION, UK_PROFILE_URL
from victim_api.platform.db import Database
from victim_api.platform.dependencies import ReadSession
from victim_api.platform.errors import NotFoundError, problem_responses
from victim_api.platform.jsonutil import dumps
from victim_api.platform.policy import PUBLIC
from victim_api.platform.ratelimit import bucket_key, shared_limiter
from victim_api.platform.types import UtcDateTime

NDJSON = "application/x-ndjson"
CACHE_CONTROL = "public, max-age=60"
MAX_PER_PAGE = 100
RATE_LIMIT_BATCH = 10
_state_lock = threading.Lock()


async def rate_limit(request: Request) -> None:
    """Throttle per client address (``VICTIM_API_OPENREFERRAL_RATE_LIMIT_PER_MINUTE``)."""
    state = request.app.state
    limiter = shared_limiter(
        state,
        "openreferral",
        limit=state.settings.openreferral_rate_limit_per_minute,
        batch=RATE_LIMIT_BATCH,
    )
    address = request.client.host if request.client else "-"
    await limiter.hit_async(bucket_key("openreferral", address))


router = APIRouter(
    prefix="/openreferral", tags=["openreferral"], dependencies=[PUBLIC, Depends(rate_limit)]
)

_ERRORS = problem_responses(422, 429)
_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `If-None-Match` ETag is current."}
}

PageNumber = Annotated[
    int, Query(ge=1, le=100_000, description="Page number, from 1. Past the last page is empty.")
]
PerPage = Annotated[
    int, Query(ge=1, le=MAX_PER_PAGE, description=f"Items per page, 1 to {MAX_PER_PAGE}.")
]
Search = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        pattern=SEARCH_PATTERN,
        description="Case-insensitive text in the name, alternate name or description.",
    ),
]
IdFilter = Annotated[str | None, Query(pattern=UUID_PATTERN)]
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        max_length=512,
        description="An ETag from an earlier response: 304 if it is still current.",
    ),
]


def _etag(revision: int, request: Request) -> str:
    digest = hashlib.sha256(f"{revision}|{request.url}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def _fresh(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {c.strip().removeprefix("W/") for c in if_none_match.split(",")}
    return "*" in candidates or tag in candidates


class RenderedCache:
    """Rendered bodies by (directory revision, URL), in this process.

    Always current, with no invalidation: every directory write bumps the
    revision, so a write changes every key. Bounded by entries and bytes.
    """

    def __init__(self, max_entries: int = 512, max_body_bytes: int = 512 * 1024) -> None:
        self.max_entries = max_entries
        self.max_body_bytes = max_body_bytes
        self._bodies: OrderedDict[tuple[int, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str]) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: tuple[int, str], body: bytes) -> None:
        if len(body) > self.max_body_bytes:
            return
        with self._lock:
            self._bodies[key] = body
            while len(self._bodies) > self.max_entries:
                self._bodies.popitem(last=False)


def _rendered_cache(request: Request) -> RenderedCache:
    state = request.app.state
    cache: RenderedCache | None = getattr(state, "openreferral_cache", None)
    if cache is None:
        with _state_lock:
            cache = getattr(state, "openreferral_cache", None) or RenderedCache()
            state.openreferral_cache = cache
    return cache


def _public(
    request: Request,
    session: Session,
    if_none_match: str | None,
    build: Callable[[], Any],
) -> Response:
    """The cacheable JSON answer: 304 if the client's ETag is current, else the body,
    rendered once per directory revision and URL."""
    revision = current_revision(session)
    tag = _etag(revision, request)
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if _fresh(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    cache = _rendered_cache(request)
    key = (revision, str(request.url))
    body = cache.get(key)
    if body is None:
        body = dumps(build())
        cache.put(key, body)
    return Response(body, media_type="application/json", headers=headers)


def _page(total: int, page: int, per_page: int, contents: list[dict[str, Any]]) -> dict[str, Any]:
    total_pages = -(-total // per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


@router.get(
    "/",
    summary="About this Open Referral feed",
    response_model=HsdsApiInfo,
    responses={**_NOT_MODIFIED, **problem_responses(429)},
)
def get_openreferral_root(
    request: Request, session: ReadSession, if_none_match: IfNoneMatch = None
) -> Response:
    """The HSDS version (`3.0`), the profile (Open Referral UK) and this API's OpenAPI URL."""
    return _public(
        request,
        session,
        if_none_match,
        lambda: {
            "version": HSDS_VERSION,
            "profile": UK_PROFILE_URL,
            "openapi_url": str(request.base_url) + str(request.app.openapi_url).lstrip("/"),
        },
    )


@router.get(
    "/services",
    summary="List services (HSDS)",
    response_model=HsdsServicePage,
    responses={
        200: {
            "description": "A page of services; with `format=ndjson`, every matching service, "
            "one JSON object per line.",
            "content": {NDJSON: {"schema": {"$ref": "#/components/schemas/HsdsService"}}},
        },
        **_NOT_MODIFIED,
        **_ERRORS,
    },
)
def list_openreferral_services(
    request: Request,
    session: ReadSession,
    search: Search = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    format: Annotated[
        Literal["json", "ndjson"],
        Query(description="`ndjson` streams every match, one service per line, unpaginated."),
    ] = "json",
    taxonomy_term_id: Annotated[
        str | None, Query(pattern=UUID_PATTERN, description="Services linked to this term.")
    ] = None,
    taxonomy_id: Annotated[
        str | None,
        Query(pattern=UUID_PATTERN, description="Services linked to any term of this taxonomy."),
    ] = None,
    organization_id: Annotated[
        str | None, Query(pattern=UUID_PATTERN, description="Services of this organisation.")
    ] = None,
    modified_after: Annotated[
        UtcDateTime | None, Query(description="Changed on or after this RFC 3339 time.")
    ] = None,
    minimal: Annotated[
        bool,
        Query(description="Only `id`, `name`, `status` and `last_modified` (for syncing)."),
    ] = False,
    full: Annotated[bool, Query(description="Nest every related record, as `/services/{id}`.")] = (
        False
    ),
    minimum_age: Annotated[
        float | None,
        Query(ge=0, le=200, description="UK profile: services whose minimum age is at least this."),
    ] = None,
    maximum_age: Annotated[
        float | None,
        Query(ge=0, le=200, description="UK profile: services whose maximum age is at most this."),
    ] = None,
    day: Annotated[
        Weekday | None, Query(description="UK profile: open on this day (RFC 5545 code).")
    ] = None,
    start_time: Annotated[
        str | None,
        Query(
            pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
            description="UK profile: opening at or after this time (`HH:MM`, London).",
        ),
    ] = None,
    end_time: Annotated[
        str | None,
        Query(
            pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?|24:00(:00)?)$",
            description="UK profile: closing at or before this time (`HH:MM`, London).",
        ),
    ] = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Services in name order, filtered (filters combine with AND).

    Each item has the service's one-to-one fields and its `organization`;
    `full=true` nests everything, `minimal=true` keeps only what a syncing
    reader needs. `format=ndjson` streams every match as `application/x-ndjson`,
    one service per line, without pages. Every status is listed (read `status`):
    a withdrawn service stays, as `inactive`, so readers syncing with
    `modified_after` see it go.
    """
    query = documents.ServiceQuery(
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=modified_after,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        day=day,
        start_time=start_time,
        end_time=end_time,
    )
    where = query.conditions()
    if format == "ndjson":
        tag = _etag(current_revision(session), request)
        headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
        if _fresh(if_none_match, tag):
            return Response(status_code=304, headers=headers)
        return StreamingResponse(
            _ndjson(request.app.state.database, query, minimal=minimal, full=full),
            media_type=NDJSON,
            headers=headers,
        )

    def build() -> dict[str, Any]:
        total = documents.count_services(session, where)
        offset = (page - 1) * per_page
        contents = (
            documents.service_page(session, where, offset=offset, limit=per_page, minimal=minimal)
            if offset < total
            else []
        )
        if full and contents:
            contents = documents.full_services(session, [c["id"] for c in contents])
        return _page(total, page, per_page, contents)

    return _public(request, session, if_none_match, build)


def _ndjson(
    database: Database, query: documents.ServiceQuery, *, minimal: bool, full: bool
) -> Iterator[bytes]:
    # The request's session has closed by the time the body streams: use our own.
    with database.read_session() as session:
        where = query.conditions()
        items = documents.iter_service_items(session, where, minimal=minimal)
        if not full:
            for item in items:
                yield dumps(item) + b"\n"
            return
        batch: list[str] = []
        for item in items:
            batch.append(item["id"])
            if len(batch) == 200:
                yield from (dumps(s) + b"\n" for s in documents.full_services(session, batch))
                batch = []
        yield from (dumps(s) + b"\n" for s in documents.full_services(session, batch))


@router.get(
    "/services/{id}",
    summary="One service, fully nested (HSDS)",
    response_model=HsdsService,
    responses={**_NOT_MODIFIED, **problem_responses(404, 422, 429)},
)
def get_openreferral_service(
    request: Request,
    session: ReadSession,
    id: Annotated[str, Path(pattern=UUID_PATTERN, description="The service's id.")],
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The service with its organisation, phones, schedules, service areas, languages,
    locations (addresses, accessibility) and taxonomy attributes."""

    def build() -> dict[str, Any]:
        found = documents.full_services(session, [id.lower()])
        if not found:
            raise NotFoundError("There is no service with this id.")
        return found[0]

    return _public(request, session, if_none_match, build)


@router.get(
    "/taxonomies",
    summary="List taxonomies (HSDS)",
    response_model=HsdsTaxonomyPage,
    responses={**_NOT_MODIFIED, **_ERRORS},
)
def list_openreferral_taxonomies(
    request: Request,
    session: ReadSession,
    search: Search = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The taxonomies services are classified by: `crime-types` (our crime-type codes),
    `victim-needs` and `referral-routes`, plus any imported ones."""

    def build() -> dict[str, Any]:
        total, contents = documents.taxonomy_page(
            session, search=search, offset=(page - 1) * per_page, limit=per_page
        )
        return _page(total, page, per_page, contents)

    return _public(request, session, if_none_match, build)


@router.get(
    "/taxonomies/{id}",
    summary="One taxonomy with its terms (HSDS)",
    response_model=HsdsTaxonomy,
    responses={**_NOT_MODIFIED, **problem_responses(404, 422, 429)},
)
def get_openreferral_taxonomy(
    request: Request,
    session: ReadSession,
    id: Annotated[str, Path(pattern=UUID_PATTERN, description="The taxonomy's id.")],
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The taxonomy, with its terms nested as `taxonomy_terms` (UK profile)."""

    def build() -> dict[str, Any]:
        found = documents.taxonomy(session, id.lower(), with_terms=True)
        if found is None:
            raise NotFoundError("There is no taxonomy with this id.")
        return found

    return _public(request, session, if_none_match, build)


@router.get(
    "/taxonomy_terms",
    summary="List taxonomy terms (HSDS)",
    response_model=HsdsTaxonomyTermPage,
    responses={**_NOT_MODIFIED, **_ERRORS},
)
def list_openreferral_taxonomy_terms(
    request: Request,
    session: ReadSession,
    search: Search = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    taxonomy_id: Annotated[
        str | None, Query(pattern=UUID_PATTERN, description="Terms of this taxonomy.")
    ] = None,
    parent_id: Annotated[
        str | None, Query(pattern=UUID_PATTERN, description="Terms under this parent term.")
    ] = None,
    top_only: Annotated[bool, Query(description="Only terms without a parent.")] = False,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Taxonomy terms, by taxonomy then code. A term's `code` is the code staff
    search and the rest of the API use (e.g. `DOMESTIC_ABUSE`, `IDVA`)."""
    query = documents.TermQuery(
        search=search, taxonomy_id=taxonomy_id, parent_id=parent_id, top_only=top_only
    )

    def build() -> dict[str, Any]:
        total, contents = documents.term_page(
            session, query, offset=(page - 1) * per_page, limit=per_page
        )
        return _page(total, page, per_page, contents)

    return _public(request, session, if_none_match, build)


@router.get(
    "/taxonomy_terms/{id}",
    summary="One taxonomy term (HSDS)",
    response_model=HsdsTaxonomyTerm,
    responses={**_NOT_MODIFIED, **problem_responses(404, 422, 429)},
)
def get_openreferral_taxonomy_term(
    request: Request,
    session: ReadSession,
    id: Annotated[str, Path(pattern=UUID_PATTERN, description="The term's id.")],
    if_none_match: IfNoneMatch = None,
) -> Response:
    """One taxonomy term."""

    def build() -> dict[str, Any]:
        found = documents.term(session, id.lower())
        if found is None:
            raise NotFoundError("There is no taxonomy term with this id.")
        return found

    return _public(request, session, if_none_match, build)


@router.get(
    "/service_at_locations",
    summary="List services at locations (HSDS)",
    response_model=HsdsServiceAtLocationPage,
    responses={**_NOT_MODIFIED, **_ERRORS},
)
def list_openreferral_service_at_locations(
    request: Request,
    session: ReadSession,
    search: Search = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    taxonomy_term_id: IdFilter = None,
    taxonomy_id: IdFilter = None,
    organization_id: IdFilter = None,
    modified_after: Annotated[
        UtcDateTime | None, Query(description="The service changed on or after this time.")
    ] = None,
    postcode: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Za-z0-9 ]{2,8}$",
            description="A postcode or its start (`E8`): locations with an address there. "
            "`proximity` is not supported.",
        ),
    ] = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Each place a service is delivered, with the location and the service's
    one-to-one fields. The service filters mean the same as on `/services`."""
    where = documents.sal_conditions(
        documents.ServiceQuery(
            search=search,
            taxonomy_term_id=taxonomy_term_id,
            taxonomy_id=taxonomy_id,
            organization_id=organization_id,
            modified_after=modified_after,
        ),
        postcode,
    )

    def build() -> dict[str, Any]:
        total, contents = documents.sal_page(
            session, where, offset=(page - 1) * per_page, limit=per_page
        )
        return _page(total, page, per_page, contents)

    return _public(request, session, if_none_match, build)


@router.get(
    "/service_at_locations/{id}",
    summary="One service at a location, fully nested (HSDS)",
    response_model=HsdsServiceAtLocationFull,
    responses={**_NOT_MODIFIED, **problem_responses(404, 422, 429)},
)
def get_openreferral_service_at_location(
    request: Request,
    session: ReadSession,
    id: Annotated[str, Path(pattern=UUID_PATTERN, description="The record's id.")],
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The location (with addresses and accessibility) and the service, fully nested."""

    def build() -> dict[str, Any]:
        found = documents.sal_full(session, id.lower())
        if found is None:
            raise NotFoundError("There is no service at location with this id.")
        return found

    return _public(request, session, if_none_match, build)
