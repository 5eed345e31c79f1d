"""``GET /v1/cases/{case_id}/recommended-services``: where this victim could be referred."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from victim_api.cases import service as cases_service
from victim_api.cases.scopes import CASES_READ
from victim_api.directory import service
from victim_api.directory.schemas import DirectoryService, NeedCode
from victim_api.directory.scopes import DIRECTORY_READ
from victim_api.platform.audit import Operation, record
from victim_api.platform.dependencies import DbSession
from victim_api.platform.errors import NotFoundError, problem_responses
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.policy import requires
from victim_api.platform.principal import Caller, Channel
from victim_api.victims import service as victims_service

router = APIRouter(prefix="/v1", tags=["directory"])
Staff = Annotated[
    Caller, requires(Channel.STAFF, scopes=[CASES_READ, DIRECTORY_READ], purpose="VICTIM_CARE")
]


class RecommendedServices(BaseModel):
    items: list[DirectoryService] = Field(
        description="Best first: eligible services that take police referrals, ranked by "
        "needs met, the victim's language, then specialist or local first by entitlement."
    )


def _age_on(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@router.get(
    "/cases/{case_id}/recommended-services",
    summary="Support services to refer a victim on this case to",
    response_model=RecommendedServices,
    responses=problem_responses(401, 403, 404),
)
def get_recommended_services(
    case_id: UUID,
    caller: Staff,
    session: DbSession,
    victim_id: Annotated[
        UUID | None,
        Query(description="Tailor to this person on the case: their age and language."),
    ] = None,
    need: Annotated[
        list[NeedCode] | None, Query(max_length=12, description="Needs to meet.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> Response:
    """Suggestions from the case's crime type and borough, the victim's age and
    language, and whether the case has enhanced rights (specialists first for
    enhanced victims, local services first otherwise). Only services that take
    police referrals and are funded for the crime type are suggested."""
    case = cases_service.require_case(session, str(case_id))
    age, language, victim_ids = None, None, []
    if victim_id is not None:
        victim = victims_service.require_victim(session, str(victim_id))
        if victim.case_id != str(case_id):
            raise NotFoundError("There is no such person on this case.")
        age, language = _age_on(victim.date_of_birth, date.today()), victim.language
        victim_ids = [str(victim_id)]
    items: list[dict[str, Any]] = service.recommend_services(
        session,
        crime_type=case.crime_type,
        borough=case.borough,
        age=age,
        language=language,
        needs=[str(n) for n in need or []],
        enhanced=bool(case.enhanced),
        limit=limit,
    )
    # The victim's age and language were consulted to choose.
    record(
        session,
        caller,
        operation=Operation.COMBINATION,
        resource_type="recommended_services",
        case_ids=[str(case_id)],
        victim_ids=victim_ids,
    )
    return JSONResponse({"items": items})
