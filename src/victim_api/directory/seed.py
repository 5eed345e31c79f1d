"""The demo seeder: the synthetic London directory, imported from its HSDS file.

``content/sample-london.json`` is SAMPLE DATA: every organisation, service,
address, phone number (Ofcom's drama range, 020 7946 0xxx) and web address
(example.org) in it is invented. ``tools/make_sample_directory.py`` writes it.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from victim_api.directory.importer import import_document, read_file

SAMPLE_PATH = Path(__file__).resolve().parent / "content" / "sample-london.json"


def seed_directory(session: Session) -> list[str]:
    """Import the sample directory (idempotent: a second run changes nothing)."""
    report = import_document(session, read_file(SAMPLE_PATH))
    return [f"sample London directory: {line}" for line in report.summary()]
