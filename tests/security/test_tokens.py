"""OWASP API2 (broken authentication): the token corpus on every protected route,
and QR tokens and access tokens kept apart.

The corpus is tests/platform/test_tokens.py's (imported, not copied): each
forgery, made for a client the route admits, must be 401 `invalid_token`, while
the same hand-built token unforged gets past authorisation. Every route checks
tokens through the one policy dependency, so the corpus is sent to one route per
channel (every channel's client, claims and scopes); the QR token, the unforged
control and no token at all (test_bfla.py) go to every route.
"""

from __future__ import annotations

import pytest

from tests.platform.test_tokens import CORPUS, build, token_setup
from tests.security.routes import CHANNELS, ROUTES, TABLE, RouteCase, refusal, send
from tests.security.world import World
from tests.support.auth import bearer

PROTECTED = [case for case in ROUTES if not TABLE.is_public(case)]
RESOLVE = "/v1/qr-tokens/resolve"


def _assert_invalid_token(response, case: RouteCase, what: str) -> None:
    assert response.status_code == 401, f"{case} accepted {what}: {response.status_code}"
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["code"] == "invalid_token"


def _one_route_per_channel() -> list[tuple[str, RouteCase]]:
    """(channel, a route it may call), for each channel some route admits (no route
    admits WEB clients yet: the web's routes are public)."""
    found = []
    for channel in CHANNELS:
        admitting = [case for case in PROTECTED if channel in TABLE.allowed(case)]
        if admitting:
            found.append((channel, admitting[0]))
    return found


@pytest.mark.parametrize(
    "case", [case for case in PROTECTED if not TABLE.is_victims_own(case)], ids=str
)
def test_an_unforged_hand_built_token_gets_past_authorisation(
    world: World, case: RouteCase
) -> None:
    setup = token_setup(world.app, world.credentials[TABLE.allowed(case)[0]])
    control = send(world, case, bearer(build(setup)), choice="missing")
    assert refusal(control) is None, f"{case}: the unforged token was refused: {control.text}"


@pytest.mark.parametrize("forgery", CORPUS)
@pytest.mark.parametrize(("channel", "case"), _one_route_per_channel(), ids=str)
def test_every_forgery_in_the_corpus_is_refused_on_every_channel(
    world: World, channel: str, case: RouteCase, forgery
) -> None:
    setup = token_setup(world.app, world.credentials[channel])
    response = send(world, case, bearer(forgery(setup)), choice="missing")
    _assert_invalid_token(response, case, "a forgery")


@pytest.mark.parametrize("case", PROTECTED, ids=str)
def test_a_qr_token_is_not_an_access_token(world: World, case: RouteCase) -> None:
    response = send(world, case, bearer(world.data["qr_token"]), choice="missing")
    _assert_invalid_token(response, case, "a QR token")


def test_the_qr_token_resolves_where_it_belongs(world: World) -> None:
    response = world.client.post(RESOLVE, json={"token": world.data["qr_token"]})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("channel", ["STAFF", "POLICE_SYSTEM", "PHONE", "PARTNER"])
def test_an_access_token_is_not_a_qr_token(world: World, channel: str) -> None:
    access_token = world.headers[channel]["Authorization"].removeprefix("Bearer ")
    response = world.client.post(RESOLVE, json={"token": access_token})
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "qr_token_invalid"
    assert "leaflet" not in response.json()
