"""negotiate_language: explicit choice, then Accept-Language by q-value, then English."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from victim_api.leaflets.language import (
    MAX_LANGUAGE_RANGES,
    negotiate_language,
    parse_accept_language,
)

EN_CY = frozenset({"en", "cy"})


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("cy", "cy"),  # exact
        ("CY", "cy"),  # case does not matter
        ("cy-GB", "cy"),  # primary subtag
        ("cy-Latn-GB", "cy"),  # truncated step by step
        ("en-GB", "en"),
        ("fr", "en"),  # nothing fits: English
        ("fr, cy;q=0.5", "cy"),  # next preference
        ("en;q=0.4, cy;q=0.9", "cy"),  # q-values, not order, decide
        ("cy;q=0.5, en;q=0.5", "cy"),  # equal q: written order
        ("*", "en"),
        ("fr, *;q=0.1", "en"),
        ("cy;q=0, en", "en"),  # q=0 means not wanted
        ("cy;q=0.000", "en"),
        ("", "en"),
        ("   ", "en"),
        (",,,;;;", "en"),
        ("cy;q=2", "en"),  # a q-value over 1 is malformed: the part is ignored
        ("cy;q=abc, en", "en"),
        ("cy;q=0.5555", "en"),  # more than 3 decimals
        ("c y, cy_GB, 12345, cy-", "en"),  # none of these is a language range
        ("fr;level=1;q=0.9, cy", "cy"),  # an unknown parameter breaks only its own part
        ("x-klingon, cy", "cy"),
        ("\x00cy", "en"),
        ("zh-Hant-TW;q=0.8, cy-GB;q=0.7", "cy"),
    ],
)
def test_accept_language_fallbacks(header: str, expected: str) -> None:
    assert negotiate_language(EN_CY, accept_language=header) == expected


def test_an_explicit_lang_overrides_the_header() -> None:
    assert negotiate_language(EN_CY, lang="cy", accept_language="en") == "cy"
    assert negotiate_language(EN_CY, lang="en", accept_language="cy") == "en"
    assert negotiate_language(EN_CY, lang="cy-GB", accept_language="en") == "cy"


def test_an_unavailable_or_malformed_lang_falls_through_to_the_header() -> None:
    assert negotiate_language(EN_CY, lang="pl", accept_language="cy") == "cy"
    assert negotiate_language(EN_CY, lang="<script>", accept_language="cy") == "cy"
    assert negotiate_language(EN_CY, lang="*", accept_language="cy") == "cy"
    assert negotiate_language(EN_CY, lang="", accept_language="cy") == "cy"


def test_no_preference_at_all_gives_english() -> None:
    assert negotiate_language(EN_CY) == "en"


def test_the_tag_comes_back_spelled_as_available() -> None:
    assert negotiate_language({"en", "pa-Guru"}, accept_language="pa-guru") == "pa-Guru"
    assert negotiate_language({"en", "pa-Guru"}, accept_language="pa-Guru-IN") == "pa-Guru"


def test_a_more_specific_available_tag_is_not_guessed_from_a_general_request() -> None:
    # Lookup only shortens the request ("cy-GB" finds "cy"), never lengthens it.
    assert negotiate_language({"en", "cy-GB"}, accept_language="cy") == "en"


def test_without_english_the_first_available_tag_is_the_fallback() -> None:
    assert negotiate_language({"pl", "cy"}, accept_language="fr") == "cy"


def test_nothing_available_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no languages"):
        negotiate_language(set(), accept_language="en")


def test_parse_accept_language_orders_by_quality_and_drops_q0() -> None:
    assert parse_accept_language("da, en-GB;q=0.8, en;q=0.7, fr;q=0") == ["da", "en-gb", "en"]
    assert parse_accept_language(None) == []


def test_only_the_first_ranges_of_a_huge_header_are_read() -> None:
    header = ", ".join(["fr"] * MAX_LANGUAGE_RANGES + ["cy"])
    assert negotiate_language(EN_CY, accept_language=header) == "en"
    assert negotiate_language(EN_CY, accept_language="a" * 100_000 + ", cy") == "en"


TAGS = st.sampled_from(["en", "cy", "pl", "pa-Guru", "zh-Hant", "ur", "so"])


@given(header=st.text(), lang=st.one_of(st.none(), st.text()), available=st.sets(TAGS, min_size=1))
def test_never_raises_and_always_returns_an_available_tag(
    header: str, lang: str | None, available: set[str]
) -> None:
    assert negotiate_language(available, lang=lang, accept_language=header) in available


@given(header=st.text(), lang=st.one_of(st.none(), st.text()), others=st.sets(TAGS))
def test_with_english_available_the_answer_is_always_available(
    header: str, lang: str | None, others: set[str]
) -> None:
    available = others | {"en"}
    assert negotiate_language(available, lang=lang, accept_language=header) in available


HEADER_PARTS = st.lists(
    st.tuples(
        st.sampled_from(["en", "cy", "cy-GB", "fr", "*", "EN-gb", "x", "??"]),
        st.one_of(st.none(), st.sampled_from(["1", "0.5", "0", "0.999", "1.0", "2", "-1", ""])),
    ),
    max_size=8,
)


@given(HEADER_PARTS)
def test_a_welsh_range_with_the_top_q_wins_over_english(
    parts: list[tuple[str, str | None]],
) -> None:
    header = ", ".join(tag if q is None else f"{tag};q={q}" for tag, q in parts)
    ranked = parse_accept_language(header)
    chosen = negotiate_language(EN_CY, accept_language=header)
    named = [r for r in ranked if r.split("-")[0] in ("en", "cy")]
    assert chosen == (named[0].split("-")[0] if named else "en")
