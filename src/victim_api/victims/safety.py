"""Contact methods, safety flags, and who sees which method (pure functions).

Every method a victim can be reached by depends on one stored detail (phone,
email or postal address) and is made unsafe by one or more safety flags. Staff
see every method, unsafe ones flagged with the reasons; every other channel
with contact-details access sees only the safe ones; anyone else sees none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class ContactMethod(StrEnum):
    PHONE_CALL = "PHONE_CALL"
    VOICEMAIL = "VOICEMAIL"
    SMS = "SMS"
    EMAIL = "EMAIL"
    LETTER = "LETTER"
    HOME_VISIT = "HOME_VISIT"


class SafetyFlag(StrEnum):
    VOICEMAIL_UNSAFE = "VOICEMAIL_UNSAFE"
    LETTERS_UNSAFE = "LETTERS_UNSAFE"
    SMS_UNSAFE = "SMS_UNSAFE"
    EMAIL_UNSAFE = "EMAIL_UNSAFE"
    HOME_VISIT_UNSAFE = "HOME_VISIT_UNSAFE"
    SUSPECT_SHARES_ADDRESS = "SUSPECT_SHARES_ADDRESS"


class ContactView(StrEnum):
    FULL = "FULL"  # staff: every method, unsafe ones flagged
    SAFE_ONLY = "SAFE_ONLY"  # e.g. helpline agents: safe methods only
    NONE = "NONE"  # no contact-details scope: no methods at all


# method -> (the stored detail it uses, the flags that make it unsafe)
METHODS: dict[ContactMethod, tuple[str, frozenset[SafetyFlag]]] = {
    ContactMethod.PHONE_CALL: ("phone", frozenset()),
    ContactMethod.VOICEMAIL: ("phone", frozenset({SafetyFlag.VOICEMAIL_UNSAFE})),
    ContactMethod.SMS: ("phone", frozenset({SafetyFlag.SMS_UNSAFE})),
    ContactMethod.EMAIL: ("email", frozenset({SafetyFlag.EMAIL_UNSAFE})),
    ContactMethod.LETTER: (
        "postal_address",
        frozenset({SafetyFlag.LETTERS_UNSAFE, SafetyFlag.SUSPECT_SHARES_ADDRESS}),
    ),
    ContactMethod.HOME_VISIT: (
        "postal_address",
        frozenset({SafetyFlag.HOME_VISIT_UNSAFE, SafetyFlag.SUSPECT_SHARES_ADDRESS}),
    ),
}


def unsafe_reasons(method: ContactMethod, flags: Iterable[str]) -> list[str]:
    """The victim's flags that make ``method`` unsafe (empty when it is safe)."""
    return sorted(METHODS[method][1] & {SafetyFlag(f) for f in flags})


def contact_methods(row: Mapping[str, Any] | Any, view: ContactView) -> list[dict[str, Any]]:
    """The methods ``view`` may see, each with the detail it uses.

    ``value`` is the phone number or email; ``address`` the postal address.
    """
    if view == ContactView.NONE:
        return []
    get = row.get if isinstance(row, Mapping) else lambda k: getattr(row, k)
    flags = list(get("safety_flags") or [])
    methods = []
    for method, (detail, _) in METHODS.items():
        stored = get(detail)
        if not stored:
            continue
        reasons = unsafe_reasons(method, flags)
        if reasons and view != ContactView.FULL:
            continue
        item: dict[str, Any] = {"method": method.value, "unsafe": bool(reasons)}
        if reasons:
            item["reasons"] = reasons
        if detail == "postal_address":
            item["address"] = stored
        else:
            item["value"] = stored
        methods.append(item)
    return methods
