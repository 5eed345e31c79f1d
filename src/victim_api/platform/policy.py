"""Route policies: every route declares who may call it, through one dependency.

    caller: Annotated[Caller, requires(Channel.STAFF, scopes=[CASES_READ], purpose="VICTIM_CARE")]

Public routes say so explicitly with ``dependencies=[PUBLIC]``. A test walks
``app.routes`` and fails on any route without a policy.

Outcomes: no token is 401 (``WWW-Authenticate: Bearer``); a bad, expired or
revoked token, or a disabled client, is 401 ``invalid_token``; a valid caller on
the wrong channel or without the scopes is 403.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2
from starlette.concurrency import run_in_threadpool

from victim_api.platform.clients import ApiClient
from victim_api.platform.db import Database
from victim_api.platform.errors import ProblemError
from victim_api.platform.keys import KeyPurpose, KeyStore
from victim_api.platform.principal import Caller, Channel, Principal
from victim_api.platform.routes import api_routes as api_routes
from victim_api.platform.tokens import (
    SignedToken,
    TokenError,
    TokenKind,
    sign,
    unverified_header,
    verify,
)

ACCESS_TOKEN_TYP = "at+jwt"  # noqa: S105 - RFC 9068 media type, not a secret
# A victim session is signed with the access keys but has its own ``typ``, so it
# can never be used as a client's access token, nor the reverse.
VICTIM_SESSION_TYP = "victim-session+jwt"
PURPOSE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{2,63}$")

oauth2_scheme = OAuth2(
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl="/v1/oauth/token")),
    scheme_name="OAuth2",
    description="OAuth2 client credentials (RFC 6749 §4.4). Each scope names the channels "
    "that may hold it; `victim-api clients create` refuses any other. Access tokens are JWS "
    "(`typ` `at+jwt`, RFC 9068) that follow the JWT best current practices of RFC8725: one "
    "pinned algorithm (ES256) per key, `alg` `none` and algorithm switching refused, `typ`, "
    "`kid`, `iss`, `aud`, `exp` and `jti` always checked, and no key taken from the token "
    "(`jku`, `x5u`, `jwk` and `crit` are refused). Keys are published at "
    "`/.well-known/jwks.json`.",
    auto_error=False,
)


victim_session_scheme = HTTPBearer(
    scheme_name="VictimSession",
    bearerFormat="JWT",
    description="A victim session token from `POST /v1/victim-sessions`: short-lived, and "
    "scoped to one verified victim and their case. Only `/v1/me/...` operations accept it; "
    "a client access token is refused there (403 `victim_session_required`). A JWS signed "
    "with the access-token keys under its own `typ` (`victim-session+jwt`), verified exactly "
    "as access tokens are, following RFC8725.",
    auto_error=False,
)


def access_token_kind(audience: str) -> TokenKind:
    return TokenKind(purpose=KeyPurpose.ACCESS, typ=ACCESS_TOKEN_TYP, audience=audience)


def victim_session_kind(audience: str) -> TokenKind:
    return TokenKind(purpose=KeyPurpose.ACCESS, typ=VICTIM_SESSION_TYP, audience=audience)


class UnauthenticatedError(ProblemError):
    def __init__(self, *, invalid: bool) -> None:
        challenge = 'Bearer error="invalid_token"' if invalid else "Bearer"
        super().__init__(
            401,
            "invalid_token" if invalid else "unauthorized",
            "The access token is invalid or expired."
            if invalid
            else "An access token is required: send `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": challenge},
        )


class ForbiddenError(ProblemError):
    def __init__(self, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(403, code, detail, headers=headers)


class RoutePolicy:
    """Base of every policy; the route-walking test looks for instances of it."""

    public = False
    channels: frozenset[Channel] = frozenset()
    scopes: frozenset[str] = frozenset()
    purpose = "NONE"


class PublicPolicy(RoutePolicy):
    """Explicitly public: anyone may call; nothing personal may be served."""

    public = True

    async def __call__(self) -> None:
        # async: nothing to do, so FastAPI need not send it to the threadpool.
        return None


PUBLIC = Depends(PublicPolicy())


class Policy(RoutePolicy):
    def __init__(self, channels: Iterable[Channel], scopes: Iterable[str], purpose: str) -> None:
        if not PURPOSE_PATTERN.match(purpose):
            raise ValueError(f"bad default purpose {purpose!r}")
        self.channels = frozenset(channels)
        self.scopes = frozenset(scopes)
        self.purpose = purpose
        if not self.channels:
            raise ValueError("a policy must allow at least one channel")

    # async, with the database touched only through the threadpool on a cache miss:
    # a sync dependency costs every request a threadpool round trip (docs/performance.md).
    async def __call__(
        self,
        request: Request,
        authorization: Annotated[str | None, Depends(oauth2_scheme)],
        x_purpose: Annotated[
            str | None,
            Header(
                description="Why the data is being accessed (DPA 2018 s62), e.g. "
                "`VICTIM_CARE`. Defaults to the operation's declared purpose.",
                pattern=PURPOSE_PATTERN.pattern,
            ),
        ] = None,
    ) -> Caller:
        principal = await authenticate(request, authorization)
        if principal.channel not in self.channels:
            raise ForbiddenError(
                "channel_not_allowed",
                f"This operation is not available to the {principal.channel} channel.",
            )
        if not principal.has_scopes(self.scopes):
            needed = " ".join(sorted(self.scopes))
            raise ForbiddenError(
                "insufficient_scope",
                f"This operation needs the scope(s): {needed}.",
                headers={
                    "WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{needed}"'
                },
            )
        return Caller(
            principal=principal,
            purpose=x_purpose or self.purpose,
            request_id=request.scope.get("state", {}).get("request_id", "-"),
        )


def requires(*channels: Channel, scopes: Iterable[str] = (), purpose: str) -> Any:
    """The dependency a route declares: channels and scopes allowed, and the default purpose."""
    policy = Policy(channels, scopes, purpose)
    return Security(policy, scopes=sorted(policy.scopes))


async def authenticate(request: Request, authorization: str | None) -> Principal:
    """Verify an access token and return its principal, or raise 401."""
    if not authorization:
        raise UnauthenticatedError(invalid=False)
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise UnauthenticatedError(invalid=False)
    settings = request.app.state.settings
    try:
        claims = await _verified(
            request, access_token_kind(settings.access_token_audience), token.strip()
        )
        channel = Channel(claims["channel"])
        client = await _active_client(request, str(claims["sub"]))
    except (TokenError, KeyError, ValueError) as exc:
        raise UnauthenticatedError(invalid=True) from exc
    if client is None or client.channel != channel.value:
        raise UnauthenticatedError(invalid=True)
    granted = frozenset(str(claims.get("scope", "")).split())
    return Principal(
        client_id=client.client_id,
        channel=channel,
        # A scope withdrawn from the client since issue stops working at once.
        scopes=granted & frozenset(client.scopes),
        organisation_id=client.organisation_id,
        acting_user=claims.get("acting_user"),
        token_id=str(claims["jti"]),
    )


async def _verified(request: Request, kind: TokenKind, token: str) -> dict[str, Any]:
    """``verify`` on the event loop when the keys are in memory, else in the threadpool.

    A key refresh reads the database. On the event loop it would wait for a
    pooled connection, and the requests holding them wait for the event loop.
    """
    settings = request.app.state.settings
    keys: KeyStore = request.app.state.keys
    check = functools.partial(
        verify,
        keys,
        kind,
        token,
        issuer=settings.token_issuer,
        leeway_seconds=settings.token_leeway_seconds,
    )
    if keys.holds(_kid_of(token)):
        return check()
    return await run_in_threadpool(check)


def _kid_of(token: str) -> str | None:
    try:
        kid = unverified_header(token).get("kid")
    except TokenError:
        return None
    return kid if isinstance(kid, str) else None


async def _active_client(request: Request, client_id: str) -> ApiClient | None:
    """The client if it is active, from the per-process cache or the database."""
    cache: dict[str, tuple[float, ApiClient | None]] = request.app.state.client_cache
    ttl = request.app.state.settings.client_cache_seconds
    cached = cache.get(client_id)
    if ttl and cached and time.monotonic() - cached[0] < ttl:
        return cached[1]
    client = await run_in_threadpool(_load_active_client, request.app.state.database, client_id)
    if ttl:
        cache[client_id] = (time.monotonic(), client)
    return client


def _load_active_client(database: Database, client_id: str) -> ApiClient | None:
    with database.read_session() as session:
        client: ApiClient | None = session.get(ApiClient, client_id)
    return client if client is not None and client.active else None


class VictimSessionPolicy(RoutePolicy):
    """Routes for a verified victim (``/v1/me/...``): a victim session token only.

    The caller's principal carries ``victim_id`` and ``case_id``; services must
    read nothing else. A valid *client* access token here is 403
    ``victim_session_required``; anything else invalid is 401.
    """

    victim_session = True

    def __init__(self, channels: Iterable[Channel], purpose: str) -> None:
        if not PURPOSE_PATTERN.match(purpose):
            raise ValueError(f"bad default purpose {purpose!r}")
        self.channels = frozenset(channels)
        self.purpose = purpose
        if not self.channels:
            raise ValueError("a policy must allow at least one channel")

    async def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(victim_session_scheme)],
    ) -> Caller:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise UnauthenticatedError(invalid=False)
        principal = await authenticate_victim_session(request, credentials.credentials.strip())
        if principal.channel not in self.channels:
            raise ForbiddenError(
                "channel_not_allowed",
                f"This operation is not available to the {principal.channel} channel.",
            )
        return Caller(
            principal=principal,
            purpose=self.purpose,
            request_id=request.scope.get("state", {}).get("request_id", "-"),
        )


def requires_victim_session(*channels: Channel, purpose: str) -> Any:
    """The dependency of a ``/v1/me/...`` route: a verified victim through these channels."""
    return Depends(VictimSessionPolicy(channels, purpose))


async def authenticate_victim_session(request: Request, token: str) -> Principal:
    """The victim principal of a session token, or 401 (403 for a client access token)."""
    kind = victim_session_kind(request.app.state.settings.access_token_audience)
    try:
        claims = await _verified(request, kind, token)
        channel = Channel(claims["channel"])
        victim_id, case_id = str(claims["vid"]), str(claims["cid"])
        client = await _active_client(request, str(claims["sub"]))
    except (TokenError, KeyError, ValueError) as exc:
        if await _is_client_access_token(request, token):
            raise ForbiddenError(
                "victim_session_required",
                "This operation needs a victim session token from POST /v1/victim-sessions, "
                "not a client access token.",
            ) from exc
        raise UnauthenticatedError(invalid=True) from exc
    if client is None or client.channel != channel.value:
        raise UnauthenticatedError(invalid=True)
    principal = Principal(
        client_id=client.client_id,
        channel=channel,
        scopes=frozenset(),
        token_id=str(claims["jti"]),
        victim_id=victim_id,
        case_id=case_id,
    )
    # A domain may end sessions early (sign-out, lockout): it installs a check.
    still_valid = getattr(request.app.state, "victim_session_check", None)
    if still_valid is not None and not await run_in_threadpool(
        still_valid, request.app.state.database, principal
    ):
        raise UnauthenticatedError(invalid=True)
    return principal


async def _is_client_access_token(request: Request, token: str) -> bool:
    try:
        await authenticate(request, f"Bearer {token}")
    except UnauthenticatedError:
        return False
    return True


def sign_victim_session(
    request: Request, *, client_id: str, channel: Channel, victim_id: str, case_id: str
) -> SignedToken:
    """Sign a session for a victim who has just been verified by ``client_id``."""
    return sign_victim_session_with(
        request.app.state.keys,
        request.app.state.settings,
        client_id=client_id,
        channel=channel,
        victim_id=victim_id,
        case_id=case_id,
    )


def sign_victim_session_with(
    keys: Any, settings: Any, *, client_id: str, channel: Channel, victim_id: str, case_id: str
) -> SignedToken:
    """The same, from the key store and settings (for tools and tests with no request)."""
    return sign(
        keys,
        victim_session_kind(settings.access_token_audience),
        issuer=settings.token_issuer,
        subject=client_id,
        lifetime=timedelta(seconds=settings.victim_session_ttl_seconds),
        claims={"channel": channel.value, "vid": victim_id, "cid": case_id},
    )


def route_policies(route: Any) -> list[RoutePolicy]:
    """Every policy declared on a route, found by walking its dependency tree."""
    found: list[RoutePolicy] = []
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, RoutePolicy):
            found.append(dependant.call)
        stack.extend(dependant.dependencies)
    return found
