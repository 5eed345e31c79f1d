"""Resolving a QR token returns its leaflet, so the leaflets must be published."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _leaflets_published(published_leaflets: list[str]) -> None:
    return None
