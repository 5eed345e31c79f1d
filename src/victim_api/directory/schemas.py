"""The directory's schemas: HSDS 3.0 objects, and the staff /v1 request and response models.

The HSDS models do two jobs. They parse an HSDS feed on import (after it has
passed the official JSON schemas), keeping exactly the fields the directory
stores, and they document /openreferral in the contract. They are never used
to build responses: the public routes build dicts from Core rows and omit
absent fields (HSDS allows no nulls), so their contract shows fields as
optional, never nullable. Fields marked ``exclude`` are output-only: accepted
on import, but not stored (``last_modified`` is ours, ``term`` is the UK
profile's copy of ``name``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from victim_api.directory.vocabulary import NEED_CODES, WEEKDAYS
from victim_api.platform.pagination import Page
from victim_api.reference.data import BOROUGH_CODES, CRIME_TYPE_CODES

T = TypeVar("T")

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# Printable text only: NUL and other control characters are refused in filters.
SEARCH_PATTERN = r"^[^\x00-\x1f\x7f]+$"
HHMM_OPEN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
HHMM_CLOSE = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
HSDS_TIME = r"^(([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?|24:00(:00)?)$"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$"
BYDAY_PATTERN = r"^[+-]?[0-9]{0,2}(MO|TU|WE|TH|FR|SA|SU)(,[+-]?[0-9]{0,2}(MO|TU|WE|TH|FR|SA|SU))*$"


def _canonical_uuid(value: str) -> str:
    return str(uuid.UUID(value))


def _lower(value: str) -> str:
    return value.lower()


def _one_of(codes: frozenset[str] | tuple[str, ...], what: str) -> Any:
    allowed = frozenset(codes)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"not a known {what} code")
        return value

    return check


HsdsId = Annotated[
    str,
    StringConstraints(pattern=UUID_PATTERN),
    AfterValidator(_canonical_uuid),
    WithJsonSchema({"type": "string", "format": "uuid"}),
]
IdParam = Annotated[str, StringConstraints(pattern=UUID_PATTERN), AfterValidator(_canonical_uuid)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Short = Annotated[str, StringConstraints(max_length=255)]
Text = Annotated[str, StringConstraints(max_length=10000)]
Link = Annotated[str, StringConstraints(max_length=2048)]
EmailText = Annotated[str, StringConstraints(max_length=254)]
LanguageCode = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN), AfterValidator(_lower)]

CrimeTypeCode = Annotated[
    str,
    AfterValidator(_one_of(CRIME_TYPE_CODES, "crime type")),
    WithJsonSchema({"type": "string", "enum": sorted(CRIME_TYPE_CODES)}),
]
BoroughCode = Annotated[
    str,
    AfterValidator(_one_of(BOROUGH_CODES, "borough")),
    WithJsonSchema({"type": "string", "enum": sorted(BOROUGH_CODES)}),
]
NeedCode = Annotated[
    str,
    AfterValidator(_one_of(NEED_CODES, "need")),
    WithJsonSchema({"type": "string", "enum": list(NEED_CODES)}),
]
Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
assert tuple(Weekday.__args__) == WEEKDAYS  # type: ignore[attr-defined]


def _hsds_schema(schema: dict[str, Any]) -> None:
    """HSDS fields are optional, never null: drop the null branch and the null default."""
    for prop in schema.get("properties", {}).values():
        options = prop.get("anyOf")
        if options:
            concrete = [o for o in options if o.get("type") != "null"]
            if len(concrete) == 1:
                prop.pop("anyOf")
                prop.update(concrete[0])
        if "default" in prop and prop["default"] in (None, []):
            prop.pop("default")


class HsdsModel(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_extra=_hsds_schema)


# ---------------------------------------------------------------------------
# HSDS 3.0 objects.


class HsdsOrganization(HsdsModel):
    """An organisation that runs services (HSDS `organization`)."""

    id: HsdsId
    name: Name
    alternate_name: Short | None = None
    description: Annotated[str, StringConstraints(min_length=1, max_length=10000)]
    email: EmailText | None = None
    website: Link | None = None
    logo: Link | None = None
    uri: Link | None = None
    parent_organization_id: HsdsId | None = None


class HsdsAddress(HsdsModel):
    id: HsdsId
    attention: Short | None = None
    address_1: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    address_2: Short | None = None
    city: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    region: Short | None = None
    state_province: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    address_type: Literal["physical", "postal", "virtual"]


class HsdsAccessibility(HsdsModel):
    id: HsdsId
    description: Text | None = None
    details: Text | None = None
    url: Link | None = None
    accessibility: str | None = Field(
        default=None, exclude=True, description="UK profile: a copy of `description`."
    )


class HsdsLocation(HsdsModel):
    """A place (or a virtual location, such as a phone line) where services are delivered.

    In lists, `addresses` and `accessibility` are omitted."""

    id: HsdsId
    location_type: Literal["physical", "postal", "virtual"]
    url: Link | None = None
    organization_id: HsdsId | None = None
    name: Short | None = None
    alternate_name: Short | None = None
    description: Text | None = None
    transportation: Text | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    external_identifier: Short | None = None
    external_identifier_type: Short | None = None
    addresses: list[HsdsAddress] = Field(default_factory=list, max_length=20)
    accessibility: list[HsdsAccessibility] = Field(default_factory=list, max_length=50)


class HsdsPhone(HsdsModel):
    id: HsdsId
    number: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    extension: Annotated[int, Field(ge=0, le=99999999)] | None = None
    type: Annotated[str, StringConstraints(max_length=32)] | None = None
    description: Text | None = None


class HsdsSchedule(HsdsModel):
    """When a service is open (RFC 5545 recurrence). Weekly schedules with `byday`,
    `opens_at` and `closes_at` drive the `open_now` and `day`/time filters."""

    id: HsdsId
    valid_from: date | None = None
    valid_to: date | None = None
    dtstart: date | None = None
    freq: Literal["WEEKLY", "MONTHLY"] | None = None
    interval: Annotated[int, Field(ge=1, le=1000)] | None = None
    byday: Annotated[str, StringConstraints(max_length=64, pattern=BYDAY_PATTERN)] | None = None
    bymonthday: Annotated[str, StringConstraints(max_length=128)] | None = None
    description: Text | None = None
    opens_at: Annotated[str, StringConstraints(pattern=HSDS_TIME)] | None = None
    closes_at: Annotated[str, StringConstraints(pattern=HSDS_TIME)] | None = None
    schedule_link: Link | None = None
    attending_type: Short | None = None
    notes: Text | None = None


class HsdsServiceArea(HsdsModel):
    """Where a service is available. A borough is named by its ONS GSS code at the end
    of `uri` (or by its name); the London region (E12000007) covers every borough."""

    id: HsdsId
    name: Short | None = None
    description: Text | None = None
    extent: Annotated[str, StringConstraints(max_length=100000)] | None = None
    extent_type: Annotated[str, StringConstraints(max_length=64)] | None = None
    uri: Link | None = None
    service_area: str | None = Field(
        default=None, exclude=True, description="UK profile: a copy of `name`."
    )


class HsdsLanguage(HsdsModel):
    id: HsdsId
    name: Annotated[str, StringConstraints(max_length=100)] | None = None
    code: LanguageCode | None = None
    note: Text | None = None


class HsdsTaxonomy(HsdsModel):
    """A taxonomy. `taxonomy_terms` (UK profile) is present on the single-taxonomy route."""

    id: HsdsId
    name: Name
    description: Annotated[str, StringConstraints(min_length=1, max_length=10000)]
    uri: Link | None = None
    version: Annotated[str, StringConstraints(max_length=64)] | None = None
    taxonomy_terms: list[HsdsTaxonomyTerm] = Field(default_factory=list, max_length=10000)


class HsdsTaxonomyTerm(HsdsModel):
    id: HsdsId
    code: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    name: Name
    description: Annotated[str, StringConstraints(min_length=1, max_length=10000)]
    parent_id: HsdsId | None = None
    taxonomy: Short | None = Field(default=None, description="The taxonomy's name.")
    taxonomy_id: HsdsId | None = None
    language: Annotated[str, StringConstraints(max_length=35)] | None = None
    term_uri: Link | None = None
    term: str | None = Field(
        default=None, exclude=True, description="UK profile: a copy of `name`."
    )


class HsdsAttribute(HsdsModel):
    """A link from a service to a taxonomy term: its crime types, needs and referral routes."""

    id: HsdsId
    link_id: HsdsId | None = Field(default=None, exclude=True, description="The service's id.")
    link_entity: str | None = Field(default=None, exclude=True, description="Always `service`.")
    taxonomy_term_id: HsdsId | None = None
    link_type: Short | None = None
    value: Text | None = None
    taxonomy_term: HsdsTaxonomyTerm | None = None

    @model_validator(mode="after")
    def _names_a_term(self) -> HsdsAttribute:
        if self.taxonomy_term is not None:
            if self.taxonomy_term_id not in (None, self.taxonomy_term.id):
                raise ValueError("taxonomy_term_id and taxonomy_term.id differ")
            self.taxonomy_term_id = self.taxonomy_term.id
        if self.taxonomy_term_id is None:
            raise ValueError("an attribute needs taxonomy_term_id or taxonomy_term")
        return self


class HsdsServiceAtLocation(HsdsModel):
    """A service delivered at a location. In lists, `location` has no arrays."""

    id: HsdsId
    service_id: HsdsId | None = Field(default=None, exclude=True)
    location_id: HsdsId | None = None
    description: Text | None = None
    location: HsdsLocation | None = None

    @model_validator(mode="after")
    def _names_a_location(self) -> HsdsServiceAtLocation:
        if self.location is not None:
            if self.location_id not in (None, self.location.id):
                raise ValueError("location_id and location.id differ")
            self.location_id = self.location.id
        if self.location_id is None:
            raise ValueError("a service_at_location needs location_id or location")
        return self


class HsdsService(HsdsModel):
    """A service (HSDS `service`). Lists carry the one-to-one fields and `organization`;
    the single-service route nests everything."""

    id: HsdsId
    organization_id: HsdsId | None = None
    name: Name
    alternate_name: Short | None = None
    description: Text | None = None
    url: Link | None = None
    email: EmailText | None = None
    status: Literal["active", "inactive", "defunct", "temporarily closed"]
    interpretation_services: Text | None = None
    application_process: Text | None = None
    fees_description: Text | None = None
    accreditations: Text | None = None
    eligibility_description: Text | None = None
    minimum_age: Annotated[int, Field(ge=0, le=150)] | None = None
    maximum_age: Annotated[int, Field(ge=0, le=150)] | None = None
    assured_date: date | None = None
    assurer_email: EmailText | None = None
    alert: Text | None = None
    last_modified: datetime | None = Field(
        default=None,
        exclude=True,
        description="When the service or anything about it last changed here.",
    )
    organization: HsdsOrganization | None = None
    phones: list[HsdsPhone] = Field(default_factory=list, max_length=20)
    schedules: list[HsdsSchedule] = Field(default_factory=list, max_length=50)
    service_areas: list[HsdsServiceArea] = Field(default_factory=list, max_length=100)
    service_at_locations: list[HsdsServiceAtLocation] = Field(default_factory=list, max_length=100)
    languages: list[HsdsLanguage] = Field(default_factory=list, max_length=100)
    attributes: list[HsdsAttribute] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> HsdsService:
        if self.organization is not None:
            if self.organization_id not in (None, self.organization.id):
                raise ValueError("organization_id and organization.id differ")
            self.organization_id = self.organization.id
        if self.organization_id is None:
            raise ValueError("a service needs organization_id or organization")
        low, high = self.minimum_age, self.maximum_age
        if low is not None and high is not None and low > high:
            raise ValueError("minimum_age is above maximum_age")
        return self


class HsdsApiInfo(BaseModel):
    version: str = Field(description="The HSDS version: `3.0`.", examples=["3.0"])
    profile: str = Field(
        description="The HSDS profile: Open Referral UK.", json_schema_extra={"format": "uri"}
    )
    openapi_url: str = Field(
        description="This API's OpenAPI document.", json_schema_extra={"format": "uri"}
    )


class HsdsPage(BaseModel, Generic[T]):
    """An HSDS page: counts, flags and `contents`. Pages are numbered from 1."""

    total_items: int = Field(description="Items matching the query, on every page.")
    total_pages: int = Field(description="Pages at this `per_page` (0 when nothing matches).")
    page_number: int
    size: int = Field(description="Items on this page.")
    first_page: bool
    last_page: bool
    empty: bool = Field(description="True when this page has no items.")
    contents: list[T]


class HsdsServicePage(HsdsPage[HsdsService]):
    pass


class HsdsTaxonomyPage(HsdsPage[HsdsTaxonomy]):
    pass


class HsdsTaxonomyTermPage(HsdsPage[HsdsTaxonomyTerm]):
    pass


class HsdsServiceAtLocationFull(HsdsServiceAtLocation):
    """A service at a location, with the location and the service nested."""

    service: HsdsService | None = None


class HsdsServiceAtLocationPage(HsdsPage[HsdsServiceAtLocationFull]):
    pass


HsdsTaxonomy.model_rebuild()


# ---------------------------------------------------------------------------
# Staff (/v1) models.

ServiceStatus = Literal["ACTIVE", "INACTIVE", "DEFUNCT", "TEMPORARILY_CLOSED"]


class StaffPhone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()-]{4,30}$")] = Field(
        description="A UK number as dialled, e.g. `020 7946 0123`.", examples=["020 7946 0123"]
    )
    description: Annotated[str, StringConstraints(max_length=200)] | None = None


class StaffSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: list[Weekday] = Field(min_length=1, max_length=7, description="RFC 5545 day codes.")
    opens_at: Annotated[str, StringConstraints(pattern=HHMM_OPEN)] = Field(
        description="Local (Europe/London) time, `HH:MM`.", examples=["09:00"]
    )
    closes_at: Annotated[str, StringConstraints(pattern=HHMM_CLOSE)] = Field(
        description="`HH:MM`, up to `24:00`. Earlier than `opens_at` means it closes the next "
        "morning; equal means open all day.",
        examples=["17:00"],
    )
    description: Annotated[str, StringConstraints(max_length=500)] | None = None


class StaffLanguage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: LanguageCode = Field(description="BCP 47 tag, e.g. `pl`.", examples=["pl"])
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        examples=["Polish"]
    )


_STAFF_FIELD_DOCS: dict[str, Any] = {
    "crime_types": "Crime types the service accepts victims of.",
    "boroughs": "Boroughs the service covers; all 33 make it London-wide.",
    "needs": "Needs the service meets (the `victim-needs` taxonomy).",
    "location_ids": "Locations (from the HSDS import) where the service is delivered.",
}


# PATCH fields that may be omitted but never cleared with null.
_REQUIRED_ON_PATCH = frozenset(
    {
        "name",
        "status",
        "crime_types",
        "boroughs",
        "needs",
        "languages",
        "accepts_police_referrals",
        "allows_self_referral",
        "phones",
        "schedules",
        "location_ids",
    }
)


def _patch_schema(schema: dict[str, Any]) -> None:
    """In the contract, a field that cannot be cleared is not nullable."""
    for name, prop in schema.get("properties", {}).items():
        if name not in _REQUIRED_ON_PATCH:
            continue
        options = prop.get("anyOf")
        if options:
            concrete = [o for o in options if o.get("type") != "null"]
            if len(concrete) == 1:
                prop.pop("anyOf")
                prop.update(concrete[0])
        prop.pop("default", None)


class DirectoryServiceCreate(BaseModel):
    """A new service. Directory data describes organisations, never people."""

    model_config = ConfigDict(extra="forbid")

    organization_id: IdParam = Field(description="An organisation already in the directory.")
    name: Name
    alternate_name: Short | None = None
    description: Annotated[str, StringConstraints(max_length=4000)] | None = None
    url: (
        Annotated[str, StringConstraints(max_length=2048, pattern=r"^https?://[^\x00-\x20\x7f]+$")]
        | None
    ) = None
    email: (
        Annotated[
            str,
            StringConstraints(max_length=254, pattern=r"^[^@\x00-\x20\x7f]+@[^@\x00-\x20\x7f]+$"),
        ]
        | None
    ) = None
    status: ServiceStatus = "ACTIVE"
    eligibility_description: Annotated[str, StringConstraints(max_length=4000)] | None = None
    application_process: Annotated[str, StringConstraints(max_length=4000)] | None = None
    interpretation_services: Annotated[str, StringConstraints(max_length=4000)] | None = None
    crime_types: list[CrimeTypeCode] = Field(
        min_length=1, max_length=50, description=_STAFF_FIELD_DOCS["crime_types"]
    )
    boroughs: list[BoroughCode] = Field(
        min_length=1, max_length=50, description=_STAFF_FIELD_DOCS["boroughs"]
    )
    minimum_age: Annotated[int, Field(ge=0, le=150)] | None = None
    maximum_age: Annotated[int, Field(ge=0, le=150)] | None = None
    needs: list[NeedCode] = Field(
        default_factory=list, max_length=50, description=_STAFF_FIELD_DOCS["needs"]
    )
    languages: list[StaffLanguage] = Field(default_factory=list, max_length=30)
    accepts_police_referrals: bool = True
    allows_self_referral: bool = False
    phones: list[StaffPhone] = Field(default_factory=list, max_length=10)
    schedules: list[StaffSchedule] = Field(default_factory=list, max_length=20)
    location_ids: list[IdParam] = Field(
        default_factory=list, max_length=20, description=_STAFF_FIELD_DOCS["location_ids"]
    )


class DirectoryServiceUpdate(BaseModel):
    """A partial update: send only what changes. Lists replace the whole list; `null`
    clears a nullable field. `organization_id` cannot change."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_patch_schema)

    name: Name | None = None
    alternate_name: Short | None = None
    description: Annotated[str, StringConstraints(max_length=4000)] | None = None
    url: (
        Annotated[str, StringConstraints(max_length=2048, pattern=r"^https?://[^\x00-\x20\x7f]+$")]
        | None
    ) = None
    email: (
        Annotated[
            str,
            StringConstraints(max_length=254, pattern=r"^[^@\x00-\x20\x7f]+@[^@\x00-\x20\x7f]+$"),
        ]
        | None
    ) = None
    status: ServiceStatus | None = None
    eligibility_description: Annotated[str, StringConstraints(max_length=4000)] | None = None
    application_process: Annotated[str, StringConstraints(max_length=4000)] | None = None
    interpretation_services: Annotated[str, StringConstraints(max_length=4000)] | None = None
    crime_types: list[CrimeTypeCode] | None = Field(
        default=None, min_length=1, max_length=50, description=_STAFF_FIELD_DOCS["crime_types"]
    )
    boroughs: list[BoroughCode] | None = Field(
        default=None, min_length=1, max_length=50, description=_STAFF_FIELD_DOCS["boroughs"]
    )
    minimum_age: Annotated[int, Field(ge=0, le=150)] | None = None
    maximum_age: Annotated[int, Field(ge=0, le=150)] | None = None
    needs: list[NeedCode] | None = Field(
        default=None, max_length=50, description=_STAFF_FIELD_DOCS["needs"]
    )
    languages: list[StaffLanguage] | None = Field(default=None, max_length=30)
    accepts_police_referrals: bool | None = None
    allows_self_referral: bool | None = None
    phones: list[StaffPhone] | None = Field(default=None, max_length=10)
    schedules: list[StaffSchedule] | None = Field(default=None, max_length=20)
    location_ids: list[IdParam] | None = Field(
        default=None, max_length=20, description=_STAFF_FIELD_DOCS["location_ids"]
    )

    @model_validator(mode="before")
    @classmethod
    def _no_null_for_required(cls, data: Any) -> Any:
        if isinstance(data, dict):
            cleared = sorted(k for k, v in data.items() if v is None and k in _REQUIRED_ON_PATCH)
            if cleared:
                raise ValueError(f"{', '.join(cleared)} cannot be null; omit to keep")
        return data


class OrganizationRef(BaseModel):
    id: str
    name: str


class StaffScheduleView(BaseModel):
    days: list[Weekday]
    opens_at: str | None = Field(description="`HH:MM`, Europe/London.")
    closes_at: str | None
    description: str | None


class DirectoryService(BaseModel):
    """A service as staff see it: its eligibility spelled out in our codes."""

    id: str = Field(description="The HSDS id (a UUID), the same on /openreferral.")
    organization: OrganizationRef
    name: str
    alternate_name: str | None
    description: str | None
    url: str | None
    email: str | None
    status: ServiceStatus = Field(description="Extensible: expect new values.")
    eligibility_description: str | None
    application_process: str | None
    interpretation_services: str | None
    crime_types: list[str] = Field(description="Crime-type codes the service accepts.")
    boroughs: list[str] = Field(description="Borough codes the service covers.")
    minimum_age: int | None
    maximum_age: int | None
    needs: list[str] = Field(description="Need codes the service meets.")
    languages: list[StaffLanguage]
    accessibility: list[str] = Field(
        description="Accessibility notes of the service's locations (read-only)."
    )
    accepts_police_referrals: bool
    allows_self_referral: bool
    phones: list[StaffPhone]
    schedules: list[StaffScheduleView]
    location_ids: list[str]
    last_modified: datetime
    version: int = Field(description='Increments on every change; the ETag is `"v<version>"`.')


class DirectoryServiceMatch(DirectoryService):
    matched_needs: list[str] = Field(
        description="Which of the requested needs the service meets (ranked first)."
    )


class DirectoryServicePage(Page[DirectoryServiceMatch]):
    pass
