"""The public read cache: fresh after local commits, bounded staleness for other processes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.leaflets.conftest import app_for
from victim_api.leaflets.cache import PublishedCache, etag_matches
from victim_api.leaflets.router import choose_media
from victim_api.leaflets.service import T
from victim_api.settings import Settings


def withdraw_behind_the_cache(app: FastAPI, slug: str) -> None:
    """Retire a leaflet as another process would: no commit hook here sees it."""
    with app.state.database.engine.begin() as connection:
        connection.execute(
            sa.update(T).where(T.c.slug == slug).values(status="RETIRED", version=T.c.version + 1)
        )


def test_other_processes_changes_show_within_the_ttl(
    settings: Settings, database_url_with_leaflets: str
) -> None:
    patient = app_for(settings, database_url_with_leaflets, ttl=300)
    eager = app_for(settings, database_url_with_leaflets, ttl=0)
    try:
        with TestClient(patient) as slow, TestClient(eager) as fresh:
            assert slow.get("/v1/leaflets/fraud").status_code == 200
            assert fresh.get("/v1/leaflets/fraud").status_code == 200
            withdraw_behind_the_cache(eager, "fraud")
            assert fresh.get("/v1/leaflets/fraud").status_code == 404
            assert "fraud" not in {i["slug"] for i in fresh.get("/v1/leaflets").json()["items"]}
            # Served from its cache until the entry is older than the TTL.
            assert slow.get("/v1/leaflets/fraud").status_code == 200
            patient.state.leaflet_cache.ttl_seconds = 0
            assert slow.get("/v1/leaflets/fraud").status_code == 404
    finally:
        patient.state.database.dispose()
        eager.state.database.dispose()


def test_revalidating_an_unchanged_leaflet_keeps_the_built_bodies(
    settings: Settings, database_url_with_leaflets: str
) -> None:
    app = app_for(settings, database_url_with_leaflets, ttl=0)
    try:
        with TestClient(app) as client:
            first = client.get("/v1/leaflets/victim-information")
            cache: PublishedCache = app.state.leaflet_cache
            built = cache._slugs["victim-information"].leaflets
            again = client.get("/v1/leaflets/victim-information")
            assert again.headers["etag"] == first.headers["etag"]
            assert cache._slugs["victim-information"].leaflets is built
    finally:
        app.state.database.dispose()


def test_unknown_slugs_are_cached_within_a_bound(
    settings: Settings, database_url_with_leaflets: str
) -> None:
    app = app_for(settings, database_url_with_leaflets, ttl=300)
    cache = PublishedCache(300, max_slugs=3)
    try:
        cache.load_slug(app.state.database, "fraud")
        for slug in ("nope-1", "nope-2", "nope-3", "nope-4"):
            assert cache.load_slug(app.state.database, slug).leaflets == {}
            assert len(cache._slugs) <= 3
        assert "fraud" in cache._slugs  # real leaflets are the last to go
    finally:
        app.state.database.dispose()


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"x",W/"abc" ', True),
        ("*", True),
        ('"abcd"', False),
        ("abc", False),
        ("", False),
    ],
)
def test_if_none_match_uses_the_weak_comparison(header: str, matches: bool) -> None:
    assert etag_matches(header, '"abc"') is matches


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", "json"),
        ("application/json;q=bad", None),
        ("text/html;q=2", None),
        ("TEXT/HTML", "html"),
        ("text/plain, */*;q=0.1", "json"),
    ],
)
def test_media_choice_edge_cases(accept: str, chosen: str | None) -> None:
    assert choose_media(accept) == chosen
