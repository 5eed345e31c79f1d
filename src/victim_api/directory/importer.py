"""``victim-api directory import`` and ``export``: HSDS JSON in and out.

The file format (what ``export`` writes and ``import`` reads)::

    {"version": "3.0", "profile": "...", "taxonomies": [taxonomy + taxonomy_terms, ...],
     "services": [fully nested HSDS service, ...]}

``import`` also takes an HSDS API page (``{"contents": [...]}``) or a bare array
of services. Each record is checked against the official HSDS 3.0 JSON schema,
then against the directory's own rules (lengths, ages, known organisations,
locations and taxonomy terms), and written in its own savepoint: a bad record
is rejected and reported, and the rest still land. Records are upserted by id;
one whose content is unchanged is not touched, so importing a file twice
changes nothing the second time. Fields HSDS has but the directory does not
keep (contacts, funding, cost options, programs, metadata) are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from victim_api.directory import documents, hsds_schemas
from victim_api.directory.schemas import HsdsService, HsdsTaxonomy
from victim_api.directory.service import now_ms, upsert_taxonomy, write_service
from victim_api.directory.vocabulary import HSDS_VERSION, UK_PROFILE_URL
from victim_api.platform.errors import ProblemError
from victim_api.platform.jsonutil import dumps

EXPORT_BATCH = 200


class ImportFileError(ValueError):
    """The file is not JSON, or not any of the shapes ``import`` reads."""


@dataclass(frozen=True)
class Rejection:
    kind: str
    index: int
    id: str | None
    errors: list[str]

    def describe(self) -> str:
        what = f"{self.kind} #{self.index}" + (f" ({self.id})" if self.id else "")
        return f"{what}: " + "; ".join(self.errors)


@dataclass
class ImportReport:
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {
            kind: {"created": 0, "updated": 0, "unchanged": 0} for kind in ("taxonomy", "service")
        }
    )
    rejected: list[Rejection] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [
            f"{kind}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for kind, c in self.counts.items()
        ]
        lines.append(f"rejected: {len(self.rejected)}")
        lines.extend(f"  {r.describe()}" for r in self.rejected)
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "rejected": [
                {"kind": r.kind, "index": r.index, "id": r.id, "errors": r.errors}
                for r in self.rejected
            ],
        }


def read_file(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"{path}: not a readable JSON file ({exc})") from exc


def _parts(document: Any) -> tuple[list[Any], list[Any]]:
    """(taxonomies, services) of any accepted shape."""
    if isinstance(document, list):
        return [], document
    if isinstance(document, dict):
        if "services" in document or "taxonomies" in document:
            taxonomies, services = document.get("taxonomies", []), document.get("services", [])
        elif "contents" in document:
            taxonomies, services = [], document["contents"]
        else:
            raise ImportFileError("expected `services`, `contents` or an array of services")
        if isinstance(taxonomies, list) and isinstance(services, list):
            return taxonomies, services
    raise ImportFileError("expected `services`, `contents` or an array of services")


def _record_id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


def _pydantic_errors(exc: ValidationError) -> list[str]:
    return ["/" + "/".join(str(p) for p in err["loc"]) + f": {err['msg']}" for err in exc.errors()]


def import_document(session: Session, document: Any) -> ImportReport:
    """Upsert every valid record of ``document`` in ``session``; report the rest."""
    taxonomies, services = _parts(document)
    report = ImportReport()
    for index, raw in enumerate(taxonomies):
        _import_one(
            session, report, "taxonomy", index, raw, "taxonomy.json", HsdsTaxonomy, upsert_taxonomy
        )
    seen: set[str] = set()
    now = now_ms()
    for index, raw in enumerate(services):
        record_id = _record_id(raw)
        if record_id is not None and record_id.lower() in seen:
            report.rejected.append(
                Rejection("service", index, record_id, ["the same id appears earlier in the file"])
            )
            continue
        if record_id is not None:
            seen.add(record_id.lower())
        _import_one(
            session,
            report,
            "service",
            index,
            raw,
            "service.json",
            HsdsService,
            lambda s, record: write_service(s, record, now=now),
        )
    return report


def _import_one(
    session: Session,
    report: ImportReport,
    kind: str,
    index: int,
    raw: Any,
    schema_name: str,
    model: type[HsdsService] | type[HsdsTaxonomy],
    write: Any,
) -> None:
    record_id = _record_id(raw)
    errors = hsds_schemas.problems(schema_name, raw)
    if errors:
        report.rejected.append(Rejection(kind, index, record_id, errors[:20]))
        return
    try:
        record = model.model_validate(raw)
    except ValidationError as exc:
        report.rejected.append(Rejection(kind, index, record_id, _pydantic_errors(exc)[:20]))
        return
    try:
        with session.begin_nested():
            outcome = write(session, record)
    except ProblemError as exc:
        details = [f"{e.location}: {e.message}" for e in exc.errors]
        report.rejected.append(Rejection(kind, index, record_id, [exc.detail, *details]))
        return
    except IntegrityError:
        report.rejected.append(
            Rejection(kind, index, record_id, ["an id in the record belongs to another record"])
        )
        return
    report.counts[kind][outcome] += 1


# ---------------------------------------------------------------------------
# Export.


def export_chunks(session: Session) -> Iterator[bytes]:
    """The whole directory as one JSON document, written a batch of services at a time."""
    head = {"version": HSDS_VERSION, "profile": UK_PROFILE_URL}
    yield dumps(head)[:-1] + b',"taxonomies":' + dumps(documents.all_taxonomies(session))
    yield b',"services":['
    ids = documents.all_service_ids(session)
    first = True
    for start in range(0, len(ids), EXPORT_BATCH):
        for service in documents.full_services(session, ids[start : start + EXPORT_BATCH]):
            yield (b"" if first else b",") + dumps(service)
            first = False
    yield b"]}\n"


def export_document(session: Session) -> dict[str, Any]:
    return json.loads(b"".join(export_chunks(session)))  # type: ignore[no-any-return]
