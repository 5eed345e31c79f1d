"""Synthetic demo victims on the demo cases: every name, number and date is invented.

Phone numbers are Ofcom drama numbers (020 7946 0xxx); emails use example.org.
Idempotent: victim ids are fixed (UUID 5), and a victim that exists is left alone.
The PINs are printed so the README can show a helpline verification.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from victim_api.cases import service as cases
from victim_api.platform.principal import system_caller
from victim_api.victims import service
from victim_api.victims.schemas import VictimCreate

CASE_NAMESPACE = uuid.UUID("6f1c2a4e-1d4b-5c3e-9a57-2c0de0cafe01")  # cases/demo.py
NAMESPACE = uuid.UUID("3b0e4c8a-7a55-5d0c-8f61-5e0a1c7d1c02")

# (case key, crime reference, victim key, PIN or None, the record)
DEMO_VICTIMS: list[tuple[str, str, str, str | None, dict[str, Any]]] = [
    (
        "burglary-new",
        "9900001/26",
        "burglary-victim",
        "482913",
        {
            "role": "VICTIM",
            "given_name": "Sam",
            "family_name": "Placeholder",
            "date_of_birth": "1990-04-12",
            "phone": "+442079460201",
            "email": "sam.placeholder@example.org",
            "preferred_channel": "PHONE_CALL",
            "update_frequency": "EVERY_28_DAYS",
        },
    ),
    (
        "assault-bailed",
        "9900003/26",
        "assault-child",
        None,
        {
            "role": "VICTIM",
            "given_name": "Riley",
            "family_name": "Example",
            "date_of_birth": "2011-06-15",
            "language": "en-GB",
            "accessibility_needs": ["EASY_READ"],
        },
    ),
    (
        "assault-bailed",
        "9900003/26",
        "assault-parent",
        "604417",
        {
            "role": "PARENT_OR_GUARDIAN",
            "given_name": "Morgan",
            "family_name": "Example",
            "date_of_birth": "1979-11-02",
            "phone": "+442079460202",
            "email": "morgan.example@example.org",
            "preferred_channel": "PHONE_CALL",
            "safety_flags": ["SMS_UNSAFE", "EMAIL_UNSAFE"],
            "safe_contact_times": "Weekdays 09:30-15:00 only",
        },
    ),
    (
        "domestic-abuse-rui",
        "9900004/26",
        "domestic-abuse-victim",
        "735206",
        {
            "role": "VICTIM",
            "given_name": "Alex",
            "family_name": "Fictional",
            "date_of_birth": "1985-09-30",
            "phone": "+442079460203",
            "postal_address": {"lines": ["2 Sample Road", "London"], "postcode": "N1 9ZZ"},
            "preferred_channel": "PHONE_CALL",
            "language": "pl",
            "interpreter_needed": True,
            "safety_flags": [
                "VOICEMAIL_UNSAFE",
                "LETTERS_UNSAFE",
                "HOME_VISIT_UNSAFE",
                "SUSPECT_SHARES_ADDRESS",
            ],
            "safe_contact_times": "Tuesdays and Thursdays 11:00-13:00",
        },
    ),
    (
        "homicide-charged",
        "9900013/26",
        "homicide-bereaved",
        "159384",
        {
            "role": "BEREAVED_RELATIVE",
            "given_name": "Jordan",
            "family_name": "Sample",
            "date_of_birth": "1962-01-20",
            "phone": "+442079460204",
            "postal_address": {"lines": ["3 Demo Close", "London"], "postcode": "E1 6AN"},
            "preferred_channel": "LETTER",
            "language": "pa-Guru-IN",
            "interpreter_needed": True,
            "accessibility_needs": ["LARGE_PRINT", "BSL"],
        },
    ),
]


def seed(session: Session) -> list[str]:
    """Create the demo victims that do not exist yet; print their synthetic PINs."""
    from victim_api.demo import seed_context

    settings = seed_context().settings
    caller = system_caller("DEMO_DATA")
    policy = cases.DeadlinePolicy.from_settings(settings)
    made, lines = 0, []
    for case_key, reference, key, pin, record in DEMO_VICTIMS:
        case_id = str(uuid.uuid5(CASE_NAMESPACE, case_key))
        victim_id = str(uuid.uuid5(NAMESPACE, key))
        if not cases.case_exists(session, case_id):
            continue
        if not service.victim_exists(session, victim_id):
            service.create_victim(
                session,
                caller,
                case_id,
                VictimCreate.model_validate(record),
                pepper=settings.secret_pepper,
                policy=policy,
                victim_id=victim_id,
            )
            if pin:
                service.issue_pin(
                    session, caller, victim_id, pepper=settings.secret_pepper, pin=pin
                )
            made += 1
        if pin:
            flags = ", ".join(record.get("safety_flags", [])) or "no unsafe flags"
            lines.append(
                f"victim on {reference}: DOB {record['date_of_birth']}, PIN {pin} ({flags})"
            )
    return [f"{made} demo victims created, {len(DEMO_VICTIMS) - made} already there", *lines]
