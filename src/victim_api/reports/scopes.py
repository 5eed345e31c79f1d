"""The scopes of the reports, registered at import time."""

from __future__ import annotations

from victim_api.platform.principal import Channel
from victim_api.platform.scopes import register_scope

REPORTS_READ = register_scope(
    "reports:read",
    "Read Victims' Code compliance reports: aggregate figures only, never personal data.",
    {Channel.STAFF},
)
