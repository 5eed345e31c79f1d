"""The partner pull-and-acknowledge loop through the generated Python client.

A support agency's system pulls its organisation's referrals over HTTP from a
real server on loopback, acknowledges each, records an outcome, and never sees
another organisation's referral (a typed 404 Problem, as for a missing one).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from http import HTTPStatus
from types import ModuleType

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.clients.conftest import LiveServer
from tests.clients.test_python_client import _token
from tests.referrals.conftest import consent, new_case, new_victim, refer
from tests.support.auth import bearer, new_client
from tests.support.clients import imported_python_client
from victim_api.directory import service as directory
from victim_api.directory.seed import seed_directory
from victim_api.platform.principal import Channel

pytestmark = pytest.mark.clients


@pytest.fixture(scope="module")
def vac(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with imported_python_client(tmp_path_factory.mktemp("python-client") / "out") as package:
        yield package


def _two_services(app: FastAPI) -> list[dict]:
    """Two services of two organisations taking police referrals for assault in Camden."""
    with app.state.database.transaction() as session:
        seed_directory(session)
        found = directory.recommend_services(
            session,
            crime_type="ASSAULT",
            borough="CAMDEN",
            age=None,
            language=None,
            needs=[],
            enhanced=False,
            limit=50,
        )
    by_org: dict[str, dict] = {}
    for service in found:
        by_org.setdefault(service["organization"]["id"], service)
    assert len(by_org) >= 2
    return list(by_org.values())[:2]


def test_a_partner_pulls_acknowledges_and_records_an_outcome(
    vac: ModuleType, live_server: LiveServer, app: FastAPI, channel_tokens
) -> None:
    from victim_api_client.api.partner_referrals import (
        acknowledge_partner_referral,
        get_partner_referral,
        pull_partner_referrals,
        record_partner_outcome,
    )
    from victim_api_client.models import OutcomeCreate, Problem

    ours, theirs = _two_services(app)
    staff, police = bearer(channel_tokens["STAFF"]), bearer(channel_tokens["POLICE_SYSTEM"])
    with TestClient(app) as client:
        referral_ids = []
        for service in (ours, theirs):
            case_id = new_case(client, police, crime_type="ASSAULT", borough="CAMDEN")
            victim_id = new_victim(client, police, case_id)
            consent(client, staff, victim_id)
            made = refer(client, staff, case_id, victim_id, service["id"])
            assert made.status_code == 201, made.text
            referral_ids.append(made.json()["id"])
    mine, other = referral_ids
    partner = new_client(
        app, Channel.PARTNER, organisation_id=ours["organization"]["id"], name="python partner"
    )

    with _token(vac, live_server, partner) as client:
        pulled = pull_partner_referrals.sync(client=client, limit=100)
        ids = {str(item.id) for item in pulled.items}
        assert mine in ids, (pulled, live_server.log_tail())
        assert other not in ids

        # Another organisation's referral answers exactly like a missing one.
        hidden = get_partner_referral.sync_detailed(referral_id=uuid.UUID(other), client=client)
        missing = get_partner_referral.sync_detailed(referral_id=uuid.uuid4(), client=client)
        assert hidden.status_code == missing.status_code == HTTPStatus.NOT_FOUND
        assert isinstance(hidden.parsed, Problem)
        assert isinstance(missing.parsed, Problem)
        assert (hidden.parsed.code, hidden.parsed.detail) == (
            missing.parsed.code,
            missing.parsed.detail,
        )

        first = acknowledge_partner_referral.sync_detailed(
            referral_id=uuid.UUID(mine), client=client
        )
        again = acknowledge_partner_referral.sync_detailed(
            referral_id=uuid.UUID(mine), client=client
        )
        assert first.status_code == again.status_code == HTTPStatus.OK, first.content
        assert first.content == again.content  # acknowledging twice changes nothing
        after = pull_partner_referrals.sync(client=client, limit=100)
        assert mine not in {str(item.id) for item in after.items}

        outcome = record_partner_outcome.sync_detailed(
            referral_id=uuid.UUID(mine),
            client=client,
            body=OutcomeCreate.from_dict({"status": "ACCEPTED"}),
        )
        assert outcome.status_code == HTTPStatus.OK, outcome.content
