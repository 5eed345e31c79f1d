"""The official HSDS 3.0 JSON schemas (and the UK profile), loaded for validation.

The schema files are copies, under ``hsds/`` beside this module, of the Open
Referral specification and the Open Referral UK profile (CC BY-SA 4.0; see
``hsds/README.md``). They reference each other by file name (``"$ref":
"phone.json"``), so they are registered under those names in a
``referencing`` registry. The UK profile is published as JSON merge patches
(RFC 7396) over the HSDS files; :func:`validator` applies them for
``profile="uk"``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HSDS_DIR = Path(__file__).resolve().parent / "hsds"
Profile = Literal["hsds", "uk"]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge, ``null`` removes, the rest replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def schemas(profile: Profile = "hsds") -> dict[str, dict[str, Any]]:
    """Every HSDS object schema by file name, with the UK patches applied for ``uk``."""
    found = {
        path.name: _load(path)
        for path in sorted((HSDS_DIR / "schema").glob("*.json"))
        if path.name != "openapi.json"
    }
    if profile == "uk":
        for name in list(found):
            patch_path = HSDS_DIR / "uk-profile" / name
            patch = _load(patch_path) if patch_path.exists() else None
            # A null patch drops the table from the profile; other schemas may
            # still reference it, so the HSDS schema stays registered.
            if patch is not None:
                found[name] = merge_patch(found[name], patch)
    return found


@lru_cache(maxsize=2)
def registry(profile: Profile = "hsds") -> Registry:
    resources = [
        (name, Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in schemas(profile).items()
    ]
    return Registry().with_resources(resources)


@lru_cache(maxsize=32)
def validator(name: str, profile: Profile = "hsds") -> Draft202012Validator:
    """A validator for one HSDS object (``"service.json"``), format checks on."""
    return Draft202012Validator(
        schemas(profile)[name],
        registry=registry(profile),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def page_schema() -> dict[str, Any]:
    """The HSDS API's ``Page`` envelope, from the specification's openapi.json."""
    openapi = _load(HSDS_DIR / "schema" / "openapi.json")
    page: dict[str, Any] = openapi["components"]["schemas"]["Page"]
    return page


def problems(name: str, document: Any, profile: Profile = "hsds") -> list[str]:
    """Human-readable schema violations of ``document``, each with its JSON Pointer."""
    errors = sorted(validator(name, profile).iter_errors(document), key=lambda e: e.json_path)
    return [
        f"{'/' + '/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in errors
    ]
