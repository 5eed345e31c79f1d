"""to_ssml: well-formed SSML 1.1 whose structure a speech engine can rely on."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.leaflets.ssml_checks import NS, XML_LANG, assert_ssml_structure, say_as, sentences, tag
from victim_api.leaflets.content import SECTION_KEYS, Leaflet, Section, SectionKey
from victim_api.leaflets.render import fill_slots, to_ssml


def section(
    body: str, key: SectionKey = SectionKey.CONTACT_US, heading: str = "Contact us"
) -> Section:
    return Section(key=key, heading=heading, body=body)


def test_a_leaflet_becomes_ssml_with_a_break_between_sections(sample_leaflet: Leaflet) -> None:
    sections = [s.model_copy(update={"body": fill_slots(s.body)}) for s in sample_leaflet.sections]
    root = ET.fromstring(to_ssml(sample_leaflet.title, sections, "en"))
    assert_ssml_structure(root)
    assert root.attrib[XML_LANG] == "en"
    assert [tag(child) for child in root][:4] == ["p", "break", "p", "p"]
    assert len(root.findall("s:break", NS)) == len(SECTION_KEYS)
    assert sentences(root)[0] == "A test leaflet"
    assert ("telephone", None, "0808 157 0100") in say_as(root)
    assert ("telephone", None, "999") in say_as(root)


def test_one_sentence_per_s_and_one_paragraph_per_block() -> None:
    root = ET.fromstring(
        to_ssml("Title", [section("One. Two? Three!\n\n- Item one\n- Item two")], "en")
    )
    paragraphs = root.findall("s:p", NS)
    assert [[s.text for s in p] for p in paragraphs] == [
        ["Title"],
        ["Contact us"],
        ["One.", "Two?", "Three!"],
        ["Item one"],
        ["Item two"],
    ]


def test_a_web_address_is_not_cut_into_sentences() -> None:
    root = ET.fromstring(to_ssml("T", [section("Visit victims.example.police.uk today.")], "en"))
    assert sentences(root)[-1] == "Visit victims.example.police.uk today."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 0808 157 0100 now.", ("telephone", None, "0808 157 0100")),
        ("Call +44 20 7946 0123 now.", ("telephone", None, "+44 20 7946 0123")),
        ("Call 999 now.", ("telephone", None, "999")),
        ("Or call 101.", ("telephone", None, "101")),
        ("Press 55 to be put through.", ("digits", None, "55")),
        ("Your number is 123456789.", ("digits", None, "123456789")),
        ("Quote 01/234567/26 please.", ("characters", None, "01/234567/26")),
        ("Quote CR-2026-0012345 please.", ("characters", None, "CR-2026-0012345")),
        ("The hearing is on 03/02/2027.", ("date", "dmy", "03/02/2027")),
    ],
)
def test_numbers_are_wrapped_in_say_as(text: str, expected: tuple[str, str | None, str]) -> None:
    root = ET.fromstring(to_ssml("T", [section(text)], "en"))
    assert say_as(root) == [expected]


@pytest.mark.parametrize(
    "text", ["Within 10 working days.", "Sentences of 12 months or more.", "In 2021."]
)
def test_ordinary_numbers_are_left_to_the_voice(text: str) -> None:
    assert say_as(ET.fromstring(to_ssml("T", [section(text)], "en"))) == []


def test_slot_values_with_markup_characters_are_escaped() -> None:
    value = 'PC <b>"Sam"</b> & Co'
    body = fill_slots(
        "Speak to {{officer_name}} about {{crime_reference}}.",
        {
            "officer_name": value,
            "crime_reference": "<script>alert('x')</script>",
        },
    )
    ssml = to_ssml('Title <with> & "quotes"', [section(body, heading="Heading & <more>")], "en")
    assert "<b>" not in ssml
    assert "<script>" not in ssml
    assert "&lt;b&gt;&quot;Sam&quot;&lt;/b&gt; &amp; Co" in ssml
    assert sentences(ET.fromstring(ssml)) == [
        'Title <with> & "quotes"',
        "Heading & <more>",
        "Speak to PC <b>\"Sam\"</b> & Co about <script>alert('x')</script>.",
    ]


@given(st.text(), st.text())
def test_any_title_and_slot_value_give_well_formed_ssml(title: str, value: str) -> None:
    body = fill_slots("Hello {{officer_name}}. Call 0808 157 0100.", {"officer_name": value})
    root = ET.fromstring(to_ssml(title, [section(body)], "en"))
    assert_ssml_structure(root)


@pytest.mark.parametrize("language", ["", "not a tag", '" onload="x', "en_GB", "xx"])
def test_an_invalid_language_tag_is_refused(language: str) -> None:
    with pytest.raises(ValueError, match="BCP 47"):
        to_ssml("T", [section("Body.")], language)
