"""The scopes of the referrals domain, registered at import time."""

from __future__ import annotations

from victim_api.platform.principal import Channel
from victim_api.platform.scopes import register_scope

REFERRALS_READ = register_scope(
    "referrals:read",
    "Read referrals to support services, their delivery and outcome.",
    {Channel.STAFF},
)
REFERRALS_WRITE = register_scope(
    "referrals:write",
    "Refer a victim to a support service (consent or legal basis checked).",
    {Channel.STAFF},
)
PARTNER_REFERRALS = register_scope(
    "partner-referrals",
    "A support service: pull its organisation's referrals, acknowledge them and record "
    "outcomes. Other organisations' referrals do not exist for it.",
    {Channel.PARTNER},
)
