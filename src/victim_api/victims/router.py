"""Routes of the victims domain: thin. Who sees what is decided in the service
(``service.view_for``): staff see every contact method with unsafe ones flagged,
the helpline safe methods only, everyone else none. WEB and PARTNER have no route."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from victim_api.cases import service as cases
from victim_api.platform.dependencies import CursorCodecDep, DatabaseDep, DbSession, SettingsDep
from victim_api.platform.errors import problem_responses
from victim_api.platform.etag import IfMatch, etag, expected_version
from victim_api.platform.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.pagination import PageRequest, cursor_values, page_request, paginate
from victim_api.platform.policy import requires
from victim_api.platform.principal import Caller, Channel
from victim_api.platform.types import UUID_PATTERN
from victim_api.victims import service
from victim_api.victims.schemas import (
    ConsentCreate,
    ConsentHistory,
    ConsentPublic,
    ContactCreate,
    ContactPage,
    ContactPublic,
    PinIssued,
    VictimCreate,
    VictimExport,
    VictimPage,
    VictimPublic,
    VictimUpdate,
)
from victim_api.victims.scopes import (
    CONSENTS_WRITE,
    CONTACTS_WRITE,
    VICTIMS_CONTACT_DETAILS,
    VICTIMS_ERASE,
    VICTIMS_READ,
    VICTIMS_WRITE,
)

router = APIRouter(prefix="/v1", tags=["victims"])

Reader = Annotated[
    Caller,
    requires(
        Channel.STAFF,
        Channel.PHONE,
        Channel.POLICE_SYSTEM,
        scopes=[VICTIMS_READ],
        purpose="VICTIM_CARE",
    ),
]
Creator = Annotated[
    Caller,
    requires(Channel.STAFF, Channel.POLICE_SYSTEM, scopes=[VICTIMS_WRITE], purpose="VICTIM_CARE"),
]
Editor = Annotated[Caller, requires(Channel.STAFF, scopes=[VICTIMS_WRITE], purpose="VICTIM_CARE")]
ConsentRecorder = Annotated[
    Caller, requires(Channel.STAFF, scopes=[CONSENTS_WRITE], purpose="VICTIM_CARE")
]
ContactRecorder = Annotated[
    Caller,
    requires(Channel.STAFF, Channel.PHONE, scopes=[CONTACTS_WRITE], purpose="VICTIM_CARE"),
]
SubjectRights = Annotated[
    Caller,
    requires(
        Channel.STAFF,
        scopes=[VICTIMS_ERASE, VICTIMS_CONTACT_DETAILS],
        purpose="SUBJECT_RIGHTS",
    ),
]
Page = Annotated[PageRequest, Depends(page_request)]
CaseIdPath = Annotated[str, Path(pattern=UUID_PATTERN, description="The case's UUID.")]
VictimIdPath = Annotated[str, Path(pattern=UUID_PATTERN, description="The victim's UUID.")]
_ETAG_HEADER = {
    "ETag": {"description": "The victim's version, for If-Match.", "schema": {"type": "string"}}
}
_LOCATION = {
    "Location": {"description": "Where the new resource is.", "schema": {"type": "string"}}
}


def _victim_response(view: dict[str, Any], status_code: int = 200, **headers: str) -> Response:
    return JSONResponse(
        view, status_code=status_code, headers={"ETag": etag(view["version"]), **headers}
    )


def _page(
    request: Request, codec: Any, page: PageRequest, rows: list[dict[str, Any]], sort_key: Any
) -> Response:
    items, next_cursor, next_url = paginate(
        rows, page, codec=codec, path=request.url.path, filters={}, sort_key=sort_key
    )
    body: dict[str, Any] = {"items": items}
    if next_cursor:
        body["next_cursor"], body["next"] = next_cursor, next_url
    return JSONResponse(body)


@router.post(
    "/cases/{case_id:uuid_text}/victims",
    summary="Add a person to a case",
    status_code=201,
    response_model=VictimPublic,
    responses={
        201: {"headers": {**_ETAG_HEADER, **_LOCATION}},
        **problem_responses(401, 403, 404, 409, 422, 503),
    },
)
def create_victim(
    request: Request,
    case_id: CaseIdPath,
    body: VictimCreate,
    caller: Creator,
    session: DbSession,
    database: DatabaseDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """A victim, parent or guardian, bereaved relative, family spokesperson or business
    contact, as reported. The date of birth is kept (and hashed as a verification
    factor); "under 18 at the offence" is derived and the case's enhanced rights
    follow. Retry safely with the same `Idempotency-Key`."""
    case_id = case_id.lower()

    def produce() -> Response:
        view = service.create_victim(
            session,
            caller,
            case_id,
            body,
            pepper=settings.secret_pepper,
            policy=cases.DeadlinePolicy.from_settings(settings),
        )
        return _victim_response(view, 201, Location=f"/v1/victims/{view['id']}")

    return run_idempotent(
        database,
        session,
        client_id=caller.principal.client_id,
        key=idempotency_key,
        request_fingerprint=fingerprint("POST", request.url.path, body.model_dump(mode="json")),
        produce=produce,
    )


@router.get(
    "/cases/{case_id:uuid_text}/victims",
    summary="The people on a case",
    response_model=VictimPage,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def list_case_victims(
    request: Request,
    case_id: CaseIdPath,
    caller: Reader,
    session: DbSession,
    codec: CursorCodecDep,
    page: Page,
) -> Response:
    """In the order they were added. Contact details as the caller may see them."""
    after = cursor_values(page, codec, request.url.path, {})
    rows = service.list_victims(session, caller, case_id.lower(), limit=page.limit, after=after)
    return _page(request, codec, page, rows, service.victim_sort_key)


@router.get(
    "/victims/{victim_id}",
    summary="Read a person on a case",
    response_model=VictimPublic,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 503)},
)
def get_victim(victim_id: VictimIdPath, caller: Reader, session: DbSession) -> Response:
    """Staff (with `victims:contact-details`) see every contact method, unsafe ones
    flagged with the reasons; the helpline sees safe methods only; without the
    scope, no contact details. Every read is audited. Sends `ETag`."""
    return _victim_response(service.get_victim(session, caller, victim_id.lower()))


@router.patch(
    "/victims/{victim_id}",
    summary="Change a person's details",
    response_model=VictimPublic,
    responses={
        200: {"headers": _ETAG_HEADER},
        **problem_responses(401, 403, 404, 409, 412, 422, 428, 503),
    },
)
def update_victim(
    victim_id: VictimIdPath,
    body: VictimUpdate,
    caller: Editor,
    session: DbSession,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> Response:
    """Only the fields sent change; nullable ones clear with null. `If-Match` is the
    victim's ETag (428 without it, 412 when stale). Read-only fields (`version`,
    `under_18_at_offence`, `opted_out_on`...) are 422. Opting out records the date,
    and once everyone on the case has opted out its open duties are waived."""
    victim_id = victim_id.lower()
    service.require_victim(session, victim_id)  # 404 before 428
    view = service.update_victim(
        session,
        caller,
        victim_id,
        body,
        expected_version=expected_version(if_match),
        pepper=settings.secret_pepper,
        policy=cases.DeadlinePolicy.from_settings(settings),
    )
    return _victim_response(view)


@router.post(
    "/victims/{victim_id}/consents",
    summary="Record a consent decision",
    status_code=201,
    response_model=ConsentPublic,
    responses=problem_responses(401, 403, 404, 409, 503),
)
def record_victim_consent(
    victim_id: VictimIdPath, body: ConsentCreate, caller: ConsentRecorder, session: DbSession
) -> Response:
    """Consent given or withdrawn for one purpose, with its legal basis. The history
    is append-only; the latest decision per purpose is in force at once."""
    return JSONResponse(
        service.record_consent(session, caller, victim_id.lower(), body), status_code=201
    )


@router.get(
    "/victims/{victim_id}/consents",
    summary="A person's consent history",
    response_model=ConsentHistory,
    responses=problem_responses(401, 403, 404, 503),
)
def list_victim_consents(victim_id: VictimIdPath, caller: Reader, session: DbSession) -> Response:
    """Every decision, oldest first, and the decision in force per purpose."""
    return JSONResponse(service.list_consents(session, caller, victim_id.lower()))


@router.post(
    "/victims/{victim_id}/pin",
    summary="Issue a verification PIN",
    status_code=201,
    response_model=PinIssued,
    responses=problem_responses(401, 403, 404, 409, 503),
)
def issue_victim_pin(
    victim_id: VictimIdPath, caller: Creator, session: DbSession, settings: SettingsDep
) -> Response:
    """A new random PIN of `VICTIM_API_VICTIM_PIN_LENGTH` digits (at least 6), for
    keypad verification on the helpline. Returned this once (`Cache-Control:
    no-store`); only its argon2id hash is kept. A new PIN replaces the old one."""
    view = service.issue_pin(
        session,
        caller,
        victim_id.lower(),
        pepper=settings.secret_pepper,
        length=settings.victim_pin_length,
    )
    return JSONResponse(view, status_code=201, headers={"Cache-Control": "no-store"})


@router.post(
    "/victims/{victim_id}/contacts",
    summary="Record a contact",
    status_code=201,
    response_model=ContactPublic,
    responses=problem_responses(401, 403, 404, 409, 503),
)
def record_victim_contact(
    victim_id: VictimIdPath, body: ContactCreate, caller: ContactRecorder, session: DbSession
) -> Response:
    """A call, voicemail, SMS, email, letter or visit, with its outcome, and the
    case's open Victims' Code duties it meets. An outbound contact by a method
    flagged unsafe is 409 `contact_method_unsafe`, unless staff give
    `safety_override` with a reason (audited). Naming a duty that is not open on
    the case is 409 `duty_not_open`; a contact that reached no one meets none."""
    return JSONResponse(
        service.record_contact(session, caller, victim_id.lower(), body), status_code=201
    )


@router.get(
    "/victims/{victim_id}/contacts",
    summary="A person's contact log",
    response_model=ContactPage,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def list_victim_contacts(
    request: Request,
    victim_id: VictimIdPath,
    caller: Reader,
    session: DbSession,
    codec: CursorCodecDep,
    page: Page,
) -> Response:
    """Most recent first."""
    after = cursor_values(page, codec, request.url.path, {})
    rows = service.list_contacts(session, caller, victim_id.lower(), limit=page.limit, after=after)
    return _page(request, codec, page, rows, service.contact_sort_key)


@router.get(
    "/victims/{victim_id}/export",
    summary="Export everything held about a person",
    response_model=VictimExport,
    responses=problem_responses(401, 403, 404, 503),
)
def export_victim(victim_id: VictimIdPath, caller: SubjectRights, session: DbSession) -> Response:
    """Subject access: the record with every contact detail, consents and contacts,
    as JSON. Audited as a DISCLOSURE to the data subject. Hashes are never included."""
    return JSONResponse(service.export_victim(session, caller, victim_id.lower()))


@router.post(
    "/victims/{victim_id}/erasure",
    summary="Erase a person's personal data",
    response_model=VictimPublic,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 503)},
)
def erase_victim(victim_id: VictimIdPath, caller: SubjectRights, session: DbSession) -> Response:
    """Nulls names, date of birth, verification hashes, contact details, needs,
    flags and contact-log summaries; keeps the case, the contact log's dates and
    outcomes, consents, duties and the audit trail. Audited as ERASURE. Erasing
    again changes nothing."""
    return _victim_response(service.erase_victim(session, caller, victim_id.lower()))
