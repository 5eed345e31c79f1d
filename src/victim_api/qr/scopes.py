"""Scopes of the QR token domain."""

from victim_api.platform.principal import Channel
from victim_api.platform.scopes import register_scope

QR_ISSUE = register_scope(
    "qr:issue",
    "Issue printable QR tokens for leaflets, optionally bound to a case.",
    {Channel.STAFF, Channel.POLICE_SYSTEM},
)
QR_READ = register_scope(
    "qr:read",
    "Read QR token metadata and draw their images for printing.",
    {Channel.STAFF, Channel.POLICE_SYSTEM},
)
QR_REVOKE = register_scope("qr:revoke", "Revoke QR tokens.", {Channel.STAFF})
