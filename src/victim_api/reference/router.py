"""Public reference lists, so every front end uses the same codes."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.policy import PUBLIC
from victim_api.reference.data import BOROUGHS, CRIME_TYPES

router = APIRouter(prefix="/v1/reference", tags=["reference"], dependencies=[PUBLIC])
_CACHE = {"Cache-Control": "public, max-age=3600"}


class CrimeTypePublic(BaseModel):
    code: str = Field(description="Stable code. The list is extensible.")
    label: str
    category: str
    most_serious: bool = Field(
        description="On the Victims' Code list of most serious crime: victims get enhanced rights."
    )


class CrimeTypeList(BaseModel):
    items: list[CrimeTypePublic]


class BoroughPublic(BaseModel):
    code: str = Field(description="Stable code. The list is extensible.")
    name: str
    ons_code: str = Field(description="ONS GSS code of the local authority.")


class BoroughList(BaseModel):
    items: list[BoroughPublic]


@router.get("/crime-types", summary="The crime-type taxonomy", response_model=CrimeTypeList)
def list_crime_types(request: Request) -> Response:
    """Every crime-type code with its label and whether it is on the Victims' Code
    list of most serious crime (which gives enhanced rights)."""
    items = [
        {"code": c.code, "label": c.label, "category": c.category, "most_serious": c.most_serious}
        for c in CRIME_TYPES
    ]
    return JSONResponse({"items": items}, headers=_CACHE)


@router.get("/boroughs", summary="London's boroughs", response_model=BoroughList)
def list_boroughs(request: Request) -> Response:
    """The 32 London boroughs and the City of London, with their ONS codes."""
    items = [{"code": b.code, "name": b.name, "ons_code": b.ons_code} for b in BOROUGHS]
    return JSONResponse({"items": items}, headers=_CACHE)
