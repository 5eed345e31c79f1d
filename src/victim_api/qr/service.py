"""Issuing, verifying, listing and revoking QR tokens. No HTTP here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from victim_api.cases import service as cases_service
from victim_api.directory import service as directory_service
from victim_api.platform.audit import Operation, record
from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import table_of
from victim_api.platform.errors import ConflictError, InvalidInputError, NotFoundError, ProblemError
from victim_api.platform.etag import compare_and_swap
from victim_api.platform.keys import KeyPurpose, KeyStore
from victim_api.platform.principal import Caller
from victim_api.platform.tokens import TokenError, TokenKind, sign, verify
from victim_api.qr.codes import LEAFLET_CODES, SLUGS_BY_CODE
from victim_api.qr.models import QrToken
from victim_api.settings import Settings

QR_TOKEN_TYP = "vq"  # noqa: S105 - a JOSE typ value, not a secret
JTI_RANDOM_BYTES = 6  # 8 characters: unique (checked), and short enough to print
QR_CAPACITY_BYTES = 292  # QR version 15 at error correction Q, byte mode
QR = table_of(QrToken)


class QrTokenInvalidError(ProblemError):
    def __init__(self) -> None:
        # A token is a link to a leaflet: one we never issued links to nothing.
        super().__init__(
            404,
            "qr_token_invalid",
            "This QR code is not one of ours or is damaged. Ask for a new leaflet.",
        )


class QrTokenExpiredError(ProblemError):
    def __init__(self) -> None:
        super().__init__(
            410, "qr_token_expired", "This QR code has expired. Ask for a new leaflet."
        )


class QrTokenRevokedError(ProblemError):
    def __init__(self) -> None:
        super().__init__(
            410,
            "qr_token_revoked",
            "This QR code has been withdrawn. Ask for a new leaflet.",
        )


@dataclass(frozen=True)
class IssuedQr:
    jti: str
    token: str
    url: str
    leaflet_slug: str
    language: str | None
    case_id: str | None
    issued_at: datetime
    expires_at: datetime
    version: int = 1


@dataclass(frozen=True)
class VerifiedQr:
    jti: str
    leaflet_slug: str
    language: str | None
    case_id: str | None
    expires_at: datetime


def qr_kind(settings: Settings) -> TokenKind:
    return TokenKind(purpose=KeyPurpose.QR, typ=QR_TOKEN_TYP, audience=settings.qr_token_audience)


def url_for(settings: Settings, token: str) -> str:
    return settings.qr_url_template.replace("{token}", token)


def issue(
    session: Session,
    caller: Caller,
    keys: KeyStore,
    settings: Settings,
    *,
    leaflet_slug: str,
    language: str | None,
    case_id: str | None,
    lifetime_days: int | None,
) -> IssuedQr:
    [issued] = issue_many(
        session,
        caller,
        keys,
        settings,
        leaflet_slug=leaflet_slug,
        language=language,
        case_ids=[case_id],
        lifetime_days=lifetime_days,
    )
    return issued


def issue_many(
    session: Session,
    caller: Caller,
    keys: KeyStore,
    settings: Settings,
    *,
    leaflet_slug: str,
    language: str | None,
    case_ids: list[str | None],
    lifetime_days: int | None,
) -> list[IssuedQr]:
    """Sign one token per entry of ``case_ids`` (None: unbound), stored in one insert."""
    code = LEAFLET_CODES.get(leaflet_slug)
    if code is None:
        raise InvalidInputError(f"There is no leaflet {leaflet_slug!r} to print a QR code for.")
    days = lifetime_days or settings.qr_default_lifetime_days
    if days > settings.qr_max_lifetime_days:
        raise InvalidInputError(
            f"A QR token may live at most {settings.qr_max_lifetime_days} days."
        )
    unknown = [c for c in {c for c in case_ids if c} if not cases_service.case_exists(session, c)]
    if unknown:
        # The body is well formed but names a case we do not hold (as the directory does).
        raise ConflictError("unknown_reference", "A QR token can only be bound to a known case.")
    kind = qr_kind(settings)
    issued = []
    for jti, case_id in zip(_unused_jtis(session, len(case_ids)), case_ids, strict=True):
        signed = sign(
            keys,
            kind,
            issuer=settings.qr_token_issuer,
            subject=code,
            lifetime=timedelta(days=days),
            jti=jti,
        )
        issued.append(
            IssuedQr(
                jti,
                signed.token,
                url_for(settings, signed.token),
                leaflet_slug,
                language,
                case_id,
                signed.issued_at,
                signed.expires_at,
            )
        )
        kid = signed.kid
    session.execute(
        sa.insert(QR),
        [
            {
                "jti": t.jti,
                "leaflet_slug": leaflet_slug,
                "language": language,
                "case_id": t.case_id,
                "kid": kid,
                "token": t.token,
                "url": t.url,
                "issued_by": caller.principal.client_id,
                "issued_at": t.issued_at,
                "expires_at": t.expires_at,
                "version": 1,
            }
            for t in issued
        ],
    )
    # Retired QR keys keep verifying until the last token they signed expires.
    keys.extend_verification(session, kid, max(t.expires_at for t in issued))
    bound = [c for c in case_ids if c]
    record(
        session,
        caller,
        operation=Operation.COLLECTION if bound else Operation.CONSULTATION,
        resource_type="qr_token",
        resource_id=issued[0].jti if len(issued) == 1 else None,
        case_ids=bound,
    )
    return issued


def _unused_jtis(session: Session, count: int) -> list[str]:
    """``count`` fresh token ids, none already issued (48 random bits each)."""
    chosen: set[str] = set()
    for _ in range(10):
        wanted = {secrets.token_urlsafe(JTI_RANDOM_BYTES) for _ in range(count - len(chosen))}
        taken = set(session.execute(sa.select(QR.c.jti).where(QR.c.jti.in_(wanted))).scalars())
        chosen |= wanted - taken
        if len(chosen) == count:
            return sorted(chosen)
    raise RuntimeError("could not draw unused QR token ids")


def verify_token(session: Session, keys: KeyStore, settings: Settings, token: str) -> VerifiedQr:
    """Signature, kid, typ, aud, exp, then revocation: each failure has its own code."""
    try:
        claims = verify(keys, qr_kind(settings), token, issuer=settings.qr_token_issuer)
    except TokenError as exc:
        if exc.expired:
            raise QrTokenExpiredError() from exc
        raise QrTokenInvalidError() from exc
    row = session.execute(sa.select(QR).where(QR.c.jti == claims["jti"])).first()
    if row is None or SLUGS_BY_CODE.get(str(claims.get("sub"))) != row.leaflet_slug:
        raise QrTokenInvalidError()
    if row.revoked_at is not None:
        raise QrTokenRevokedError()
    return VerifiedQr(row.jti, row.leaflet_slug, row.language, row.case_id, as_utc(row.expires_at))


@dataclass(frozen=True)
class CasePersonalisation:
    """What a case-bound leaflet may show to whoever holds the printed code."""

    slot_values: dict[str, str]
    support_services: list[dict[str, Any]]


def personalisation_for_case(session: Session, caller: Caller, case_id: str) -> CasePersonalisation:
    """Only non-sensitive case details: the officer's team contact and the support
    services for the case's crime type and borough.

    A printed code may be lost or photographed, so it never reveals the crime
    reference (one of the two verification factors), the officer's name, the
    status or anything about the victim: those need a victim session. What it
    does reveal is recorded as a DISCLOSURE to the code's holder.
    """
    row = cases_service.require_case(session, case_id)
    slots: dict[str, str] = {}
    if row.officer_team and row.officer_work_phone:
        slots["officer_team_phone"] = f"{row.officer_work_phone} ({row.officer_team})"
    elif row.officer_work_phone:
        slots["officer_team_phone"] = row.officer_work_phone
    services = [
        {
            "id": view["id"],
            "name": view["name"],
            "organization": view["organization"]["name"],
            "description": view["description"],
            "url": view["url"],
            "phones": [p["number"] for p in view["phones"]],
        }
        for view in directory_service.recommend_services(
            session,
            crime_type=row.crime_type,
            borough=row.borough,
            age=None,
            language=None,
            needs=[],
            enhanced=bool(row.enhanced),
            limit=3,
        )
    ]
    if services:
        slots["support_services"] = "; ".join(
            s["name"] + (f" ({s['phones'][0]})" if s["phones"] else "") for s in services
        )
    record(
        session,
        caller,
        operation=Operation.DISCLOSURE,
        resource_type="qr_token_resolution",
        case_ids=[case_id],
        recipient="QR_CODE_HOLDER",
        fields=sorted(slots),
    )
    return CasePersonalisation(slots, services)


def get_row(session: Session, jti: str) -> Any:
    row = session.execute(sa.select(QR).where(QR.c.jti == jti)).first()
    if row is None:
        raise NotFoundError("There is no QR token with this id.")
    return row


def get(session: Session, jti: str) -> IssuedQr:
    return _issued(get_row(session, jti))


def revoke(session: Session, caller: Caller, jti: str, expected_version: int) -> IssuedQr:
    """Withdraw a token in every process at once. Revoking twice changes nothing."""
    current = get(session, jti)
    if is_revoked_at(session, jti):
        return current
    compare_and_swap(session, QR, {"jti": jti}, expected_version, {"revoked_at": utcnow()})
    record(
        session,
        caller,
        operation=Operation.ALTERATION,
        resource_type="qr_token",
        resource_id=jti,
        case_ids=[current.case_id] if current.case_id else [],
        fields=["revoked_at"],
    )
    return get(session, jti)


def is_revoked_at(session: Session, jti: str) -> bool:
    row = session.execute(sa.select(QR.c.revoked_at).where(QR.c.jti == jti)).first()
    return row is not None and row.revoked_at is not None


def list_for_case(
    session: Session, case_id: str, *, limit: int, after: list[Any] | None
) -> list[Any]:
    query = sa.select(QR).where(QR.c.case_id == case_id)
    if after is not None:
        query = query.where(sa.tuple_(QR.c.issued_at, QR.c.jti) > sa.tuple_(*after))
    return list(session.execute(query.order_by(QR.c.issued_at, QR.c.jti).limit(limit + 1)))


def public_view(row: Any) -> dict[str, Any]:
    return {
        "jti": row.jti,
        "leaflet_slug": row.leaflet_slug,
        "language": row.language,
        "case_id": row.case_id,
        "url": row.url,
        "token": row.token,
        "issued_at": as_utc(row.issued_at),
        "expires_at": as_utc(row.expires_at),
        "revoked_at": as_utc(row.revoked_at) if row.revoked_at else None,
        "status": _status(row),
    }


def _status(row: Any) -> str:
    if row.revoked_at is not None:
        return "REVOKED"
    if as_utc(row.expires_at) <= utcnow():
        return "EXPIRED"
    return "ACTIVE"


def _issued(row: Any) -> IssuedQr:
    return IssuedQr(
        row.jti,
        row.token,
        row.url,
        row.leaflet_slug,
        row.language,
        row.case_id,
        as_utc(row.issued_at),
        as_utc(row.expires_at),
        row.version,
    )


def max_url_length(settings: Settings) -> int:
    """The URL length of the largest token this configuration can issue."""
    header = len(_b64len_json({"alg": "ES256", "kid": "x" * 4, "typ": QR_TOKEN_TYP}))
    payload = len(
        _b64len_json(
            {
                "iss": settings.qr_token_issuer,
                "aud": settings.qr_token_audience,
                "sub": "xx",
                "iat": 9_999_999_999,
                "exp": 9_999_999_999,
                "jti": "x" * 8,
            }
        )
    )
    return len(settings.qr_url_template) - len("{token}") + header + payload + 86 + 2


def _b64len_json(value: dict[str, Any]) -> str:
    import base64
    import json

    data = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
