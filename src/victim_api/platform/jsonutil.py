"""Fast JSON in and out (orjson), used for every response body."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import JSONResponse as _StarletteJSONResponse

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def dumps(value: Any) -> bytes:
    """Serialise to JSON bytes; datetimes become RFC 3339 UTC with a ``Z``."""
    return orjson.dumps(value, option=_OPTIONS, default=_default)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def _default(value: Any) -> Any:
    # pydantic models reaching the encoder are dumped in JSON mode.
    model_dump = getattr(value, "model_dump", None)
    if model_dump is not None:
        return model_dump(mode="json")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


class JSONResponse(_StarletteJSONResponse):
    """The default response class: orjson-encoded."""

    def render(self, content: Any) -> bytes:
        return dumps(content)


def model_response(model: BaseModel, status_code: int = 200) -> JSONResponse:
    """A route's response model as a response, serialised in the route's own thread.

    A sync route that returns a model has FastAPI validate it in a second
    threadpool call, with the request's session (and its pooled connection)
    still open; under load every worker thread can be waiting for a connection
    while the connections wait for those threads (docs/performance.md). So
    routes with a database session return a response.
    """
    return JSONResponse(model.model_dump(mode="json", by_alias=True), status_code=status_code)
