"""Field types shared by every domain's schemas."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$"
)


def _strict_rfc3339(value: Any) -> Any:
    """Only RFC 3339 text with an offset; never a bare number or a naive time."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a timezone offset is required (use Z for UTC)")
        return value.astimezone(UTC)
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2026-12-01T09:30:00Z")
    return datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00")).astimezone(UTC)


UtcDateTime = Annotated[
    datetime,
    BeforeValidator(_strict_rfc3339),
    Field(json_schema_extra={"format": "date-time"}),
]


def _json_integer(value: Any) -> Any:
    """JSON Schema's integer: 3 and 3.0, never true/false or the string "3"."""
    if isinstance(value, (bool, str)):
        raise ValueError("must be a JSON integer")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Use after the bounds, so they reach the JSON schema as minimum/maximum:
#     Annotated[int, Field(ge=1, le=730), JSON_INTEGER]
JSON_INTEGER = BeforeValidator(_json_integer)


UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# Dates and times a record can carry: years 1900 to 2099, so a deadline can
# always be worked out. Historic offences are reported decades later.
_YEAR = r"(?:19|20)\d{2}"
_DATE = _YEAR + r"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
DATE_PATTERN = f"^{_DATE}$"
DATE_TIME_PATTERN = (
    f"^{_DATE}T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{{1,6}})?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
)
_DATE_RE = re.compile(DATE_PATTERN, re.ASCII)
_DATE_TIME_RE = re.compile(DATE_TIME_PATTERN, re.ASCII)


def _bounded_date_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a timezone offset is required (use Z for UTC)")
        if not 1900 <= value.year <= 2099:
            raise ValueError("must be between the years 1900 and 2099")
        return value.astimezone(UTC)
    if not isinstance(value, str) or not _DATE_TIME_RE.match(value):
        raise ValueError(
            "must be an RFC 3339 date-time with an offset, years 1900 to 2099, "
            "e.g. 2026-12-01T09:30:00Z"
        )
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _bounded_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ValueError("must be a date, YYYY-MM-DD, years 1900 to 2099")
    return date.fromisoformat(value)


BoundedDateTime = Annotated[
    datetime,
    BeforeValidator(_bounded_date_time),
    Field(json_schema_extra={"format": "date-time", "pattern": DATE_TIME_PATTERN}),
]
BoundedDate = Annotated[
    date,
    BeforeValidator(_bounded_date),
    Field(json_schema_extra={"format": "date", "pattern": DATE_PATTERN}),
]


# Free text: no control characters but tab and line breaks (PostgreSQL refuses
# NUL in text, and an IVR cannot speak the rest).
TEXT_PATTERN = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"


def _no_lone_surrogates(value: str) -> str:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("must be valid Unicode text")
    return value


TEXT_OK = AfterValidator(_no_lone_surrogates)
