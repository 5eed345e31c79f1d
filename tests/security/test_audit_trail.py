"""DPA 2018 s62, for every route: each read of personal data leaves an audit record.

Every protected GET is called with the world's real objects, on each channel it
admits, and must have written, in its own transaction, an entry naming the
operation (consultation, disclosure or combination), the client and channel, a
purpose, the acting user for staff and agents, the recipient organisation for a
disclosure to a partner, and the subjects by id. The protected reads that serve
nothing personal are listed in NOT_PERSONAL on purpose: a new read is audited
or listed, never silently neither.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.security.routes import ROUTES, TABLE, RouteCase, credentials_for, headers_for, send
from tests.security.world import World, channel_of
from victim_api.platform.audit import AuditEvent

# Protected, and about services, leaflets or printed codes, never about a person
# (a QR token names its case by id only: no name, contact or crime reference).
NOT_PERSONAL = {
    "GET /v1/directory/services",
    "GET /v1/directory/services/{service_id}",
    "GET /v1/leaflets/{slug}/diff",
    "GET /v1/leaflets/{slug}/versions",
    "GET /v1/leaflets/{slug}/versions/{version_id}",
    "GET /v1/leaflets/{slug}/versions/{version_id}/preview",
    "GET /v1/qr-tokens",
    "GET /v1/qr-tokens/{jti}",
    "GET /v1/qr-tokens/{jti}/image.png",
    "GET /v1/qr-tokens/{jti}/image.svg",
    "GET /v1/referral-consent-rules",
    # Ids, what is owed and when, and links: opening a linked resource is audited
    # (docs/worklist.md); no name, contact or crime reference.
    "GET /v1/worklist",
}
READ_OPERATIONS = {"CONSULTATION", "DISCLOSURE", "COMBINATION"}
PROTECTED_READS = [case for case in ROUTES if case.method == "GET" and not TABLE.is_public(case)]
AUDITED = [
    (case, caller)
    for case in PROTECTED_READS
    if str(case) not in NOT_PERSONAL
    for caller in TABLE.allowed(case)
]


def _events_for(world: World, request_id: str) -> list[AuditEvent]:
    with world.app.state.database.read_session() as session:
        query = select(AuditEvent).where(AuditEvent.request_id == request_id)
        return list(session.scalars(query))


def test_the_unaudited_reads_are_exactly_the_listed_ones() -> None:
    assert {str(case) for case in PROTECTED_READS} >= NOT_PERSONAL


@pytest.mark.parametrize(("case", "caller"), AUDITED, ids=str)
def test_every_read_of_personal_data_is_audited(world: World, case: RouteCase, caller: str) -> None:
    response = send(world, case, headers_for(world, caller), choice="own")
    assert response.status_code == 200, response.text
    events = [
        e
        for e in _events_for(world, response.headers["x-request-id"])
        if e.operation in READ_OPERATIONS
    ]
    assert events, f"{case} as {caller} read personal data and left no audit record"
    credentials = credentials_for(world, caller)
    for event in events:
        assert (event.client_id, event.channel) == (credentials.client_id, channel_of(caller))
        assert event.purpose
        assert event.outcome == "SUCCESS"
        if caller in ("STAFF", "PHONE"):  # not VICTIM_PHONE: a victim acts for themself
            assert event.acting_user == "staff.tester"
        if event.operation == "DISCLOSURE" and caller == "PARTNER":
            assert event.recipient == credentials.organisation_id
    subjects = {s for e in events for s in [*e.case_ids, *e.victim_ids]}
    for param, key in (("case_id", "case_id"), ("victim_id", "victim_id")):
        if param in case.params or TABLE.is_victims_own(case):
            assert world.data[key] in subjects, f"{case}: the subject is not named"


@pytest.mark.parametrize("case", [c for c in PROTECTED_READS if str(c) in NOT_PERSONAL], ids=str)
def test_a_listed_read_serves_nothing_personal(world: World, case: RouteCase) -> None:
    from tests.security.test_public import personal_values

    caller = TABLE.allowed(case)[0]
    response = send(world, case, headers_for(world, caller), choice="own")
    assert response.status_code == 200, response.text
    values = personal_values(world, with_ids=False)
    leaked = [key for key, value in values.items() if value in response.text]
    assert leaked == [], f"{case} is listed as not personal but answers {leaked}"
