"""The scopes of the victims domain, registered at import time."""

from __future__ import annotations

from victim_api.platform.principal import Channel
from victim_api.platform.scopes import register_scope

VICTIMS_READ = register_scope(
    "victims:read",
    "Read victim records (without contact details unless `victims:contact-details` is held), "
    "their consents and contact logs.",
    {Channel.STAFF, Channel.PHONE, Channel.POLICE_SYSTEM},
)
VICTIMS_WRITE = register_scope(
    "victims:write",
    "Create victim records from reports, change them, and issue verification PINs.",
    {Channel.STAFF, Channel.POLICE_SYSTEM},
)
VICTIMS_CONTACT_DETAILS = register_scope(
    "victims:contact-details",
    "See victims' contact details. Staff see every method, unsafe ones flagged; the "
    "helpline sees safe methods only.",
    {Channel.STAFF, Channel.PHONE},
)
CONTACTS_WRITE = register_scope(
    "contacts:write",
    "Record a contact with a victim in the contact log (and the Victims' Code duties it meets).",
    {Channel.STAFF, Channel.PHONE},
)
CONSENTS_WRITE = register_scope(
    "consents:write",
    "Record a victim's consent being given or withdrawn, with its legal basis.",
    {Channel.STAFF},
)
VICTIMS_ERASE = register_scope(
    "victims:erase",
    "Export everything held about a victim, and erase their personal data (subject rights).",
    {Channel.STAFF},
)
