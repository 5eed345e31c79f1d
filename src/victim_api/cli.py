"""The ``victim-api`` command line."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

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


@app.command("seed-synthetic")
def seed_synthetic(
    cases: Annotated[int, typer.Option("--cases", min=1, help="How many cases to generate.")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 1,
    as_of: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="The day the data ends (default: today, UTC)."),
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(help="Write the verifiable subset's (synthetic) factors here as JSON."),
    ] = None,
) -> None:
    """Bulk-load N synthetic cases with victims, events, duties, referrals and QR tokens.

    Run `migrate` and `seed-demo` first. See docs/performance.md.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from victim_api.platform.db import Database
    from victim_api.synthetic import AlreadySeededError, write_manifest
    from victim_api.synthetic import seed_synthetic as generate

    settings = get_settings()
    database = Database(settings.database_url, pool_size=2, max_overflow=0)
    started = datetime.now(UTC)
    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, transient=not sys.stderr.isatty()) as bar:
            task = bar.add_task("cases", total=cases)
            summary = generate(
                database,
                settings,
                cases_wanted=cases,
                seed=seed,
                as_of=as_of.date() if as_of else None,
                progress=lambda n: bar.advance(task, n),
            )
    except AlreadySeededError as exc:
        typer.echo(f"{exc}: seed a fresh database", err=True)
        raise typer.Exit(1) from exc
    finally:
        database.dispose()
    if manifest is not None:
        write_manifest(manifest, summary)
    seconds = (datetime.now(UTC) - started).total_seconds()
    rows = ", ".join(f"{table} {n}" for table, n in sorted(summary.rows.items()))
    typer.echo(f"{summary.cases} synthetic cases in {seconds:.1f} s ({rows})")


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


clients_app = typer.Typer(
    help="API clients: create, list, disable, rotate secrets.", no_args_is_help=True
)
keys_app = typer.Typer(help="Signing keys: list and rotate.", no_args_is_help=True)
audit_app = typer.Typer(
    help="The audit trail: verify the chain, export entries.", no_args_is_help=True
)
directory_app = typer.Typer(
    help="The support-service directory: import and export Open Referral HSDS JSON.",
    no_args_is_help=True,
)
app.add_typer(clients_app, name="clients")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(directory_app, name="directory")
leaflets_app = typer.Typer(help="Leaflets: load the content files.", no_args_is_help=True)
app.add_typer(leaflets_app, name="leaflets")


def _database() -> Any:
    from victim_api.platform.db import Database

    settings = get_settings()
    return Database(settings.database_url, pool_size=2, max_overflow=0)


def _load_domains() -> None:
    """Import every domain so its scopes are registered before we check any."""
    import victim_api.app  # noqa: F401


@clients_app.command("create")
def clients_create(
    name: Annotated[str, typer.Option(help="Who the client is, e.g. 'Helpline IVR'.")],
    channel: Annotated[
        str, typer.Option(help="PHONE, WEB, PARTNER, STAFF, POLICE_SYSTEM or AUDITOR.")
    ],
    scopes: Annotated[str, typer.Option(help="Space-separated scopes.")] = "",
    organisation: Annotated[
        str | None, typer.Option(help="The partner organisation id (PARTNER only).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Create a client. The secret is printed once and cannot be shown again."""
    from victim_api.platform.clients import ClientError, create_client
    from victim_api.platform.principal import Channel

    _load_domains()
    try:
        chosen = Channel(channel.upper())
    except ValueError:
        typer.echo(f"unknown channel {channel!r}", err=True)
        raise typer.Exit(2) from None
    database = _database()
    try:
        with database.transaction() as session:
            issued = create_client(
                session,
                name=name,
                channel=chosen,
                scopes=set(scopes.split()),
                organisation_id=organisation,
                pepper=get_settings().secret_pepper,
            )
    except ClientError as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        database.dispose()
    if as_json:
        typer.echo(
            json.dumps({"client_id": issued.client_id, "client_secret": issued.client_secret})
        )
    else:
        typer.echo(f"client_id:     {issued.client_id}")
        typer.echo(f"client_secret: {issued.client_secret}")
        typer.echo("Store the secret now: it is not shown again.")


@clients_app.command("list")
def clients_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List clients (never their secrets)."""
    from victim_api.platform.clients import list_clients

    database = _database()
    try:
        with database.read_session() as session:
            rows: list[dict[str, Any]] = [
                {
                    "client_id": c.client_id,
                    "name": c.name,
                    "channel": c.channel,
                    "scopes": c.scopes,
                    "organisation_id": c.organisation_id,
                    "active": c.active,
                }
                for c in list_clients(session)
            ]
    finally:
        database.dispose()
    if as_json:
        typer.echo(json.dumps(rows))
        return
    for row in rows:
        state = "active" if row["active"] else "DISABLED"
        org = f" org={row['organisation_id']}" if row["organisation_id"] else ""
        scopes = " ".join(str(s) for s in row["scopes"] or [])
        typer.echo(
            f"{row['client_id']}  {row['channel']:<13} {state:<8} {row['name']}{org}  [{scopes}]"
        )


def _client_change(action: str, client_id: str) -> Any:
    from victim_api.platform import clients

    database = _database()
    try:
        with database.transaction() as session:
            if action == "disable":
                clients.disable_client(session, client_id)
                return None
            return clients.rotate_secret(session, client_id, get_settings().secret_pepper)
    except clients.ClientError as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        database.dispose()


@clients_app.command("disable")
def clients_disable(client_id: str) -> None:
    """Disable a client: its tokens stop working in every process at once."""
    _client_change("disable", client_id)
    typer.echo(f"disabled {client_id}")


@clients_app.command("rotate-secret")
def clients_rotate_secret(
    client_id: str, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Issue a new secret; the old one stops working. Printed once."""
    issued = _client_change("rotate", client_id)
    if as_json:
        typer.echo(
            json.dumps({"client_id": issued.client_id, "client_secret": issued.client_secret})
        )
    else:
        typer.echo(f"client_secret: {issued.client_secret}")


def _key_store(database: Any) -> Any:
    from victim_api.platform.keys import KeyStore

    return KeyStore.for_settings(database, get_settings())


@keys_app.command("rotate")
def keys_rotate(
    purpose: Annotated[str, typer.Option(help="access or qr.")] = "access",
    key_file: Annotated[
        Path | None,
        typer.Option(help="A provided EC P-256 private key (PEM); else one is generated."),
    ] = None,
    retire_after_days: Annotated[
        float | None,
        typer.Option(help="How long the old key keeps verifying. Default: the token lifetime."),
    ] = None,
) -> None:
    """Add a new active key; old keys keep verifying until their tokens expire."""
    from datetime import timedelta

    from victim_api.platform.keys import KeyPurpose

    settings = get_settings()
    chosen = KeyPurpose(purpose.upper())
    if retire_after_days is not None:
        retire_after = timedelta(days=retire_after_days)
    elif chosen == KeyPurpose.ACCESS:
        retire_after = timedelta(seconds=settings.access_token_ttl_seconds + 60)
    else:
        retire_after = timedelta(days=getattr(settings, "qr_max_lifetime_days", 730))
    database = _database()
    try:
        kid = _key_store(database).rotate(
            chosen, retire_after, key_file.read_bytes() if key_file else None
        )
    finally:
        database.dispose()
    typer.echo(f"new active {chosen} key: {kid}")


@keys_app.command("list")
def keys_list() -> None:
    """List signing keys (public data only)."""
    database = _database()
    try:
        for key in _key_store(database).list_keys():
            state = (
                "active"
                if key.retired_at is None
                else f"retired, verifies until {key.verify_until}"
            )
            typer.echo(f"{key.kid}  {key.purpose:<6} {key.algorithm} {key.origin:<9} {state}")
    finally:
        database.dispose()


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 naming the first bad entry if it was tampered with."""
    from victim_api.platform.audit import verify_chain

    database = _database()
    try:
        with database.read_session() as session:
            report = verify_chain(session)
    finally:
        database.dispose()
    if report.ok:
        typer.echo(f"audit chain intact: {report.checked} entries")
        return
    typer.echo(
        f"audit chain BROKEN at seq {report.first_bad_seq}"
        f" (event {report.first_bad_event_id or 'unknown'}): {report.reason};"
        f" {report.checked} entries before it verified",
        err=True,
    )
    raise typer.Exit(1)


@audit_app.command("export")
def audit_export(
    from_: Annotated[datetime, typer.Option("--from", help="Inclusive start (UTC).")],
    to: Annotated[datetime, typer.Option("--to", help="Exclusive end (UTC).")],
    output: Annotated[Path | None, typer.Option(help="File to write; default stdout.")] = None,
) -> None:
    """Write entries as JSON lines, e.g. for the Information Commissioner."""
    from victim_api.platform.audit import export_lines

    start, end = (d if d.tzinfo else d.replace(tzinfo=UTC) for d in (from_, to))
    database = _database()
    count = 0
    try:
        with database.read_session() as session:
            sink = output.open("wb") if output else sys.stdout.buffer
            try:
                for line in export_lines(session, start, end):
                    sink.write(line)
                    count += 1
            finally:
                if output:
                    sink.close()
    finally:
        database.dispose()
    typer.echo(f"exported {count} entries", err=True)


@directory_app.command("import")
def directory_import(
    file: Annotated[Path, typer.Argument(help="An HSDS JSON file (as `export` writes).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and report; change nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Upsert services and taxonomies by id; report rejected records (exit 1 if any)."""
    from victim_api.directory.importer import ImportFileError, import_document, read_file

    try:
        document = read_file(file)
    except ImportFileError as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(2) from None
    database = _database()
    try:
        with database.session() as session:
            transaction = session.begin()
            try:
                report = import_document(session, document)
            except ImportFileError as exc:
                transaction.rollback()
                typer.echo(f"refused: {exc}", err=True)
                raise typer.Exit(2) from None
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()
    finally:
        database.dispose()
    if as_json:
        typer.echo(json.dumps({**report.as_dict(), "dry_run": dry_run}))
    else:
        for line in report.summary():
            typer.echo(line)
        if dry_run:
            typer.echo("dry run: nothing was changed")
    if report.rejected:
        raise typer.Exit(1)


@directory_app.command("export")
def directory_export(
    output: Annotated[Path | None, typer.Option(help="File to write; default stdout.")] = None,
) -> None:
    """Write the whole directory as HSDS JSON (the format `import` reads)."""
    from victim_api.directory.importer import export_chunks

    database = _database()
    try:
        with database.read_session() as session:
            sink = output.open("wb") if output else sys.stdout.buffer
            try:
                for chunk in export_chunks(session):
                    sink.write(chunk)
            finally:
                if output:
                    sink.close()
                else:
                    sink.flush()
    finally:
        database.dispose()
    if output:
        typer.echo(f"wrote {output}", err=True)


@leaflets_app.command("import")
def leaflets_import(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Holds <slug>/<language>.md. Default: VICTIM_API_CONTENT_DIR/leaflets."
        ),
    ] = None,
) -> None:
    """Load leaflet files: add new versions as drafts, publish those marked PUBLISHED.

    All or nothing, and idempotent. Refuses (exit 1, listing every problem) a file
    that breaks the content rules or changes the wording of a published version.
    """
    from victim_api.leaflets.content import LeafletContentError
    from victim_api.leaflets.service import import_directory
    from victim_api.platform.principal import system_caller

    _load_domains()
    path = directory or get_settings().content_dir / "leaflets"
    database = _database()
    try:
        with database.transaction() as session:
            lines = import_directory(session, system_caller("LEAFLET_EDITING"), path)
    except LeafletContentError as exc:
        typer.echo(f"refused, nothing imported: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    for line in lines:
        typer.echo(line)
    typer.echo(f"imported {path}")


@app.command()
def ivr(
    client_secret: Annotated[
        str,
        typer.Option(
            envvar="VICTIM_API_IVR_CLIENT_SECRET",
            prompt=True,
            hide_input=True,
            help="Its secret; better from the environment than the command line.",
        ),
    ],
    base_url: Annotated[
        str, typer.Option(help="The API to call, e.g. http://127.0.0.1:8000.")
    ] = "http://127.0.0.1:8000",
    client_id: Annotated[
        str, typer.Option(envvar="VICTIM_API_IVR_CLIENT_ID", help="A PHONE client's id.")
    ] = "demo-helpline",
    voice: Annotated[
        str, typer.Option(help="auto (espeak-ng when installed), espeak, or text.")
    ] = "auto",
) -> None:
    """Simulate the phone line (IVR) against the API: keypad answers ending in #."""
    from victim_api.ivr import Api, Call, CallEndedError, Speaker, Voice

    try:
        speaker = Speaker.choose(Voice(voice))
    except (ValueError, CallEndedError) as exc:
        typer.echo(f"cannot speak: {exc}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(Call(Api(base_url, client_id, client_secret), speaker).run())


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)
