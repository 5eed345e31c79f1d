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

# A JSON integer, never a boolean, a float or a numeric string.
StrictInt = Annotated[int, Field(strict=True)]
