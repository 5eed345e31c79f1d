"""The public routes: listed here on purpose, and serving nothing personal.

Making a route public is a decision, so it fails here until it is added to
PUBLIC_ROUTES. Each public route is then called anonymously with the world's
real objects (the case-bound QR token for the resolver), and its answer must
not contain any of the world's personal values: the victim's name, date of
birth, phone, email and safe contact times, the crime reference (a verification
factor), the officer's name, or the case and victim ids.
"""

from __future__ import annotations

import pytest

from tests.security.routes import ROUTES, TABLE, RouteCase, send
from tests.security.world import BODIES, PERSONAL, World

PUBLIC_ROUTES = {
    "GET /healthz",
    "GET /readyz",
    "POST /v1/oauth/token",
    "GET /.well-known/jwks.json",
    "GET /v1/reference/crime-types",
    "GET /v1/reference/boroughs",
    "POST /v1/qr-tokens/resolve",
    "GET /openreferral/",
    "GET /openreferral/services",
    "GET /openreferral/services/{id}",
    "GET /openreferral/taxonomies",
    "GET /openreferral/taxonomies/{id}",
    "GET /openreferral/taxonomy_terms",
    "GET /openreferral/taxonomy_terms/{id}",
    "GET /openreferral/service_at_locations",
    "GET /openreferral/service_at_locations/{id}",
    "GET /v1/leaflets",
    "GET /v1/leaflets/{slug}",
    "GET /docs",
    "GET /redoc",
    "GET /docs/static/{name}",
    "GET /metrics",
    # The victim's web page (docs/frontends.md): static, and the exchange of a QR
    # token for a victim session, which checks the token itself.
    "GET /l",
    "GET /l/static/{name}",
    "POST /l/session-token",
}
PUBLIC = [case for case in ROUTES if TABLE.is_public(case)]


def test_the_public_routes_are_exactly_the_listed_ones() -> None:
    assert {str(case) for case in PUBLIC} == PUBLIC_ROUTES


def personal_values(world: World, *, with_ids: bool = True) -> dict[str, str]:
    values = {
        **PERSONAL,
        "crime_reference": world.data["crime_reference"],
        "officer_name": world.data["officer_name"],
    }
    if with_ids:
        values |= {"case_id": world.data["case_id"], "victim_id": world.data["victim_id"]}
    return values


@pytest.mark.parametrize("case", PUBLIC, ids=str)
def test_a_public_route_serves_nothing_personal(world: World, case: RouteCase) -> None:
    schema = TABLE.json_body_schema(case)
    name = TABLE.schema_name(schema) if schema else None
    body = BODIES[name](world) if name in BODIES else None
    response = send(world, case, {}, choice="own", body=body)
    assert response.status_code < 500
    text = response.text
    leaked = [key for key, value in personal_values(world).items() if value in text]
    assert leaked == [], f"{case} answers {leaked} to anyone"


def test_the_case_bound_qr_code_really_opens_a_leaflet(world: World) -> None:
    """So the resolver's check above is of a real, personalised answer."""
    response = world.client.post("/v1/qr-tokens/resolve", json={"token": world.data["qr_token"]})
    assert response.status_code == 200
    assert response.json()["case_updates"]["available"] is True


def test_the_personal_values_are_really_in_the_world(world: World) -> None:
    """So not finding them in public answers means something."""
    victim = world.client.get(
        f"/v1/victims/{world.data['victim_id']}", headers=world.headers["STAFF"]
    )
    assert PERSONAL["family_name"] in victim.text
