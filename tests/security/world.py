"""The world the security suites attack: one app on a fresh database, a client per
channel, and a set of synthetic objects, built once for the whole package.

Routes are never listed here. Each route's path parameters are filled through
:data:`PATH_OBJECTS`, a registry of builders keyed by parameter *name*
(``case_id``, ``victim_id``, ...): a new route whose parameters have known names
is covered with no edit, and one with a new name makes the suites fail, naming
the builder to add (:func:`path_object`). Required query parameters are filled
the same way through :data:`QUERY_VALUES`; JSON bodies, where a suite needs a
valid one, through :data:`BODIES`, keyed by the request schema's name.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.leaflets.test_api_editorial import draft_body
from tests.referrals.conftest import consent, make_partners, new_victim
from tests.support.auth import (
    TestClientCredentials,
    bearer,
    new_client,
    token_for,
    victim_session_for,
)
from tests.support.cases import case_body
from tests.support.database import fresh_database
from victim_api.app import create_app
from victim_api.directory.seed import seed_directory
from victim_api.helpline.verification import SESSIONS
from victim_api.leaflets.service import import_directory
from victim_api.platform.principal import Channel, system_caller
from victim_api.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
# The web origin configured for the suite's app; any other origin is a stranger's.
OUR_ORIGIN = "https://victims.example.police.uk"
STRANGE_ORIGIN = "https://attacker.example"
# Anonymous callers, in tables keyed by channel.
ANONYMOUS = "ANONYMOUS"
# A verified victim on a channel's client (a victim session token, not an access
# token): the caller of a VictimSessionPolicy route, e.g. "VICTIM_PHONE".
VICTIM_PREFIX = "VICTIM_"


SESSION_RENEWAL_SECONDS = 10 * 60


def session_is_live_by_jti(session: Any, jti: str) -> bool:
    row = session.execute(sa.select(SESSIONS.c.ended_at).where(SESSIONS.c.jti == jti)).first()
    return row is not None and row.ended_at is None


def victim_caller(channel: str) -> str:
    return f"{VICTIM_PREFIX}{channel}"


def channel_of(caller: str) -> str:
    """The client channel behind a caller (a victim session's is its client's)."""
    return caller.removeprefix(VICTIM_PREFIX)


@dataclass(frozen=True)
class PathObject:
    """Values for one path parameter.

    ``own``: an object every caller allowed on the route may reach.
    ``missing``: well formed, and exists nowhere.
    ``foreign``: per channel (``"*"`` for every channel), an object that exists
    but that this caller must not reach through this path: another
    organisation's referral, or a child of another parent (another case's event).
    """

    own: str
    missing: str
    foreign: Mapping[str, str] = field(default_factory=dict)
    # Route suffixes under which an unknown value names something new (a leaflet
    # slug nobody has drafted yet), so it is not "missing" there.
    new_under: tuple[str, ...] = ()

    def names_something_new(self, path: str) -> bool:
        return any(path.endswith(suffix) for suffix in self.new_under)

    def foreign_for(self, channel: str) -> str | None:
        return self.foreign.get(channel, self.foreign.get("*"))


@dataclass
class World:
    app: FastAPI
    client: TestClient
    credentials: dict[str, TestClientCredentials]
    headers: dict[str, dict[str, str]]  # channel -> Authorization, every scope it may hold
    data: dict[str, Any]
    _tokens: dict[tuple[str, frozenset[str]], str] = field(default_factory=dict)
    _sessions: dict[tuple[str, str], tuple[float, dict[str, str]]] = field(default_factory=dict)
    _no_scope_clients: dict[str, TestClientCredentials] = field(default_factory=dict)

    def headers_with_scopes(self, channel: str, scopes: frozenset[str]) -> dict[str, str]:
        """A token on ``channel`` holding exactly ``scopes`` (a subset of its client's)."""
        key = (channel, scopes)
        if key not in self._tokens:
            if scopes:
                credentials = self.credentials[channel]
                token = token_for(self.client, credentials, scope=" ".join(sorted(scopes)))
            else:
                if channel not in self._no_scope_clients:
                    self._no_scope_clients[channel] = new_client(
                        self.app, Channel(channel), set(), name=f"no scopes {channel}"
                    )
                token = token_for(self.client, self._no_scope_clients[channel])
            self._tokens[key] = token
        return bearer(self._tokens[key])

    def victim_session(self, caller: str, whose: str = "mine") -> dict[str, str]:
        """A victim session for the victim of ``whose`` case (``mine``, ``other`` or
        ``erased``), as if the channel's client had verified them. Minting stores a
        session row (a write the "changes nothing" checks would see), so one is kept
        and renewed only before it expires (15 minutes) on a long run."""
        key = (caller, whose)
        minted = self._sessions.get(key)
        if (
            minted is None
            or time.monotonic() - minted[0] > SESSION_RENEWAL_SECONDS
            or self._was_signed_out(minted[1])  # the sign-out route ends the one it is sent
        ):
            minted = (time.monotonic(), self._mint_victim_session(caller, whose))
            self._sessions[key] = minted
        return minted[1]

    def _was_signed_out(self, headers: dict[str, str]) -> bool:
        payload = headers["Authorization"].removeprefix("Bearer ").split(".")[1]
        jti = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["jti"]
        with self.app.state.database.read_session() as session:
            return not session_is_live_by_jti(session, jti)

    def _mint_victim_session(self, caller: str, whose: str) -> dict[str, str]:
        channel = channel_of(caller)
        victim = self.data["victims"][whose]
        return victim_session_for(
            self.app,
            self.credentials[channel].client_id,
            Channel(channel),
            victim["victim_id"],
            victim["case_id"],
        )


def _random_jti() -> str:
    return uuid.uuid4().hex[:16]


def _case_objects(world: World, _path: str) -> PathObject:
    return PathObject(own=world.data["case_id"], missing=str(uuid.uuid4()))


def _victim_objects(world: World, _path: str) -> PathObject:
    return PathObject(own=world.data["victim_id"], missing=str(uuid.uuid4()))


def _event_objects(world: World, _path: str) -> PathObject:
    return PathObject(
        own=world.data["event_id"],
        missing=str(uuid.uuid4()),
        foreign={"*": world.data["other_event_id"]},
    )


def _duty_objects(world: World, _path: str) -> PathObject:
    return PathObject(
        own=world.data["duty_id"],
        missing=str(uuid.uuid4()),
        foreign={"*": world.data["other_duty_id"]},
    )


def _referral_objects(world: World, _path: str) -> PathObject:
    # The PARTNER caller is organisation A; B's referral must look missing to it.
    return PathObject(
        own=world.data["referral_id"],
        missing=str(uuid.uuid4()),
        foreign={Channel.PARTNER.value: world.data["other_org_referral_id"]},
    )


def _qr_objects(world: World, _path: str) -> PathObject:
    return PathObject(own=world.data["jti"], missing=_random_jti())


def _directory_service_objects(world: World, _path: str) -> PathObject:
    return PathObject(own=world.data["service_id"], missing=str(uuid.uuid4()))


def _event_type_objects(world: World, _path: str) -> PathObject:
    return PathObject(own=world.data["event_type"], missing="NO_SUCH_EVENT_TYPE")


def _slug_objects(world: World, _path: str) -> PathObject:
    # Slugs are public names (GET /v1/leaflets lists them): an editor may list and
    # draft the versions of a leaflet that does not exist yet.
    return PathObject(own=world.data["slug"], missing="no-such-leaflet", new_under=("/versions",))


def _leaflet_version_objects(world: World, _path: str) -> PathObject:
    return PathObject(
        own=world.data["version_id"],
        missing=str(uuid.uuid4()),
        foreign={"*": world.data["other_slug_version_id"]},
    )


def _callback_objects(world: World, _path: str) -> PathObject:
    # Staff routes over every victim's requests: there is no tenant to cross.
    return PathObject(own=world.data["callback_id"], missing=str(uuid.uuid4()))


def _docs_asset_objects(world: World, path: str) -> PathObject:
    # The API docs' assets, or the victim web page's (/l/static/).
    own = "victim-page.css" if path.startswith("/l/") else "swagger-ui.css"
    return PathObject(own=own, missing="no-such-asset.css")


# Open Referral names every id `id`: the collection before it says what it is.
_OPEN_REFERRAL_IDS = {
    "services": "openreferral_service_id",
    "taxonomies": "openreferral_taxonomy_id",
    "taxonomy_terms": "openreferral_taxonomy_term_id",
    "service_at_locations": "openreferral_service_at_location_id",
}


def _open_referral_objects(world: World, path: str) -> PathObject:
    collection = path.rstrip("/").split("/")[-2]
    assert collection in _OPEN_REFERRAL_IDS, (
        f"{path}: no builder for an `id` under /{collection}/; add it to "
        "_OPEN_REFERRAL_IDS in tests/security/world.py"
    )
    return PathObject(own=world.data[_OPEN_REFERRAL_IDS[collection]], missing=str(uuid.uuid4()))


PATH_OBJECTS: dict[str, Callable[[World, str], PathObject]] = {
    "case_id": _case_objects,
    "victim_id": _victim_objects,
    "event_id": _event_objects,
    "duty_id": _duty_objects,
    "referral_id": _referral_objects,
    "jti": _qr_objects,
    "service_id": _directory_service_objects,
    "event_type": _event_type_objects,
    "slug": _slug_objects,
    "version_id": _leaflet_version_objects,
    "name": _docs_asset_objects,
    "callback_id": _callback_objects,
    "id": _open_referral_objects,
}

# Required query parameters, by their name on the wire.
REPORT_PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}


def _version_or_date(name: str, version_key: str) -> Callable[[World, str], str]:
    # `from`/`to` are two leaflet versions to diff, or a report's period.
    def value(world: World, path: str) -> str:
        return REPORT_PERIOD[name] if path.startswith("/v1/reports/") else world.data[version_key]

    return value


QUERY_VALUES: dict[str, Callable[[World, str], str]] = {
    "from": _version_or_date("from", "version_id"),
    "to": _version_or_date("to", "second_version_id"),
    "case_id": lambda world, _path: world.data["case_id"],
}


def path_object(world: World, name: str, path: str) -> PathObject:
    """The builder's values for parameter ``name`` of ``path``, or a failure saying
    which builder to add (never a silent skip)."""
    builder = PATH_OBJECTS.get(name)
    assert builder is not None, (
        f"{path}: no fixture builder for the path parameter `{name}`; add one to "
        "PATH_OBJECTS in tests/security/world.py (own, missing and, if another "
        "tenant's or another parent's object exists, foreign values)"
    )
    return builder(world, path)


def query_value(world: World, name: str, path: str) -> str:
    builder = QUERY_VALUES.get(name)
    assert builder is not None, (
        f"{path}: no value for the required query parameter `{name}`; add one to "
        "QUERY_VALUES in tests/security/world.py"
    )
    return builder(world, path)


def _occurred_at() -> str:
    return "2026-11-30T10:00:00Z"


# Schema-valid request bodies, by the request schema's name in the contract, for
# the suites that must get past validation (BOLA on writes). A `type`
# body with no schema of its own (a union) is keyed by its operationId.
BODIES: dict[str, Callable[[World], Any]] = {
    "CaseUpsert": lambda world: case_body(),
    "StaffAssessments": lambda world: {},
    "Waiver": lambda world: {"reason": "VICTIM_DECLINED"},
    "RuleUpdate": lambda world: (
        {
            key: world.data["rule"][key]
            for key in (
                "obligation",
                "standard_working_days",
                "enhanced_working_days",
                "responsible",
            )
        }
        | {"active": True}
    ),
    "VictimCreate": lambda world: {
        "role": "VICTIM",
        "given_name": "Alex",
        "family_name": "Synthetic",
        "date_of_birth": "1988-02-03",
    },
    "VictimUpdate": lambda world: {"language": "en"},
    "ConsentCreate": lambda world: {
        "purpose": "REFERRAL_TO_SUPPORT",
        "decision": "GIVEN",
        "legal_basis": "CONSENT",
    },
    "ContactCreate": lambda world: {
        "method": "PHONE_CALL",
        "direction": "OUTBOUND",
        "outcome": "ANSWERED",
        "summary": "Explained the next steps.",
    },
    "OutcomeCreate": lambda world: {"status": "ACCEPTED"},
    "DirectoryServiceUpdate": lambda world: {"description": "Synthetic."},
    "LeafletVersionUpdate": lambda world: {"title": "Synthetic"},
    "LeafletVersionCreate": lambda world: {"language": "en", "title": "A test leaflet"},
    "QrResolveRequest": lambda world: {"token": world.data["qr_token"]},
    "CallbackCreate": lambda world: callback_body(),
    "FeedbackCreate": lambda world: {"rating": 4},
    "MyPreferencesUpdate": lambda world: {"language": "en"},
    "RecoveryRequest": lambda world: {"identity_check": "IN_PERSON_WITH_ID"},
    "UnlockRequest": lambda world: {"reason": "The caller was verified by the officer."},
    "CallbackCompletion": lambda world: {"outcome": "NO_ANSWER"},
    "createCaseEvent": lambda world: {"type": "BAIL_CANCELLED", "occurred_at": _occurred_at()},
}


def callback_body() -> dict[str, Any]:
    start = datetime.now(UTC) + timedelta(days=2)
    return {
        "preferred_times": [
            {"from": start.isoformat(), "to": (start + timedelta(hours=2)).isoformat()}
        ],
        "reason": "CASE_UPDATE",
    }


def _channel_clients(
    app: FastAPI, client: TestClient, organisation_id: str
) -> tuple[dict[str, TestClientCredentials], dict[str, dict[str, str]]]:
    credentials: dict[str, TestClientCredentials] = {}
    headers: dict[str, dict[str, str]] = {}
    for channel in Channel:
        org = organisation_id if channel == Channel.PARTNER else None
        credentials[channel.value] = new_client(
            app, channel, organisation_id=org, name=f"security {channel}"
        )
        acting = "staff.tester" if channel in (Channel.STAFF, Channel.PHONE) else None
        headers[channel.value] = bearer(
            token_for(client, credentials[channel.value], acting_user=acting)
        )
    return credentials, headers


def _first_id(client: TestClient, path: str, headers: dict[str, str] | None = None) -> str:
    response = client.get(path, headers=headers or {})
    assert response.status_code == 200, f"{path}: {response.text}"
    body = response.json()
    items = body.get("items", body.get("contents", []))
    assert items, f"{path} listed nothing"
    return str(items[0]["id"])


# The world's victim, in words no leaflet or directory entry contains, so a leak
# of any of them is found by a plain search of an answer.
PERSONAL = {
    "given_name": "Quillonette",
    "family_name": "Marchbanks-Oyelaran",
    "date_of_birth": "1988-02-03",
    "phone": "+442079460456",
    "email": "quillonette.synthetic@example.org",
    "safe_contact_times": "Weekdays 09:17-11:43",
}


def _case_with_children(
    world: World, police: dict[str, str], staff: dict[str, str]
) -> dict[str, str]:
    client = world.client
    body = case_body(crime_type="ASSAULT")
    case_id = str(uuid.uuid4())
    created = client.put(
        f"/v1/cases/{case_id}", json=body, headers={**police, "If-None-Match": "*"}
    )
    assert created.status_code == 201, created.text
    victim_id = new_victim(client, police, case_id, **PERSONAL)
    event = client.post(
        f"/v1/cases/{case_id}/events",
        json={"type": "BAIL_CANCELLED", "occurred_at": _occurred_at()},
        headers=police,
    )
    assert event.status_code == 201, event.text
    duty_id = _first_id(client, f"/v1/cases/{case_id}/duties", staff)
    return {
        "case_id": case_id,
        "crime_reference": body["crime_reference"],
        "officer_name": body["officer"]["name"],
        "victim_id": victim_id,
        "event_id": str(event.json()["id"]),
        "duty_id": duty_id,
    }


def _referral(world: World, staff: dict[str, str], case: dict[str, str], service_id: str) -> str:
    response = world.client.post(
        "/v1/referrals",
        json={
            "case_id": case["case_id"],
            "victim_id": case["victim_id"],
            "service_id": service_id,
            "needs": ["EMOTIONAL_SUPPORT"],
        },
        headers=staff,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _build_objects(world: World) -> None:
    client, data = world.client, world.data
    police, staff = world.headers["POLICE_SYSTEM"], world.headers["STAFF"]
    mine = _case_with_children(world, police, staff)
    other = _case_with_children(world, police, staff)
    data.update(mine)
    data["other_event_id"], data["other_duty_id"] = other["event_id"], other["duty_id"]
    erased = _case_with_children(world, police, staff)
    data["victims"] = {"mine": mine, "other": other, "erased": erased}
    for whose in ("mine", "other"):
        data["victims"][whose]["callback_id"] = _callback(world, whose)
    data["callback_id"] = data["victims"]["mine"]["callback_id"]
    gone = client.post(f"/v1/victims/{erased['victim_id']}/erasure", headers=staff)
    assert gone.status_code == 200, gone.text
    consent(client, staff, mine["victim_id"])
    ours, theirs = data["partners"]
    data["referral_id"] = _referral(world, staff, mine, ours.service_id)
    data["other_org_referral_id"] = _referral(world, staff, other, theirs.service_id)

    issued = client.post(
        "/v1/qr-tokens",
        json={"leaflet_slug": "victim-information", "case_id": mine["case_id"]},
        headers=staff,
    )
    assert issued.status_code == 201, issued.text
    data["jti"], data["qr_token"] = issued.json()["jti"], issued.json()["token"]
    data["service_id"] = _first_id(client, "/v1/directory/services", staff)
    data["rule"] = _first_rule(client, staff)
    data["event_type"] = data["rule"]["event_type"]

    data["slug"], other_slug = "victim-information", "fraud"
    data["version_id"] = _first_id(client, f"/v1/leaflets/{data['slug']}/versions", staff)
    draft = client.post(
        f"/v1/leaflets/{data['slug']}/versions",
        json=draft_body(),
        headers=staff,
    )
    assert draft.status_code == 201, draft.text
    data["second_version_id"] = str(draft.json()["id"])
    data["other_slug_version_id"] = _first_id(client, f"/v1/leaflets/{other_slug}/versions", staff)

    for collection, key in _OPEN_REFERRAL_IDS.items():
        data[key] = _first_id(client, f"/openreferral/{collection}")


def _callback(world: World, whose: str) -> str:
    response = world.client.post(
        "/v1/me/callback-requests",
        json=callback_body(),
        headers=world.victim_session(victim_caller("PHONE"), whose),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _first_rule(client: TestClient, staff: dict[str, str]) -> dict[str, Any]:
    response = client.get("/v1/notification-rules", headers=staff)
    assert response.status_code == 200, response.text
    return dict(response.json()["items"][0])


@contextmanager
def build_world(settings: Settings, tmp_dir: Path) -> Iterator[World]:
    """A fresh database, the app on it (with one configured web origin) and the objects."""
    with fresh_database(tmp_dir) as url:
        app = create_app(
            settings.model_copy(
                update={
                    "database_url": url,
                    "cors_origins": [OUR_ORIGIN],
                    # The suites call the public resolver from one address many times.
                    "qr_resolve_rate_limit_per_minute": 1_000_000,
                }
            )
        )
        with app.state.database.transaction() as session:
            seed_directory(session)
            import_directory(session, system_caller("TESTING"), REPO_ROOT / "content" / "leaflets")
        try:
            with TestClient(app, raise_server_exceptions=False) as client:
                partners = make_partners(app)
                credentials, headers = _channel_clients(app, client, partners[0].organisation_id)
                world = World(app, client, credentials, headers, {"partners": partners})
                _build_objects(world)
                yield world
        finally:
            app.state.database.dispose()
