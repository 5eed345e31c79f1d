"""Issued QR tokens: what each printed code points at, and whether it still works."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class QrToken(SQLModel, table=True):
    __tablename__ = "qr_token"
    __table_args__ = (sa.Index("ix_qr_token_case_id_issued_at", "case_id", "issued_at"),)

    jti: str = Field(primary_key=True, max_length=16)
    leaflet_slug: str = Field(max_length=64)
    language: str | None = Field(default=None, max_length=35)
    # The case this leaflet was handed out for. Never in the token: the token's
    # jti is the only handle, resolved here, server-side.
    case_id: str | None = Field(default=None, max_length=36)
    kid: str = Field(max_length=64)
    token: str = Field(sa_type=sa.Text)
    url: str = Field(sa_type=sa.Text)
    issued_by: str = Field(max_length=64)
    issued_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    version: int = Field(default=1)
