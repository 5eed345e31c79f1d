"""The scopes of the worklist and reports, registered at import time."""

from __future__ import annotations

from victim_api.platform.principal import Channel
from victim_api.platform.scopes import register_scope

WORKLIST_READ = register_scope(
    "worklist:read",
    "Read the victim-care worklist: ids, what is owed and due times (no personal data).",
    {Channel.STAFF},
)
