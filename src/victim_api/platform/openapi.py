"""The committed contract: building, normalising and writing ``openapi/openapi.yaml``.

FastAPI generates the document; this module makes it ours: problem+json for
every error (FastAPI's ``HTTPValidationError`` is removed), camelCase
operationIds, and a stable YAML rendering so the committed file only changes
when the contract does.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from victim_api.platform.errors import PROBLEM_MEDIA_TYPE, FieldError, Problem, problem_responses
from victim_api.platform.policy import route_policies
from victim_api.platform.routes import api_routes
from victim_api.platform.scopes import all_scopes, openapi_scopes

CONTRACT_PATH = Path("openapi/openapi.yaml")
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def operation_id(route: Any) -> str:
    """``get_case_duties`` -> ``getCaseDuties``: stable and unique per route name."""
    head, *rest = str(route.name).split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def build_openapi(
    app: FastAPI, *, extra_components: dict[str, Any] | None = None
) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
        contact=app.contact,
        license_info=app.license_info,
    )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    schemas["Problem"] = _schema_of(Problem, "FieldError")
    schemas["FieldError"] = _schema_of(FieldError)
    for kind, entries in (extra_components or {}).items():
        components.setdefault(kind, {}).update(entries)
    _describe_scopes(components)
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            _normalise_errors(operation)
            _drop_null_from_parameters(operation)
            _require_if_match(operation)
    _annotate_policies(app, document)
    document["components"] = {k: dict(sorted(v.items())) for k, v in sorted(components.items())}
    return document


def _schema_of(model: type[BaseModel], *nested: str) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


def _describe_scopes(components: dict[str, Any]) -> None:
    scheme = components.get("securitySchemes", {}).get("OAuth2")
    if scheme is None:
        return
    scheme["flows"]["clientCredentials"]["scopes"] = openapi_scopes()
    scheme["x-scope-channels"] = {
        name: sorted(scope.channels) for name, scope in all_scopes().items()
    }


def _annotate_policies(app: FastAPI, document: dict[str, Any]) -> None:
    """Each operation names the channels allowed to call it (or PUBLIC)."""
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        item = document["paths"].get(route.path_format, {})
        for method in route.methods:
            operation = item.get(method.lower())
            if operation is None:
                continue
            policies = route_policies(route)
            if any(p.public for p in policies):
                operation["x-allowed-channels"] = ["PUBLIC"]
            elif policies:
                operation["x-allowed-channels"] = sorted({c for p in policies for c in p.channels})
                operation["x-default-purpose"] = policies[0].purpose


def _require_if_match(operation: dict[str, Any]) -> None:
    """If-Match is required wherever it is accepted; without it the answer is 428.

    Not where If-None-Match is the alternative (a PUT that creates or updates).
    """
    headers = {
        p.get("name", "").lower(): p
        for p in operation.get("parameters", [])
        if p.get("in") == "header"
    }
    if "if-match" in headers and "if-none-match" not in headers:
        headers["if-match"]["required"] = True


def _drop_null_from_parameters(operation: dict[str, Any]) -> None:
    """An optional query or header parameter is absent, never JSON null.

    FastAPI renders ``str | None = None`` as ``anyOf: [string, null]``; for a
    parameter that would invite clients (and schemathesis) to send "null".
    """
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        options = schema.get("anyOf")
        if not options:
            continue
        concrete = [o for o in options if o.get("type") != "null"]
        if len(concrete) == 1 and len(concrete) < len(options):
            schema.pop("anyOf")
            schema.update(concrete[0])


def _normalise_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    has_input = bool(operation.get("parameters") or operation.get("requestBody"))
    wanted = [500]
    if has_input:
        wanted.append(422)
    if operation.get("requestBody"):
        wanted += [400, 413]
    for status, entry in problem_responses(*wanted).items():
        responses.setdefault(str(status), copy.deepcopy(entry))
    own_format = {"400", "401"} if operation.get("x-error-format") == "oauth2" else set()
    for status, response in responses.items():
        if not status.startswith(("4", "5")) or status in own_format:
            continue
        content = response.get("content") or {}
        # Replace FastAPI's validation schema and any JSON error body with problem+json.
        if "application/json" in content or not content:
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": dict(_PROBLEM_REF)}}
    operation["responses"] = dict(sorted(responses.items()))


class _ContractDumper(yaml.SafeDumper):
    """Multi-line descriptions as readable literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.startswith(" ") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ContractDumper.add_representer(str, _represent_str)


def render_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(
        document, Dumper=_ContractDumper, sort_keys=False, allow_unicode=True, width=100
    )


def write_contract(document: dict[str, Any], path: Path = CONTRACT_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_yaml(document), encoding="utf-8")


def load_contract(path: Path = CONTRACT_PATH) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def camel_case_ok(op_id: str) -> bool:
    return re.fullmatch(r"[a-z][a-zA-Z0-9]*", op_id) is not None
