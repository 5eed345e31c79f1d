"""ETags from version columns, and the If-Match / If-None-Match rules.

A mutable resource's ETag is its version (``"v3"``). PUT, PATCH and DELETE need
``If-Match``: missing is 428, stale is 412. Services apply the change with a
compare-and-swap (``UPDATE ... WHERE id = :id AND version = :expected``), so of
two concurrent writers holding the same ETag exactly one wins.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Header
from sqlalchemy import Table, update
from sqlalchemy.orm import Session

from victim_api.platform.errors import ProblemError

_ETAG = re.compile(r'^(?:W/)?"v(\d{1,18})"$')


class PreconditionRequiredError(ProblemError):
    def __init__(self) -> None:
        super().__init__(
            428,
            "if_match_required",
            "Send If-Match with the resource's current ETag to change it.",
        )


class PreconditionFailedError(ProblemError):
    def __init__(self, current_etag: str | None = None) -> None:
        super().__init__(
            412,
            "etag_mismatch",
            "The resource has changed since you read it. Read it again and retry.",
            headers={"ETag": current_etag} if current_etag else None,
        )


def etag(version: int) -> str:
    return f'"v{version}"'


def expected_version(if_match: str | None) -> int:
    """The version an If-Match header asks for; 428 when absent, 412 when unreadable."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequiredError()
    match = _ETAG.match(if_match.strip())
    if match is None:
        raise PreconditionFailedError()
    return int(match.group(1))


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag you last read. Required; 428 without it, 412 when stale.",
        max_length=64,
    ),
]


def compare_and_swap(
    session: Session, table: Table, key: dict[str, Any], expected: int, values: dict[str, Any]
) -> int:
    """Apply ``values`` and bump the version only if it is still ``expected``.

    Returns the new version; raises 412 when another writer got there first.
    """
    statement = (
        update(table)
        .where(*(table.c[name] == value for name, value in key.items()))
        .where(table.c.version == expected)
        .values(**values, version=expected + 1)
    )
    if getattr(session.execute(statement), "rowcount", 0) != 1:
        raise PreconditionFailedError()
    return expected + 1
