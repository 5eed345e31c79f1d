"""The scopes of the cases domain, registered at import time."""

from __future__ import annotations

from victim_api.platform.principal import Channel
from victim_api.platform.scopes import register_scope

CASES_READ = register_scope(
    "cases:read",
    "Read case records, their timelines, entitlements and Victims' Code duties, "
    "and the notification rules.",
    {Channel.STAFF, Channel.POLICE_SYSTEM},
)
CASES_WRITE = register_scope(
    "cases:write",
    "Create and update case records and add timeline events (police record systems push here).",
    {Channel.STAFF, Channel.POLICE_SYSTEM},
)
ENTITLEMENTS_WRITE = register_scope(
    "entitlements:write",
    "Record staff assessments that give a victim enhanced rights under the Victims' Code.",
    {Channel.STAFF},
)
DUTIES_WRITE = register_scope(
    "duties:write",
    "Waive a Victims' Code notification duty, with a reason.",
    {Channel.STAFF},
)
RULES_WRITE = register_scope(
    "rules:write",
    "Change the Victims' Code notification rules (timescales and who is responsible).",
    {Channel.STAFF},
)
