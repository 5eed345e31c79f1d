"""Who is calling: channels, the authenticated principal, and the call context.

Services receive a :class:`Caller` (plain values: who, through which channel,
for what purpose, in which request) and never an HTTP request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    """The front end a client belongs to. Extensible: new channels may be added."""

    PHONE = "PHONE"
    WEB = "WEB"
    PARTNER = "PARTNER"
    STAFF = "STAFF"
    POLICE_SYSTEM = "POLICE_SYSTEM"
    AUDITOR = "AUDITOR"


@dataclass(frozen=True)
class Principal:
    """An authenticated API client, from a verified access token."""

    client_id: str
    channel: Channel
    scopes: frozenset[str]
    organisation_id: str | None = None
    acting_user: str | None = None
    token_id: str | None = None
    # Set only for victim session tokens (the helpline issue): the one victim and
    # case the token may see.
    victim_id: str | None = None
    case_id: str | None = None

    def has_scopes(self, required: frozenset[str]) -> bool:
        return required <= self.scopes


@dataclass(frozen=True)
class Caller:
    """A principal in the context of one request: what services and audit need."""

    principal: Principal
    purpose: str
    request_id: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def channel(self) -> Channel:
        return self.principal.channel

    @property
    def organisation_id(self) -> str | None:
        return self.principal.organisation_id


# The principal for work done by the service itself (CLI, seeders, migrations).
SYSTEM_PRINCIPAL = Principal(
    client_id="system",
    channel=Channel.STAFF,
    scopes=frozenset(),
    acting_user="victim-api-cli",
)


def system_caller(purpose: str = "ADMINISTRATION", request_id: str = "cli") -> Caller:
    return Caller(principal=SYSTEM_PRINCIPAL, purpose=purpose, request_id=request_id)


# The principal for public, unauthenticated callers (the QR leaflet page).
PUBLIC_PRINCIPAL = Principal(client_id="public", channel=Channel.WEB, scopes=frozenset())


def public_caller(request: Any, purpose: str = "LEAFLET_READING") -> Caller:
    """A caller for a public request, so what it is shown can be audited."""
    request_id = request.scope.get("state", {}).get("request_id", "-")
    return Caller(principal=PUBLIC_PRINCIPAL, purpose=purpose, request_id=request_id)
