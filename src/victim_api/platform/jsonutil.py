"""Fast JSON in and out (orjson), used for every response body."""

from __future__ import annotations

from typing import Any

import orjson
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
