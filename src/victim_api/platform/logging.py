"""Structured logging: structlog JSON lines, one pipeline for every library.

uvicorn's, SQLAlchemy's and alembic's stdlib loggers are routed through the same
structlog processors (via ``ProcessorFormatter``), so every line is JSON, carries
the request id, and passes the redaction processor. Redaction is the last line
of defence: code must not log personal data in the first place.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

import structlog
from structlog.types import EventDict, Processor

# Keys whose values are never logged, whatever they hold. Matched as substrings
# of the lower-cased key, so ``victim_phone`` and ``DateOfBirth`` are caught.
SENSITIVE_KEY_PARTS = (
    "given_name",
    "family_name",
    "full_name",
    "surname",
    "birth",
    "dob",
    "phone",
    "email",
    "address",
    "postcode",
    "pin",
    "token",
    "secret",
    "password",
    "authorization",
    "cookie",
    "crime_reference",
    "factor",
)
# Keys we set ourselves with values that are safe and must stay readable.
SAFE_KEYS = frozenset(
    {
        "timestamp",
        "level",
        "logger",
        "request_id",
        "duration_ms",
        "status",
        "method",
        "route",
        "client_id",
        "channel",
        "jti",
        "kid",
        "code",
    }
)
REDACTED = "[REDACTED]"

# Patterns of personal data inside free text (messages, exception strings).
_VALUE_PATTERNS = [
    re.compile(r"\?[^\s\"']+"),  # URL query strings, which may carry anything
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # email
    re.compile(r"eyJ[\w-]+\.[\w-]+\.?[\w-]*"),  # JWT / JWS
    re.compile(r"\+?\d[\d ()-]{7,}\d"),  # phone numbers, PINs, crime references
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # ISO dates (dates of birth)
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),  # UK-style dates
    re.compile(r"\b\d{6,}\b"),  # long digit runs (PINs)
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE),  # UK postcodes
]


def _is_sensitive_key(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in SENSITIVE_KEY_PARTS)


def scrub_text(text: str) -> str:
    for pattern in _VALUE_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if _is_sensitive_key(str(k)) else _redact(v)) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_redact(v) for v in value]
    return value


def redact_personal_data(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: drop sensitive keys and scrub personal data from text."""
    for key in list(event_dict):
        if key in SAFE_KEYS:
            continue
        if _is_sensitive_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _redact(event_dict[key])
    return event_dict


def _drop_color_message(_logger: Any, _method: str, event_dict: EventDict) -> EventDict:
    # uvicorn duplicates each message with terminal colour codes; keep one copy.
    event_dict.pop("color_message", None)
    return event_dict


def _shared_processors() -> list[Processor]:
    return [
        _drop_color_message,
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.format_exc_info,
        redact_personal_data,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure_logging(*, level: str = "INFO", fmt: str = "auto", stream: Any = None) -> None:
    """Configure structlog and the stdlib root logger. Safe to call more than once."""
    stream = stream or sys.stdout
    use_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared = _shared_processors()
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library loggers propagate to root; uvicorn's access log is replaced by ours.
    for name in ("uvicorn", "uvicorn.error", "sqlalchemy", "alembic"):
        lib = logging.getLogger(name)
        lib.handlers[:] = []
        lib.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("sqlalchemy.engine").setLevel("WARNING")
    # Alembic narrates every context it opens (readiness checks open one).
    logging.getLogger("alembic").setLevel("WARNING")
    # HTTP client libraries log full URLs at INFO; only their warnings are kept.
    for name in ("httpx", "httpcore", "urllib3"):
        logging.getLogger(name).setLevel("WARNING")
