"""The directory's scopes."""

from __future__ import annotations

from victim_api.platform.principal import Channel
from victim_api.platform.scopes import register_scope

DIRECTORY_READ = register_scope(
    "directory:read",
    "Search the support-service directory and read its services.",
    {Channel.STAFF, Channel.PHONE},
)
DIRECTORY_WRITE = register_scope(
    "directory:write",
    "Create, change and withdraw support services in the directory.",
    {Channel.STAFF},
)
