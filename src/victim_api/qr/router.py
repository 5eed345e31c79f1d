"""QR tokens over HTTP: issue, read, draw, batch, revoke and resolve."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from victim_api.leaflets import service as leaflets
from victim_api.platform.dependencies import (
    AuditedReadSession,
    CursorCodecDep,
    DbSession,
    KeysDep,
    SettingsDep,
)
from victim_api.platform.errors import problem_responses
from victim_api.platform.etag import IfMatch, etag, expected_version
from victim_api.platform.idempotency import IdempotencyKeyHeader, fingerprint, run_idempotent
from victim_api.platform.jsonutil import JSONResponse, model_response
from victim_api.platform.pagination import Page, PageRequest, cursor_values, page_request, paginate
from victim_api.platform.policy import PUBLIC, requires
from victim_api.platform.principal import Caller, Channel, public_caller
from victim_api.platform.ratelimit import bucket_key, shared_limiter
from victim_api.platform.types import JSON_INTEGER
from victim_api.qr import images, service
from victim_api.qr.scopes import QR_ISSUE, QR_READ, QR_REVOKE

router = APIRouter(prefix="/v1/qr-tokens", tags=["qr-tokens"])


class _JtiConvertor(Convertor[str]):
    """Routes only well-formed token ids to `/{jti}`, so `/batch` and `/resolve`
    (shorter than any jti) answer 405 to other methods instead of a 422."""

    regex = "[A-Za-z0-9_-]{8,16}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("jti", _JtiConvertor())

Issuer = Annotated[
    Caller,
    requires(Channel.STAFF, Channel.POLICE_SYSTEM, scopes=[QR_ISSUE], purpose="LEAFLET_PRINTING"),
]
Reader = Annotated[
    Caller,
    requires(Channel.STAFF, Channel.POLICE_SYSTEM, scopes=[QR_READ], purpose="LEAFLET_PRINTING"),
]
Revoker = Annotated[Caller, requires(Channel.STAFF, scopes=[QR_REVOKE], purpose="VICTIM_CARE")]
JtiPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,16}$", description="The token's id.")]
LeafletSlug = Literal["victim-information", "domestic-abuse", "bereaved-families", "fraud"]
Language = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        max_length=35,
        description="BCP 47 tag of the leaflet's language, e.g. `en` or `cy`.",
        examples=["cy"],
    ),
]


LifetimeDays = Annotated[
    int,
    Field(
        ge=1,
        le=730,
        description="Defaults to 400 days (a print run). At most 730, or less where the "
        "service is configured lower (`VICTIM_API_QR_MAX_LIFETIME_DAYS`).",
    ),
    JSON_INTEGER,
]
BatchCount = Annotated[
    int, Field(ge=1, le=500, description="How many unbound tokens to issue."), JSON_INTEGER
]


class QrTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    leaflet_slug: LeafletSlug = Field(description="Which leaflet the code opens.")
    language: Language | None = None
    case_id: UUID | None = Field(
        default=None,
        description="Bind the token to a case, to personalise the leaflet. The token itself "
        "never carries the case id; the binding is kept server-side.",
    )
    lifetime_days: LifetimeDays | None = None


class QrTokenPublic(BaseModel):
    jti: str
    leaflet_slug: str
    language: str | None
    case_id: str | None
    url: str = Field(description="What the QR code encodes: the leaflet URL with the token.")
    token: str = Field(description="The compact JWS (ES256, `typ` `vq`).")
    issued_at: Any
    expires_at: Any
    revoked_at: Any | None
    status: Literal["ACTIVE", "EXPIRED", "REVOKED"]


class QrTokenPage(Page[QrTokenPublic]):
    pass


class _QrBatchBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    leaflet_slug: LeafletSlug
    language: Language | None = None
    lifetime_days: LifetimeDays | None = None


class QrBatchOfCount(_QrBatchBase):
    """Unbound tokens for a general print run."""

    count: BatchCount


class QrBatchForCases(_QrBatchBase):
    """One token bound to each case."""

    case_ids: list[UUID] = Field(min_length=1, max_length=500)


QrBatchCreate = QrBatchOfCount | QrBatchForCases


class QrResolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=20, max_length=1024, description="The token from the URL.")
    language: Language | None = Field(
        default=None, description="Preferred language; defaults to the token's, then English."
    )


class CaseUpdatesHint(BaseModel):
    available: bool = Field(description="Whether this leaflet is tied to a case.")
    how: str = Field(description="What the victim must do to see case updates.")


class SupportService(BaseModel):
    id: str
    name: str
    organization: str
    description: str | None
    url: str | None
    phones: list[str]


class QrResolved(BaseModel):
    leaflet_slug: str
    language: str = Field(description="The language of `leaflet` (after any fallback).")
    expires_at: Any
    case_updates: CaseUpdatesHint
    leaflet: leaflets.LeafletDocument = Field(
        description="The leaflet in the reader's language: the request's `language`, then "
        "the token's, then `Accept-Language`, then English. For a code bound to a case, "
        "only non-sensitive slots are filled (the officer's team contact and the support "
        "services); the crime reference and the officer's name stay generic wording "
        "until the victim verifies."
    )
    support_services: list[SupportService] = Field(
        description="For a case-bound code: up to three support services for the case's "
        "crime type and borough, that take police referrals. Empty otherwise."
    )


def _image_etag(jti: str, version: int, *parts: object) -> str:
    return '"' + "-".join([jti, f"v{version}", *(str(p) for p in parts)]) + '"'


def _token_response(issued: service.IssuedQr, status: int = 200) -> Response:
    body = {
        "jti": issued.jti,
        "leaflet_slug": issued.leaflet_slug,
        "language": issued.language,
        "case_id": issued.case_id,
        "url": issued.url,
        "token": issued.token,
        "issued_at": issued.issued_at,
        "expires_at": issued.expires_at,
        "revoked_at": None,
        "status": "ACTIVE",
    }
    headers = {"ETag": etag(issued.version)}
    if status == 201:
        headers["Location"] = f"/v1/qr-tokens/{issued.jti}"
    return JSONResponse(body, status_code=status, headers=headers)


@router.post(
    "",
    summary="Issue a QR token",
    status_code=201,
    response_model=QrTokenPublic,
    responses={
        201: {
            "links": {
                "Resolve": {
                    "operationId": "resolveQrToken",
                    "requestBody": {"token": "$response.body#/token"},
                    "description": "Open the leaflet behind the printed code.",
                },
            },
        },
        **problem_responses(401, 403, 409),
    },
)
def create_qr_token(
    request: Request,
    body: QrTokenCreate,
    caller: Issuer,
    session: DbSession,
    keys: KeysDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Issue a signed token and the URL to print as a QR code.

    The token is an ES256 compact JWS with its own `typ` (`vq`), audience and
    signing keys, carrying only `iss`, `aud`, `sub` (a two-letter leaflet code),
    `iat`, `exp` and `jti`: never a name, date of birth, phone number, crime
    reference, case id, crime type or victim id. A case binding stays server-side,
    keyed by the `jti`. The URL puts the token in the fragment, so it never reaches
    a web server's access log, and always fits a QR code of version 15 at level Q.
    """

    def produce() -> Response:
        issued = service.issue(
            session,
            caller,
            keys,
            settings,
            leaflet_slug=body.leaflet_slug,
            language=body.language,
            case_id=str(body.case_id) if body.case_id else None,
            lifetime_days=body.lifetime_days,
        )
        return _token_response(issued, 201)

    return run_idempotent(
        request.app.state.database,
        session,
        client_id=caller.principal.client_id,
        key=idempotency_key,
        request_fingerprint=fingerprint("POST", request.url.path, body.model_dump(mode="json")),
        produce=produce,
    )


@router.get(
    "",
    summary="List the QR tokens of a case",
    response_model=QrTokenPage,
    responses=problem_responses(400, 401, 403),
)
def list_qr_tokens(
    request: Request,
    caller: Reader,
    session: DbSession,
    codec: CursorCodecDep,
    page: Annotated[PageRequest, Depends(page_request)],
    case_id: Annotated[UUID, Query(description="The case whose tokens to list.")],
) -> Response:
    """Every token issued for a case, oldest first, with its status."""
    filters = {"case_id": str(case_id)}
    last = cursor_values(page, codec, request.url.path, filters)
    rows = service.list_for_case(session, str(case_id), limit=page.limit, after=last)
    items, next_cursor, next_url = paginate(
        rows,
        page,
        codec=codec,
        path=request.url.path,
        filters=filters,
        sort_key=lambda r: [r.issued_at, r.jti],
    )
    page_of = QrTokenPage(
        items=[QrTokenPublic.model_validate(service.public_view(r)) for r in items],
        next_cursor=next_cursor,
        next=next_url,
    )
    return model_response(page_of)


@router.get(
    "/{jti:jti}",
    summary="Read a QR token",
    response_model=QrTokenPublic,
    responses=problem_responses(401, 403, 404),
)
def get_qr_token(jti: JtiPath, caller: Reader, session: DbSession) -> Response:
    """A token's metadata, status and ETag (needed to revoke it)."""
    row = service.get_row(session, jti)
    return JSONResponse(service.public_view(row), headers={"ETag": etag(row.version)})


_IMAGE_PARAMS = {
    "module": Query(
        ge=images.MIN_MODULE_PX,
        le=images.MAX_MODULE_PX,
        description="Module size: pixels (PNG) or tenths of a millimetre (SVG).",
    ),
    "border": Query(
        ge=images.MIN_BORDER, le=images.MAX_BORDER, description="Quiet zone in modules (>= 4)."
    ),
}


def _image(
    request: Request,
    session: DbSession,
    jti: str,
    kind: Literal["svg", "png"],
    module: int,
    border: int,
    error_correction: images.ErrorCorrection,
) -> Response:
    issued = service.get(session, jti)
    tag = _image_etag(jti, issued.version, kind, module, border, error_correction.value)
    # no-store: a case-bound code is a key to a personalised leaflet; keep no copy.
    headers = {"ETag": tag, "Cache-Control": "no-store"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    draw = images.svg if kind == "svg" else images.png
    content = draw(issued.url, level=error_correction, module=module, border=border)
    media_type = "image/svg+xml" if kind == "svg" else "image/png"
    return Response(content, media_type=media_type, headers=headers)


@router.get(
    "/{jti:jti}/image.svg",
    summary="The QR code as SVG",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}, "description": "SVG"},
        304: {"description": "Not modified."},
        **problem_responses(401, 403, 404),
    },
)
def get_qr_token_svg(
    request: Request,
    jti: JtiPath,
    caller: Reader,
    session: DbSession,
    module: Annotated[int, _IMAGE_PARAMS["module"]] = 5,
    border: Annotated[int, _IMAGE_PARAMS["border"]] = images.MIN_BORDER,
    error_correction: Annotated[images.ErrorCorrection, Query()] = images.ErrorCorrection.Q,
) -> Response:
    """A print-ready SVG (white background, viewBox). Error correction defaults to Q."""
    return _image(request, session, jti, "svg", module, border, error_correction)


@router.get(
    "/{jti:jti}/image.png",
    summary="The QR code as PNG",
    response_class=Response,
    responses={
        200: {
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
            "description": "PNG",
        },
        304: {"description": "Not modified."},
        **problem_responses(401, 403, 404),
    },
)
def get_qr_token_png(
    request: Request,
    jti: JtiPath,
    caller: Reader,
    session: DbSession,
    module: Annotated[int, _IMAGE_PARAMS["module"]] = 8,
    border: Annotated[int, _IMAGE_PARAMS["border"]] = images.MIN_BORDER,
    error_correction: Annotated[images.ErrorCorrection, Query()] = images.ErrorCorrection.Q,
) -> Response:
    """A PNG for screens. Error correction defaults to Q."""
    return _image(request, session, jti, "png", module, border, error_correction)


@router.post(
    "/batch",
    summary="Issue QR tokens for a print run",
    response_class=Response,
    responses={
        200: {
            "description": "A ZIP of SVGs and `manifest.csv` (jti, file, url, expires_at).",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(401, 403, 409),
    },
)
def create_qr_token_batch(
    body: QrBatchCreate,
    caller: Issuer,
    session: DbSession,
    keys: KeysDep,
    settings: SettingsDep,
) -> Response:
    """Up to 500 tokens at once, unbound (`count`) or one per case (`case_ids`)."""
    case_ids: list[str | None] = (
        [str(c) for c in body.case_ids]
        if isinstance(body, QrBatchForCases)
        else [None] * body.count
    )
    buffer = io.BytesIO()
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(["jti", "file", "url", "expires_at", "case_id"])
    issued_tokens = service.issue_many(
        session,
        caller,
        keys,
        settings,
        leaflet_slug=body.leaflet_slug,
        language=body.language,
        case_ids=case_ids,
        lifetime_days=body.lifetime_days,
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for issued in issued_tokens:
            name = f"qr-{issued.jti}.svg"
            archive.writestr(
                name, images.svg(issued.url, level=images.ErrorCorrection.Q, module=5, border=4)
            )
            writer.writerow(
                [issued.jti, name, issued.url, issued.expires_at.isoformat(), issued.case_id or ""]
            )
        archive.writestr("manifest.csv", manifest.getvalue())
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="qr-tokens.zip"'},
    )


@router.delete(
    "/{jti:jti}",
    summary="Revoke a QR token",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 412, 428),
)
def delete_qr_token(
    jti: JtiPath, caller: Revoker, session: DbSession, if_match: IfMatch = None
) -> Response:
    """Withdraw a token (say, a leaflet was lost). Every process honours it at once;
    resolving it then answers `qr_token_revoked`. Needs `If-Match`."""
    service.get(session, jti)  # 404 before 428/412: say "not there" first
    service.revoke(session, caller, jti, expected_version(if_match))
    return Response(status_code=204)


@router.post(
    "/resolve",
    summary="Open the leaflet behind a QR code",
    response_model=QrResolved,
    dependencies=[PUBLIC],
    responses=problem_responses(404, 410, 429),
)
def resolve_qr_token(
    request: Request,
    body: QrResolveRequest,
    # Reads only; its DISCLOSURE entry is appended after, grouped with other scans'.
    session: AuditedReadSession,
    keys: KeysDep,
    settings: SettingsDep,
) -> Response:
    """Public, for the web page behind the QR code; rate-limited per address.

    Verifies the signature, kid, typ, aud, exp and revocation. An expired,
    revoked or forged token answers `qr_token_expired`, `qr_token_revoked` or
    `qr_token_invalid` (410, 410 and 404), so the page can say "ask for a new leaflet".
    Returns the leaflet itself, rendered as `GET /v1/leaflets/{slug}` renders it;
    a leaflet no longer published answers 404 `leaflet_not_found`.
    """
    address = request.client.host if request.client else "-"
    # Counted in memory and added to the shared counter ten at a time (not a write
    # per scan); across processes the limit may lag by under ten per process.
    shared_limiter(
        request.app.state, "qr-resolve", limit=settings.qr_resolve_rate_limit_per_minute
    ).hit(bucket_key("qr-resolve", address))
    verified = service.verify_token(session, keys, settings, body.token)
    personal = (
        service.personalisation_for_case(session, public_caller(request), verified.case_id)
        if verified.case_id
        else None
    )
    leaflet = leaflets.render_personalised(
        session,
        verified.leaflet_slug,
        [body.language, verified.language],
        personal.slot_values if personal else None,
        accept_language=request.headers.get("accept-language"),
    )
    return JSONResponse(
        {
            "leaflet_slug": verified.leaflet_slug,
            "language": leaflet["language"],
            "expires_at": verified.expires_at,
            "case_updates": {
                "available": verified.case_id is not None,
                "how": "To see updates on your case, verify with your crime reference number, "
                "date of birth and PIN (POST /v1/victim-sessions).",
            },
            "leaflet": leaflet,
            "support_services": personal.support_services if personal else [],
        },
        headers={"Cache-Control": "no-store"},
    )
