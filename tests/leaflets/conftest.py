"""Fixtures for the leaflet tests: the real content directory and a valid leaflet to bend."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.support.database import fresh_database
from victim_api.app import create_app
from victim_api.leaflets.content import SECTION_KEYS, Leaflet, load_directory, parse_leaflet
from victim_api.leaflets.service import import_directory
from victim_api.platform.principal import system_caller
from victim_api.settings import Settings

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content" / "leaflets"
LEAFLET_FILES = sorted(CONTENT_DIR.glob("*/*.md"))

VALID_FRONT_MATTER = {
    "slug": "test-leaflet",
    "language": "en",
    "version": "1",
    "title": "A test leaflet",
    "summary": "Only for tests.",
    "status": "PUBLISHED",
}


def leaflet_text(
    front_matter: Mapping[str, str] | None = None,
    sections: list[tuple[str, str]] | None = None,
    *,
    preamble: str = "",
) -> str:
    """A leaflet file's text; valid unless the arguments make it otherwise."""
    fields = dict(VALID_FRONT_MATTER if front_matter is None else front_matter)
    if sections is None:
        sections = [(f"Heading for {key} {{#{key}}}", f"Body of {key}.") for key in SECTION_KEYS]
    yaml_lines = "\n".join(f"{name}: {value}" for name, value in fields.items())
    body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections)
    return f"---\n{yaml_lines}\n---\n{preamble}\n{body}\n"


SAMPLE_CONTACT_US = (
    "**In an emergency, call 999.**\n\n"
    "To speak to {{officer_name}}, call {{officer_team_phone}}.\n\n"
    "- Helpline: [0808 157 0100](tel:+448081570100)\n"
    "- Online: [victims.example.police.uk](https://victims.example.police.uk)\n"
    "- Email: [victimcare@example.police.uk](mailto:victimcare@example.police.uk)\n\n"
    "See [how to complain](#complaints)."
)


@pytest.fixture(scope="session")
def sample_leaflet() -> Leaflet:
    """A small valid leaflet with links and slots, independent of the real content."""
    sections = [
        (f"Heading for {key} {{#{key}}}", SAMPLE_CONTACT_US if key == "contact-us" else "Body.")
        for key in SECTION_KEYS
    ]
    return parse_leaflet(leaflet_text(sections=sections))


@pytest.fixture(scope="session")
def leaflets() -> tuple[Leaflet, ...]:
    return load_directory(CONTENT_DIR)


@pytest.fixture(scope="session")
def main_leaflet(leaflets: tuple[Leaflet, ...]) -> Leaflet:
    return next(x for x in leaflets if x.slug == "victim-information" and x.language == "en")


@pytest.fixture
def database_url_with_leaflets(settings: Settings, tmp_path: Path) -> Iterator[str]:
    with fresh_database(tmp_path) as url:
        loader = create_app(settings.model_copy(update={"database_url": url}))
        with loader.state.database.transaction() as session:
            import_directory(session, system_caller("TESTING"), CONTENT_DIR)
        loader.state.database.dispose()
        yield url


def app_for(settings: Settings, url: str, ttl: float) -> FastAPI:
    return create_app(
        settings.model_copy(update={"database_url": url, "leaflet_cache_seconds": ttl})
    )
