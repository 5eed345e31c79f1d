"""API clients: every front end is one, with a channel, scopes and a hashed secret."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from victim_api.platform.clock import utcnow
from victim_api.platform.principal import Channel
from victim_api.platform.scopes import scopes_refused_for
from victim_api.platform.secrets import dummy_verify, hash_secret, needs_rehash, verify_secret

CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_SECRET_LENGTH = 200


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_client"

    client_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    channel: str = Field(max_length=32)
    scopes: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    organisation_id: str | None = Field(default=None, max_length=64, index=True)
    secret_hash: str = Field(max_length=255)
    active: bool = Field(default=True)
    version: int = Field(default=1)
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class ClientError(ValueError):
    """A client cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class IssuedCredentials:
    client_id: str
    client_secret: str


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def create_client(
    session: Session,
    *,
    name: str,
    channel: Channel,
    scopes: set[str],
    organisation_id: str | None,
    pepper: str,
) -> IssuedCredentials:
    refused = scopes_refused_for(channel, scopes)
    if refused:
        raise ClientError(f"channel {channel} may not hold scope(s): {', '.join(refused)}")
    if channel == Channel.PARTNER and not organisation_id:
        raise ClientError("a PARTNER client must name its organisation (--organisation)")
    if channel != Channel.PARTNER and organisation_id:
        raise ClientError("only PARTNER clients belong to an organisation")
    credentials = IssuedCredentials(
        client_id=f"vc_{secrets.token_hex(8)}", client_secret=_new_secret()
    )
    now = utcnow()
    session.add(
        ApiClient(
            client_id=credentials.client_id,
            name=name,
            channel=channel.value,
            scopes=sorted(scopes),
            organisation_id=organisation_id,
            secret_hash=hash_secret(credentials.client_secret, pepper),
            created_at=now,
            updated_at=now,
        )
    )
    return credentials


def get_client(session: Session, client_id: str) -> ApiClient | None:
    return session.get(ApiClient, client_id)


def list_clients(session: Session) -> list[ApiClient]:
    return list(session.exec(select(ApiClient).order_by(col(ApiClient.created_at))))


def disable_client(session: Session, client_id: str) -> ApiClient:
    client = _require(session, client_id)
    client.active = False
    client.version += 1
    client.updated_at = utcnow()
    return client


def rotate_secret(session: Session, client_id: str, pepper: str) -> IssuedCredentials:
    client = _require(session, client_id)
    secret = _new_secret()
    client.secret_hash = hash_secret(secret, pepper)
    client.version += 1
    client.updated_at = utcnow()
    return IssuedCredentials(client_id=client_id, client_secret=secret)


def authenticate_client(
    session: Session, client_id: str, client_secret: str, pepper: str
) -> ApiClient | None:
    """The active client with these credentials, or None. Misses cost a full verify."""
    well_formed = CLIENT_ID_PATTERN.match(client_id) and len(client_secret) <= MAX_SECRET_LENGTH
    client = session.get(ApiClient, client_id) if well_formed else None
    if client is None:
        dummy_verify()
        return None
    if not verify_secret(client.secret_hash, client_secret, pepper) or not client.active:
        return None
    if needs_rehash(client.secret_hash):
        client.secret_hash = hash_secret(client_secret, pepper)
    return client


def _require(session: Session, client_id: str) -> ApiClient:
    client = session.get(ApiClient, client_id)
    if client is None:
        raise ClientError(f"no client {client_id}")
    return client
