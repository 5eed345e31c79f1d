"""Import and export of HSDS JSON, the sample file, and the built-in taxonomies."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from typer.testing import CliRunner

from tests.directory.conftest import assert_hsds
from tests.support.database import fresh_database
from victim_api.directory import documents
from victim_api.directory.importer import export_document, import_document, read_file
from victim_api.directory.seed import SAMPLE_PATH
from victim_api.directory.service import current_revision, service_boroughs, service_crime_types
from victim_api.directory.vocabulary import BUILT_IN_TAXONOMIES, stable_id
from victim_api.platform.jsonutil import dumps
from victim_api.reference.data import BOROUGH_CODES, CRIME_TYPE_CODES
from victim_api.settings import get_settings

pytestmark = pytest.mark.usefixtures("sample_directory")


def test_the_sample_file_is_what_the_generator_writes(repo_root: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_sample_directory", repo_root / "tools" / "make_sample_directory.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    assert SAMPLE_PATH.read_text(encoding="utf-8") == module.render(), (
        "run .venv/bin/python tools/make_sample_directory.py"
    )


def test_the_sample_covers_london_and_every_crime_type_and_is_marked(app: FastAPI) -> None:
    sample = read_file(SAMPLE_PATH)
    assert len(sample["services"]) >= 60
    for service in sample["services"]:
        assert_hsds("service.json", service)
        assert service["organization"]["description"].startswith("SAMPLE DATA")
        assert all(p["number"].startswith("020 7946 0") for p in service["phones"])
        assert service["url"].split("/")[2].endswith(".example.org")
    ids = [s["id"] for s in sample["services"]]
    with app.state.database.read_session() as session:
        boroughs = set(
            session.execute(
                sa.select(service_boroughs.c.borough_code).where(
                    service_boroughs.c.service_id.in_(ids)
                )
            ).scalars()
        )
        crime_types = set(
            session.execute(
                sa.select(service_crime_types.c.crime_type).where(
                    service_crime_types.c.service_id.in_(ids)
                )
            ).scalars()
        )
    assert boroughs == BOROUGH_CODES
    assert crime_types == CRIME_TYPE_CODES


def test_the_migrations_built_in_taxonomies_match_the_code(app: FastAPI) -> None:
    with app.state.database.read_session() as session:
        rows = session.execute(
            sa.select(documents.terms.c.id, documents.terms.c.code, documents.terms.c.name)
        ).all()
        taxonomy_ids = set(session.execute(sa.select(documents.taxonomies.c.id)).scalars())
    found = {(r.id, r.code, r.name) for r in rows}
    for taxonomy in BUILT_IN_TAXONOMIES:
        assert taxonomy.id in taxonomy_ids
        for term in taxonomy.terms:
            assert (taxonomy.term_id(term.code), term.code, term.name) in found
    crime_terms = {c for (_, c, _) in found if c in CRIME_TYPE_CODES}
    assert crime_terms == CRIME_TYPE_CODES


def test_importing_the_same_file_again_changes_nothing(app: FastAPI) -> None:
    with app.state.database.transaction() as session:
        before = current_revision(session)
        report = import_document(session, read_file(SAMPLE_PATH))
        after = current_revision(session)
    assert report.rejected == []
    assert report.counts["service"] == {"created": 0, "updated": 0, "unchanged": 60}
    assert after == before


def test_the_export_is_valid_hsds_and_imports_back_unchanged(app: FastAPI) -> None:
    with app.state.database.read_session() as session:
        exported = export_document(session)
    assert exported["version"] == "3.0"
    for taxonomy in exported["taxonomies"]:
        assert_hsds("taxonomy.json", taxonomy)
        for term in taxonomy["taxonomy_terms"]:
            assert_hsds("taxonomy_term.json", term)
    for service in exported["services"]:
        assert_hsds("service.json", service)
    sample = {s["id"]: s for s in read_file(SAMPLE_PATH)["services"]}
    ours = {s["id"]: s for s in exported["services"] if s["id"] in sample}
    assert set(ours) == set(sample)
    one = next(iter(sample))
    assert {a["id"] for a in ours[one]["attributes"]} == {
        a["id"] for a in sample[one]["attributes"]
    }
    with app.state.database.transaction() as session:
        report = import_document(session, exported)
    assert report.rejected == []
    assert report.counts["service"]["created"] == report.counts["service"]["updated"] == 0


def _valid_service(name: str) -> dict[str, Any]:
    service_id = str(uuid.uuid4())
    return {
        "id": service_id,
        "name": name,
        "status": "active",
        "organization_id": stable_id("sample", "organization", "quillon"),
        "service_areas": [{"id": str(uuid.uuid4()), "name": "Hackney"}],
        "attributes": [
            {
                "id": str(uuid.uuid4()),
                "taxonomy_term_id": BUILT_IN_TAXONOMIES[0].term_id("HATE_CRIME"),
            }
        ],
    }


def test_bad_records_are_rejected_and_reported_and_the_rest_land(app: FastAPI) -> None:
    good = _valid_service("Imported Hate Crime Service")
    bad_schema = {**_valid_service("Bad status"), "status": "open"}
    no_org = {**_valid_service("No organisation"), "organization_id": str(uuid.uuid4())}
    ages = {**_valid_service("Bad ages"), "minimum_age": 30, "maximum_age": 20}
    unknown_term = _valid_service("Unknown term")
    unknown_term["attributes"][0]["taxonomy_term_id"] = str(uuid.uuid4())
    duplicate = copy.deepcopy(good)
    document = {"services": [good, bad_schema, no_org, ages, unknown_term, duplicate, "nonsense"]}
    with app.state.database.transaction() as session:
        report = import_document(session, document)
    rejected = {r.index: r for r in report.rejected}
    assert sorted(rejected) == [1, 2, 3, 4, 5, 6]
    assert "status" in rejected[1].errors[0]
    assert "organization_id" in rejected[2].errors[0]
    assert "minimum_age" in rejected[3].errors[0]
    assert "taxonomy term" in rejected[4].errors[0]
    assert "earlier" in rejected[5].errors[0]
    assert report.counts["service"]["created"] == 1
    with app.state.database.read_session() as session:
        stored = set(session.execute(sa.select(documents.services.c.name)).scalars())
        boroughs = list(
            session.execute(
                sa.select(service_boroughs.c.borough_code).where(
                    service_boroughs.c.service_id == good["id"]
                )
            ).scalars()
        )
    assert "Imported Hate Crime Service" in stored
    assert not {"Bad status", "No organisation", "Bad ages", "Unknown term"} & stored
    assert boroughs == ["HACKNEY"]


def test_a_foreign_hsds_service_imports_with_its_nested_records(app: FastAPI) -> None:
    example = read_file(
        Path(documents.__file__).parent / "hsds" / "examples" / "uk_service_full.json"
    )
    example["id"] = str(uuid.uuid4())
    example["organization"]["id"] = str(uuid.uuid4())
    location = example["service_at_locations"][0]["location"]
    location.update(id=str(uuid.uuid4()), latitude=51.5, longitude=-0.1)
    for record in [
        *example["service_at_locations"],
        *location["addresses"],
        *location["accessibility"],
        *example["schedules"],
        *example["service_areas"],
        *example["languages"],
        *example["attributes"],
    ]:
        record["id"] = str(uuid.uuid4())
    with app.state.database.transaction() as session:
        report = import_document(session, [example])
    assert report.rejected == [], report.summary()
    with app.state.database.read_session() as session:
        (stored,) = json.loads(dumps(documents.full_services(session, [example["id"]])))
    assert_hsds("service.json", stored)
    assert stored["assured_date"] == "2005-01-01"
    assert stored["attributes"][0]["taxonomy_term"]["name"] == "name"
    assert stored["service_at_locations"][0]["location"]["addresses"][0]["city"] == "MyCity"


def test_the_command_line_imports_reports_and_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_api.cli import app as cli

    runner = CliRunner()
    with fresh_database(tmp_path) as url:
        monkeypatch.setenv("VICTIM_API_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            sample = read_file(SAMPLE_PATH)
            sample["services"].append({"id": "not-a-uuid", "name": "x", "status": "active"})
            source = tmp_path / "in.json"
            source.write_text(json.dumps(sample))
            dry = runner.invoke(cli, ["directory", "import", str(source), "--dry-run"])
            assert dry.exit_code == 1
            assert "service #60 (not-a-uuid)" in dry.output
            assert "dry run" in dry.output
            done = runner.invoke(cli, ["directory", "import", str(source), "--json"])
            assert done.exit_code == 1
            report = json.loads(done.output)
            assert report["counts"]["service"]["created"] == 60
            again = runner.invoke(cli, ["directory", "import", str(SAMPLE_PATH)])
            assert again.exit_code == 0, again.output
            assert "60 unchanged" in again.output
            target = tmp_path / "out.json"
            exported = runner.invoke(cli, ["directory", "export", "--output", str(target)])
            assert exported.exit_code == 0, exported.output
            assert len(json.loads(target.read_text())["services"]) == 60
            broken = tmp_path / "broken.json"
            broken.write_text("{")
            assert runner.invoke(cli, ["directory", "import", str(broken)]).exit_code == 2
        finally:
            get_settings.cache_clear()
