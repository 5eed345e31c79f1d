"""Every table of every domain, imported in one place for Alembic and the tests.

A new domain package adds its ``models`` import here.
"""

from victim_api.cases import models as cases
from victim_api.directory import models as directory
from victim_api.helpline import models as helpline
from victim_api.leaflets import models as leaflets
from victim_api.platform import audit, clients, idempotency, keys, ratelimit
from victim_api.platform.db import metadata
from victim_api.qr import models as qr
from victim_api.reference import models as reference
from victim_api.referrals import models as referrals
from victim_api.victims import models as victims

__all__ = [
    "audit",
    "cases",
    "clients",
    "directory",
    "helpline",
    "idempotency",
    "keys",
    "leaflets",
    "metadata",
    "qr",
    "ratelimit",
    "reference",
    "referrals",
    "victims",
]
