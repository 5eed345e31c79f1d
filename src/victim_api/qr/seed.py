"""Demo QR token: one printable leaflet code whose URL resolves on `make run`."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from victim_api.platform.keys import KeyStore
from victim_api.platform.principal import system_caller
from victim_api.qr import service

DEMO_ISSUER = "demo-seed"


def seed_demo_qr(session: Session) -> list[str]:
    from victim_api.demo import seed_context

    context = seed_context()
    # Keys are made in their own transaction: before this session takes SQLite's lock.
    keys = KeyStore.for_settings(context.database, context.settings)
    keys.ensure_all()
    existing = session.execute(
        sa.select(service.QR.c.url).where(service.QR.c.issued_by == DEMO_ISSUER)
    ).first()
    if existing is not None:
        return [f"sample QR URL: {existing.url}"]
    issued = service.issue(
        session,
        system_caller("LEAFLET_PRINTING"),
        keys,
        context.settings,
        leaflet_slug="victim-information",
        language=None,
        case_id=None,
        lifetime_days=None,
    )
    session.execute(
        sa.update(service.QR).where(service.QR.c.jti == issued.jti).values(issued_by=DEMO_ISSUER)
    )
    return [f"sample QR URL: {issued.url}"]
