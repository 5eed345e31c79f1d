"""Field types shared by every domain's schemas."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

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
