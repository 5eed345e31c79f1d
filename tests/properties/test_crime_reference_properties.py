"""Crime-reference parsing (cases/crime_reference.py) over generated input."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from victim_api.cases.crime_reference import CrimeReferenceFormat
from victim_api.settings import DEFAULT_CRIME_REFERENCE_PATTERN

CRIS = CrimeReferenceFormat(DEFAULT_CRIME_REFERENCE_PATTERN)
LETTERED = CrimeReferenceFormat(r"^[A-Z]{2}/\d{5}/\d{2}$")
CANONICAL = re.compile(r"\d{7}/\d{2}", re.ASCII)
DIGITS = st.text(alphabet="0123456789", min_size=0, max_size=12)
# Text near the format: digits, separators, look-alike digits and spaces.
NEAR = st.text(alphabet="0123456789/ \u0660\u0661\uff10-\n", max_size=14)


@given(st.one_of(st.text(max_size=40), NEAR))
def test_anything_parses_to_a_canonical_reference_or_none(value: str) -> None:
    result = CRIS.normalise(value)
    assert result is None or CANONICAL.fullmatch(result)


@given(st.one_of(st.text(max_size=40), NEAR))
def test_parsing_only_puts_back_the_separators(value: str) -> None:
    result = CRIS.normalise(value)
    if result is not None:
        assert result.replace("/", "") == value.replace("/", "")
        assert CRIS.normalise(result) == result


@given(
    st.text(alphabet="0123456789", min_size=7, max_size=7),
    st.text(alphabet="0123456789", min_size=2, max_size=2),
)
def test_canonical_and_keypad_forms_parse_to_the_same_reference(number: str, year: str) -> None:
    canonical = f"{number}/{year}"
    assert CRIS.normalise(canonical) == canonical
    assert CRIS.normalise(number + year) == canonical


@given(DIGITS)
def test_only_nine_digits_make_a_keypad_reference(digits: str) -> None:
    assert (CRIS.normalise(digits) is not None) == (len(digits) == 9)


@given(st.text(alphabet="\u0660\u0661\u0662\u06f1\uff11\u0967", min_size=9, max_size=9))
def test_non_ascii_digits_are_never_a_reference(digits: str) -> None:
    assert CRIS.normalise(digits) is None
    assert CRIS.normalise(f"{digits[:7]}/{digits[7:]}") is None


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=5, max_size=5),
    st.text(alphabet="0123456789", min_size=2, max_size=2),
)
def test_a_two_separator_format_round_trips_its_keypad_form(
    letters: str, number: str, year: str
) -> None:
    canonical = f"{letters}/{number}/{year}"
    assert LETTERED.normalise(canonical) == canonical
    assert LETTERED.normalise(letters + number + year) == canonical
