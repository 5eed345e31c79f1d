"""Every route of the app, as the security suites parametrize over them.

The table is read from ``app.routes`` (``platform.routes.api_routes``) and each
route's policy from ``platform.policy.route_policies``; nothing here names a
route. Requests are built from the route template, the fixture registry of
tests/security/world.py and the route's contract operation.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from tests.security.world import (
    ANONYMOUS,
    BODIES,
    VICTIM_PREFIX,
    World,
    channel_of,
    path_object,
    query_value,
    victim_caller,
)
from tests.support.auth import TestClientCredentials
from victim_api.app import create_app
from victim_api.platform.policy import Policy, RoutePolicy, VictimSessionPolicy, route_policies
from victim_api.platform.principal import Channel
from victim_api.platform.routes import api_routes
from victim_api.settings import Environment, Settings

CHANNELS = [channel.value for channel in Channel]
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Answers that mean "authorisation refused you", as opposed to anything after it.
REFUSAL_CODES = {
    "unauthorized",
    "invalid_token",
    "channel_not_allowed",
    "insufficient_scope",
    "victim_session_required",
}
_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str  # the template, e.g. /v1/cases/{case_id}

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)


class RouteTable:
    """The routes of one app, with their policies and contract operations."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.routes: dict[RouteCase, Any] = {}
        for route in api_routes(app):
            for method in sorted(route.methods - {"HEAD"}):
                self.routes[RouteCase(method, route.path_format)] = route

    @cached_property
    def contract(self) -> dict[str, Any]:
        return self.app.openapi()

    def policy(self, case: RouteCase) -> RoutePolicy:
        policies = route_policies(self.routes[case])
        assert len(policies) == 1, f"{case}: expected one policy, found {policies}"
        policy = policies[0]
        assert policy.public or isinstance(policy, Policy | VictimSessionPolicy), (
            f"{case}: the security suites do not know how to authenticate a "
            f"{type(policy).__name__}; teach tests/security/world.py to make its tokens"
        )
        return policy

    def allowed(self, case: RouteCase) -> list[str]:
        """The callers the route admits: its channels, ANONYMOUS for a public route, or
        a victim session per channel (``VICTIM_PHONE``) for a victim's own route."""
        policy = self.policy(case)
        if policy.public:
            return [ANONYMOUS]
        if self.is_victims_own(case):
            return sorted(victim_caller(channel) for channel in policy.channels)
        return sorted(policy.channels)

    def is_victims_own(self, case: RouteCase) -> bool:
        """A ``/v1/me/...`` route: a victim session token only, no scopes."""
        return isinstance(self.policy(case), VictimSessionPolicy)

    def is_public(self, case: RouteCase) -> bool:
        return self.policy(case).public

    def operation(self, case: RouteCase) -> dict[str, Any] | None:
        item = self.contract["paths"].get(case.path)
        return None if item is None else item.get(case.method.lower())

    def query_params(self, case: RouteCase) -> list[Any]:
        found, stack = [], [self.routes[case].dependant]
        while stack:
            dependant = stack.pop()
            found.extend(dependant.query_params)
            stack.extend(dependant.dependencies)
        return found

    def json_body_schema(self, case: RouteCase) -> dict[str, Any] | None:
        operation = self.operation(case) or {}
        content = operation.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return None if schema is None else dict(schema)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.contract["components"]["schemas"][schema["$ref"].split("/")[-1]]
        return schema

    def schema_name(self, schema: dict[str, Any]) -> str:
        if "$ref" in schema:
            return str(schema["$ref"].split("/")[-1])
        return str(schema.get("title", "Body"))

    def valid_body(self, world: World, case: RouteCase) -> Any:
        """A schema-valid body from world.BODIES, or a failure naming the one to add."""
        schema = self.json_body_schema(case)
        assert schema is not None, f"{case} takes no JSON body"
        name = self.schema_name(schema)
        if name == "Body":  # FastAPI's name for an inline union: use the operation's
            name = str((self.operation(case) or {}).get("operationId"))
        assert name in BODIES, (
            f"{case}: no valid body for the request schema `{name}`; add one to BODIES "
            "in tests/security/world.py"
        )
        return BODIES[name](world)


def listing_app() -> FastAPI:
    """An app to list routes at collection time (no database is touched)."""
    scratch = Path(tempfile.mkdtemp(prefix="victim-api-route-listing-"))
    return create_app(
        Settings(
            env=Environment.TEST,
            database_url=f"sqlite:///{scratch / 'unused.db'}",
            keys_dir=scratch / "keys",
        )
    )


TABLE = RouteTable(listing_app())
ROUTES = sorted(TABLE.routes, key=str)


def url_for(
    world: World,
    case: RouteCase,
    *,
    choice: str = "own",
    overrides: dict[str, str] | None = None,
) -> str:
    """The route's path with each parameter filled: ``own`` or ``missing`` values,
    except where ``overrides`` names a value; then required query parameters."""
    values = {}
    for name in case.params:
        objects = path_object(world, name, case.path)
        values[name] = getattr(objects, choice)
    values.update(overrides or {})
    path = _PARAM.sub(lambda m: values[m.group(1)], case.path)
    query = {
        param.alias: query_value(world, param.alias, case.path)
        for param in TABLE.query_params(case)
        if param.field_info.is_required()
    }
    return str(httpx.URL(path, params=query)) if query else path


def send(
    world: World,
    case: RouteCase,
    headers: dict[str, str],
    *,
    choice: str = "own",
    overrides: dict[str, str] | None = None,
    body: Any = None,
) -> httpx.Response:
    request_headers = dict(headers)
    if case.method in UNSAFE_METHODS:
        # Past the precondition checks, so "not found" is what is tested.
        request_headers.setdefault("If-Match", '"v1"')
    return world.client.request(
        case.method,
        url_for(world, case, choice=choice, overrides=overrides),
        headers=request_headers,
        json=body,
    )


def refusal(response: httpx.Response) -> str | None:
    """The authorisation refusal in ``response``, if it is one."""
    if response.status_code not in (401, 403):
        return None
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return f"non-problem {response.status_code}"
    code = response.json().get("code")
    return code if code in REFUSAL_CODES or response.status_code == 401 else None


def headers_for(world: World, caller: str) -> dict[str, str]:
    if caller == ANONYMOUS:
        return {}
    if caller.startswith(VICTIM_PREFIX):
        return world.victim_session(caller)
    return world.headers[caller]


def credentials_for(world: World, caller: str) -> TestClientCredentials:
    """The client a caller's token names (a victim session's is the verifying client)."""
    return world.credentials[channel_of(caller)]
