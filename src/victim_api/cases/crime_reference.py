"""The crime reference format: one configurable, anchored regex.

The default, ``^\\d{7}/\\d{2}$``, is a Met CRIS-style number (seven digits, a
slash, the two-digit year: ``1234567/26``). Input is accepted in that canonical
form or in its *keypad form*, with every ``/`` left out (``123456726``, what a
caller types on a phone keypad); the keypad form is normalised back to the
canonical one. Both forms are published as the ``pattern`` of every
``crime_reference`` field in the contract, and nothing else is accepted (no
trimming, no case folding), so the contract and the validator agree exactly.

The pattern is process-wide: ``configure`` is called by ``create_app`` with
``VICTIM_API_CRIME_REFERENCE_PATTERN``. Use ``/`` only as a literal separator;
the pattern must also be a valid ECMA-262 regex, since the contract carries it.
Crime references never go into URLs, logs or error messages.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from victim_api.settings import DEFAULT_CRIME_REFERENCE_PATTERN

MAX_LENGTH = 32


class CrimeReferenceFormat:
    def __init__(self, pattern: str) -> None:
        if not (pattern.startswith("^") and pattern.endswith("$")):
            raise ValueError("the crime reference pattern must be anchored with ^ and $")
        self.pattern = pattern
        body = pattern[1:-1].replace("\\/", "/")
        parts = body.split("/")
        self._canonical = re.compile(body, re.ASCII)
        # The keypad form: each separator becomes an empty group whose position
        # says where to put the "/" back.
        marked = "".join(
            part + (f"(?P<_sep{i}>)" if i < len(parts) - 1 else "") for i, part in enumerate(parts)
        )
        self._keypad = re.compile(marked, re.ASCII) if len(parts) > 1 else None
        keypad_body = "".join(parts)
        self.input_pattern = f"^(?:{body}|{keypad_body})$" if self._keypad else f"^(?:{body})$"

    def normalise(self, value: str) -> str | None:
        """The canonical form of ``value``, or None if it is not a crime reference."""
        if len(value) > MAX_LENGTH:
            return None
        if self._canonical.fullmatch(value):
            return value
        if self._keypad is None:
            return None
        match = self._keypad.fullmatch(value)
        if match is None:
            return None
        cuts = sorted(match.start(name) for name in match.groupdict())
        pieces, last = [], 0
        for cut in cuts:
            pieces.append(value[last:cut])
            last = cut
        pieces.append(value[last:])
        canonical = "/".join(pieces)
        return canonical if self._canonical.fullmatch(canonical) else None


_current = CrimeReferenceFormat(DEFAULT_CRIME_REFERENCE_PATTERN)


def configure(pattern: str) -> None:
    """Set the process-wide format (``create_app`` does, from the settings)."""
    global _current
    if pattern != _current.pattern:
        _current = CrimeReferenceFormat(pattern)


def current() -> CrimeReferenceFormat:
    return _current


def _validate(value: str) -> str:
    canonical = _current.normalise(value)
    if canonical is None:
        # Never echo the value: a crime reference identifies a case.
        raise ValueError("is not a crime reference in the configured format")
    return canonical


def _schema(schema: dict[str, Any]) -> None:
    schema["pattern"] = _current.input_pattern


CrimeReference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_LENGTH,
        description="The crime reference number: `1234567/26`, or the keypad form "
        "`123456726` (normalised to the first). Never put it in a URL.",
        json_schema_extra=_schema,
    ),
    AfterValidator(_validate),
]
