"""OWASP API5 (broken function-level authorisation), for every route and channel.

Each route is called on each channel with a token holding every scope that
channel may hold: only the channels its policy declares get past authorisation;
every other channel gets 403 `channel_not_allowed`. A victim's own route
(`/v1/me/...`, a VictimSessionPolicy) refuses every client access token with 403
`victim_session_required`, and admits a victim session only from the channels it
declares. Missing ids and no body are sent, so nothing changes whatever the answer.
"""

from __future__ import annotations

import pytest

from tests.security.routes import CHANNELS, ROUTES, TABLE, RouteCase, refusal, send
from tests.security.world import World, victim_caller

PROTECTED = [case for case in ROUTES if not TABLE.is_public(case)]
PUBLIC_ROUTES = [case for case in ROUTES if TABLE.is_public(case)]
VICTIMS_OWN = [case for case in PROTECTED if TABLE.is_victims_own(case)]
CLIENT_TOKEN_ROUTES = [case for case in PROTECTED if not TABLE.is_victims_own(case)]


def _scoped(case: RouteCase) -> list[tuple[RouteCase, str, str]]:
    """(route, channel, scope withheld) for each allowed channel and required scope."""
    policy = TABLE.policy(case)
    return [
        (case, channel, scope)
        for channel in sorted(policy.channels)
        for scope in sorted(policy.scopes)
    ]


def test_the_suite_walks_the_app_it_attacks(world: World) -> None:
    from tests.security.routes import RouteTable

    assert set(RouteTable(world.app).routes) == set(TABLE.routes)
    assert len(PROTECTED) >= 40


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("case", ROUTES, ids=str)
def test_only_declared_channels_get_past_authorisation(
    world: World, case: RouteCase, channel: str
) -> None:
    response = send(world, case, world.headers[channel], choice="missing")
    refused = refusal(response)
    if TABLE.is_victims_own(case):
        assert response.status_code == 403, f"{case} let {channel}'s client token through"
        assert refused == "victim_session_required", response.text
    elif TABLE.is_public(case) or channel in TABLE.allowed(case):
        assert refused is None, f"{case} refused {channel}: {response.text}"
    else:
        assert response.status_code == 403, f"{case} let {channel} through: {response.status_code}"
        assert response.headers["content-type"] == "application/problem+json"
        assert refused == "channel_not_allowed"


@pytest.mark.parametrize(
    ("case", "channel", "withheld"),
    [triple for case in CLIENT_TOKEN_ROUTES for triple in _scoped(case)],
    ids=lambda value: str(value),
)
def test_a_token_without_one_of_the_routes_scopes_gets_403(
    world: World, case: RouteCase, channel: str, withheld: str
) -> None:
    held = frozenset(world.credentials[channel].scopes) - {withheld}
    response = send(world, case, world.headers_with_scopes(channel, held), choice="missing")
    assert response.status_code == 403, f"{case} without {withheld}: {response.status_code}"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "insufficient_scope"
    assert withheld in response.headers["www-authenticate"]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("case", VICTIMS_OWN, ids=str)
def test_only_declared_channels_victim_sessions_get_past_authorisation(
    world: World, case: RouteCase, channel: str
) -> None:
    caller = victim_caller(channel)
    response = send(world, case, world.victim_session(caller), choice="missing")
    refused = refusal(response)
    if caller in TABLE.allowed(case):
        assert refused is None, f"{case} refused a victim session from {channel}: {response.text}"
    else:
        assert response.status_code == 403, f"{case} let a {channel} victim session through"
        assert response.headers["content-type"] == "application/problem+json"
        assert refused == "channel_not_allowed"


def test_the_victims_own_routes_are_the_me_routes() -> None:
    """A victim session's authority is its one victim and case, not scopes: only the
    /v1/me/... routes (and signing the session out) may be opened with one."""
    assert VICTIMS_OWN, "no VictimSessionPolicy route: is the helpline gone?"
    others = [
        str(case)
        for case in VICTIMS_OWN
        if not case.path.startswith("/v1/me/") and case.path != "/v1/victim-sessions/current"
    ]
    assert others == []


def test_every_protected_route_needs_a_scope() -> None:
    assert [str(case) for case in CLIENT_TOKEN_ROUTES if not TABLE.policy(case).scopes] == []


@pytest.mark.parametrize("case", PROTECTED, ids=str)
def test_no_token_is_401(world: World, case: RouteCase) -> None:
    response = send(world, case, {}, choice="missing")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "unauthorized"
