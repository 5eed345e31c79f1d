"""The scopes of the helpline domain, registered at import time."""

from __future__ import annotations

from victim_api.platform.principal import Channel
from victim_api.platform.scopes import register_scope

VICTIM_SESSIONS_CREATE = register_scope(
    "victim-sessions:create",
    "Verify a caller (crime reference, date of birth and, where required, PIN) and start "
    "a short-lived victim session for them.",
    {Channel.PHONE, Channel.WEB},
)
HELPLINE_AGENT = register_scope(
    "helpline:agent-view",
    "See the helpline agent's screen for a case (verification status, case summary, "
    "contact preferences, overdue duties, referrals, recent contacts). Acts as a named user.",
    {Channel.STAFF, Channel.PHONE},
)
VERIFICATION_MANAGE = register_scope(
    "verification:manage",
    "Unlock a victim's helpline verification, and recover a victim locked out by someone "
    "else (new PIN, sessions ended). Staff acting as a named user.",
    {Channel.STAFF},
)
