"""Staff routes of the referrals domain: thin. Partners have their own router
(``partner_router``); staff routes are closed to them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from victim_api.platform.dependencies import CursorCodecDep, DatabaseDep, DbSession
from victim_api.platform.errors import problem_responses
from victim_api.platform.etag import etag
from victim_api.platform.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.pagination import PageRequest, cursor_values, page_request, paginate
from victim_api.platform.policy import requires
from victim_api.platform.principal import Caller, Channel
from victim_api.platform.types import UUID_PATTERN
from victim_api.referrals import service
from victim_api.referrals.schemas import (
    ConsentRuleList,
    ReferralCreate,
    ReferralPage,
    ReferralPublic,
)
from victim_api.referrals.scopes import REFERRALS_READ, REFERRALS_WRITE

router = APIRouter(prefix="/v1", tags=["referrals"])

Reader = Annotated[Caller, requires(Channel.STAFF, scopes=[REFERRALS_READ], purpose="VICTIM_CARE")]
Writer = Annotated[Caller, requires(Channel.STAFF, scopes=[REFERRALS_WRITE], purpose="VICTIM_CARE")]
Page = Annotated[PageRequest, Depends(page_request)]
ReferralIdPath = Annotated[str, Path(pattern=UUID_PATTERN, description="The referral's UUID.")]
VictimIdPath = Annotated[str, Path(pattern=UUID_PATTERN, description="The victim's UUID.")]
_ETAG_HEADER = {"ETag": {"description": "The referral's version.", "schema": {"type": "string"}}}
_LOCATION = {
    "Location": {"description": "Where the new resource is.", "schema": {"type": "string"}}
}


def _referral_response(view: dict[str, Any], status_code: int = 200, **headers: str) -> Response:
    return JSONResponse(
        view, status_code=status_code, headers={"ETag": etag(view["version"]), **headers}
    )


@router.post(
    "/referrals",
    summary="Refer a victim to a support service",
    status_code=201,
    response_model=ReferralPublic,
    responses={
        201: {
            "headers": {**_ETAG_HEADER, **_LOCATION},
            "links": {
                "PartnerAcknowledges": {
                    "operationId": "acknowledgePartnerReferral",
                    "parameters": {"referral_id": "$response.body#/id"},
                    "description": "The receiving organisation acknowledges the referral.",
                },
            },
        },
        **problem_responses(401, 403, 409, 422, 503),
    },
)
def create_referral(
    request: Request,
    body: ReferralCreate,
    caller: Writer,
    session: DbSession,
    database: DatabaseDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Refers one person on a case to one directory service. The crime type's consent
    rule (`GET /v1/referral-consent-rules`) decides whether the victim's consent is
    needed: when it is and none is in force, 409 `consent_required`; a withdrawn
    consent is 409 `consent_withdrawn` whatever the rule; a `consent_id` that is not
    the decision in force is 409 `consent_not_current` (record the consent, then
    retry). The safe contact methods, the preferred one (if safe) and the safe times
    are copied from the victim. An
    open referral of the same person to the same service is 409 `duplicate_referral`
    naming `existing_id`. Unknown case, victim or service: 409 `unknown_reference`.
    Retry safely with the same `Idempotency-Key`."""

    def produce() -> Response:
        view = service.create_referral(session, caller, body)
        return _referral_response(view, 201, Location=f"/v1/referrals/{view['id']}")

    return run_idempotent(
        database,
        session,
        client_id=caller.principal.client_id,
        key=idempotency_key,
        request_fingerprint=fingerprint("POST", request.url.path, body.model_dump(mode="json")),
        produce=produce,
    )


@router.get(
    "/referrals/{referral_id}",
    summary="Read a referral",
    response_model=ReferralPublic,
    responses={200: {"headers": _ETAG_HEADER}, **problem_responses(401, 403, 404, 503)},
)
def get_referral(referral_id: ReferralIdPath, caller: Reader, session: DbSession) -> Response:
    """The referral with its status, consent or legal basis, and delivery: how many
    times it was delivered, when first and last, and when acknowledged."""
    return _referral_response(service.get_referral(session, caller, referral_id.lower()))


@router.get(
    "/victims/{victim_id}/referrals",
    summary="A person's referrals",
    response_model=ReferralPage,
    responses=problem_responses(400, 401, 403, 404, 503),
)
def list_victim_referrals(
    request: Request,
    victim_id: VictimIdPath,
    caller: Reader,
    session: DbSession,
    codec: CursorCodecDep,
    page: Page,
) -> Response:
    """Oldest first, cursor pages."""
    after = cursor_values(page, codec, request.url.path, {})
    rows = service.list_for_victim(
        session, caller, victim_id.lower(), limit=page.limit, after=after
    )
    items, next_cursor, next_url = paginate(
        rows,
        page,
        codec=codec,
        path=request.url.path,
        filters={},
        sort_key=service.referral_sort_key,
    )
    body: dict[str, Any] = {"items": items}
    if next_cursor:
        body["next_cursor"], body["next"] = next_cursor, next_url
    return JSONResponse(body)


@router.get(
    "/referral-consent-rules",
    summary="The consent rule per crime type",
    response_model=ConsentRuleList,
    responses=problem_responses(401, 403, 503),
)
def list_consent_rules(caller: Reader, session: DbSession) -> Response:
    """Per crime type: whether a referral needs the victim's explicit consent, and the
    legal basis recorded when it does not (the victim may still opt out). Seeded
    from the 2015 Code's rule (consent for sexual offences, domestic abuse and
    bereaved relatives of homicide; opt-out elsewhere)."""
    return JSONResponse({"items": service.list_rules(session)})
