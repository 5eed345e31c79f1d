"""fill_slots: values in, escaped; generic wording out when a value is missing."""

from __future__ import annotations

import pytest

from victim_api.leaflets.render import escape_markdown, fill_slots, to_html, to_text

TEMPLATE = (
    "Quote {{crime_reference}}. Speak to {{officer_name}} on {{officer_team_phone}}. "
    "Get help from {{support_services}}."
)


def test_values_fill_their_slots() -> None:
    filled = fill_slots(
        TEMPLATE,
        {
            "crime_reference": "01/234567/26",
            "officer_name": "PC Sam Jones",
            "officer_team_phone": "020 7946 0311",
            "support_services": "the local victim support service",
        },
    )
    assert to_text(filled) == (
        "Quote 01/234567/26. Speak to PC Sam Jones on 020 7946 0311. "
        "Get help from the local victim support service."
    )


def test_missing_values_get_generic_wording() -> None:
    assert to_text(fill_slots(TEMPLATE)) == (
        "Quote your crime reference number (it is on the letter or text message we sent you). "
        "Speak to the officer in charge of your case "
        "on the number on the letter or text we sent you. "
        "Get help from the support services listed in this leaflet."
    )


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_a_blank_value_counts_as_missing(blank: str) -> None:
    assert (
        fill_slots("{{officer_name}}", {"officer_name": blank})
        == "the officer in charge of your case"
    )


def test_welsh_gets_welsh_generic_wording_and_unknown_languages_get_english() -> None:
    assert fill_slots("{{officer_name}}", language="cy") == "swyddog eich achos"
    assert fill_slots("{{officer_name}}", language="cy-GB") == "swyddog eich achos"
    assert fill_slots("{{officer_name}}", language="pl") == "the officer in charge of your case"


def test_a_valid_uk_phone_number_becomes_a_tel_link_built_from_its_digits() -> None:
    filled = fill_slots(
        "Call {{officer_team_phone}}.", {"officer_team_phone": "+44 (0)20 7946 0311"}
    )
    assert filled == "Call [020 7946 0311](tel:+442079460311)."
    assert 'href="tel:+442079460311"' in to_html(filled)


@pytest.mark.parametrize(
    "value", ["not a number", "0800 0", "+1 202 555 0143", "020 7946 0311 x](javascript:1)"]
)
def test_anything_else_in_the_phone_slot_is_plain_text(value: str) -> None:
    filled = fill_slots("Call {{officer_team_phone}}.", {"officer_team_phone": value})
    assert "<a" not in to_html(filled)


def test_a_value_that_looks_like_a_slot_is_not_filled_again() -> None:
    filled = fill_slots(
        "{{officer_name}} {{crime_reference}}", {"officer_name": "{{crime_reference}}"}
    )
    assert to_text(filled) == (
        "{{crime_reference}} your crime reference number "
        "(it is on the letter or text message we sent you)"
    )


def test_line_breaks_in_a_value_cannot_start_a_new_block() -> None:
    value = "Sam\n\n## Complaints {#complaints}\n\n- item\n\n<script>x</script>"
    html = to_html(fill_slots("Hello {{officer_name}}.", {"officer_name": value}))
    assert html.startswith(
        "<p>Hello Sam ## Complaints {#complaints} - item &lt;script&gt;x&lt;/script&gt;."
    )
    assert html.count("<p>") == 1


def test_spacing_inside_the_braces_is_allowed() -> None:
    assert fill_slots("{{ officer_name }}", {"officer_name": "Sam"}) == "Sam"


def test_unknown_slot_names_are_refused() -> None:
    with pytest.raises(ValueError, match="crime_ref"):
        fill_slots(TEMPLATE, {"crime_ref": "01/234567/26"})


def test_unknown_slots_in_the_text_are_left_alone() -> None:
    assert fill_slots("{{victim_name}}") == "{{victim_name}}"


def test_escape_markdown_escapes_every_ascii_punctuation_mark() -> None:
    assert escape_markdown("a*b_[c](d)<e>&f;`g`") == r"a\*b\_\[c\]\(d\)\<e\>\&f\;\`g\`"
    assert escape_markdown("Plain words 123") == "Plain words 123"
