"""The dependency audit of `make lint` (tools/supply_chain/audit.py) and the allowlist's claims."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "supply_chain_audit", ROOT / "tools/supply_chain/audit.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _report(*dependencies: dict[str, Any]) -> dict[str, Any]:
    return {"dependencies": list(dependencies), "fixes": []}


ECDSA = {
    "name": "ecdsa",
    "version": "0.19.2",
    "vulns": [{"id": "GHSA-wj6h-64fc-37mp", "aliases": ["CVE-2024-23342"], "fix_versions": []}],
}
CLEAN = {"name": "orjson", "version": "3.10.0", "vulns": []}


def _committed(audit: ModuleType) -> list[Any]:
    allowed, problems = audit.read_allowlist((ROOT / "pip-audit-allowlist.txt").read_text())
    assert problems == []
    return list(allowed)


def test_an_allowlisted_advisory_is_matched_by_alias(audit: ModuleType) -> None:
    verdict = audit.judge(_report(ECDSA, CLEAN), _committed(audit), strict=True)
    assert verdict.failures == []
    assert verdict.audited == 2


def test_an_advisory_not_on_the_allowlist_fails(audit: ModuleType) -> None:
    other = {**CLEAN, "vulns": [{"id": "PYSEC-2099-1", "aliases": [], "fix_versions": ["9"]}]}
    verdict = audit.judge(_report(ECDSA, other), _committed(audit), strict=False)
    assert verdict.failures == ["orjson 3.10.0: PYSEC-2099-1"]


def test_an_allowlisted_id_does_not_excuse_another_package(audit: ModuleType) -> None:
    renamed = {**ECDSA, "name": "not-ecdsa"}
    verdict = audit.judge(_report(renamed), _committed(audit), strict=False)
    assert verdict.failures == ["not-ecdsa 0.19.2: GHSA-wj6h-64fc-37mp"]


def test_every_exception_must_give_its_reason(audit: ModuleType) -> None:
    allowed, problems = audit.read_allowlist("CVE-2024-23342 ecdsa\nCVE-1 pkg: \n")
    assert allowed == []
    assert len(problems) == 2


def test_an_audit_that_checked_nothing_fails_when_strict(audit: ModuleType) -> None:
    unanswered = {"name": "orjson", "version": "3.10.0", "skip_reason": "not found on PyPI"}
    assert audit.judge(_report(unanswered), [], strict=True).failures
    lenient = audit.judge(_report(unanswered), [], strict=False)
    assert lenient.failures == []
    assert "nothing was audited" in lenient.warnings[0]


def test_the_ecdsa_exception_holds_jose_signs_with_cryptography() -> None:
    """The allowlist's reason for CVE-2024-23342: python-jose's EC keys are cryptography's."""
    from jose import jwk
    from jose.backends.cryptography_backend import CryptographyECKey

    assert jwk.get_key("ES256") is CryptographyECKey
