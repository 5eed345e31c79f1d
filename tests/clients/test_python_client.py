"""The Python client (openapi-python-client) against a real server on loopback.

The client is generated from the committed contract into a temporary directory,
imported, and driven over HTTP: a police system pushes a synthetic case
(``PUT /v1/cases/{id}`` with ``If-None-Match: *``), issues a QR token bound to it
(with an Idempotency-Key, replayed), reads it back and lists the case's tokens;
then an auditor pulls the audit trail for that case page by page, following
``next_cursor``, and finds the issue recorded. Errors come back as the
contract's Problem model.

The partner pull-and-acknowledge loop is in ``test_partner_loop.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI

from tests.clients.conftest import LiveServer
from tests.support.auth import new_client
from tests.support.cases import case_body
from tests.support.clients import imported_python_client, snake_case
from victim_api.platform.openapi import load_contract
from victim_api.platform.principal import Channel
from victim_api.platform.scopes import AUDIT_READ

if TYPE_CHECKING:
    from tests.support.auth import TestClientCredentials

pytestmark = pytest.mark.clients
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}
MAX_PAGES = 50


@pytest.fixture(scope="module")
def vac(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The generated package ``victim_api_client``."""
    with imported_python_client(tmp_path_factory.mktemp("python-client") / "out") as package:
        yield package


def _token(vac: ModuleType, server: LiveServer, credentials: TestClientCredentials) -> Any:
    from victim_api_client.api.access import create_access_token
    from victim_api_client.models import CreateAccessTokenBody, CreateAccessTokenBodyGrantType

    with vac.Client(base_url=server.base_url, timeout=10) as client:
        response = create_access_token.sync_detailed(
            client=client,
            body=CreateAccessTokenBody(
                grant_type=CreateAccessTokenBodyGrantType.CLIENT_CREDENTIALS,
                client_id=credentials.client_id,
                client_secret=credentials.client_secret,
            ),
        )
    assert response.status_code == HTTPStatus.OK, (response.content, server.log_tail())
    return vac.AuthenticatedClient(
        base_url=server.base_url, token=response.parsed.access_token, timeout=10
    )


def test_every_operation_in_the_contract_is_generated(vac: ModuleType, repo_root: Path) -> None:
    api = Path(vac.__file__).parent / "api"
    generated = {path.stem for path in api.glob("*/*.py")}
    contract = load_contract(repo_root / "openapi" / "openapi.yaml")
    wanted = {
        snake_case(operation["operationId"])
        for item in contract["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    }
    assert wanted <= generated, f"not generated: {sorted(wanted - generated)}"


def test_issue_read_then_pull_the_audit_trail(
    vac: ModuleType, live_server: LiveServer, app: FastAPI
) -> None:
    from victim_api_client.api.audit import list_audit_events
    from victim_api_client.api.cases import upsert_case
    from victim_api_client.api.qr_tokens import create_qr_token, get_qr_token, list_qr_tokens
    from victim_api_client.models import (
        AuditEventPage,
        CasePublic,
        CaseUpsert,
        Operation,
        Problem,
        QrTokenCreate,
        QrTokenCreateLeafletSlug,
        QrTokenPage,
        QrTokenPublic,
        QrTokenPublicStatus,
        UpsertCaseIfNoneMatch,
    )
    from victim_api_client.types import UNSET

    police = new_client(app, Channel.POLICE_SYSTEM, name="python client: police system")
    auditor = new_client(app, Channel.AUDITOR, {AUDIT_READ}, name="python client: auditor")
    case_id = uuid.uuid4()
    key = f"python-client-{uuid.uuid4()}"
    body = QrTokenCreate(leaflet_slug=QrTokenCreateLeafletSlug.VICTIM_INFORMATION, case_id=case_id)

    with _token(vac, live_server, police) as client:
        # A police system pushes a new case (the synthetic body the cases tests use)...
        pushed = upsert_case.sync_detailed(
            case_id=str(case_id),
            client=client,
            body=CaseUpsert.from_dict(case_body()),
            if_none_match=UpsertCaseIfNoneMatch("*"),
        )
        assert pushed.status_code == HTTPStatus.CREATED, (pushed.content, live_server.log_tail())
        assert isinstance(pushed.parsed, CasePublic)
        assert pushed.headers["etag"]

        # ...issues a QR token bound to it, and retries with the same Idempotency-Key.
        issued = create_qr_token.sync_detailed(client=client, body=body, idempotency_key=key)
        assert issued.status_code == HTTPStatus.CREATED, (issued.content, live_server.log_tail())
        assert isinstance(issued.parsed, QrTokenPublic)
        jti = issued.parsed.jti
        assert issued.headers["location"] == f"/v1/qr-tokens/{jti}"
        replay = create_qr_token.sync_detailed(client=client, body=body, idempotency_key=key)
        assert replay.headers.get("idempotent-replayed") == "true"
        assert isinstance(replay.parsed, QrTokenPublic)
        assert replay.parsed.jti == jti

        read = get_qr_token.sync(jti=jti, client=client)
        assert isinstance(read, QrTokenPublic)
        assert read.status == QrTokenPublicStatus.ACTIVE
        assert read.case_id == str(case_id)
        listed = list_qr_tokens.sync(client=client, case_id=case_id)
        assert isinstance(listed, QrTokenPage), listed
        assert [token.jti for token in listed.items] == [jti]

        # The police system may not read the audit trail: a typed 403 problem.
        refused = list_audit_events.sync(client=client)
        assert isinstance(refused, Problem)
        assert (refused.status, refused.code) == (403, "channel_not_allowed")
        assert refused.request_id

    # An auditor pulls the trail for that case, one entry a page, to the last page.
    with _token(vac, live_server, auditor) as client:
        events, cursor = [], UNSET
        for _ in range(MAX_PAGES):
            page = list_audit_events.sync(
                client=client, subject_id=str(case_id), limit=1, cursor=cursor
            )
            assert isinstance(page, AuditEventPage), page
            events += page.items
            if page.next_cursor is UNSET:
                break
            cursor = page.next_cursor
        else:
            pytest.fail(f"the audit trail did not end within {MAX_PAGES} pages")

        assert [e.seq for e in events] == sorted({e.seq for e in events})
        issue = [e for e in events if e.resource_type == "qr_token" and e.resource_id == jti]
        assert len(issue) == 1, events
        assert issue[0].operation == Operation.COLLECTION
        assert issue[0].client_id == police.client_id
        assert str(case_id) in issue[0].case_ids
        assert issue[0].recorded_at.tzinfo is not None

        too_many = list_audit_events.sync(client=client, limit=101)
        assert isinstance(too_many, Problem)
        assert (too_many.status, too_many.code) == (422, "validation_failed")
