"""Directory fixtures: the sample London directory, seeded once per run, and HSDS validators."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from jsonschema import Draft202012Validator

from tests.support.auth import bearer
from victim_api.directory import hsds_schemas
from victim_api.directory.seed import seed_directory


@pytest.fixture(scope="session")
def sample_directory(app: FastAPI) -> None:
    """The synthetic London directory (SAMPLE DATA), imported into the run's database."""
    with app.state.database.transaction() as session:
        seed_directory(session)


@pytest.fixture(scope="session")
def staff_headers(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["STAFF"])


def _compiled(name: str) -> Draft202012Validator:
    schema = hsds_schemas._load(hsds_schemas.HSDS_DIR / "schema" / "compiled" / name)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


SERVICE_LIST_ITEM = _compiled("service_list.json")
SAL_LIST_ITEM = _compiled("service_at_location_list.json")
PAGE = Draft202012Validator(hsds_schemas.page_schema())
PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


def assert_hsds(name: str, document: Any) -> None:
    """Valid against the HSDS 3.0 schema ``name`` and its UK-profile version."""
    for profile in ("hsds", "uk"):
        problems = hsds_schemas.problems(name, document, profile)  # type: ignore[arg-type]
        assert problems == [], f"{name} ({profile}): {problems[:5]}"


def assert_hsds_page(page: dict[str, Any], item: str | Draft202012Validator) -> None:
    """An HSDS page envelope whose every item is valid."""
    assert set(page) == PAGE_KEYS
    PAGE.validate(page)
    assert page["size"] == len(page["contents"])
    assert page["empty"] is (not page["contents"])
    assert page["first_page"] is (page["page_number"] == 1)
    for content in page["contents"]:
        if isinstance(item, str):
            assert_hsds(item, content)
        else:
            errors = [e.message for e in item.iter_errors(content)]
            assert errors == [], errors[:5]
