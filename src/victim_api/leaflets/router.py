"""Leaflets over HTTP: public reads, and the editorial API for staff.

The two public reads are ``async`` and answer from the in-process cache
(``leaflets.cache``); only a cache miss touches the database, in a worker
thread. Everything else is ordinary sync routes over a write session.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import Scope

from victim_api.leaflets import service
from victim_api.leaflets.cache import PublishedCache
from victim_api.leaflets.content import SLUG_PATTERN
from victim_api.leaflets.language import MAX_HEADER_LENGTH
from victim_api.leaflets.models import VersionStatus
from victim_api.leaflets.render import PAGE_CONTENT_SECURITY_POLICY
from victim_api.leaflets.schemas import (
    CANONICAL_LANGUAGE_PATTERN,
    LANGUAGE_RANGE_PATTERN,
    MAX_LANGUAGE_LENGTH,
    MAX_SLUG_LENGTH,
    SLUG_EXAMPLE,
    LeafletDiff,
    LeafletDocument,
    LeafletList,
    LeafletPreview,
    LeafletVersionCreate,
    LeafletVersionPage,
    LeafletVersionPublic,
    LeafletVersionSummary,
    LeafletVersionUpdate,
)
from victim_api.leaflets.scopes import LEAFLETS_WRITE
from victim_api.platform.dependencies import CursorCodecDep, DbSession, read_database
from victim_api.platform.errors import ProblemError, problem_responses
from victim_api.platform.etag import IfMatch, etag, expected_version
from victim_api.platform.fastpath import first_header
from victim_api.platform.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from victim_api.platform.jsonutil import JSONResponse, model_response
from victim_api.platform.negotiation import quality as _quality
from victim_api.platform.pagination import PageRequest, cursor_values, page_request, paginate
from victim_api.platform.policy import PUBLIC, requires
from victim_api.platform.principal import Caller, Channel

LEAFLET_PREFIX = "/v1/leaflets/"
router = APIRouter(prefix="/v1/leaflets", tags=["leaflets"])

Editor = Annotated[
    Caller, requires(Channel.STAFF, scopes=[LEAFLETS_WRITE], purpose="LEAFLET_EDITING")
]
SlugPath = Annotated[
    str,
    Path(
        pattern=SLUG_PATTERN,
        max_length=MAX_SLUG_LENGTH,
        description="The leaflet: `victim-information`, `domestic-abuse`, "
        "`bereaved-families`, `fraud`, or any other published.",
        examples=[SLUG_EXAMPLE],
    ),
]
VersionIdPath = Annotated[UUID, Path(description="The version's id.")]
LangQuery = Annotated[
    str | None,
    Query(
        pattern=LANGUAGE_RANGE_PATTERN,
        max_length=MAX_LANGUAGE_LENGTH,
        description="The reader's chosen language (BCP 47, e.g. `cy`); wins over "
        "`Accept-Language`. `cy-GB` finds `cy`; an unavailable one falls back.",
        examples=["cy"],
    ),
]
AcceptLanguage = Annotated[
    str | None,
    Header(
        alias="Accept-Language",
        max_length=MAX_HEADER_LENGTH,
        description="Language preferences with q-values (RFC 9110), e.g. `cy, en;q=0.8`.",
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        max_length=1024,
        description="The ETag you hold; 304 with no body when it is still current.",
    ),
]

_PUBLIC_HEADERS = {
    name: {"description": description, "schema": {"type": "string"}}
    for name, description in (
        ("ETag", "Strong entity tag of this representation."),
        ("Cache-Control", "`public, max-age=300`."),
        ("Content-Language", "The language served."),
        ("Vary", "`Accept-Language, Accept`."),
    )
}
_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the ETag in `If-None-Match` is current."}
}
_HTML_PAGE = {"text/html": {"schema": {"type": "string", "description": "A whole HTML page."}}}


class NotAcceptableError(ProblemError):
    def __init__(self) -> None:
        super().__init__(
            406,
            "not_acceptable",
            "This resource is available as application/json or text/html.",
        )


# --- Content negotiation --------------------------------------------------------------

_MEDIA_CHOICES: dict[str, str | None] = {}
_MAX_MEDIA_CHOICES = 256
_KINDS = {"json": ("application", "json"), "html": ("text", "html")}


def choose_media(accept: str | None) -> str | None:
    """``json``, ``html``, or None when ``Accept`` allows neither (406).

    The most specific matching range gives each type its q (RFC 9110 12.5.1); the
    higher q wins; on a tie, the type named explicitly; then JSON.
    """
    if not accept:
        return "json"
    if accept in _MEDIA_CHOICES:
        return _MEDIA_CHOICES[accept]
    best = dict.fromkeys(_KINDS, (0.0, 0))
    for part in accept[:1024].split(",")[:32]:
        media, *parameters = (piece.strip() for piece in part.split(";"))
        quality = _quality(parameters)
        if quality is None:
            continue
        for kind, (major, minor) in _KINDS.items():
            media = media.lower()
            specificity = (
                3
                if media == f"{major}/{minor}"
                else 2
                if media == f"{major}/*"
                else 1
                if media == "*/*"
                else 0
            )
            if specificity > best[kind][1]:
                best[kind] = (quality, specificity)
    (json_q, json_spec), (html_q, html_spec) = best["json"], best["html"]
    chosen: str | None
    if json_q == html_q == 0:
        chosen = None
    elif html_q != json_q:
        chosen = "html" if html_q > json_q else "json"
    else:
        chosen = "html" if html_spec > json_spec else "json"
    if len(_MEDIA_CHOICES) >= _MAX_MEDIA_CHOICES:
        _MEDIA_CHOICES.clear()
    _MEDIA_CHOICES[accept] = chosen
    return chosen


# --- Public reads ---------------------------------------------------------------------


@router.get(
    "",
    summary="List the published leaflets",
    response_model=LeafletList,
    dependencies=[PUBLIC],
    responses={
        200: {"headers": {k: _PUBLIC_HEADERS[k] for k in ("ETag", "Cache-Control")}},
        **_NOT_MODIFIED,
    },
)
async def list_leaflets(request: Request, if_none_match: IfNoneMatch = None) -> Response:
    """Every published leaflet with the languages it is published in (and whether each
    is a sample translation). Public; cached for 5 minutes; `If-None-Match` gets 304."""
    cache: PublishedCache = request.app.state.leaflet_cache
    entry = cache.index()
    if entry is None:
        entry = await run_in_threadpool(cache.load_index, read_database(request.app.state))
    return entry.representation.respond(if_none_match)


@router.get(
    "/{slug}",
    summary="Read a leaflet",
    response_model=LeafletDocument,
    dependencies=[PUBLIC],
    responses={
        200: {
            "description": "The leaflet as JSON (sections as sanitised HTML, text and SSML), "
            "or with `Accept: text/html` as a whole, self-contained, printable page.",
            "content": _HTML_PAGE,
            "headers": _PUBLIC_HEADERS,
        },
        **_NOT_MODIFIED,
        **problem_responses(404, 406),
    },
)
async def get_leaflet(
    request: Request,
    slug: SlugPath,
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The published leaflet in the reader's language: `lang`, else `Accept-Language`
    by q-value (`cy-GB` finds `cy`), else English. `Content-Language` names the
    language served. A sample translation has `sample: true` and a `sample_note`
    (the page shows it in a box under the title).

    Personalisation slots read as generic wording here; the leaflet behind a
    case-bound QR code (`POST /v1/qr-tokens/resolve`) is where they are filled.

    Public and cacheable (`Cache-Control: public, max-age=300`, a strong `ETag`,
    `Vary: Accept-Language, Accept`); `If-None-Match` gets 304. Unknown leaflets
    are 404 `leaflet_not_found`.
    """
    cache: PublishedCache = request.app.state.leaflet_cache
    entry = cache.slug(slug)
    if entry is None:
        entry = await run_in_threadpool(cache.load_slug, read_database(request.app.state), slug)
    leaflet = entry.negotiate(lang, accept_language)
    if leaflet is None:
        raise service.LeafletNotFoundError()
    media = choose_media(request.headers.get("accept"))
    if media is None:
        raise NotAcceptableError()
    representation = leaflet.html if media == "html" else leaflet.json
    return representation.respond(if_none_match)


_SLUG = re.compile(SLUG_PATTERN)


def answer_from_cache(scope: Scope) -> Response | None:
    """``get_leaflet``'s answer when it needs nothing but the cache, else None.

    The platform's fast path (``platform.fastpath``) offers every
    ``GET /v1/leaflets/...`` here before routing. Anything this does not answer
    exactly as ``get_leaflet`` would (a query string, a header over its limit, a
    stale or missing cache entry, a 404 or 406) goes to the route.
    """
    slug = scope["path"][len(LEAFLET_PREFIX) :]
    if scope["query_string"] or len(slug) > MAX_SLUG_LENGTH or not _SLUG.fullmatch(slug):
        return None
    accept_language = first_header(scope, b"accept-language")
    if_none_match = first_header(scope, b"if-none-match")
    if len(accept_language or "") > MAX_HEADER_LENGTH or len(if_none_match or "") > 1024:
        return None
    cache: PublishedCache = scope["app"].state.leaflet_cache
    entry = cache.slug(slug)
    leaflet = entry.negotiate(None, accept_language) if entry is not None else None
    media = choose_media(first_header(scope, b"accept"))
    if leaflet is None or media is None:
        return None
    representation = leaflet.html if media == "html" else leaflet.json
    return representation.respond(if_none_match)


# --- Editorial ------------------------------------------------------------------------


def _version_response(row: Any, status_code: int = 200) -> Response:
    headers = {"ETag": etag(row.version)}
    if status_code == 201:
        headers["Location"] = f"/v1/leaflets/{row.slug}/versions/{row.id}"
    return JSONResponse(service.editorial_view(row), status_code=status_code, headers=headers)


_FIELDS = ("title", "summary", "sample", "review_note")


def _changes(
    body: LeafletVersionCreate | LeafletVersionUpdate,
) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """The fields and sections a request names; only `review_note` may be set to null."""
    fields = {
        name: getattr(body, name)
        for name in _FIELDS
        if name in body.model_fields_set
        and (getattr(body, name) is not None or name == "review_note")
    }
    return fields, body.sections.by_key() if body.sections else {}


@router.get(
    "/{slug}/versions",
    summary="List a leaflet's versions",
    response_model=LeafletVersionPage,
    responses=problem_responses(400, 401, 403),
)
def list_leaflet_versions(
    request: Request,
    slug: SlugPath,
    caller: Editor,
    session: DbSession,
    codec: CursorCodecDep,
    page: Annotated[PageRequest, Depends(page_request)],
    language: Annotated[
        str | None,
        Query(pattern=CANONICAL_LANGUAGE_PATTERN, max_length=MAX_LANGUAGE_LENGTH),
    ] = None,
    status: VersionStatus | None = None,
) -> Response:
    """Every version in every language (or one `language`, or one `status`), by
    language then version number."""
    filters = {"language": language, "status": status.value if status else None}
    last = cursor_values(page, codec, request.url.path, filters)
    rows = service.list_versions(
        session,
        slug,
        language=language,
        status=status.value if status else None,
        limit=page.limit,
        after=last,
    )
    items, next_cursor, next_url = paginate(
        rows,
        page,
        codec=codec,
        path=request.url.path,
        filters=filters,
        sort_key=lambda r: [r.language, r.number, r.id],
    )
    page_of = LeafletVersionPage(
        items=[LeafletVersionSummary.model_validate(service.summary_view(r)) for r in items],
        next_cursor=next_cursor,
        next=next_url,
    )
    return model_response(page_of)


@router.post(
    "/{slug}/versions",
    summary="Create a draft",
    status_code=201,
    response_model=LeafletVersionPublic,
    responses=problem_responses(401, 403, 404, 409),
)
def create_leaflet_version(
    request: Request,
    slug: SlugPath,
    body: LeafletVersionCreate,
    caller: Editor,
    session: DbSession,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """A new DRAFT in `language`, numbered after that language's last version.

    It starts as a copy of `copy_from`, or of the version published in that
    language, or of the published English one (a translator's starting point);
    whatever the request gives replaces what it names. A new leaflet (a new slug)
    starts empty. A draft may be incomplete: its `problems` list what must be
    fixed before it can be published. Audited.
    """

    def produce() -> Response:
        fields, sections = _changes(body)
        row = service.create_draft(
            session,
            caller,
            slug,
            language=body.language,
            copy_from=str(body.copy_from) if body.copy_from else None,
            fields=fields,
            sections=sections,
        )
        return _version_response(row, 201)

    return run_idempotent(
        request.app.state.database,
        session,
        client_id=caller.principal.client_id,
        key=idempotency_key,
        request_fingerprint=fingerprint(
            "POST", request.url.path, body.model_dump(mode="json", exclude_unset=True)
        ),
        produce=produce,
    )


@router.get(
    "/{slug}/versions/{version_id}",
    summary="Read a version",
    response_model=LeafletVersionPublic,
    responses=problem_responses(401, 403, 404),
)
def get_leaflet_version(
    slug: SlugPath, version_id: VersionIdPath, caller: Editor, session: DbSession
) -> Response:
    """A version's Markdown source, status, problems and `ETag` (needed to change it)."""
    return _version_response(service.get_version(session, slug, str(version_id)))


@router.patch(
    "/{slug}/versions/{version_id}",
    summary="Change a draft",
    response_model=LeafletVersionPublic,
    responses=problem_responses(401, 403, 404, 409, 412, 428),
)
def update_leaflet_version(
    slug: SlugPath,
    version_id: VersionIdPath,
    body: LeafletVersionUpdate,
    caller: Editor,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    """Change a DRAFT's title, summary, sample flag, review note or sections (only the
    sections named). Needs `If-Match`. Published and retired versions never change:
    409 `leaflet_version_not_draft`. Audited."""
    service.get_version(session, slug, str(version_id))
    expected = expected_version(if_match)
    fields, sections = _changes(body)
    row = service.update_draft(
        session, caller, slug, str(version_id), expected, fields=fields, sections=sections
    )
    return _version_response(row)


@router.get(
    "/{slug}/versions/{version_id}/preview",
    summary="Preview a version",
    response_model=LeafletPreview,
    responses={
        200: {
            "description": "The version rendered as readers would get it, as JSON or "
            "(with `Accept: text/html`) the whole page.",
            "content": _HTML_PAGE,
        },
        **problem_responses(401, 403, 404, 406),
    },
)
def preview_leaflet_version(
    request: Request,
    slug: SlugPath,
    version_id: VersionIdPath,
    caller: Editor,
    session: DbSession,
) -> Response:
    """Any version rendered exactly as the public read would render it (slots as
    generic wording), with the draft's `problems`. Not cached."""
    media = choose_media(request.headers.get("accept"))
    if media is None:
        raise NotAcceptableError()
    row = service.get_version(session, slug, str(version_id))
    body, page = service.preview(session, row)
    if media == "html":
        return Response(
            page,
            media_type="text/html",
            headers={"Content-Security-Policy": PAGE_CONTENT_SECURITY_POLICY},
        )
    return JSONResponse(body)


def _transition(
    action: Literal["publish", "retire"],
    slug: str,
    version_id: UUID,
    caller: Caller,
    session: Any,
    if_match: str | None,
) -> Response:
    service.get_version(session, slug, str(version_id))
    expected = expected_version(if_match)
    change = service.publish if action == "publish" else service.retire
    return _version_response(change(session, caller, slug, str(version_id), expected))


@router.post(
    "/{slug}/versions/{version_id}/publish",
    summary="Publish a draft",
    response_model=LeafletVersionPublic,
    responses=problem_responses(401, 403, 404, 409, 412, 428),
)
def publish_leaflet_version(
    slug: SlugPath,
    version_id: VersionIdPath,
    caller: Editor,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    """Publish a DRAFT, which then never changes; the version it replaces in that
    language is retired. Needs `If-Match`. 409 when it has problems
    (`leaflet_version_invalid`, listing them in `problems`), is older than the
    published version (`leaflet_version_superseded`), or is a translation of a
    leaflet with no published English (`leaflet_english_required`). Audited."""
    return _transition("publish", slug, version_id, caller, session, if_match)


@router.post(
    "/{slug}/versions/{version_id}/retire",
    summary="Retire a version",
    response_model=LeafletVersionPublic,
    responses=problem_responses(401, 403, 404, 409, 412, 428),
)
def retire_leaflet_version(
    slug: SlugPath,
    version_id: VersionIdPath,
    caller: Editor,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    """Withdraw a published version from readers (or abandon a draft). Needs
    `If-Match`. English cannot be retired while a translation is published
    (`leaflet_english_required`). Retiring twice changes nothing. Audited."""
    return _transition("retire", slug, version_id, caller, session, if_match)


@router.get(
    "/{slug}/diff",
    summary="Compare two versions",
    response_model=LeafletDiff,
    responses=problem_responses(401, 403, 404),
)
def diff_leaflet_versions(
    slug: SlugPath,
    caller: Editor,
    session: DbSession,
    from_version: Annotated[UUID, Query(alias="from", description="The older version's id.")],
    to_version: Annotated[UUID, Query(alias="to", description="The newer version's id.")],
) -> Response:
    """Section by section (ADDED, REMOVED, CHANGED or UNCHANGED, with a unified diff
    of each changed section's heading and Markdown), and front matter that differs.
    Any two versions of the leaflet, in any languages."""
    return JSONResponse(service.diff(session, slug, str(from_version), str(to_version)))
