"""``GET /v1/audit-events``: the audit trail, for the AUDITOR channel only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from pydantic import AfterValidator, BaseModel, Field
from starlette.responses import Response

from victim_api.platform.audit import AuditEvent, AuditSubject, Operation, record
from victim_api.platform.clock import as_utc
from victim_api.platform.db import table_of
from victim_api.platform.dependencies import AuditedReadSession, CursorCodecDep
from victim_api.platform.errors import problem_responses
from victim_api.platform.jsonutil import model_response
from victim_api.platform.pagination import Page, PageRequest, cursor_values, page_request, paginate
from victim_api.platform.policy import requires
from victim_api.platform.principal import Caller, Channel
from victim_api.platform.scopes import AUDIT_READ
from victim_api.platform.types import UtcDateTime

router = APIRouter(prefix="/v1", tags=["audit"])
Auditor = Annotated[Caller, requires(Channel.AUDITOR, scopes=[AUDIT_READ], purpose="AUDIT")]
_ID = r"^[A-Za-z0-9_.:-]{1,64}$"


class AuditEventPublic(BaseModel):
    seq: int = Field(description="Position in the hash chain, from 1.")
    event_id: str
    # SQLite hands back naive datetimes; the contract promises RFC 3339 with an offset.
    recorded_at: Annotated[datetime, AfterValidator(as_utc)]
    operation: Operation
    client_id: str
    acting_user: str | None
    channel: str
    organisation_id: str | None
    purpose: str
    recipient: str | None = Field(description="Who received the data, for disclosures.")
    case_ids: list[str]
    victim_ids: list[str]
    resource_type: str
    resource_id: str | None
    fields: list[str] = Field(description="Names of changed fields; never their values.")
    request_id: str
    outcome: str
    prev_hash: str
    hash: str


class AuditEventPage(Page[AuditEventPublic]):
    pass


@router.get(
    "/audit-events",
    summary="Search the audit trail",
    response_model=AuditEventPage,
    responses=problem_responses(400, 401, 403),
)
def list_audit_events(
    request: Request,
    caller: Auditor,
    session: AuditedReadSession,
    codec: CursorCodecDep,
    page: Annotated[PageRequest, Depends(page_request)],
    subject_id: Annotated[
        str | None, Query(pattern=_ID, description="A case or victim id.")
    ] = None,
    client_id: Annotated[str | None, Query(pattern=_ID, description="The API client.")] = None,
    acting_user: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9._@-]{1,128}$", description="The staff user.")
    ] = None,
    recorded_from: Annotated[UtcDateTime | None, Query(description="Inclusive, RFC 3339.")] = None,
    recorded_to: Annotated[UtcDateTime | None, Query(description="Exclusive, RFC 3339.")] = None,
) -> Response:
    """Audit entries (DPA 2018 s62) in chain order, filtered by subject, actor and time.

    Reading the trail is itself recorded, as a CONSULTATION by the auditor.
    """
    filters: dict[str, Any] = {
        "subject_id": subject_id,
        "client_id": client_id,
        "acting_user": acting_user,
        "recorded_from": recorded_from.isoformat() if recorded_from else None,
        "recorded_to": recorded_to.isoformat() if recorded_to else None,
    }
    events, subjects = table_of(AuditEvent), table_of(AuditSubject)
    query = sa.select(events).order_by(events.c.seq).limit(page.limit + 1)
    if subject_id:
        matching = sa.select(subjects.c.seq).where(subjects.c.subject_id == subject_id)
        query = query.where(events.c.seq.in_(matching))
    if client_id:
        query = query.where(events.c.client_id == client_id)
    if acting_user:
        query = query.where(events.c.acting_user == acting_user)
    if recorded_from:
        query = query.where(events.c.recorded_at >= recorded_from)
    if recorded_to:
        query = query.where(events.c.recorded_at < recorded_to)
    last = cursor_values(page, codec, request.url.path, filters)
    if last is not None:
        query = query.where(events.c.seq > int(last[0]))
    rows = list(session.execute(query))
    items, next_cursor, next_url = paginate(
        rows, page, codec=codec, path=request.url.path, filters=filters, sort_key=lambda r: [r.seq]
    )
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="audit_event",
        case_ids=[],
        victim_ids=[],
    )
    page_of = AuditEventPage(
        items=[AuditEventPublic.model_validate(dict(r._mapping)) for r in items],
        next_cursor=next_cursor,
        next=next_url,
    )
    return model_response(page_of)
