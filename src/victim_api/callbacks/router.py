"""Routes of the callbacks domain: thin. ``/v1/me/...`` for a verified victim (a
victim session token), ``/v1/callback-requests`` for staff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from victim_api.callbacks import service
from victim_api.callbacks.schemas import (
    CallbackCompletion,
    CallbackCreate,
    CallbackPage,
    CallbackPublic,
    CallbackStatus,
    CallbackVictimPage,
    CallbackVictimPublic,
    FeedbackCreate,
    FeedbackPublic,
)
from victim_api.callbacks.scopes import CALLBACKS_READ, CALLBACKS_WRITE
from victim_api.cases.service import DeadlinePolicy
from victim_api.platform.dependencies import CursorCodecDep, DatabaseDep, DbSession
from victim_api.platform.errors import problem_responses
from victim_api.platform.etag import etag
from victim_api.platform.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.pagination import PageRequest, cursor_values, page_request, paginate
from victim_api.platform.policy import requires, requires_victim_session
from victim_api.platform.principal import Caller, Channel
from victim_api.platform.types import UUID_PATTERN

router = APIRouter(prefix="/v1", tags=["callbacks"])

Victim = Annotated[
    Caller, requires_victim_session(Channel.PHONE, Channel.WEB, purpose="VICTIM_SELF_SERVICE")
]
Reader = Annotated[Caller, requires(Channel.STAFF, scopes=[CALLBACKS_READ], purpose="VICTIM_CARE")]
Writer = Annotated[Caller, requires(Channel.STAFF, scopes=[CALLBACKS_WRITE], purpose="VICTIM_CARE")]
Page = Annotated[PageRequest, Depends(page_request)]
CallbackIdPath = Annotated[
    str, Path(pattern=UUID_PATTERN, description="The callback request's UUID.")
]
TeamQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=120,
        pattern=r"^[^\x00-\x1F\x7F]+$",
        description="Only callbacks on cases whose officer in charge is in this team "
        "(the case's `officer.team`, exactly).",
    ),
]
_LOCATION = {
    "Location": {"description": "Where the new resource is.", "schema": {"type": "string"}}
}
_ETAG_HEADER = {"ETag": {"description": "The request's version.", "schema": {"type": "string"}}}


def _idempotency_owner(caller: Caller) -> str:
    # Keys are per victim, not per client: one IVR client serves many victims, and
    # one victim's retry must never replay another's answer.
    return f"victim:{caller.principal.victim_id}"


def _page_body(items: list[Any], next_cursor: str | None, next_url: str | None) -> Response:
    body: dict[str, Any] = {"items": items}
    if next_cursor:
        body["next_cursor"], body["next"] = next_cursor, next_url
    return JSONResponse(body)


@router.post(
    "/me/callback-requests",
    summary="Ask to be called back",
    status_code=201,
    response_model=CallbackVictimPublic,
    responses={201: {"headers": _LOCATION}, **problem_responses(401, 403, 404, 409, 422, 503)},
)
def request_callback(
    request: Request,
    body: CallbackCreate,
    caller: Victim,
    session: DbSession,
    database: DatabaseDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """A verified victim asks victim-care staff to call them back: 1 to 5 future time
    windows (`from` before `to`), a reason and an optional short note. The answer says
    when staff aim to call by (`due_by`, a number of working days from now; bank
    holidays excluded). No phone number is sent or stored: staff call the victim's
    safe contact methods on record. Retry safely with the same `Idempotency-Key`."""
    settings = request.app.state.settings

    def produce() -> Response:
        view = service.request_callback(
            session,
            caller,
            body,
            policy=DeadlinePolicy.from_settings(settings),
            due_working_days=settings.callback_due_working_days,
        )
        return JSONResponse(
            CallbackVictimPublic.model_validate(view).model_dump(mode="json", by_alias=True),
            status_code=201,
            headers={"Location": f"/v1/me/callback-requests/{view['id']}"},
        )

    return run_idempotent(
        database,
        session,
        client_id=_idempotency_owner(caller),
        key=idempotency_key,
        request_fingerprint=fingerprint(
            "POST", request.url.path, body.model_dump(mode="json", by_alias=True)
        ),
        produce=produce,
    )


@router.get(
    "/me/callback-requests",
    summary="My callback requests",
    response_model=CallbackVictimPage,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def list_my_callbacks(
    request: Request, caller: Victim, session: DbSession, codec: CursorCodecDep, page: Page
) -> Response:
    """The verified victim's own callback requests, newest first, with their status."""
    after = cursor_values(page, codec, request.url.path, {})
    rows = service.list_own(session, caller, limit=page.limit, after=after)
    items, next_cursor, next_url = paginate(
        rows, page, codec=codec, path=request.url.path, filters={}, sort_key=service.own_sort_key
    )
    shaped = [
        CallbackVictimPublic.model_validate(i).model_dump(mode="json", by_alias=True) for i in items
    ]
    return _page_body(shaped, next_cursor, next_url)


@router.post(
    "/me/feedback",
    summary="Rate the service",
    status_code=201,
    response_model=FeedbackPublic,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def give_feedback(
    request: Request,
    body: FeedbackCreate,
    caller: Victim,
    session: DbSession,
    database: DatabaseDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """The service-satisfaction survey: a rating from 1 (poor) to 5 (very good) and
    optional text. Only averages and counts ever leave the service (the compliance
    report); the text is never logged. Retry safely with the same `Idempotency-Key`."""

    def produce() -> Response:
        view = service.give_feedback(session, caller, body)
        return JSONResponse(FeedbackPublic.model_validate(view).model_dump(mode="json"), 201)

    return run_idempotent(
        database,
        session,
        client_id=_idempotency_owner(caller),
        key=idempotency_key,
        request_fingerprint=fingerprint("POST", request.url.path, body.model_dump(mode="json")),
        produce=produce,
    )


def _staff_body(view: dict[str, Any]) -> dict[str, Any]:
    return CallbackPublic.model_validate(view).model_dump(mode="json", by_alias=True)


def _staff_response(view: dict[str, Any]) -> Response:
    return JSONResponse(_staff_body(view), headers={"ETag": etag(view["version"])})


@router.get(
    "/callback-requests",
    summary="Victims' callback requests",
    response_model=CallbackPage,
    responses=problem_responses(400, 401, 403, 503),
)
def list_callbacks(
    request: Request,
    caller: Reader,
    session: DbSession,
    codec: CursorCodecDep,
    page: Page,
    status: Annotated[CallbackStatus | None, Query(description="Only this status.")] = None,
    team: TeamQuery = None,
) -> Response:
    """Soonest due first, cursor pages. `overdue` is true for a request not completed
    by its `due_by`. Each item carries ids, not contact details: call the victim's
    safe methods from `GET /v1/victims/{victim_id}`. Audited as a consultation."""
    filters = {"status": status.value if status else None, "team": team}
    after = cursor_values(page, codec, request.url.path, filters)
    rows = service.list_callbacks(
        session, caller, status=status, team=team, limit=page.limit, after=after
    )
    items, next_cursor, next_url = paginate(
        rows,
        page,
        codec=codec,
        path=request.url.path,
        filters=filters,
        sort_key=service.staff_sort_key,
    )
    shaped = [
        CallbackPublic.model_validate(i).model_dump(mode="json", by_alias=True) for i in items
    ]
    return _page_body(shaped, next_cursor, next_url)


@router.get(
    "/callback-requests/{callback_id}",
    summary="Read a callback request",
    response_model=CallbackPublic,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 503)},
)
def get_callback(callback_id: CallbackIdPath, caller: Reader, session: DbSession) -> Response:
    """One callback request (a worklist item links here; opening it is audited)."""
    return _staff_response(service.get_callback(session, caller, callback_id.lower()))


@router.post(
    "/callback-requests/{callback_id}/claim",
    summary="Claim a callback request",
    response_model=CallbackPublic,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 503)},
)
def claim_callback(callback_id: CallbackIdPath, caller: Writer, session: DbSession) -> Response:
    """Records the acting user as the one making the call. Claiming your own claim
    again changes nothing (200). A request claimed by someone else is 409
    `callback_claimed` (also when two claims race: exactly one wins); a completed one
    is 409 `callback_completed`."""
    return _staff_response(service.claim(session, caller, callback_id.lower()))


@router.post(
    "/callback-requests/{callback_id}/completion",
    summary="Complete a callback request",
    response_model=CallbackPublic,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 409, 422, 503)},
)
def complete_callback(
    callback_id: CallbackIdPath, body: CallbackCompletion, caller: Writer, session: DbSession
) -> Response:
    """Records the outcome and, unless it was `UNSAFE_TO_CALL`, an outbound phone-call
    entry in the victim's contact log (so the call counts as a contact; `duty_ids`
    meets the case's open duties it discharged). The victims domain's rules apply:
    a voicemail when voicemail is unsafe is 409 `contact_method_unsafe`, a duty
    named on a call not answered is 409 `contact_not_made`. An unclaimed request is
    claimed by the completer; one claimed by someone else is 409 `callback_claimed`;
    completing twice is 409 `callback_completed`."""
    return _staff_response(service.complete(session, caller, callback_id.lower(), body))
