"""The security suites share one world (tests/security/world.py), built once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.world import World, build_world
from victim_api.settings import Settings


@pytest.fixture(scope="package")
def world(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with build_world(settings, tmp_path_factory.mktemp("security")) as built:
        yield built
