"""`victim-api leaflets import DIR`: files in, versions published, idempotent, all or nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from tests.leaflets.conftest import CONTENT_DIR
from tests.support.database import fresh_database
from victim_api.app import create_app
from victim_api.cli import app as cli
from victim_api.leaflets.content import LeafletContentError
from victim_api.leaflets.service import T, import_directory
from victim_api.platform.principal import system_caller
from victim_api.settings import Settings, get_settings


@pytest.fixture
def fresh_app(settings: Settings, tmp_path: Path) -> Iterator[FastAPI]:
    with fresh_database(tmp_path) as url:
        application = create_app(settings.model_copy(update={"database_url": url}))
        yield application
        application.state.database.dispose()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the real content directory, to edit."""
    copy = tmp_path / "leaflets"
    shutil.copytree(CONTENT_DIR, copy)
    return copy


def load(app: FastAPI, directory: Path) -> list[str]:
    with app.state.database.transaction() as session:
        return import_directory(session, system_caller("TESTING"), directory)


def rows(app: FastAPI) -> list[tuple[str, str, int, str]]:
    with app.state.database.read_session() as session:
        result = session.execute(
            sa.select(T.c.slug, T.c.language, T.c.number, T.c.status).order_by(
                T.c.slug, T.c.language, T.c.number
            )
        )
        return [tuple(row) for row in result]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_import_publishes_english_first_and_a_second_changes_nothing(
    fresh_app: FastAPI, content: Path
) -> None:
    lines = load(fresh_app, content)
    assert lines == [
        "bereaved-families/en v1: added, published",
        "domestic-abuse/en v1: added, published",
        "fraud/en v1: added, published",
        "victim-information/en v1: added, published",
        "victim-information/cy v1: added, published",
    ]
    assert {status for *_, status in rows(fresh_app)} == {"PUBLISHED"}
    assert all(line.endswith("unchanged (PUBLISHED)") for line in load(fresh_app, content))
    with TestClient(fresh_app) as client:
        assert client.get("/v1/leaflets/victim-information?lang=cy").json()["sample"] is True


def test_a_draft_file_stays_a_draft_until_it_says_published(
    fresh_app: FastAPI, content: Path
) -> None:
    welsh = content / "victim-information" / "cy.md"
    edit(welsh, "status: PUBLISHED", "status: DRAFT")
    assert load(fresh_app, content)[-1] == "victim-information/cy v1: added (DRAFT)"
    edit(welsh, "Diolch am roi gwybod", "Diolch yn fawr am roi gwybod")
    assert load(fresh_app, content)[-1] == "victim-information/cy v1: updated the draft (DRAFT)"
    edit(welsh, "status: DRAFT", "status: PUBLISHED")
    assert load(fresh_app, content)[-1] == "victim-information/cy v1: published"


def test_a_new_version_replaces_the_published_one(fresh_app: FastAPI, content: Path) -> None:
    load(fresh_app, content)
    fraud = content / "fraud" / "en.md"
    edit(fraud, "version: 1", "version: 2")
    edit(fraud, "title: Information for victims of fraud", "title: Help for victims of fraud")
    assert "fraud/en v2: added, published" in load(fresh_app, content)
    assert [r for r in rows(fresh_app) if r[0] == "fraud"] == [
        ("fraud", "en", 1, "RETIRED"),
        ("fraud", "en", 2, "PUBLISHED"),
    ]
    # The old file again: its version is retired, and stays so.
    edit(fraud, "version: 2", "version: 1")
    edit(fraud, "title: Help for victims of fraud", "title: Information for victims of fraud")
    assert "fraud/en v1: unchanged (RETIRED)" in load(fresh_app, content)


def test_changing_published_wording_without_a_new_version_is_refused_whole(
    fresh_app: FastAPI, content: Path
) -> None:
    load(fresh_app, content)
    before = rows(fresh_app)
    edit(content / "fraud" / "en.md", "If you are deaf", "If you are Deaf")
    edit(content / "domestic-abuse" / "en.md", "version: 1", "version: 2")
    with pytest.raises(LeafletContentError) as raised:
        load(fresh_app, content)
    assert raised.value.problems == (
        "fraud/en v1: this version is PUBLISHED with other wording; give the changed file "
        "a higher version number",
    )
    assert rows(fresh_app) == before  # domestic-abuse v2 was not published either


def test_a_file_older_than_the_published_version_is_skipped(
    fresh_app: FastAPI, content: Path
) -> None:
    fraud = content / "fraud" / "en.md"
    edit(fraud, "version: 1", "version: 3")
    load(fresh_app, content)
    edit(fraud, "version: 3", "version: 2")
    assert "fraud/en v2: skipped: version 3 is already published" in load(fresh_app, content)


def test_invalid_files_import_nothing(fresh_app: FastAPI, content: Path) -> None:
    edit(content / "fraud" / "en.md", "## Complaints {#complaints}", "## Complaints {#moans}")
    with pytest.raises(LeafletContentError):
        load(fresh_app, content)
    assert rows(fresh_app) == []


def test_the_database_allows_one_published_version_per_language(fresh_app: FastAPI) -> None:
    load(fresh_app, CONTENT_DIR)
    database = fresh_app.state.database
    with database.read_session() as session:
        row = session.execute(sa.select(T).where(T.c.slug == "fraud")).one()
    second = {**row._mapping, "id": "second", "number": 2}
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.execute(sa.insert(T).values(**second))
    with database.transaction() as session:  # a draft beside it is fine
        session.execute(sa.insert(T).values(**{**second, "status": "DRAFT"}))


def test_the_command_imports_and_reports(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: Path
) -> None:
    with fresh_database(tmp_path) as url:
        monkeypatch.setenv("VICTIM_API_DATABASE_URL", url)
        monkeypatch.setenv("VICTIM_API_CONTENT_DIR", str(content.parent))
        get_settings.cache_clear()
        try:
            runner = CliRunner()
            first = runner.invoke(cli, ["leaflets", "import", str(content)])
            assert first.exit_code == 0, first.output
            assert "fraud/en v1: added, published" in first.output
            default = runner.invoke(cli, ["leaflets", "import"])  # VICTIM_API_CONTENT_DIR
            assert default.exit_code == 0, default.output
            assert "fraud/en v1: unchanged (PUBLISHED)" in default.output
            edit(content / "fraud" / "en.md", "If you are deaf", "If you are Deaf")
            refused = runner.invoke(cli, ["leaflets", "import", str(content)])
            assert refused.exit_code == 1
            assert "refused, nothing imported" in refused.output
            assert "fraud/en v1: this version is PUBLISHED" in refused.output
        finally:
            get_settings.cache_clear()
