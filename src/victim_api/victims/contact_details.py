"""Validation of phone numbers (E.164, `phonenumbers`) and emails (`email-validator`).

The contract's patterns admit only what the validators accept, so a value the
contract calls valid is never refused: phone numbers are UK (+44) fixed-line or
mobile numbers, by the patterns of the `phonenumbers` metadata itself.
"""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneMetadata

PHONE_REGIONS = ("GB",)


def _phone_pattern() -> str:
    alternatives = []
    for region in PHONE_REGIONS:
        metadata = PhoneMetadata.metadata_for_region(region)
        assert metadata is not None
        national = "|".join(
            f"(?:{desc.national_number_pattern})"
            for desc in (metadata.fixed_line, metadata.mobile)
            if desc is not None and desc.national_number_pattern
        )
        alternatives.append(f"{metadata.country_code}(?:{national})")
    # ASCII digits only: \\d would admit other scripts' digits in some regex engines.
    return ("^\\+(?:" + "|".join(alternatives) + ")$").replace("\\d", "[0-9]")


PHONE_PATTERN = _phone_pattern()
# Dot-separated atoms (at most 63 characters before the @) and a domain of
# hyphen-joined labels ending in a letters-only TLD: what email-validator accepts.
_ATOM = r"[A-Za-z0-9_%+-]{1,15}"
_LABEL = r"[A-Za-z0-9]{1,20}(?:-[A-Za-z0-9]{1,20}){0,2}"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM}){{0,3}}@(?:{_LABEL}\.){{1,4}}[A-Za-z]{{2,24}}$"


def normalise_phone(value: str) -> str:
    """The E.164 form, or ValueError (messages never carry the value)."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("must be a phone number in E.164 form, e.g. +447700900123") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: str) -> str:
    try:
        result = validate_email(value, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as exc:
        raise ValueError("is not a valid email address") from exc
    return str(result.normalized)
