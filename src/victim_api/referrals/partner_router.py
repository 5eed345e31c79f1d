"""Partner routes: a support service pulls its organisation's referrals, acknowledges
them and records outcomes. Bound to the client's organisation: another
organisation's referral answers exactly like a missing one (404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from victim_api.platform.dependencies import DbSession
from victim_api.platform.errors import problem_responses
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.policy import requires
from victim_api.platform.principal import Caller, Channel
from victim_api.platform.types import UUID_PATTERN
from victim_api.referrals import service
from victim_api.referrals.schemas import (
    OutcomeCreate,
    PartnerReferral,
    PartnerReferralBatch,
    PartnerReferralState,
    PendingFilter,
)
from victim_api.referrals.scopes import PARTNER_REFERRALS

router = APIRouter(prefix="/v1/partner", tags=["partner-referrals"])

Partner = Annotated[
    Caller, requires(Channel.PARTNER, scopes=[PARTNER_REFERRALS], purpose="VICTIM_SUPPORT")
]
ReferralIdPath = Annotated[str, Path(pattern=UUID_PATTERN, description="The referral's UUID.")]


@router.get(
    "/referrals",
    summary="Pull the referrals waiting for acknowledgement",
    response_model=PartnerReferralBatch,
    responses=problem_responses(401, 403, 503),
)
def pull_partner_referrals(
    caller: Partner,
    session: DbSession,
    status: Annotated[
        PendingFilter,
        Query(description="`PENDING`: not yet acknowledged (the only filter)."),
    ] = PendingFilter.PENDING,
    limit: Annotated[
        int,
        Query(ge=1, le=service.MAX_PULL, description="At most this many, 1 to 100."),
    ] = 20,
) -> Response:
    """Every referral to your organisation not yet acknowledged (new ones, and
    cancellations of ones you have seen), oldest first, up to `limit`. Delivery
    is at least once: an item comes back in every pull until you acknowledge it,
    so a referral committed late is never skipped. `more` says more are waiting.
    Each delivery is counted and audited as a DISCLOSURE to your organisation."""
    return JSONResponse(service.pull(session, caller, limit=limit))


@router.get(
    "/referrals/{referral_id}",
    summary="Read one of your organisation's referrals",
    response_model=PartnerReferral,
    responses=problem_responses(401, 403, 404, 503),
)
def get_partner_referral(
    referral_id: ReferralIdPath, caller: Partner, session: DbSession
) -> Response:
    """The minimised referral. A cancelled one has `victim: null`. Audited as a
    DISCLOSURE to your organisation."""
    return JSONResponse(service.partner_get(session, caller, referral_id.lower()))


@router.post(
    "/referrals/{referral_id}/acknowledge",
    summary="Acknowledge a delivered referral",
    response_model=PartnerReferralState,
    responses=problem_responses(401, 403, 404, 503),
)
def acknowledge_partner_referral(
    referral_id: ReferralIdPath, caller: Partner, session: DbSession
) -> Response:
    """Stops the referral (or its cancellation) coming back in the pull; the status
    becomes ACKNOWLEDGED. Idempotent: acknowledging again answers the same."""
    return JSONResponse(service.acknowledge(session, caller, referral_id.lower()))


@router.post(
    "/referrals/{referral_id}/outcome",
    summary="Record what happened to a referral",
    response_model=PartnerReferralState,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
def record_partner_outcome(
    referral_id: ReferralIdPath, body: OutcomeCreate, caller: Partner, session: DbSession
) -> Response:
    """After acknowledgement: ACCEPTED, or DECLINED with a `reason`; then
    CONTACT_MADE and CLOSED. Anything else is 409 `illegal_transition` naming
    `allowed_next`; a DECLINED without a reason (or a reason with another status)
    is 422 `decline_reason`. Recording the current status again changes nothing."""
    return JSONResponse(service.record_outcome(session, caller, referral_id.lower(), body))
