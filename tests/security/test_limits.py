"""OWASP API4 (unrestricted resource consumption), for every route.

From the route table and the contract: `limit=101` on every paginated list;
bodies over the cap, declared and streamed without `Content-Length`; every
string over its `maxLength` (body, query and header); every bounded integer
query parameter (QR image sizes, ages, pages) just outside its range.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.security.routes import ROUTES, TABLE, RouteCase, headers_for, send, url_for
from tests.security.world import World

PAGINATED = [case for case in ROUTES if any(p.alias == "limit" for p in TABLE.query_params(case))]
BODY_ROUTES = [case for case in ROUTES if TABLE.json_body_schema(case) is not None]


def _caller(case: RouteCase) -> str:
    return TABLE.allowed(case)[0]


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return dict(response.json())


def _error_at(response: httpx.Response, location: str) -> list[dict[str, Any]]:
    body = _problem(response, 422)
    return [e for e in body["errors"] if e["location"] == location]


@pytest.mark.parametrize("case", PAGINATED, ids=str)
def test_limit_over_the_maximum_is_422(world: World, case: RouteCase) -> None:
    url = url_for(world, case)
    separator = "&" if "?" in url else "?"
    response = world.client.get(
        f"{url}{separator}limit=101", headers=headers_for(world, _caller(case))
    )
    assert _error_at(response, "/query/limit"), response.text


def test_the_paginated_routes_are_found() -> None:
    assert {"GET /v1/cases", "GET /v1/partner/referrals", "GET /v1/audit-events"} <= {
        str(case) for case in PAGINATED
    }


def _cap(world: World, case: RouteCase) -> int:
    middleware = next(
        m for m in world.app.user_middleware if m.cls.__name__ == "RequestContextMiddleware"
    )
    limits: dict[str, int] = middleware.kwargs.get("body_limits") or {}
    return limits.get(case.path, world.app.state.settings.max_body_bytes)


def _oversized(cap: int) -> bytes:
    return b'{"padding": "' + b"x" * cap + b'"}'


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize("case", BODY_ROUTES, ids=str)
def test_a_body_over_the_cap_is_413(world: World, case: RouteCase, declared: bool) -> None:
    body = _oversized(_cap(world, case))

    def stream() -> Iterator[bytes]:
        for start in range(0, len(body), 16384):
            yield body[start : start + 16384]

    response = world.client.request(
        case.method,
        url_for(world, case, choice="missing"),
        headers={**headers_for(world, _caller(case)), "Content-Type": "application/json"},
        content=body if declared else stream(),
    )
    assert _problem(response, 413)["code"] == "content_too_large"


def _string_limits(
    schema: dict[str, Any], path: tuple[str, ...] = (), tags: dict[str, Any] | None = None
) -> Iterator[tuple[tuple[str, ...], int, dict[str, Any]]]:
    """(JSON path, maxLength, the constants that choose the union branch) per bounded string."""
    schema = TABLE.resolve(schema)
    if schema.get("type") == "string" and "maxLength" in schema:
        yield path, int(schema["maxLength"]), tags or {}
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        branch_tags = _branch_tag(schema, branch) if not path else tags
        yield from _string_limits(branch, path, branch_tags)
    for name, prop in schema.get("properties", {}).items():
        yield from _string_limits(prop, (*path, name), tags)
    if schema.get("type") == "array" and "items" in schema:
        yield from _string_limits(schema["items"], (*path, "0"), tags)


def _branch_tag(union: dict[str, Any], branch: dict[str, Any]) -> dict[str, Any]:
    """The discriminator value that selects ``branch`` of a body-level union."""
    discriminator = union.get("discriminator")
    if not discriminator:
        return {}
    tags = [tag for tag, ref in discriminator["mapping"].items() if ref == branch.get("$ref")]
    return {discriminator["propertyName"]: tags[0]} if tags else {}


def _named_errors(value: Any, suffix: str) -> list[dict[str, Any]]:
    """Errors anywhere in an answer whose location ends with ``suffix`` (a batch
    answers 200 with a problem per item)."""
    if isinstance(value, dict):
        own = [value] if str(value.get("location", "")).lower().endswith(suffix.lower()) else []
        return own + [e for v in value.values() for e in _named_errors(v, suffix)]
    if isinstance(value, list):
        return [e for v in value for e in _named_errors(v, suffix)]
    return []


def _nest(path: tuple[str, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    return [_nest(rest, value)] if head == "0" else {head: _nest(rest, value)}


def _body_string_targets() -> list[Any]:
    targets, seen = [], set()
    for case in BODY_ROUTES:
        for path, limit, tags in _string_limits(TABLE.json_body_schema(case) or {}):
            key = (case, path, tuple(sorted(tags.items())))
            if path and key not in seen:
                seen.add(key)
                label = "/".join(path) + "".join(f"[{v}]" for v in tags.values())
                targets.append(pytest.param(case, path, limit, tags, id=f"{case} {label}"))
    return targets


@pytest.mark.parametrize(("case", "path", "limit", "tags"), _body_string_targets())
def test_a_body_string_over_its_max_length_is_422(
    world: World, case: RouteCase, path: tuple[str, ...], limit: int, tags: dict[str, Any]
) -> None:
    body = {**tags, **_nest(path, "x" * (limit + 1))}
    response = send(world, case, headers_for(world, _caller(case)), choice="missing", body=body)
    # A union's errors name the branch too (/body/HEARING_SCHEDULED/notes).
    suffix = "/" + "/".join(path)
    if response.status_code == 200 and "results" in response.json():  # a batch: per item
        assert response.json()["failed"] == len(response.json()["results"]), response.text
    else:
        _problem(response, 422)
    assert _named_errors(response.json(), suffix), f"{case} {suffix}: {response.text}"


def _parameter_targets(kind: str) -> list[tuple[RouteCase, str, dict[str, Any]]]:
    targets = []
    for case in ROUTES:
        for parameter in (TABLE.operation(case) or {}).get("parameters", []):
            if parameter["in"] == kind:
                targets.append((case, parameter["name"], TABLE.resolve(parameter["schema"])))
    return targets


def _string_schema(schema: dict[str, Any]) -> dict[str, Any] | None:
    for candidate in [schema, *schema.get("anyOf", [])]:
        if candidate.get("type") == "string" and "maxLength" in candidate:
            return candidate
    return None


BOUNDED_STRINGS = [
    pytest.param(case, kind, name, int(bounded["maxLength"]), id=f"{case} {kind} {name}")
    for kind in ("query", "header")
    for case, name, schema in _parameter_targets(kind)
    if (bounded := _string_schema(schema)) is not None
]


@pytest.mark.parametrize(("case", "kind", "name", "limit"), BOUNDED_STRINGS)
def test_a_parameter_string_over_its_max_length_is_422(
    world: World, case: RouteCase, kind: str, name: str, limit: int
) -> None:
    value = "A" * (limit + 1)
    headers = headers_for(world, _caller(case))
    url = url_for(world, case, choice="missing")
    if kind == "header":
        response = world.client.request(case.method, url, headers={**headers, name: value})
    else:
        response = world.client.request(case.method, url, params={name: value}, headers=headers)
    location = f"/{kind}/{name}".lower()
    errors = _problem(response, 422)["errors"]
    assert [e for e in errors if e["location"].lower() == location], response.text


def _integer_bounds(schema: dict[str, Any]) -> list[int]:
    for candidate in [schema, *schema.get("anyOf", [])]:
        if candidate.get("type") == "integer":
            outside = []
            if "minimum" in candidate:
                outside.append(int(candidate["minimum"]) - 1)
            if "maximum" in candidate:
                outside.append(int(candidate["maximum"]) + 1)
            return outside
    return []


OUT_OF_RANGE = [
    pytest.param(case, name, value, id=f"{case} {name}={value}")
    for case, name, schema in _parameter_targets("query")
    for value in _integer_bounds(schema)
]


@pytest.mark.parametrize(("case", "name", "value"), OUT_OF_RANGE)
def test_an_integer_query_parameter_out_of_range_is_422(
    world: World, case: RouteCase, name: str, value: int
) -> None:
    url = url_for(world, case)
    response = world.client.request(
        case.method, url, params={name: value}, headers=headers_for(world, _caller(case))
    )
    assert _error_at(response, f"/query/{name}"), f"{case} {name}={value}: {response.text}"


def test_the_qr_image_sizes_are_among_the_bounded_parameters() -> None:
    bounded = {(str(p.values[0]), p.values[1]) for p in OUT_OF_RANGE}
    for image in ("GET /v1/qr-tokens/{jti}/image.png", "GET /v1/qr-tokens/{jti}/image.svg"):
        assert {(image, "module"), (image, "border")} <= bounded
