"""Every table of every domain, imported in one place for Alembic and the tests.

A new domain package adds its ``models`` import here.
"""

from victim_api.leaflets import models as leaflets
from victim_api.platform import audit, clients, idempotency, keys, ratelimit
from victim_api.platform.db import metadata
from victim_api.qr import models as qr
from victim_api.reference import models as reference

__all__ = [
    "audit",
    "clients",
    "idempotency",
    "keys",
    "leaflets",
    "metadata",
    "qr",
    "ratelimit",
    "reference",
]
