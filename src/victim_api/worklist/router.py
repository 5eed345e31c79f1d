"""The worklist route: thin."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from victim_api.cases import service as cases
from victim_api.cases.schemas import BoroughCode
from victim_api.platform.clock import utcnow
from victim_api.platform.dependencies import CursorCodecDep, DbSession
from victim_api.platform.errors import problem_responses
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.pagination import PageRequest, cursor_values, page_request, paginate
from victim_api.platform.policy import requires
from victim_api.platform.principal import Caller, Channel
from victim_api.platform.types import UtcDateTime
from victim_api.worklist import service
from victim_api.worklist.schemas import WorklistItem, WorklistPage
from victim_api.worklist.scopes import WORKLIST_READ

router = APIRouter(prefix="/v1", tags=["worklist"])

Reader = Annotated[Caller, requires(Channel.STAFF, scopes=[WORKLIST_READ], purpose="VICTIM_CARE")]
Page = Annotated[PageRequest, Depends(page_request)]


@router.get(
    "/worklist",
    summary="What is owed to whom, and by when",
    response_model=WorklistPage,
    responses=problem_responses(400, 401, 403, 422, 503),
)
def get_worklist(
    request: Request,
    caller: Reader,
    session: DbSession,
    codec: CursorCodecDep,
    page: Page,
    team: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=120,
            pattern=r"^[^\x00-\x1F\x7F]+$",
            description="Only cases whose officer in charge is in this team (exactly).",
        ),
    ] = None,
    borough: Annotated[BoroughCode | None, Query(description="Only cases in this borough.")] = None,
    due_before: Annotated[
        UtcDateTime | None,
        Query(
            description="Only items due before this time (RFC 3339). Default: now plus "
            "the due-soon window (`VICTIM_API_WORKLIST_DUE_SOON_HOURS`, 72 hours)."
        ),
    ] = None,
) -> Response:
    """One list, soonest due first, of: open Victims' Code notification duties
    (OVERDUE, or DUE_SOON within the window); referrals not delivered to the support
    service in time (`REFERRAL_NOT_SENT`) or delivered but not acknowledged in time
    (`REFERRAL_NOT_ACKNOWLEDGED`); open callback requests (PENDING, or OVERDUE after
    their `due_by`); and people whose agreed regular update (`EVERY_14_DAYS`,
    `EVERY_28_DAYS`) is due (`CONTACT_UPDATE`). Each item carries ids, what is owed,
    why and the due time, and links to the resource to open: the worklist itself
    holds no personal data and is not audited; opening the linked resource is.
    Cursor pages: follow `next` (the cursor is bound to the filters)."""
    settings = request.app.state.settings
    now = utcnow()
    scope = service.Scope(
        due_before=due_before or now + timedelta(hours=settings.worklist_due_soon_hours),
        case_ids=cases.case_ids_where(team=team, borough=borough),
        delivery_allowed=timedelta(hours=settings.referral_delivery_hours),
        acknowledgement_allowed=timedelta(hours=settings.referral_acknowledgement_hours),
    )
    filters = {
        "team": team,
        "borough": borough,
        "due_before": due_before.isoformat() if due_before else None,
    }
    after = cursor_values(page, codec, request.url.path, filters)
    rows = service.worklist(session, scope, cursor=after, limit=page.limit, now=now)
    items, next_cursor, next_url = paginate(
        rows, page, codec=codec, path=request.url.path, filters=filters, sort_key=service.sort_key
    )
    body: dict[str, Any] = {
        "items": [WorklistItem.model_validate(i).model_dump(mode="json") for i in items]
    }
    if next_cursor:
        body["next_cursor"], body["next"] = next_cursor, next_url
    return JSONResponse(body)
