"""OWASP API1 (broken object-level authorisation), for every route with an object id.

For each path parameter of each route, on each channel the route admits: a
well-formed id that exists nowhere answers 404; and where an object exists that
this caller must not reach through this path (another organisation's referral
for a PARTNER, another case's event or duty, another leaflet's version), it
answers 404 too, with a problem body identical to the missing one's apart from
`instance` and `request_id`. Writes carry a schema-valid body (world.BODIES), so
what is tested is the object lookup, not validation.

A victim's own routes (`/v1/me/...`) take no ids: the object is the session's
victim. There, a session for another victim's case must only ever see its own
victim's data, and a session whose victim has since been erased answers 404.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.security.routes import ROUTES, TABLE, RouteCase, headers_for, send
from tests.security.world import World, path_object

VICTIMS_OWN = [case for case in ROUTES if TABLE.is_victims_own(case)]
# Signing out ends the token, whoever its victim was: it reads and shows nothing.
ENDS_THE_SESSION = {"DELETE /v1/victim-sessions/current"}
TRACES = ("case_id", "victim_id", "crime_reference", "event_id", "duty_id", "callback_id")


def _targets() -> list[tuple[RouteCase, str, str]]:
    return [
        (case, param, caller)
        for case in ROUTES
        for param in case.params
        for caller in TABLE.allowed(case)
    ]


def _comparable(response: httpx.Response) -> dict[str, Any]:
    body = dict(response.json())
    body.pop("instance", None)
    body.pop("request_id", None)
    return body


def _body(world: World, case: RouteCase) -> Any:
    return None if TABLE.json_body_schema(case) is None else TABLE.valid_body(world, case)


@pytest.mark.parametrize(("case", "param", "caller"), _targets(), ids=str)
def test_another_tenants_object_answers_exactly_like_a_missing_one(
    world: World, case: RouteCase, param: str, caller: str
) -> None:
    objects = path_object(world, param, case.path)
    headers, body = headers_for(world, caller), _body(world, case)
    missing = send(world, case, headers, overrides={param: objects.missing}, body=body)
    if objects.names_something_new(case.path):
        assert missing.status_code < 300, f"{case} {param}=new: {missing.text}"
    else:
        assert missing.status_code == 404, f"{case} {param}=missing: {missing.text}"
        assert missing.headers["content-type"] == "application/problem+json"
    foreign = objects.foreign_for(caller)
    if foreign is None:
        return
    theirs = send(world, case, headers, overrides={param: foreign}, body=body)
    assert theirs.status_code == 404, f"{case} {param}=another tenant's: {theirs.text}"
    assert _comparable(theirs) == _comparable(missing)


def test_every_partner_route_with_an_id_is_tried_with_another_organisations_object(
    world: World,
) -> None:
    """Tenancy lives on the PARTNER routes today: each of them is attacked with the
    other organisation's object, not only with a missing id."""
    partner_routes = [case for case in ROUTES if "PARTNER" in TABLE.allowed(case) and case.params]
    assert partner_routes, "no PARTNER route with an id: is the partner API gone?"
    for case in partner_routes:
        assert any(
            path_object(world, param, case.path).foreign_for("PARTNER") for param in case.params
        ), f"{case}: no builder gives another organisation's object for the PARTNER channel"


@pytest.mark.parametrize(
    ("case", "caller"),
    [
        (case, caller)
        for case in VICTIMS_OWN
        if case.method == "GET"
        for caller in TABLE.allowed(case)
    ],
    ids=str,
)
def test_a_victim_session_sees_only_its_own_victims_data(
    world: World, case: RouteCase, caller: str
) -> None:
    victims = world.data["victims"]
    for whose, stranger in (("mine", "other"), ("other", "mine")):
        response = send(world, case, world.victim_session(caller, whose))
        assert response.status_code == 200, f"{case} as {whose}: {response.text}"
        leaked = [key for key in TRACES if victims[stranger][key] in response.text]
        assert leaked == [], f"{case}: {whose} victim's session sees the other case's {leaked}"


@pytest.mark.parametrize(
    ("case", "caller"),
    [
        (case, caller)
        for case in VICTIMS_OWN
        if str(case) not in ENDS_THE_SESSION
        for caller in TABLE.allowed(case)
    ],
    ids=str,
)
def test_a_session_whose_victim_was_erased_is_404(
    world: World, case: RouteCase, caller: str
) -> None:
    headers = world.victim_session(caller, "erased")
    response = send(world, case, headers, body=_body(world, case))
    assert response.status_code == 404, f"{case}: {response.text}"
    assert response.headers["content-type"] == "application/problem+json"
