"""``POST /v1/oauth/token`` (RFC 6749 §4.4) and ``GET /.well-known/jwks.json``.

The token endpoint is the one place whose errors are RFC 6749 §5.2 JSON
(``{"error": "invalid_client"}``) rather than problem+json, because OAuth2
client libraries expect that shape.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import structlog
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.datastructures import FormData
from starlette.responses import Response

from victim_api.platform.clients import ApiClient, authenticate_client
from victim_api.platform.errors import problem_responses
from victim_api.platform.jsonutil import JSONResponse
from victim_api.platform.policy import PUBLIC, access_token_kind
from victim_api.platform.principal import Channel
from victim_api.platform.ratelimit import bucket_key, hit
from victim_api.platform.tokens import SignedToken, sign

router = APIRouter(tags=["access"])
log = structlog.get_logger(__name__)

ACTING_USER = re.compile(r"^[A-Za-z0-9._@-]{1,128}$")
ACTING_USER_CHANNELS = frozenset({Channel.STAFF, Channel.PHONE})
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class TokenResponse(BaseModel):
    access_token: str = Field(description="A signed JWT (`typ` `at+jwt`, ES256).")
    token_type: str = Field(description="Always `Bearer`.", examples=["Bearer"])
    expires_in: int = Field(description="Seconds until the token expires.", examples=[900])
    scope: str = Field(description="The granted scopes, space-separated.")


class OAuthError(BaseModel):
    error: str = Field(
        description="RFC 6749 §5.2 code: `invalid_request`, `invalid_client`, `invalid_scope`, "
        "`unauthorized_client` or `unsupported_grant_type`."
    )
    error_description: str | None = None


class JsonWebKey(BaseModel):
    kty: str
    crv: str
    x: str
    y: str
    kid: str
    alg: str
    use: str


class JsonWebKeySet(BaseModel):
    keys: list[JsonWebKey]


_TOKEN_FORM: dict[str, Any] = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["grant_type"],
                "properties": {
                    "grant_type": {"type": "string", "enum": ["client_credentials"]},
                    "scope": {
                        "type": "string",
                        "maxLength": 1000,
                        "description": "Space-separated scopes; default: all of the client's.",
                    },
                    "client_id": {
                        "type": "string",
                        "maxLength": 64,
                        "description": "When not using HTTP Basic.",
                    },
                    "client_secret": {
                        "type": "string",
                        "maxLength": 200,
                        "description": "When not using HTTP Basic.",
                    },
                    "acting_user": {
                        "type": "string",
                        "pattern": ACTING_USER.pattern,
                        "description": "STAFF and PHONE (agent) front ends: the staff identifier "
                        "of the person using it, recorded as the actor in the audit trail.",
                    },
                },
            }
        }
    },
}
_OAUTH_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/OAuthError"}}}


def _oauth_error(status: int, error: str, description: str, basic: bool = False) -> Response:
    headers = dict(_NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="victim-api"' if basic else "Bearer"
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers=headers
    )


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before Basic encoding.
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


@router.post(
    "/v1/oauth/token",
    summary="Get an access token",
    response_model=TokenResponse,
    dependencies=[PUBLIC],
    openapi_extra={"requestBody": _TOKEN_FORM, "x-error-format": "oauth2"},
    responses={
        400: {"description": "RFC 6749 §5.2 error.", "content": _OAUTH_ERROR},
        401: {
            "description": "`invalid_client`: unknown, disabled or wrong secret.",
            "content": _OAUTH_ERROR,
        },
        **problem_responses(413, 429),
    },
)
async def create_access_token(request: Request) -> Response:
    """OAuth2 client credentials grant (RFC 6749 §4.4).

    Authenticate the client with HTTP Basic **or** `client_id`/`client_secret`
    form fields (not both). The token is a JWT signed with ES256 carrying `iss`,
    `aud`, `sub` (the client), `iat`, `exp`, `jti`, `scope`, `channel`, `org`
    and, when given, `acting_user`. Errors on this endpoint only are RFC 6749
    §5.2 JSON.
    """
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        return _oauth_error(400, "invalid_request", "Send the request form-encoded.")
    form = await request.form()
    basic = _basic_credentials(request.headers.get("authorization"))
    problem = _check_form(form, basic)
    if problem is not None:
        return problem
    client_id, secret = basic or (
        str(form.get("client_id", "")),
        str(form.get("client_secret", "")),
    )
    settings = request.app.state.settings
    database = request.app.state.database
    address = request.client.host if request.client else "-"
    await run_in_threadpool(
        hit,
        database,
        bucket_key("oauth-token", client_id, address),
        limit=settings.token_rate_limit_per_minute,
        window_seconds=60,
    )
    client = await run_in_threadpool(
        _authenticate, database, client_id, secret, settings.secret_pepper
    )
    if client is None:
        return _oauth_error(
            401, "invalid_client", "Client authentication failed.", basic=bool(basic)
        )
    return await run_in_threadpool(_issue, request, client, form)


def _check_form(form: FormData, basic: tuple[str, str] | None) -> Response | None:
    grant_type = form.get("grant_type")
    if not grant_type:
        return _oauth_error(400, "invalid_request", "grant_type is required.")
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
    in_form = "client_id" in form or "client_secret" in form
    if basic is not None and in_form:
        return _oauth_error(400, "invalid_request", "Use one client authentication method.")
    if basic is None and not (form.get("client_id") and form.get("client_secret")):
        return _oauth_error(401, "invalid_client", "Client authentication is required.")
    acting_user = form.get("acting_user")
    if acting_user is not None and not ACTING_USER.match(str(acting_user)):
        return _oauth_error(400, "invalid_request", "acting_user is not a valid staff identifier.")
    return None


def _authenticate(database: Any, client_id: str, secret: str, pepper: str) -> ApiClient | None:
    with database.transaction() as session:
        client = authenticate_client(session, client_id, secret, pepper)
        if client is not None:
            session.expunge(client)
        return client


def _issue(request: Request, client: ApiClient, form: FormData) -> Response:
    settings = request.app.state.settings
    channel = Channel(client.channel)
    requested = str(form.get("scope") or "").split()
    granted = set(requested) if requested else set(client.scopes)
    if not granted <= set(client.scopes):
        return _oauth_error(400, "invalid_scope", "The client may not hold a requested scope.")
    acting_user = form.get("acting_user")
    if acting_user and channel not in ACTING_USER_CHANNELS:
        return _oauth_error(
            400, "invalid_request", "acting_user is only for STAFF and PHONE clients."
        )
    signed = sign_access_token(
        request,
        client,
        granted,
        lifetime_seconds=settings.access_token_ttl_seconds,
        acting_user=str(acting_user) if acting_user else None,
    )
    return JSONResponse(
        {
            "access_token": signed.token,
            "token_type": "Bearer",
            "expires_in": settings.access_token_ttl_seconds,
            "scope": " ".join(sorted(granted)),
        },
        headers=_NO_STORE,
    )


def sign_access_token(
    request: Request,
    client: ApiClient,
    scopes: set[str],
    *,
    lifetime_seconds: int,
    acting_user: str | None = None,
) -> SignedToken:
    """An access token for ``client`` holding ``scopes`` (the caller checked they are its)."""
    settings = request.app.state.settings
    claims: dict[str, Any] = {
        "scope": " ".join(sorted(scopes)),
        "channel": client.channel,
        "org": client.organisation_id,
    }
    if acting_user:
        claims["acting_user"] = acting_user
    signed = sign(
        request.app.state.keys,
        access_token_kind(settings.access_token_audience),
        issuer=settings.token_issuer,
        subject=client.client_id,
        lifetime=timedelta(seconds=lifetime_seconds),
        claims=claims,
    )
    log.info("access_token_issued", client_id=client.client_id, channel=client.channel)
    return signed


@router.get(
    "/.well-known/jwks.json",
    summary="Public signing keys (JWKS)",
    response_model=JsonWebKeySet,
    dependencies=[PUBLIC],
)
def get_jwks(request: Request) -> Response:
    """The public keys that verify access tokens and QR tokens (RFC 7517), including
    retired keys whose tokens may still be valid. Private keys are never published.
    Cache for up to 5 minutes; refetch on an unknown `kid`."""
    return JSONResponse(
        request.app.state.keys.jwks(), headers={"Cache-Control": "public, max-age=300"}
    )
