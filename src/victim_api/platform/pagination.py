"""Cursor pagination: opaque, signed keyset cursors and the page envelope.

A cursor holds the sort key and id of the last item on the page, plus a digest
of the query it belongs to, signed with HMAC so a tampered or transplanted
cursor is a 400 problem (``invalid_cursor``), never a 500 and never a wrong page.
Queries are keyset (``(sort_key, id) > (:last_sort_key, :last_id)``), never OFFSET.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Query
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import ColumnElement, and_, or_, tuple_

from victim_api.platform.clock import as_utc
from victim_api.platform.errors import ProblemError
from victim_api.platform.jsonutil import dumps, loads

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
T = TypeVar("T")


class InvalidCursorError(ProblemError):
    def __init__(self) -> None:
        super().__init__(
            400, "invalid_cursor", "The cursor is not valid for this query. Start from page one."
        )


@dataclass(frozen=True)
class PageRequest:
    limit: int
    cursor: str | None


async def page_request(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(
            max_length=512,
            pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
            description="Opaque cursor from the previous page's `next_cursor`.",
        ),
    ] = None,
) -> PageRequest:
    return PageRequest(limit=limit, cursor=cursor)


def _absent(value: object) -> bool:
    return value is None


class Page(BaseModel, Generic[T]):
    """A page of items. `next_cursor` and `next` are absent on the last page.

    The links are left out when unset with ``exclude_if`` (not a wrap
    ``model_serializer``, whose ``dict[str, Any]`` return type would make the
    contract describe every page as an untyped object).
    """

    items: list[T]
    next_cursor: str | SkipJsonSchema[None] = Field(
        default=None,
        exclude_if=_absent,
        description="Pass as `cursor` to get the next page. Absent on the last page.",
    )
    next: str | SkipJsonSchema[None] = Field(
        default=None,
        exclude_if=_absent,
        description="Relative URL of the next page. Absent on the last page.",
    )


class CursorCodec:
    """Signs and checks cursors with a key derived from the service secret."""

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode(), b"victim-api cursor v1", hashlib.sha256).digest()

    def encode(self, query_scope: str, values: Sequence[Any]) -> str:
        payload = dumps([_scope_digest(query_scope), [_tag(v) for v in values]])
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def decode(self, query_scope: str, cursor: str) -> list[Any]:
        try:
            encoded_payload, encoded_mac = cursor.split(".")
            payload = _unb64(encoded_payload)
            if not hmac.compare_digest(self._mac(payload), _unb64(encoded_mac)):
                raise InvalidCursorError()
            scope, values = loads(payload)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise InvalidCursorError() from exc
        if scope != _scope_digest(query_scope) or not isinstance(values, list):
            raise InvalidCursorError()
        try:
            return [_untag(v) for v in values]
        except (ValueError, TypeError, KeyError) as exc:
            raise InvalidCursorError() from exc

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:16]


def query_scope(path: str, filters: Mapping[str, Any]) -> str:
    """What a cursor is bound to: the route and its filters (not limit or cursor)."""
    return path + "?" + urlencode(sorted((k, str(v)) for k, v in filters.items() if v is not None))


def after(columns: Sequence[ColumnElement[Any]], values: Sequence[Any]) -> ColumnElement[bool]:
    """Keyset predicate for ascending order: rows strictly after ``values``."""
    return tuple_(*columns) > tuple_(*values)


def before(columns: Sequence[ColumnElement[Any]], values: Sequence[Any]) -> ColumnElement[bool]:
    """Keyset predicate for descending order: rows strictly before ``values``."""
    return tuple_(*columns) < tuple_(*values)


def next_link(path: str, filters: Mapping[str, Any], limit: int, cursor: str) -> str:
    """The next page's URL; a list or tuple filter repeats its parameter (``a=1&a=2``)."""
    params = [
        (k, str(item))
        for k, v in filters.items()
        if v is not None
        for item in (v if isinstance(v, (list, tuple)) else [v])
    ]
    params += [("limit", str(limit)), ("cursor", cursor)]
    return f"{path}?{urlencode(params)}"


def _tag(value: Any) -> Any:
    # Datetimes keep their type through the cursor, so the keyset comparison
    # binds a real timestamp on every database (SQLite stores them as text).
    if isinstance(value, datetime):
        return {"dt": as_utc(value).isoformat()}
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        return datetime.fromisoformat(str(value["dt"]))
    return value


def _scope_digest(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def paginate(
    rows: Sequence[T],
    request: PageRequest,
    *,
    codec: CursorCodec,
    path: str,
    filters: Mapping[str, Any],
    sort_key: Any,
) -> tuple[list[T], str | None, str | None]:
    """Split ``limit + 1`` fetched rows into (items, next_cursor, next_link).

    ``sort_key(row)`` gives the keyset values of a row, ending with its id.
    """
    items = list(rows[: request.limit])
    if len(rows) <= request.limit:
        return items, None, None
    cursor = codec.encode(query_scope(path, filters), sort_key(items[-1]))
    return items, cursor, next_link(path, filters, request.limit, cursor)


def cursor_values(
    request: PageRequest, codec: CursorCodec, path: str, filters: Mapping[str, Any]
) -> list[Any] | None:
    """The keyset values carried by the request's cursor, or None on page one."""
    if request.cursor is None:
        return None
    return codec.decode(query_scope(path, filters), request.cursor)


@dataclass(frozen=True)
class KeysetBound:
    """Where a page of one source starts in a merged (sort key, kind, id) order.

    ``last_id`` set: rows after (value, last_id). Otherwise ``include_equal`` says
    whether rows at exactly ``value`` come after the bound (a source whose kind
    sorts after the cursor's) or not (one whose kind sorts before it).
    """

    value: Any
    last_id: str | None = None
    include_equal: bool = False


def keyset_after(
    column: ColumnElement[Any], id_column: ColumnElement[Any], bound: KeysetBound
) -> ColumnElement[bool]:
    """The predicate for rows strictly after ``bound`` in (column, id) order.

    Written as OR/AND rather than a row comparison so SQLite and PostgreSQL both
    use a (column, id) index for it."""
    if bound.last_id is not None:
        return or_(column > bound.value, and_(column == bound.value, id_column > bound.last_id))
    predicate: ColumnElement[bool] = (
        column >= bound.value if bound.include_equal else column > bound.value
    )
    return predicate
