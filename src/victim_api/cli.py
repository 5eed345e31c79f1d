"""The ``victim-api`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from victim_api.platform.openapi import CONTRACT_PATH, render_yaml, write_contract
from victim_api.settings import get_settings

app = typer.Typer(
    help="victim-api: serve, migrate and administer the victim-care API.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Serve the API with uvicorn."""
    settings = get_settings()
    from victim_api.platform.logging import configure_logging

    configure_logging(level=settings.log_level, fmt=settings.log_format)
    uvicorn.run(
        "victim_api.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=True,
    )


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Upgrade the database schema (Alembic) to REVISION."""
    from victim_api.platform.migrations import upgrade

    upgrade(get_settings().database_url, revision)
    typer.echo(f"database migrated to {revision}")


@app.command("seed-demo")
def seed_demo() -> None:
    """Load synthetic demo data (idempotent). Run `migrate` first."""
    from victim_api.demo import seed_demo as run_seeders
    from victim_api.platform.db import Database

    settings = get_settings()
    database = Database(settings.database_url)
    try:
        for line in run_seeders(database):
            typer.echo(line)
    finally:
        database.dispose()
    typer.echo("demo data ready")


@app.command()
def openapi(
    check: Annotated[
        bool, typer.Option("--check", help="Fail if the committed contract is stale.")
    ] = False,
    output: Annotated[Path, typer.Option(help="Where the contract lives.")] = CONTRACT_PATH,
) -> None:
    """Write the OpenAPI contract to openapi/openapi.yaml (or check it is current)."""
    from victim_api.app import create_app

    document = json.loads(json.dumps(create_app().openapi()))
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != render_yaml(document):
            typer.echo(f"{output} is stale: run `make openapi`", err=True)
            raise typer.Exit(1)
        typer.echo(f"{output} is current")
        return
    write_contract(document, output)
    typer.echo(f"wrote {output}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
