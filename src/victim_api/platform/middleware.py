"""The one ASGI middleware every request passes through.

It is written as plain ASGI (not ``BaseHTTPMiddleware``) because it sits on
every hot path. In order, it:

1. accepts a valid ``X-Request-ID`` or mints one, and binds it to every log line;
2. refuses bodies over the cap with 413, counting streamed bytes too, so a
   chunked body with no ``Content-Length`` is capped as well (a few bulk
   paths have a cap of their own, ``body_limits``);
3. adds the security headers and a default ``Cache-Control: no-store``;
4. writes one access line: method, route template (never the raw path, which
   could carry ids), status and duration, and records the same in the
   Prometheus request metrics (``platform.metrics``).

:class:`PublicCorsMiddleware` is separate and path-scoped: it opens chosen
public prefixes to every web origin and leaves every other path alone.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from victim_api.platform.errors import problem_document
from victim_api.platform.jsonutil import dumps
from victim_api.platform.metrics import observe_request

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
DEFAULT_CSP = b"frame-ancestors 'none'"

access_log = structlog.get_logger("victim_api.access")
error_log = structlog.get_logger("victim_api.errors")


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the streamed body passes the cap."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        problem_base_url: str,
        body_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.problem_base_url = problem_base_url
        # Exact paths allowed a different cap (bulk endpoints).
        self.body_limits = dict(body_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status_holder = [0]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                message["headers"] = _with_default_headers(message.get("headers", []), request_id)
            await send(message)

        cap = self.body_limits.get(scope["path"], self.max_body_bytes)
        try:
            declared = _content_length(scope)
            if declared is not None and declared > cap:
                await self._send_problem(
                    scope,
                    send_with_headers,
                    413,
                    "content_too_large",
                    "The request body is larger than this service accepts.",
                )
                return
            await self.app(scope, self._capped(receive, cap), send_with_headers)
        except Exception as exc:
            # Caught here, inside the request-id scope, so even a 500 carries
            # X-Request-ID and the security headers. The traceback is logged
            # (redacted) and never sent.
            error_log.error("unhandled_exception", exc_info=exc)
            if status_holder[0]:
                raise
            await self._send_problem(
                scope,
                send_with_headers,
                500,
                "internal_error",
                "Something went wrong on our side. It has been logged.",
            )
        finally:
            route = getattr(scope.get("route"), "path", None) or "<unmatched>"
            status = status_holder[0] or 500
            seconds = time.perf_counter() - started_at
            access_log.info(
                "request",
                method=scope["method"],
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )
            observe_request(scope["method"], route, status, seconds)
            structlog.contextvars.clear_contextvars()

    def _capped(self, receive: Receive, cap: int) -> Receive:
        received = 0

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge()
            return message

        return capped_receive

    async def _send_problem(
        self, scope: Scope, send: Send, status: int, code: str, detail: str
    ) -> None:
        body = dumps(
            problem_document(
                base_url=self.problem_base_url,
                status=status,
                code=code,
                detail=detail,
                instance=scope["path"],
                request_id=scope["state"]["request_id"],
            )
        )
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if status == 413:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            if _VALID_REQUEST_ID.match(value):
                return str(value.decode("ascii"))
            break
    return uuid.uuid4().hex


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _with_default_headers(headers: Any, request_id: str) -> list[tuple[bytes, bytes]]:
    result = list(headers)
    present = {name.lower() for name, _ in result}
    result.append((REQUEST_ID_HEADER, request_id.encode("ascii")))
    result.extend(h for h in SECURITY_HEADERS if h[0] not in present)
    if b"content-security-policy" not in present:
        result.append((b"content-security-policy", DEFAULT_CSP))
    if b"cache-control" not in present:
        result.append((b"cache-control", b"no-store"))
    return result


class PublicCorsMiddleware:
    """``Access-Control-Allow-Origin: *`` on every response under ``prefixes``.

    Added outside :class:`RequestContextMiddleware`, so errors (a 404, a 429, even
    a 500) carry the header too; answers CORS preflight (``OPTIONS`` with
    ``Access-Control-Request-Method``) under the prefixes with 204. Only for
    public, credential-free routes: other paths are passed through untouched.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefixes: tuple[str, ...],
        allow_headers: tuple[str, ...] = ("If-None-Match", "X-Request-ID"),
        expose_headers: tuple[str, ...] = ("ETag", "Retry-After", "X-Request-ID"),
        max_age: int = 86400,
    ) -> None:
        self.app = app
        self.prefixes = tuple(p.rstrip("/") for p in prefixes)
        self.response_headers = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", ", ".join(expose_headers).encode()),
        ]
        self.preflight_headers = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
            (b"access-control-allow-headers", ", ".join(allow_headers).encode()),
            (b"access-control-max-age", str(max_age).encode()),
            (b"cache-control", b"public, max-age=" + str(max_age).encode()),
            (b"content-length", b"0"),
        ]

    def _covers(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._covers(scope["path"]):
            await self.app(scope, receive, send)
            return
        if _is_preflight(scope):
            await send(
                {"type": "http.response.start", "status": 204, "headers": self.preflight_headers}
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h for h in message.get("headers", []) if not h[0].startswith(b"access-control-")
                ]
                message["headers"] = headers + self.response_headers
            await send(message)

        await self.app(scope, receive, send_with_cors)


class AllowedOriginsCorsMiddleware:
    """CORS for the browser-facing API: only the configured web origins.

    The online leaflet and victim self-service run in a browser on the force's
    own site; ``VICTIM_API_CORS_ORIGINS`` names those origins, and no other
    origin is ever told it may read a response. Paths under ``public_prefixes``
    (the Open Referral feed, open to every origin) are left to
    :class:`PublicCorsMiddleware`, so no response carries two answers.
    """

    def __init__(
        self, app: ASGIApp, *, origins: list[str], public_prefixes: tuple[str, ...]
    ) -> None:
        from starlette.middleware.cors import CORSMiddleware

        self.app = app
        # No configured origin: no cross-origin access at all, and no `Vary: Origin`.
        self.enabled = bool(origins)
        self.public_prefixes = tuple(p.rstrip("/") for p in public_prefixes)
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Accept-Language",
                "Idempotency-Key",
                "If-Match",
                "If-None-Match",
                "X-Purpose",
                "X-Request-ID",
            ],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            not self.enabled
            or scope["type"] != "http"
            or any(path == p or path.startswith(p + "/") for p in self.public_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        if _is_preflight(scope) and not self.cors.is_allowed_origin(_origin(scope)):
            # Starlette refuses it (400) but still lists the allowed methods and
            # headers; a stranger learns nothing, not even those.
            await self.cors(scope, receive, _without_cors_headers(send))
            return
        await self.cors(scope, receive, send)


def _is_preflight(scope: Scope) -> bool:
    return scope["method"] == "OPTIONS" and any(
        name == b"access-control-request-method" for name, _ in scope["headers"]
    )


def _origin(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"origin":
            return str(value.decode("latin-1"))
    return ""


def _without_cors_headers(send: Send) -> Send:
    async def send_without(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [
                h for h in message.get("headers", []) if not h[0].startswith(b"access-control-")
            ]
        await send(message)

    return send_without
