"""Two-letter leaflet codes: the ``sub`` of a QR token.

A printed QR code holds at most 292 bytes at version 15, level Q, so the token
names its leaflet by a two-letter code rather than the slug.
"""

from __future__ import annotations

LEAFLET_CODES: dict[str, str] = {
    "victim-information": "vi",
    "domestic-abuse": "da",
    "bereaved-families": "bf",
    "fraud": "fr",
}
SLUGS_BY_CODE = {code: slug for slug, code in LEAFLET_CODES.items()}
