"""The scopes of the callbacks domain, registered at import time."""

from __future__ import annotations

from victim_api.platform.principal import Channel
from victim_api.platform.scopes import register_scope

CALLBACKS_READ = register_scope(
    "callbacks:read",
    "List and read victims' callback requests (ids, reason, preferred times, due time).",
    {Channel.STAFF},
)
CALLBACKS_WRITE = register_scope(
    "callbacks:write",
    "Claim and complete victims' callback requests (completing one logs a contact).",
    {Channel.STAFF},
)
