"""seed-demo: cases across statuses and crime types, with timelines and duties, some overdue."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.support.database import fresh_database
from victim_api.cases.models import CaseEvent, CaseRecord, NotificationDuty
from victim_api.demo import seed_demo
from victim_api.platform.audit import verify_chain
from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import Database


def test_seed_demo_is_idempotent_and_has_overdue_duties(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as url:
        database = Database(url)
        try:
            first = seed_demo(database)
            second = seed_demo(database)
            with database.read_session() as session:
                cases = session.execute(sa.select(CaseRecord)).scalars().all()
                events = session.execute(sa.select(sa.func.count()).select_from(CaseEvent)).scalar()
                duties = session.execute(sa.select(NotificationDuty)).scalars().all()
                chain = verify_chain(session)
        finally:
            database.dispose()
    assert "[cases] 13 demo cases created, 0 already there" in first
    assert "[cases] 0 demo cases created, 13 already there" in second
    assert len({c.status for c in cases}) >= 10
    assert len({c.crime_type for c in cases}) == 13
    assert any(c.enhanced for c in cases)
    assert not all(c.enhanced for c in cases)
    assert all(c.crime_reference.startswith("99") for c in cases)
    assert events
    assert events > len(cases)
    now = utcnow()
    open_ = [d for d in duties if d.met_at is None and d.waived_at is None]
    assert any(as_utc(d.due_at) <= now for d in open_), "some duties are overdue"
    assert any(as_utc(d.due_at) > now for d in open_), "some duties are due"
    assert any(d.waived_at is not None for d in duties)
    assert any(d.met_at is not None and as_utc(d.met_at) >= as_utc(d.due_at) for d in duties)
    assert any(d.met_at is not None and as_utc(d.met_at) < as_utc(d.due_at) for d in duties)
    assert chain.ok
