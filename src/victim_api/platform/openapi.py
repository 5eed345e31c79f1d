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
from fastapi.routing import APIRoute

from victim_api.platform.errors import PROBLEM_MEDIA_TYPE, FieldError, Problem, problem_responses

CONTRACT_PATH = Path("openapi/openapi.yaml")
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def operation_id(route: APIRoute) -> str:
    """``get_case_duties`` -> ``getCaseDuties``: stable and unique per route name."""
    head, *rest = route.name.split("_")
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
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            _normalise_errors(operation)
    document["components"] = {k: dict(sorted(v.items())) for k, v in sorted(components.items())}
    return document


def _schema_of(model: type, *nested: str) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")  # type: ignore[attr-defined]
    schema.pop("$defs", None)
    return schema  # type: ignore[no-any-return]


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
    for status, response in responses.items():
        if not status.startswith(("4", "5")):
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
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def camel_case_ok(op_id: str) -> bool:
    return re.fullmatch(r"[a-z][a-zA-Z0-9]*", op_id) is not None
