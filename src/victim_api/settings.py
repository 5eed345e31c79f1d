"""Service settings, read from the environment with the prefix ``VICTIM_API_``.

Every setting is documented in README.md ("Settings"); keep that table true.
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that mark a secret as "not chosen yet". Production refuses them.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "development", "dev"})
DEV_PEPPER = "development-pepper-not-for-production"
# A Met CRIS-style crime reference number: seven digits, a slash, two digits.
DEFAULT_CRIME_REFERENCE_PATTERN = r"^\d{7}/\d{2}$"


def _default_content_dir() -> Path:
    """The repository's ``content/`` beside ``src/`` (a checkout or an editable
    install), else ``content/`` in the working directory (an installed wheel)."""
    beside_source = Path(__file__).resolve().parents[2] / "content"
    return beside_source if (beside_source / "leaflets").is_dir() else Path("content")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VICTIM_API_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite:///var/victim-api.db"
    database_pool_size: Annotated[int, Field(ge=1, le=200)] = 10
    database_max_overflow: Annotated[int, Field(ge=0, le=200)] = 10
    # How long a SQLite writer waits for the write lock before answering 503.
    sqlite_busy_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 30.0
    # A read replica for public, non-personal reads (the Open Referral feed, staff
    # directory search, published leaflets); empty: the primary serves them too.
    read_replica_url: str = ""
    log_format: str = Field(default="auto", pattern="^(auto|json|console)$")
    log_level: str = "INFO"
    max_body_bytes: Annotated[int, Field(ge=1024)] = 64 * 1024
    # The cap for bulk uploads (POST /v1/cases/batch-upsert: up to 500 cases).
    max_batch_body_bytes: Annotated[int, Field(ge=1024)] = 2 * 1024 * 1024
    problem_base_url: str = "https://victim-api.example.police.uk/problems/"
    # Where generated development keys live; never committed.
    keys_dir: Path = Path("var/keys")
    # Server-side pepper mixed into every verification-secret hash.
    secret_pepper: str = DEV_PEPPER
    # Digits in a victim's verification PIN (docs/victims.md); at least 6.
    victim_pin_length: Annotated[int, Field(ge=6, le=12)] = 6
    # Access tokens (OAuth2 client credentials).
    token_issuer: str = "https://victim-api.example.police.uk"  # noqa: S105 - a URL
    access_token_audience: str = "victim-api"  # noqa: S105 - a name
    access_token_ttl_seconds: Annotated[int, Field(ge=60, le=3600)] = 900
    token_leeway_seconds: Annotated[int, Field(ge=0, le=60)] = 30
    # Victim session tokens (POST /v1/victim-sessions): short-lived by design.
    victim_session_ttl_seconds: Annotated[int, Field(ge=60, le=3600)] = 900
    # Helpline verification (docs/helpline.md). NIST SP 800-63B allows at most 100
    # consecutive failures per account, so neither count may be set above 100.
    verification_delay_from_failure: Annotated[int, Field(ge=1, le=100)] = 3
    verification_lockout_failures: Annotated[int, Field(ge=1, le=100)] = 10
    verification_lockout_seconds: Annotated[int, Field(ge=60, le=86400)] = 3600
    # The delay after the n-th failure (n >= the first delayed one) is
    # base * 2^(n - first), capped at the maximum.
    verification_delay_base_seconds: Annotated[float, Field(ge=0, le=60)] = 2
    verification_delay_max_seconds: Annotated[int, Field(ge=0, le=3600)] = 300
    # Failures one client (an IVR, a web front end) may make per window before 429.
    verification_client_failures_per_window: Annotated[int, Field(ge=1)] = 300
    verification_client_window_seconds: Annotated[int, Field(ge=10, le=86400)] = 600
    # Sideways guessing: failures with the same date of birth or PIN from one client
    # (across any references) per window, after which that factor is refused.
    verification_sideways_failures: Annotated[int, Field(ge=1, le=100)] = 5
    verification_sideways_window_seconds: Annotated[int, Field(ge=60, le=86400)] = 3600
    # Who must also give a PIN: these crime types, and (if true) every enhanced case.
    verification_pin_crime_types: list[str] = Field(default_factory=lambda: ["DOMESTIC_ABUSE"])
    verification_pin_when_enhanced: bool = True
    # Seconds a process may trust its cached "client is active" answer; 0 checks
    # the database on every request, so a disabled client is refused at once.
    client_cache_seconds: Annotated[float, Field(ge=0, le=60)] = 0
    # The token endpoint's limit per client and address, per minute.
    token_rate_limit_per_minute: Annotated[int, Field(ge=1)] = 60
    # Printed QR tokens: short issuer and audience, because every byte must fit
    # a QR code of version 15 at error correction Q (292 bytes for the whole URL).
    qr_url_template: str = "https://victims.example.police.uk/l#t={token}"
    qr_token_issuer: str = Field(default="v", max_length=8)
    qr_token_audience: str = Field(default="q", max_length=8)
    qr_default_lifetime_days: Annotated[int, Field(ge=1, le=730)] = 400
    # The contract promises at most 730 days; a force may configure less.
    qr_max_lifetime_days: Annotated[int, Field(ge=1, le=730)] = 730
    qr_resolve_rate_limit_per_minute: Annotated[int, Field(ge=1)] = 120
    # The public Open Referral feed's limit per client address, per minute.
    openreferral_rate_limit_per_minute: Annotated[int, Field(ge=1)] = 600
    # Leaflet source files (`<content_dir>/leaflets/<slug>/<language>.md`), read by
    # `seed-demo` and `leaflets import`. Serving reads only the database.
    content_dir: Path = Field(default_factory=_default_content_dir)
    # How long a process serves its cached published leaflets before checking the
    # database again; publishing or retiring in the same process refreshes at once.
    leaflet_cache_seconds: Annotated[float, Field(ge=0, le=300)] = 5
    docs_enabled: bool | None = None
    metrics_enabled: bool = True
    cors_origins: list[str] = Field(default_factory=list)
    # The reference victim page at /l (docs/integration/web.md, "The page's credentials"):
    # the WEB client on whose behalf the page starts victim sessions. Unset, the page
    # shows leaflets only. Its short-lived tokens carry only the session-start scope.
    web_page_client_id: str | None = Field(default=None, max_length=64)
    web_page_token_ttl_seconds: Annotated[int, Field(ge=30, le=900)] = 300
    # The page's token endpoint's limit per client address, per minute.
    web_page_token_rate_limit_per_minute: Annotated[int, Field(ge=1)] = 10
    # Cases (docs/cases.md): the canonical crime reference format, an anchored regex.
    crime_reference_pattern: str = DEFAULT_CRIME_REFERENCE_PATTERN
    # Victims' Code deadlines: an event at or after this Europe/London time of day
    # counts from the next working day.
    working_day_cutoff: time = time(17, 0)
    # Non-working days beyond the England and Wales bank holidays of `holidays`
    # (a one-off bank holiday proclaimed after the package was released).
    extra_bank_holidays: list[date] = Field(default_factory=list)
    # Callbacks (docs/callbacks.md): a victim's callback request is due this many
    # working days after it is made.
    callback_due_working_days: Annotated[int, Field(ge=0, le=10)] = 1
    # The worklist (docs/worklist.md): what is "due soon", and how long a referral
    # may wait to be delivered (pulled) and then acknowledged before it is late.
    worklist_due_soon_hours: Annotated[int, Field(ge=1, le=24 * 28)] = 72
    referral_delivery_hours: Annotated[int, Field(ge=1, le=24 * 14)] = 24
    referral_acknowledgement_hours: Annotated[int, Field(ge=1, le=24 * 14)] = 48

    @field_validator("crime_reference_pattern")
    @classmethod
    def _anchored_regex(cls, value: str) -> str:
        if not (value.startswith("^") and value.endswith("$")) or len(value) > 200:
            raise ValueError("must be a regular expression anchored with ^ and $")
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"is not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _check_verification_settings(self) -> Settings:
        if self.verification_delay_from_failure > self.verification_lockout_failures:
            raise ValueError(
                "VICTIM_API_VERIFICATION_DELAY_FROM_FAILURE must not exceed "
                "VICTIM_API_VERIFICATION_LOCKOUT_FAILURES"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.env == Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def show_docs(self) -> bool:
        if self.docs_enabled is not None:
            return self.docs_enabled
        return not self.is_production

    @model_validator(mode="after")
    def _check_qr_settings(self) -> Settings:
        if "{token}" not in self.qr_url_template:
            raise ValueError("VICTIM_API_QR_URL_TEMPLATE must contain {token}")
        if self.qr_default_lifetime_days > self.qr_max_lifetime_days:
            raise ValueError("the default QR lifetime exceeds the maximum")
        return self

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> Settings:
        if not self.is_production:
            return self
        if self.secret_pepper == DEV_PEPPER or self.secret_pepper.lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "VICTIM_API_SECRET_PEPPER is a development or placeholder value; "
                "production needs a real secret"
            )
        if len(self.secret_pepper) < 32:
            raise ValueError("VICTIM_API_SECRET_PEPPER must be at least 32 characters")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
