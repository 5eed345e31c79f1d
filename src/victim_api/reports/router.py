"""The compliance report route: thin. JSON, CSV or SVG by ``Accept``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from starlette.responses import Response

from victim_api.cases.schemas import BoroughCode
from victim_api.cases.service import DeadlinePolicy
from victim_api.platform.clock import utcnow
from victim_api.platform.dependencies import DbSession
from victim_api.platform.errors import (
    FieldError,
    InvalidInputError,
    ProblemError,
    problem_responses,
)
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.negotiation import quality as media_quality
from victim_api.platform.policy import requires
from victim_api.platform.principal import Caller, Channel
from victim_api.reports import render, service
from victim_api.reports.schemas import ComplianceReport, GroupBy
from victim_api.reports.scopes import REPORTS_READ

router = APIRouter(prefix="/v1", tags=["reports"])

Reader = Annotated[Caller, requires(Channel.STAFF, scopes=[REPORTS_READ], purpose="STATISTICS")]
MAX_DAYS = 366
MEDIA = {"json": "application/json", "csv": "text/csv", "svg": "image/svg+xml"}
_PREFERENCE = ("json", "csv", "svg")


class NotAcceptableError(ProblemError):
    def __init__(self) -> None:
        super().__init__(
            406,
            "not_acceptable",
            "This report is available as application/json, text/csv or image/svg+xml.",
        )


def choose_media(accept: str | None) -> str | None:
    """``json``, ``csv``, ``svg``, or None (406): the most specific matching range
    gives each type its q (RFC 9110 12.5.1); the highest q wins, then the more
    specific range, then JSON, CSV, SVG in that order."""
    if not accept:
        return "json"
    best = dict.fromkeys(MEDIA, (0.0, 0))
    for part in accept[:1024].split(",")[:32]:
        media, *parameters = (piece.strip().lower() for piece in part.split(";"))
        quality = media_quality(parameters)
        if quality is None:
            continue
        for kind, full in MEDIA.items():
            major = full.split("/")[0]
            specificity = (
                3 if media == full else 2 if media == f"{major}/*" else 1 if media == "*/*" else 0
            )
            if specificity > best[kind][1]:
                best[kind] = (quality, specificity)
    ranked = sorted(_PREFERENCE, key=lambda k: (-best[k][0], -best[k][1], _PREFERENCE.index(k)))
    return ranked[0] if best[ranked[0]][0] > 0 else None


_CONTENT = {
    "text/csv": {
        "schema": {"type": "string"},
        "example": "borough,duties_due,met_on_time,met_late,overdue,waived,pending,"
        "on_time_percent\r\nCAMDEN,3,1,1,1,0,0,33.3\r\nTOTAL,3,1,1,1,0,0,33.3\r\n",
    },
    "image/svg+xml": {
        "schema": {"type": "string", "description": "A self-contained SVG 1.1 document."}
    },
}


@router.get(
    "/reports/compliance",
    summary="Victims' Code compliance figures",
    response_model=ComplianceReport,
    responses={200: {"content": _CONTENT}, **problem_responses(401, 403, 406, 422, 503)},
)
def compliance_report(
    request: Request,
    caller: Reader,
    session: DbSession,
    from_: Annotated[
        date, Query(alias="from", description="First day of the period (London date).")
    ],
    to: Annotated[date, Query(description="Last day of the period, inclusive (London date).")],
    borough: Annotated[BoroughCode | None, Query(description="Only this borough.")] = None,
    group_by: Annotated[
        GroupBy, Query(description="How the duty figures are grouped.")
    ] = GroupBy.DUTY_TYPE,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """For the period (at most 366 days): per group, the notification duties due
    (by due date), met on time, met late, overdue, waived and still pending, and the
    percentage on time; the share of people on cases reported in the period who were
    offered a referral, and the median working days to it; the median hours from a
    callback request to its completion; the feedback count and average rating.
    Aggregates only, never personal data; audited as a statistics query (who ran
    which report, no subject ids).

    `Accept: application/json` (default) gives the whole report; `text/csv` the duty
    figures per group with a TOTAL row; `image/svg+xml` a bar chart of on-time % by
    borough (whatever `group_by`) for the management pack. Anything else is 406."""
    media = choose_media(accept)
    if media is None:
        raise NotAcceptableError()
    if to < from_ or to - from_ >= timedelta(days=MAX_DAYS):
        raise InvalidInputError(
            f"`to` must be on or after `from`, and the period at most {MAX_DAYS} days.",
            errors=[FieldError(location="/query/to", message="Out of range.", code="out_of_range")],
        )
    now = utcnow()
    if media == "svg":
        series = service.on_time_by_borough(
            session, first_day=from_, last_day=to, borough=borough, now=now
        )
        service.record_statistics(session, caller, GroupBy.BOROUGH, borough)
        return Response(render.to_svg(series, from_, to), media_type=MEDIA["svg"])
    report = service.compliance(
        session,
        caller,
        first_day=from_,
        last_day=to,
        borough=borough,
        group_by=group_by,
        policy=DeadlinePolicy.from_settings(request.app.state.settings),
        now=now,
    )
    if media == "csv":
        return Response(render.to_csv(report), media_type="text/csv; charset=utf-8")
    body: dict[str, Any] = ComplianceReport.model_validate(report).model_dump(
        mode="json", by_alias=True
    )
    return JSONResponse(body)
