"""RFC 9457 problem details: the one shape of every 4xx and 5xx answer.

Services raise :class:`ProblemError` (or a subclass) with a stable ``code``;
the handlers here turn it, framework errors and unexpected exceptions into
``application/problem+json``. Nothing here ever puts request data, personal
data or a traceback into a response.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from victim_api.platform.jsonutil import dumps

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    """One problem with one input field."""

    model_config = ConfigDict(extra="forbid")

    location: str = Field(
        description="Where the problem is, as a JSON Pointer into the request part "
        "named first: `/body/given_name`, `/query/limit`, `/header/if-match`.",
        examples=["/body/limit"],
    )
    message: str = Field(description="What is wrong, in plain English.")
    code: str = Field(description="A stable machine-readable code for the error.")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem; stable per `code`.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.", ge=400, le=599)
    detail: str = Field(description="An explanation of this occurrence, safe to show.")
    instance: str = Field(description="The path of the request that failed (no query).")
    code: str = Field(description="A stable machine-readable code, e.g. `not_found`.")
    request_id: str | None = Field(
        default=None, description="The request's `X-Request-ID`, to quote to support."
    )
    errors: list[FieldError] = Field(
        default_factory=list, description="Field-level problems, for validation errors."
    )


class ProblemError(Exception):
    """An error that becomes a problem response. Raise it from services and routers."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


class NotFoundError(ProblemError):
    def __init__(self, detail: str = "The resource does not exist.") -> None:
        super().__init__(404, "not_found", detail)


class ConflictError(ProblemError):
    def __init__(self, code: str, detail: str, **kwargs: Any) -> None:
        super().__init__(409, code, detail, **kwargs)


class InvalidInputError(ProblemError):
    def __init__(self, detail: str, errors: Sequence[FieldError] = (), **kwargs: Any) -> None:
        super().__init__(422, "validation_failed", detail, errors=errors, **kwargs)


class ServiceUnavailableError(ProblemError):
    def __init__(self, code: str, detail: str, retry_after: int = 5) -> None:
        super().__init__(503, code, detail, headers={"Retry-After": str(retry_after)})


def _default_code(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        406: "not_acceptable",
        409: "conflict",
        412: "precondition_failed",
        413: "content_too_large",
        415: "unsupported_media_type",
        422: "validation_failed",
        428: "precondition_required",
        429: "rate_limited",
        500: "internal_error",
        503: "service_unavailable",
    }.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_"))


def problem_document(
    *,
    base_url: str,
    status: int,
    code: str,
    detail: str,
    instance: str,
    request_id: str | None,
    title: str | None = None,
    errors: Iterable[FieldError] = (),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The problem body. ``instance`` is the request path, which never holds personal data."""
    body: dict[str, Any] = {
        "type": f"{base_url}{code}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "request_id": request_id,
        "errors": [e.model_dump() for e in errors],
    }
    if extra:
        body.update({k: v for k, v in extra.items() if k not in body})
    return body


def problem_response(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    errors: Iterable[FieldError] = (),
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    body = problem_document(
        base_url=getattr(request.app.state, "problem_base_url", "about:blank#"),
        status=status,
        code=code,
        detail=detail,
        instance=request.url.path,
        request_id=request.scope.get("state", {}).get("request_id"),
        title=title,
        errors=errors,
        extra=extra,
    )
    return Response(
        dumps(body),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


# Words that name the input instead of describing it: we keep pydantic's message
# but never echo the rejected value (it may be personal data).
def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        if loc and loc[0] == "body" and err.get("type") == "json_invalid":
            errors.append(
                FieldError(location="/body", message="Malformed JSON.", code="json_invalid")
            )
            continue
        pointer = "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in loc)
        errors.append(
            FieldError(
                location=pointer,
                message=str(err.get("msg", "Invalid value.")),
                code=str(err.get("type", "invalid")),
            )
        )
    return errors


async def _handle_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request,
        exc.status,
        exc.code,
        exc.detail,
        title=exc.title,
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _handle_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    if any(e.code == "json_invalid" for e in errors):
        return problem_response(
            request, 400, "malformed_json", "The request body is not valid JSON.", errors=errors
        )
    return problem_response(
        request, 422, "validation_failed", "The request has invalid fields.", errors=errors
    )


_HTTP_DETAILS = {
    404: "There is nothing at this path.",
    405: "This path does not support that method.",
    413: "The request body is larger than this service accepts.",
}


async def _handle_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    detail = _HTTP_DETAILS.get(status) or (
        exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    )
    code = _default_code(status)
    if status == 400 and "parsing the body" in str(exc.detail):
        code, detail = "malformed_body", "The request body could not be read."
    headers = dict(exc.headers or {})
    if status == 405:
        # Starlette names only the first route that matched the path; a path served
        # by several routes (GET and POST, say) allows all of their methods.
        headers["Allow"] = ", ".join(_allowed_methods(request)) or headers.get("Allow", "")
    return problem_response(request, status, code, detail, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    from fastapi.routing import iter_route_contexts

    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        regex, route_methods = getattr(route, "path_regex", None), route.methods
        if regex is not None and route_methods and regex.match(request.scope["path"]):
            methods |= set(route_methods)
    return sorted(methods)


async def _handle_database_error(request: Request, exc: Exception) -> Response:
    if _is_outage(exc):
        return problem_response(
            request,
            503,
            "database_unavailable",
            "The database is unavailable. Nothing was changed; try again shortly.",
            headers={"Retry-After": "5"},
        )
    # Anything else (a constraint violation, say) is a bug: a plain 500, logged.
    structlog.get_logger("victim_api.errors").error("database_error", exc_info=exc)
    return problem_response(
        request, 500, "internal_error", "Something went wrong on our side. It has been logged."
    )


def _is_outage(exc: Exception) -> bool:
    if isinstance(exc, (DisconnectionError, PoolTimeoutError, OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def install_problem_handlers(app: FastAPI) -> None:
    """Problem handlers for our errors and the framework's. Unexpected exceptions
    are turned into a 500 problem by the request middleware, inside the request-id
    scope (see ``platform.middleware``)."""
    app.add_exception_handler(ProblemError, _handle_problem)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(StarletteHTTPException, _handle_http)
    for database_error in (DBAPIError, DisconnectionError, PoolTimeoutError):
        app.add_exception_handler(database_error, _handle_database_error)


# ---------------------------------------------------------------------------
# The contract: documenting errors on each operation.

_RESPONSE_DESCRIPTIONS = {
    400: "Malformed request (for example, invalid JSON or a tampered cursor).",
    401: "Missing or invalid access token.",
    403: "The caller's channel or scopes do not allow this operation.",
    404: "Not found, or not visible to this caller.",
    405: "Method not allowed.",
    406: "None of the requested media types can be produced.",
    409: "Conflict with the current state of the resource.",
    412: "`If-Match` does not match the current ETag.",
    413: "Request body too large.",
    415: "Unsupported media type.",
    422: "Validation failed; `errors[]` names each field.",
    428: "`If-Match` is required for this operation.",
    429: "Too many requests; see `Retry-After`.",
    500: "Unexpected error; no details are disclosed.",
    503: "A dependency (the database or the audit log) is unavailable; see `Retry-After`.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    return {
        status: {
            "description": _RESPONSE_DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
