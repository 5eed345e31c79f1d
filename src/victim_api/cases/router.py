"""Routes of the cases domain: thin, for STAFF and POLICE_SYSTEM clients only.

Victim channels get their views through the helpline and web domains
(``service.victim_view`` and ``service.victim_timeline``); partners have no
route to cases at all. Crime references travel only in request bodies.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from victim_api.cases import service
from victim_api.cases.schemas import (
    BatchUpsertRequest,
    BatchUpsertResponse,
    BoroughCode,
    CaseBatchItem,
    CaseEntitlements,
    CaseLookup,
    CasePage,
    CasePublic,
    CaseUpsert,
    CrimeTypeCode,
    DutyPage,
    DutyPublic,
    DutyState,
    EventCreate,
    EventPage,
    EventPublic,
    RuleList,
    RulePublic,
    RuleUpdate,
    StaffAssessments,
    Waiver,
)
from victim_api.cases.scopes import (
    CASES_READ,
    CASES_WRITE,
    DUTIES_WRITE,
    ENTITLEMENTS_WRITE,
    RULES_WRITE,
)
from victim_api.cases.transitions import CaseStatus
from victim_api.platform.audit import Operation, Outcome, record
from victim_api.platform.dependencies import (
    AuditedReadSession,
    CursorCodecDep,
    DatabaseDep,
    DbSession,
    SettingsDep,
)
from victim_api.platform.errors import NotFoundError, problem_response, problem_responses
from victim_api.platform.etag import IfMatch, etag, expected_version
from victim_api.platform.etag import PreconditionRequiredError as _PreconditionRequired
from victim_api.platform.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.pagination import PageRequest, cursor_values, page_request, paginate
from victim_api.platform.policy import requires
from victim_api.platform.principal import Caller, Channel
from victim_api.platform.types import UUID_PATTERN, UtcDateTime

router = APIRouter(prefix="/v1", tags=["cases"])
# Its body may be larger than other requests' (VICTIM_API_MAX_BATCH_BODY_BYTES).
BATCH_UPSERT_PATH = "/v1/cases/batch-upsert"


class _UuidText(Convertor[str]):
    """Path ids route only when they look like UUIDs, so `/v1/cases/lookup` and
    `/v1/cases/batch-upsert` never match `/v1/cases/{case_id}` (a wrong method on
    them is 405, not 422). Normalised to lower case."""

    regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def convert(self, value: str) -> str:
        return value.lower()

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("uuid_text", _UuidText())

Reader = Annotated[
    Caller,
    requires(Channel.STAFF, Channel.POLICE_SYSTEM, scopes=[CASES_READ], purpose="VICTIM_CARE"),
]
Writer = Annotated[
    Caller,
    requires(Channel.STAFF, Channel.POLICE_SYSTEM, scopes=[CASES_WRITE], purpose="CASE_MANAGEMENT"),
]
Syncer = Annotated[
    Caller, requires(Channel.POLICE_SYSTEM, scopes=[CASES_WRITE], purpose="CASE_MANAGEMENT")
]
EntitlementsAssessor = Annotated[
    Caller, requires(Channel.STAFF, scopes=[ENTITLEMENTS_WRITE], purpose="VICTIM_CARE")
]
DutyWaiver = Annotated[
    Caller, requires(Channel.STAFF, scopes=[DUTIES_WRITE], purpose="VICTIM_CARE")
]
RulesAdmin = Annotated[
    Caller, requires(Channel.STAFF, scopes=[RULES_WRITE], purpose="ADMINISTRATION")
]
Page = Annotated[PageRequest, Depends(page_request)]

CaseIdPath = Annotated[str, Path(pattern=UUID_PATTERN, description="The case's UUID.")]
_ETAG_HEADER = {
    "ETag": {"description": "The case's version, for If-Match.", "schema": {"type": "string"}}
}
_LOCATION = {
    "Location": {"description": "Where the new resource is.", "schema": {"type": "string"}}
}
IfNoneMatch = Annotated[
    Literal["*"] | None,
    Header(alias="If-None-Match", description="`*` to create the case; 412 if it already exists."),
]


def contract_schemas() -> dict[str, Any]:
    """Schemas the contract names that no operation references directly."""
    schema = CaseBatchItem.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {"CaseBatchItem": schema}


def _policy(settings: Any) -> service.DeadlinePolicy:
    return service.DeadlinePolicy.from_settings(settings)


def _case_response(view: dict[str, Any], status_code: int = 200, **headers: str) -> Response:
    return JSONResponse(
        view, status_code=status_code, headers={"ETag": etag(view["version"]), **headers}
    )


def _page(
    request: Request,
    codec: Any,
    page: PageRequest,
    filters: dict[str, Any],
    rows: list[dict[str, Any]],
    sort_key: Any,
) -> Response:
    items, next_cursor, next_url = paginate(
        rows, page, codec=codec, path=request.url.path, filters=filters, sort_key=sort_key
    )
    body: dict[str, Any] = {"items": items}
    if next_cursor:
        body["next_cursor"], body["next"] = next_cursor, next_url
    return JSONResponse(body)


# ---------------------------------------------------------------------------
# Cases


@router.put(
    "/cases/{case_id:uuid_text}",
    summary="Create or update a case (police systems)",
    response_model=CasePublic,
    responses={
        200: {"description": "Updated (or unchanged).", "headers": _ETAG_HEADER},
        201: {
            "description": "Created.",
            "model": CasePublic,
            "headers": {**_ETAG_HEADER, **_LOCATION},
            "links": {
                "AddVictim": {
                    "operationId": "createVictim",
                    "parameters": {"case_id": "$response.body#/id"},
                    "description": "Add a person to the new case.",
                },
                "IssueQrToken": {
                    "operationId": "createQrToken",
                    "requestBody": {
                        "leaflet_slug": "victim-information",
                        "case_id": "$response.body#/id",
                    },
                    "description": "Issue a QR token bound to the new case.",
                },
            },
        },
        **problem_responses(401, 403, 404, 409, 412, 428, 503),
    },
)
def upsert_case(
    case_id: CaseIdPath,
    body: CaseUpsert,
    caller: Writer,
    session: DbSession,
    settings: SettingsDep,
    if_match: IfMatch = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Send the whole case as the police record system holds it.

    * **Create** with `If-None-Match: *`: 201 with `Location` and `ETag`; 412
      `case_exists` if the id is taken; 409 `crime_reference_taken` if another
      case has the crime reference.
    * **Update** with `If-Match: "v<version>"`: 200 with the new `ETag`; 412 when
      stale (of two writers holding the same ETag exactly one wins); 404 if
      there is no such case.
    * Neither header: 428.

    A status change must follow the transition table (docs/cases.md), else 409
    `illegal_transition` with `allowed_next`. Each change records a timeline
    event (`status_change` describes it) and the Victims' Code duties it
    creates. A case may be created at any status.
    """
    case_id = case_id.lower()
    caller_policy = _policy(settings)
    if if_match is not None:
        service.require_case(session, case_id)  # 404 before 412
        version = expected_version(if_match)
        view, _ = service.update_case(
            session, caller, case_id, body, expected_version=version, policy=caller_policy
        )
        return _case_response(view)
    if if_none_match is not None:
        view = service.create_case(session, caller, case_id, body, policy=caller_policy)
        return _case_response(view, 201, Location=f"/v1/cases/{case_id}")
    raise _PreconditionRequired()


@router.get(
    "/cases/{case_id:uuid_text}",
    summary="Read a case",
    response_model=CasePublic,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 503)},
)
def get_case(case_id: CaseIdPath, caller: Reader, session: AuditedReadSession) -> Response:
    """The case with its officer in charge, status, victim-facing status sentence,
    allowed next statuses and entitlements (each with its reason). Sends `ETag`."""
    return _case_response(service.get_case(session, caller, case_id.lower()))


@router.post(
    "/cases/lookup",
    summary="Find a case by crime reference",
    response_model=CasePublic,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 503)},
)
def lookup_case(request: Request, body: CaseLookup, caller: Reader, session: DbSession) -> Response:
    """Crime references never go in URLs, so the lookup is a POST with the reference
    in the body (canonical `1234567/26` or keypad `123456726`). A miss is 404 and
    is recorded in the audit trail as a failed consultation."""
    try:
        return _case_response(service.lookup_case(session, caller, body.crime_reference))
    except NotFoundError as miss:
        # Answered, not raised, so the failed consultation is committed.
        record(
            session,
            caller,
            operation=Operation.CONSULTATION,
            resource_type="case",
            outcome=Outcome.FAILED,
        )
        return problem_response(request, miss.status, miss.code, miss.detail)


@router.get(
    "/cases",
    summary="List cases",
    response_model=CasePage,
    responses=problem_responses(400, 401, 403, 503),
)
def list_cases(
    request: Request,
    caller: Reader,
    session: AuditedReadSession,
    codec: CursorCodecDep,
    page: Page,
    borough: Annotated[BoroughCode | None, Query(description="Only this borough.")] = None,
    status: Annotated[CaseStatus | None, Query(description="Only this status.")] = None,
    crime_type: Annotated[CrimeTypeCode | None, Query(description="Only this crime type.")] = None,
    updated_since: Annotated[
        UtcDateTime | None, Query(description="Only cases updated at or after this time.")
    ] = None,
) -> Response:
    """Cases in the order they were last updated (oldest first, then by id), so a
    nightly sync can page forward from `updated_since`. Filters combine with AND;
    each is served by an index on (filter, updated_at, id)."""
    filters: dict[str, Any] = {
        "borough": borough,
        "status": status.value if status else None,
        "crime_type": crime_type,
        "updated_since": updated_since.isoformat() if updated_since else None,
    }
    after = cursor_values(page, codec, request.url.path, filters)
    rows = service.list_cases(
        session,
        caller,
        service.CaseFilters(borough, filters["status"], crime_type, updated_since),
        limit=page.limit,
        after=after,
    )
    return _page(request, codec, page, filters, rows, service.case_sort_key)


@router.post(
    BATCH_UPSERT_PATH.removeprefix("/v1"),
    summary="Create or update many cases (nightly sync)",
    response_model=BatchUpsertResponse,
    responses=problem_responses(401, 403, 503),
)
def batch_upsert_cases(
    body: BatchUpsertRequest, caller: Syncer, session: DbSession, settings: SettingsDep
) -> Response:
    """Up to 500 cases, keyed by crime reference (more is 422). Each item is a
    `CaseBatchItem` and gets its own result, in order: `CREATED`, `UPDATED`,
    `UNCHANGED`, or `ERROR` with a problem (`validation_failed`,
    `illegal_transition`, `duplicate_in_batch`, `case_id_mismatch`, ...). Good
    items land even when others fail. Sending the same batch again changes
    nothing. Results name items by `index`, never by crime reference."""
    result = service.batch_upsert(session, caller, body.items, policy=_policy(settings))
    return JSONResponse(result)


# ---------------------------------------------------------------------------
# Timeline


@router.post(
    "/cases/{case_id:uuid_text}/events",
    summary="Add a timeline event",
    status_code=201,
    response_model=EventPublic,
    responses={
        201: {"headers": _LOCATION},
        **problem_responses(401, 403, 404, 409, 503),
    },
)
def create_case_event(
    request: Request,
    case_id: CaseIdPath,
    body: Annotated[EventCreate, Body()],
    caller: Writer,
    session: DbSession,
    database: DatabaseDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Record something that happened (an interview, a bail change, a hearing, an
    outcome, a complaint, a note). The victim-facing text defaults to a standard
    plain-English sentence; `internal_note` is never shown on a victim channel.
    An event the Victims' Code requires the victim to hear about creates a duty
    (see `GET /v1/cases/{case_id}/duties`). Status changes go through
    `PUT /v1/cases/{case_id}`. Retry safely with the same `Idempotency-Key`."""
    case_id = case_id.lower()

    def produce() -> Response:
        view = service.add_event(session, caller, case_id, body, policy=_policy(settings))
        return JSONResponse(
            view, status_code=201, headers={"Location": f"/v1/cases/{case_id}/events/{view['id']}"}
        )

    return run_idempotent(
        database,
        session,
        client_id=caller.principal.client_id,
        key=idempotency_key,
        request_fingerprint=fingerprint("POST", request.url.path, body.model_dump(mode="json")),
        produce=produce,
    )


@router.get(
    "/cases/{case_id:uuid_text}/events",
    summary="A case's timeline",
    response_model=EventPage,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def list_case_events(
    request: Request,
    case_id: CaseIdPath,
    caller: Reader,
    session: AuditedReadSession,
    codec: CursorCodecDep,
    page: Page,
) -> Response:
    """Every event, VICTIM and INTERNAL, oldest first, with internal notes."""
    after = cursor_values(page, codec, request.url.path, {})
    rows = service.list_events(session, caller, case_id.lower(), limit=page.limit, after=after)
    return _page(request, codec, page, {}, rows, service.timeline_sort_key)


@router.get(
    "/cases/{case_id:uuid_text}/events/{event_id:uuid_text}",
    summary="Read a timeline event",
    response_model=EventPublic,
    responses=problem_responses(401, 403, 404, 503),
)
def get_case_event(
    case_id: CaseIdPath,
    event_id: Annotated[str, Path(pattern=UUID_PATTERN)],
    caller: Reader,
    session: AuditedReadSession,
) -> Response:
    """One event of a case's timeline."""
    return JSONResponse(service.get_event(session, caller, case_id.lower(), event_id.lower()))


# ---------------------------------------------------------------------------
# Entitlements


@router.put(
    "/cases/{case_id:uuid_text}/entitlements",
    summary="Record staff-assessed entitlements",
    response_model=CaseEntitlements,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 412, 428, 503)},
)
def set_case_entitlements(
    case_id: CaseIdPath,
    body: StaffAssessments,
    caller: EntitlementsAssessor,
    session: DbSession,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> Response:
    """The whole set of staff-assessed entitlements (persistently targeted,
    vulnerable, intimidated, bereaved), each with its reason; absent or null
    means not assessed. Derived entitlements (most serious crime, under 18 at
    the offence) are kept. `If-Match` is the case's ETag; the case's version is
    bumped. If the case becomes (or stops being) enhanced, its open duties move
    to the timescale that now applies."""
    case_id = case_id.lower()
    service.require_case(session, case_id)  # 404 before 428
    view = service.set_staff_entitlements(
        session,
        caller,
        case_id,
        body,
        expected_version=expected_version(if_match),
        policy=_policy(settings),
    )
    return JSONResponse(view, headers={"ETag": etag(view["version"])})


# ---------------------------------------------------------------------------
# Duties


@router.get(
    "/cases/{case_id:uuid_text}/duties",
    summary="A case's Victims' Code duties",
    response_model=DutyPage,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def list_case_duties(
    request: Request,
    case_id: CaseIdPath,
    caller: Reader,
    session: AuditedReadSession,
    codec: CursorCodecDep,
    page: Page,
    state: Annotated[DutyState | None, Query(description="Only duties in this state.")] = None,
) -> Response:
    """The updates the victim is owed and by when, soonest due first: `DUE`,
    `OVERDUE`, `MET`, `MET_LATE` or `WAIVED`, computed against now. Due dates are
    in working days (England and Wales) on the standard or enhanced timescale."""
    filters: dict[str, Any] = {"state": state.value if state else None}
    after = cursor_values(page, codec, request.url.path, filters)
    rows = service.list_duties(
        session, caller, case_id.lower(), state=state, limit=page.limit, after=after
    )
    return _page(request, codec, page, filters, rows, service.duty_sort_key)


@router.post(
    "/cases/{case_id:uuid_text}/duties/{duty_id:uuid_text}/waiver",
    summary="Waive a duty",
    response_model=DutyPublic,
    responses=problem_responses(401, 403, 404, 409, 503),
)
def waive_case_duty(
    case_id: CaseIdPath,
    duty_id: Annotated[str, Path(pattern=UUID_PATTERN)],
    body: Waiver,
    caller: DutyWaiver,
    session: DbSession,
) -> Response:
    """Waive an open duty with a reason (for example, the victim opted out of
    updates). A duty already met or waived is 409 `duty_closed`."""
    view = service.waive_duty(
        session, caller, duty_id.lower(), body.reason, case_id=case_id.lower()
    )
    return JSONResponse(view)


# ---------------------------------------------------------------------------
# Notification rules


@router.get(
    "/notification-rules",
    summary="The Victims' Code notification rules",
    response_model=RuleList,
    responses=problem_responses(401, 403, 503),
)
def list_notification_rules(caller: Reader, session: DbSession) -> Response:
    """For each event type the Code requires a victim to hear about: the standard
    and enhanced timescales in working days, and who is responsible."""
    return JSONResponse({"items": service.list_rules(session, caller)})


@router.put(
    "/notification-rules/{event_type}",
    summary="Change a notification rule",
    response_model=RulePublic,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 412, 428, 503)},
)
def update_notification_rule(
    event_type: Annotated[str, Path(pattern=r"^[A-Z][A-Z_]{2,39}$")],
    body: RuleUpdate,
    caller: RulesAdmin,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    """Change a rule's timescales, who is responsible, or switch it off. Duties
    already created keep their due dates. `If-Match` is the rule's ETag."""
    service.require_rule(session, event_type)  # 404 before 428
    view = service.update_rule(
        session, caller, event_type, body, expected_version=expected_version(if_match)
    )
    return JSONResponse(view, headers={"ETag": etag(view["version"])})
