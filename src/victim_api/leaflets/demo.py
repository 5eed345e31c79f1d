"""The demo seeder: the leaflets in the repository's content directory."""

from __future__ import annotations

from sqlmodel import Session

from victim_api.leaflets.service import import_directory
from victim_api.platform.principal import system_caller
from victim_api.settings import get_settings


def seed_leaflets(session: Session) -> list[str]:
    """Import ``VICTIM_API_CONTENT_DIR``/leaflets, publishing what the files mark PUBLISHED."""
    directory = get_settings().content_dir / "leaflets"
    caller = system_caller("LEAFLET_EDITING", request_id="seed-demo")
    lines = import_directory(session, caller, directory)
    changed = [line for line in lines if ": unchanged (" not in line]
    return changed or [f"{len(lines)} leaflet files already loaded from {directory}"]
