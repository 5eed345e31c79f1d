"""Serving a fixed set of files shipped in the package (the docs viewers, the victim page)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fastapi.responses import FileResponse

from victim_api.platform.errors import NotFoundError


def asset_response(
    directory: Path, name: str, media_types: Mapping[str, str], cache_control: str
) -> FileResponse:
    """``name`` from ``directory`` if it is a key of ``media_types``, else 404.

    Only the listed names are served: a fixed map, so no path from a URL ever
    reaches the disk.
    """
    media_type = media_types.get(name)
    if media_type is None:
        raise NotFoundError("There is nothing at this path.")
    return FileResponse(
        directory / name,
        media_type=media_type,
        headers={"Cache-Control": cache_control},
    )
