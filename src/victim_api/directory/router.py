"""``/v1/directory``: staff search and maintenance of the support-service directory.

Directory data describes organisations, not people, so these routes write no
audit records and reads use a read-only session.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from victim_api.directory import service
from victim_api.directory.schemas import (
    LANGUAGE_PATTERN,
    SEARCH_PATTERN,
    UUID_PATTERN,
    BoroughCode,
    CrimeTypeCode,
    DirectoryService,
    DirectoryServiceCreate,
    DirectoryServicePage,
    DirectoryServiceUpdate,
    NeedCode,
)
from victim_api.directory.scopes import DIRECTORY_READ, DIRECTORY_WRITE
from victim_api.platform.dependencies import CursorCodecDep, DatabaseDep, DbSession, ReadSession
from victim_api.platform.errors import problem_responses
from victim_api.platform.etag import IfMatch, etag
from victim_api.platform.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.pagination import PageRequest, cursor_values, page_request, paginate
from victim_api.platform.policy import requires
from victim_api.platform.principal import Caller, Channel

router = APIRouter(prefix="/v1/directory", tags=["directory"])

Reader = Annotated[
    Caller,
    requires(Channel.STAFF, Channel.PHONE, scopes=[DIRECTORY_READ], purpose="VICTIM_CARE"),
]
Writer = Annotated[
    Caller, requires(Channel.STAFF, scopes=[DIRECTORY_WRITE], purpose="DIRECTORY_MAINTENANCE")
]
ServiceId = Annotated[str, Path(pattern=UUID_PATTERN, description="The service's HSDS id.")]


def _view_response(view: dict[str, Any], status_code: int = 200, **headers: str) -> Response:
    return JSONResponse(
        view, status_code=status_code, headers={"ETag": etag(view["version"]), **headers}
    )


@router.get(
    "/services",
    summary="Search the directory",
    response_model=DirectoryServicePage,
    responses=problem_responses(400, 401, 403),
)
def search_directory_services(
    request: Request,
    caller: Reader,
    session: ReadSession,
    codec: CursorCodecDep,
    page: Annotated[PageRequest, Depends(page_request)],
    crime_type: Annotated[
        CrimeTypeCode | None, Query(description="Accepts victims of this crime type.")
    ] = None,
    borough: Annotated[BoroughCode | None, Query(description="Covers this borough.")] = None,
    need: Annotated[
        list[NeedCode] | None,
        Query(max_length=10, description="Meets at least one of these needs (repeatable)."),
    ] = None,
    language: Annotated[
        str | None,
        Query(pattern=LANGUAGE_PATTERN, description="Offers this language (BCP 47, exact)."),
    ] = None,
    age: Annotated[int | None, Query(ge=0, le=150, description="Takes victims of this age.")] = (
        None
    ),
    open_now: Annotated[
        bool, Query(description="Open now, by its weekly schedule (Europe/London).")
    ] = False,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=SEARCH_PATTERN,
            description="Case-insensitive text in the name, alternate name or description.",
        ),
    ] = None,
) -> Response:
    """Active services matching every filter given, best first: those meeting more of
    the requested needs, then specialists (fewer crime types) before generalists,
    then local (fewer boroughs) before London-wide, then by name. Cursor-paginated.
    Each item says which of the requested needs it meets."""
    filters = service.SearchFilters(
        crime_type=crime_type,
        borough=borough,
        needs=tuple(dict.fromkeys(need or [])),
        language=language.lower() if language else None,
        age=age,
        open_now=open_now,
        q=q,
    )
    params = filters.as_params()
    after = cursor_values(page, codec, request.url.path, params)
    rows = service.search_services(session, filters, limit=page.limit + 1, after=after)
    items, next_cursor, next_url = paginate(
        rows,
        page,
        codec=codec,
        path=request.url.path,
        filters=params,
        sort_key=lambda r: r.key,
    )
    body: dict[str, Any] = {"items": [r.view for r in items]}
    if next_cursor:
        body.update(next_cursor=next_cursor, next=next_url)
    return JSONResponse(body)


@router.post(
    "/services",
    summary="Add a service",
    status_code=201,
    response_model=DirectoryService,
    responses=problem_responses(401, 403, 409),
)
def create_directory_service(
    request: Request,
    body: DirectoryServiceCreate,
    caller: Writer,
    session: DbSession,
    database: DatabaseDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Add a service to an organisation already in the directory. 409 `unknown_reference`
    if `organization_id` or a `location_id` names nothing in the directory. The service
    appears on /openreferral at once."""

    def produce() -> Response:
        service_id = str(uuid.uuid4())
        view = service.create_service(session, body, service_id=service_id)
        return _view_response(view, 201, Location=f"{request.url.path.rstrip('/')}/{service_id}")

    return run_idempotent(
        database,
        session,
        client_id=caller.principal.client_id,
        key=idempotency_key,
        request_fingerprint=fingerprint("POST", request.url.path, body.model_dump(mode="json")),
        produce=produce,
    )


@router.get(
    "/services/{service_id}",
    summary="Read a service",
    response_model=DirectoryService,
    responses=problem_responses(401, 403, 404),
)
def get_directory_service(service_id: ServiceId, caller: Reader, session: ReadSession) -> Response:
    """One service as staff see it, with its `ETag` for changes."""
    return _view_response(service.get_service(session, service_id.lower()))


@router.patch(
    "/services/{service_id}",
    summary="Change a service",
    response_model=DirectoryService,
    responses=problem_responses(401, 403, 404, 409, 412, 428),
)
def update_directory_service(
    service_id: ServiceId,
    body: DirectoryServiceUpdate,
    caller: Writer,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    """Change some fields: send only those. A list replaces the whole list; `null`
    clears an optional field. Needs `If-Match` with the current ETag (428 without, 412
    if someone changed it first)."""
    view = service.update_service(session, service_id.lower(), body, if_match=if_match)
    return _view_response(view)


@router.delete(
    "/services/{service_id}",
    summary="Withdraw a service",
    status_code=204,
    responses=problem_responses(401, 403, 404, 412, 428),
)
def withdraw_directory_service(
    service_id: ServiceId, caller: Writer, session: DbSession, if_match: IfMatch = None
) -> Response:
    """Mark the service `INACTIVE`. It is kept, so referrals that name it still resolve
    and Open Referral readers see it go; staff search and recommendations skip it.
    PATCH `status` back to `ACTIVE` to restore it. Needs `If-Match`."""
    service.withdraw_service(session, service_id.lower(), if_match=if_match)
    return Response(status_code=204)
