"""At-least-once delivery: a referral whose transaction commits late is never skipped.

The pull asks for "everything not yet acknowledged", never "everything after
sequence N", so a row that becomes visible after a later one was delivered is
simply in the next pull. The test holds a transaction that has created a
referral open while another referral is made and pulled, then commits it:

* on PostgreSQL the second writer and the pull go ahead while the first
  transaction is open, and the late referral (made first, committed last) must
  appear in the next pull;
* on SQLite writers serialise, so the held transaction blocks the second writer
  until it commits; the test proves that, and then the same final pull.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.referrals.conftest import ack_all, consent, new_case, new_victim, pending_ids, refer
from victim_api.platform.principal import Caller, Channel, Principal
from victim_api.referrals import service
from victim_api.referrals.schemas import ReferralCreate

STAFF = Caller(
    principal=Principal(client_id="delayed-commit-test", channel=Channel.STAFF, scopes=frozenset()),
    purpose="VICTIM_CARE",
    request_id="delayed-commit-test",
)


def test_a_late_committing_referral_is_delivered_on_the_next_pull(
    app: FastAPI, client: TestClient, police, staff, partners, is_postgres: bool
) -> None:
    partner = partners[0]
    ack_all(client, partner)
    late_case = new_case(client, police, crime_type="ASSAULT")
    late_victim = new_victim(client, police, late_case)
    early_case = new_case(client, police, crime_type="ASSAULT")
    early_victim = new_victim(client, police, early_case)
    consent(client, staff, early_victim)

    held = app.state.database.session()
    late = service.create_referral(
        held,
        STAFF,
        ReferralCreate(case_id=late_case, victim_id=late_victim, service_id=partner.service_id),
    )
    seen: dict[str, Any] = {}

    def other_writer_then_pull() -> None:
        made = refer(client, staff, early_case, early_victim, partner.service_id)
        seen["made"] = made.status_code, made.json().get("id")
        seen["first_pull"] = pending_ids(client, partner)

    worker = threading.Thread(target=other_writer_then_pull)
    worker.start()
    try:
        worker.join(timeout=3)
        if is_postgres:
            # The other writer and the pull ran while the late transaction was open.
            assert not worker.is_alive()
            assert seen["made"][0] == 201
            assert seen["first_pull"] == [seen["made"][1]]
            assert late["id"] not in seen["first_pull"]
        else:
            # SQLite: the held write transaction blocks every other writer.
            assert worker.is_alive()
            assert "made" not in seen
        held.commit()
    finally:
        held.close()
        worker.join(timeout=30)
    assert not worker.is_alive()
    assert seen["made"][0] == 201
    # Made first, committed last: it is in the next pull, and first (oldest).
    second_pull = pending_ids(client, partner)
    assert second_pull == [late["id"], seen["made"][1]]
    ack_all(client, partner)
    assert pending_ids(client, partner) == []
