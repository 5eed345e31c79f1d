"""Scopes of the leaflets domain."""

from victim_api.platform.principal import Channel
from victim_api.platform.scopes import register_scope

LEAFLETS_WRITE = register_scope(
    "leaflets:write",
    "Edit leaflets: create and change drafts, preview, publish, retire, list versions and diffs.",
    {Channel.STAFF},
)
