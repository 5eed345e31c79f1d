"""Routes of the helpline domain: thin.

* ``POST /v1/victim-sessions`` verifies a caller (PHONE and WEB clients) and
  starts a victim session; ``DELETE /v1/victim-sessions/current`` ends it.
* ``/v1/me/...`` serve the verified victim (a victim session token only).
* The agent's screen, and staff unlock and recovery, for named users.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from starlette.responses import Response

from victim_api.cases import service as cases
from victim_api.helpline import service, verification
from victim_api.helpline.schemas import (
    AgentView,
    CaseSpeech,
    MyCase,
    MyEventPage,
    MyPreferences,
    MyPreferencesUpdate,
    RecoveryPublic,
    RecoveryRequest,
    UnlockRequest,
    VerificationStatus,
    VictimSessionCreate,
    VictimSessionPublic,
)
from victim_api.helpline.scopes import HELPLINE_AGENT, VERIFICATION_MANAGE, VICTIM_SESSIONS_CREATE
from victim_api.leaflets.language import MAX_HEADER_LENGTH
from victim_api.platform.dependencies import CursorCodecDep, DatabaseDep, DbSession, SettingsDep
from victim_api.platform.errors import problem_responses
from victim_api.platform.etag import IfMatch, etag, expected_version
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.pagination import PageRequest, cursor_values, page_request, paginate
from victim_api.platform.policy import (
    ForbiddenError,
    requires,
    requires_victim_session,
    sign_victim_session,
)
from victim_api.platform.principal import Caller, Channel
from victim_api.platform.tokens import SignedToken
from victim_api.platform.types import UUID_PATTERN

router = APIRouter(prefix="/v1")

Verifier = Annotated[
    Caller,
    requires(
        Channel.PHONE, Channel.WEB, scopes=[VICTIM_SESSIONS_CREATE], purpose="VICTIM_VERIFICATION"
    ),
]
Victim = Annotated[
    Caller, requires_victim_session(Channel.PHONE, Channel.WEB, purpose="SELF_SERVICE")
]
Agent = Annotated[
    Caller, requires(Channel.STAFF, Channel.PHONE, scopes=[HELPLINE_AGENT], purpose="VICTIM_CARE")
]
Manager = Annotated[
    Caller, requires(Channel.STAFF, scopes=[VERIFICATION_MANAGE], purpose="VICTIM_CARE")
]
Page = Annotated[PageRequest, Depends(page_request)]
CaseIdPath = Annotated[str, Path(pattern=UUID_PATTERN, description="The case's UUID.")]
VictimIdPath = Annotated[str, Path(pattern=UUID_PATTERN, description="The victim's UUID.")]
AcceptLanguage = Annotated[
    str | None,
    Header(
        alias="Accept-Language",
        max_length=MAX_HEADER_LENGTH,
        description="Language preferences (RFC 9110). Default: the victim's own language.",
    ),
]
_ETAG_HEADER = {
    "ETag": {"description": "The preferences' version, for If-Match.", "schema": {"type": "string"}}
}
NO_STORE = {"Cache-Control": "no-store"}


def _named_user(caller: Caller) -> Caller:
    if not caller.principal.acting_user:
        raise ForbiddenError(
            "acting_user_required",
            "This operation records who did it: get the token with `acting_user`.",
        )
    return caller


@router.post(
    "/victim-sessions",
    tags=["victim-sessions"],
    summary="Verify a caller and start a victim session",
    status_code=201,
    response_model=VictimSessionPublic,
    responses=problem_responses(401, 403, 422, 429, 503),
)
def create_victim_session(
    request: Request,
    body: VictimSessionCreate,
    caller: Verifier,
    database: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    """The crime reference, the date of birth and, where required, the PIN. On success, a
    short-lived token (`VICTIM_API_VICTIM_SESSION_TTL_SECONDS`, default 15 minutes) for
    `/v1/me/...`, scoped to this one victim and case.

    Every refusal is the same answer: 401 `verification_failed` with one fixed `detail`
    (an unknown reference, a wrong factor, a missing PIN where one is required, too
    many recent failures, a locked account). Say the `detail` to the caller and offer
    the helpline team. After 3 consecutive failures attempts are refused for a growing
    while; after 10 the account is locked for an hour (staff can unlock). 429
    `rate_limited` means this client made too many failed attempts: wait `Retry-After`."""

    def sign(victim_id: str, case_id: str) -> SignedToken:
        return sign_victim_session(
            request,
            client_id=caller.principal.client_id,
            channel=caller.channel,
            victim_id=victim_id,
            case_id=case_id,
        )

    source = request.client.host if request.client else "-"
    attempt = verification.Attempt(body.crime_reference, body.date_of_birth, body.pin, source)
    started = verification.verify_and_start(
        database, caller, attempt, verification.VerificationRules.from_settings(settings), sign
    )
    token = started.token
    return JSONResponse(
        {
            "session_token": token.token,
            "token_type": "Bearer",
            "expires_in": int((token.expires_at - token.issued_at).total_seconds()),
            "expires_at": token.expires_at,
        },
        status_code=201,
        headers=NO_STORE,
    )


@router.delete(
    "/victim-sessions/current",
    tags=["victim-sessions"],
    summary="Sign out: end this victim session",
    status_code=204,
    responses=problem_responses(401, 403, 503),
)
def delete_current_victim_session(caller: Victim, session: DbSession) -> Response:
    """The token stops working at once, in every process."""
    verification.sign_out(session, caller)
    return Response(status_code=204)


@router.get(
    "/me/case",
    tags=["me"],
    summary="The verified victim's case, in plain English",
    response_model=MyCase,
    responses=problem_responses(401, 403, 404, 503),
)
def get_my_case(caller: Victim, session: DbSession) -> Response:
    """Status and what it means, what happens next, the officer's work contacts, when the
    next update is due, any upcoming hearing, the enhanced-rights note and referrals."""
    return JSONResponse(service.my_case(session, caller))


@router.get(
    "/me/case/speech",
    tags=["me"],
    summary="The case summary for the phone line (SSML 1.1 and text)",
    response_model=CaseSpeech,
    responses=problem_responses(401, 403, 404, 503),
)
def get_my_case_speech(
    caller: Victim, session: DbSession, accept_language: AcceptLanguage = None
) -> Response:
    """SSML 1.1 (`<speak>`, `<p>`, `<s>`, `<break>`, `<say-as>`): the crime reference
    read as characters, dates as dates (`format="dmy"`), phone numbers as telephone
    numbers; no sentence is longer than 20 words. In the language asked for, else the
    victim's own, where the words exist in it; else English (`language` says which)."""
    speech = service.my_case_speech(session, caller, accept_language=accept_language)
    return JSONResponse(speech, headers={"Vary": "Accept-Language"})


@router.get(
    "/me/timeline",
    tags=["me"],
    summary="What has happened on the victim's case",
    response_model=MyEventPage,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def list_my_timeline(
    request: Request, caller: Victim, session: DbSession, codec: CursorCodecDep, page: Page
) -> Response:
    """Victim-visible events only, oldest first, with their plain-English text."""
    after = cursor_values(page, codec, request.url.path, {})
    rows = service.my_timeline(session, caller, limit=page.limit, after=after)
    items, next_cursor, next_url = paginate(
        rows,
        page,
        codec=codec,
        path=request.url.path,
        filters={},
        sort_key=service.timeline_sort_key,
    )
    body: dict[str, Any] = {"items": items}
    if next_cursor:
        body["next_cursor"], body["next"] = next_cursor, next_url
    return JSONResponse(body)


@router.get(
    "/me/preferences",
    tags=["me"],
    summary="How the victim wants to hear from us",
    response_model=MyPreferences,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 503)},
)
def get_my_preferences(caller: Victim, session: DbSession) -> Response:
    """Language, preferred channel, update frequency, safe contact times, opt-out. Sends `ETag`."""
    view = service.my_preferences(session, caller)
    return JSONResponse(view, headers={"ETag": etag(view["version"])})


@router.patch(
    "/me/preferences",
    tags=["me"],
    summary="Change how the victim wants to hear from us",
    response_model=MyPreferences,
    responses={
        200: {"headers": _ETAG_HEADER},
        **problem_responses(401, 403, 404, 412, 422, 428, 503),
    },
)
def update_my_preferences(
    body: MyPreferencesUpdate,
    caller: Victim,
    session: DbSession,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> Response:
    """Only the fields sent change (`preferred_channel` and `safe_contact_times` clear with
    null). `If-Match` is the ETag of `GET /v1/me/preferences` (428 without, 412 when
    stale). Opting out stops updates; the case's open duties are waived once everyone
    on the case has opted out."""
    service.my_preferences(session, caller)  # 404 before 428
    view = service.update_my_preferences(
        session,
        caller,
        body.changes(),
        expected_version=expected_version(if_match),
        pepper=settings.secret_pepper,
        policy=cases.DeadlinePolicy.from_settings(settings),
    )
    return JSONResponse(view, headers={"ETag": etag(view["version"])})


@router.get(
    "/helpline/cases/{case_id:uuid_text}/agent-view",
    tags=["helpline"],
    summary="The helpline agent's screen for a case",
    response_model=AgentView,
    responses=problem_responses(401, 403, 404, 503),
)
def get_agent_view(case_id: CaseIdPath, caller: Agent, session: DbSession) -> Response:
    """For a named agent (`acting_user`): whether the caller verified on this call (a live
    victim session for this case from the agent's own client), failures and locks per
    person, the case with entitlements and their reasons, each person's contact
    preferences with unsafe methods listed, overdue duties, referrals, language and
    interpreter needs, and recent contacts. Contact details as the caller's channel may
    see them (agents: safe methods only). Audited as a consultation."""
    return JSONResponse(service.agent_view(session, _named_user(caller), case_id.lower()))


@router.post(
    "/victims/{victim_id}/verification-unlock",
    tags=["helpline"],
    summary="Unlock a victim's helpline verification",
    response_model=VerificationStatus,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def unlock_victim_verification(
    victim_id: VictimIdPath, body: UnlockRequest, caller: Manager, session: DbSession
) -> Response:
    """Clears the consecutive failures, the delay and the lock. Staff acting as a named
    user; audited. If someone else is guessing, use `verification-recovery` instead."""
    return JSONResponse(
        verification.unlock(session, _named_user(caller), victim_id.lower(), body.reason)
    )


@router.post(
    "/victims/{victim_id}/verification-recovery",
    tags=["helpline"],
    summary="Recover a victim locked out by someone else",
    response_model=RecoveryPublic,
    responses=problem_responses(401, 403, 404, 422, 503),
)
def recover_victim_verification(
    victim_id: VictimIdPath,
    body: RecoveryRequest,
    caller: Manager,
    session: DbSession,
    settings: SettingsDep,
) -> Response:
    """After confirming who the victim is another way (`identity_check`): issues a new PIN
    (returned this once, `Cache-Control: no-store`; read it to the victim), ends every
    live victim session for them, and clears the lock. From then on the PIN is needed
    too, so whoever knew the date of birth is shut out. Audited."""
    view = verification.recover(
        session,
        _named_user(caller),
        victim_id.lower(),
        identity_check=body.identity_check.value,
        pepper=settings.secret_pepper,
        pin_length=settings.victim_pin_length,
    )
    return JSONResponse(view, headers=NO_STORE)
