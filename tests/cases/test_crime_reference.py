"""The crime reference format: canonical and keypad forms, and a configured pattern."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from victim_api.app import create_app
from victim_api.cases import crime_reference
from victim_api.cases.crime_reference import CrimeReferenceFormat
from victim_api.cases.schemas import CaseLookup
from victim_api.settings import DEFAULT_CRIME_REFERENCE_PATTERN, Settings


def test_the_default_is_cris_style_with_a_keypad_form() -> None:
    fmt = CrimeReferenceFormat(DEFAULT_CRIME_REFERENCE_PATTERN)
    assert fmt.normalise("1234567/26") == "1234567/26"
    assert fmt.normalise("123456726") == "1234567/26"
    for bad in ("1234567/2", "12345678/26", "1234567 26", "1234567/26\n", "", "١٢٣٤٥٦٧/٢٦"):
        assert fmt.normalise(bad) is None, bad
    assert fmt.input_pattern == r"^(?:\d{7}/\d{2}|\d{7}\d{2})$"
    contract = re.compile(fmt.input_pattern, re.ASCII)
    assert contract.fullmatch("1234567/26")
    assert contract.fullmatch("123456726")


def test_a_configured_pattern_with_letters_and_two_separators() -> None:
    fmt = CrimeReferenceFormat(r"^[A-Z]{2}/\d{5}/\d{2}$")
    assert fmt.normalise("AB/12345/26") == "AB/12345/26"
    assert fmt.normalise("AB1234526") == "AB/12345/26"
    assert fmt.normalise("ab/12345/26") is None
    no_separator = CrimeReferenceFormat(r"^\d{10}$")
    assert no_separator.normalise("0123456789") == "0123456789"
    assert no_separator.input_pattern == r"^(?:\d{10})$"


@pytest.mark.parametrize("pattern", [r"\d{7}/\d{2}", "^([$", "^" + "a" * 300 + "$"])
def test_settings_refuse_unanchored_or_broken_patterns(pattern: str) -> None:
    with pytest.raises(ValidationError):
        Settings(crime_reference_pattern=pattern)


def test_the_configured_pattern_reaches_validation_and_the_contract(settings: Settings) -> None:
    custom = settings.model_copy(update={"crime_reference_pattern": r"^[A-Z]{2}/\d{5}/\d{2}$"})
    try:
        app = create_app(custom)
        schema = app.openapi()["components"]["schemas"]["CaseLookup"]
        assert schema["properties"]["crime_reference"]["pattern"] == (
            r"^(?:[A-Z]{2}/\d{5}/\d{2}|[A-Z]{2}\d{5}\d{2})$"
        )
        assert CaseLookup(crime_reference="AB1234526").crime_reference == "AB/12345/26"
        with pytest.raises(ValidationError) as error:
            CaseLookup(crime_reference="1234567/26")
        assert "1234567/26" not in str(error.value.errors(include_input=False))
        app.state.database.dispose()
    finally:
        crime_reference.configure(settings.crime_reference_pattern)
    assert CaseLookup(crime_reference="123456726").crime_reference == "1234567/26"
