"""Partners acknowledging one referral from several workers at once: one effect.

On PostgreSQL the acknowledgements really race (READ COMMITTED), so the
referral row is locked while it is read for the change; on SQLite writers
queue. Either way every caller gets the same answer, the version moves once,
and the trail holds one alteration.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.referrals.conftest import ack_all, consent, new_case, new_victim, pending_ids, refer
from tests.support.concurrency import race
from victim_api.platform.audit import AuditEvent

WORKERS = 6


def _alterations(app: FastAPI, referral_id: str) -> list[list[str]]:
    with app.state.database.read_session() as session:
        rows = session.execute(
            sa.select(AuditEvent.fields).where(
                AuditEvent.resource_type == "referral",
                AuditEvent.resource_id == referral_id,
                AuditEvent.operation == "ALTERATION",
            )
        ).all()
    return [list(fields) for (fields,) in rows]


def _pulled_referral(client: TestClient, police, staff, partner) -> str:
    ack_all(client, partner)
    case_id = new_case(client, police, crime_type="ASSAULT")
    victim_id = new_victim(client, police, case_id)
    consent(client, staff, victim_id)
    made = refer(client, staff, case_id, victim_id, partner.service_id)
    assert made.status_code == 201, made.text
    referral_id = made.json()["id"]
    assert pending_ids(client, partner) == [referral_id]  # delivered: SENT
    return str(referral_id)


def test_concurrent_acknowledgements_have_one_effect(
    app: FastAPI, client: TestClient, police, staff, partners
) -> None:
    partner = partners[0]
    referral_id = _pulled_referral(client, police, staff, partner)
    url = f"/v1/partner/referrals/{referral_id}/acknowledge"
    staff_url = f"/v1/referrals/{referral_id}"
    before = client.get(staff_url, headers=staff)

    def acknowledge(_: int) -> tuple[int, str, str]:
        response = client.post(url, headers=partner.headers)
        body = response.json()
        return response.status_code, body.get("acknowledged_at"), body.get("status_changed_at")

    answers = race(acknowledge, WORKERS)
    assert Counter(status for status, _, _ in answers) == {200: WORKERS}
    assert len({(at, changed) for _, at, changed in answers}) == 1
    after = client.get(staff_url, headers=staff)
    assert after.json()["status"] == "ACKNOWLEDGED"
    assert after.headers["etag"] == f'"v{int(before.headers["etag"][2:-1]) + 1}"'
    assert len(_alterations(app, referral_id)) == 1
    assert pending_ids(client, partner) == []
