"""What the leaflets must say: the Victims' Code rights and timescales, and plain English."""

from __future__ import annotations

import re

import pytest

from tests.leaflets.readability import measure, sentences_of
from victim_api.leaflets.content import Leaflet
from victim_api.leaflets.render import fill_slots, to_text

# The 12 rights of the Victims' Code (2020), in order, as the main leaflet names them.
RIGHTS = [
    "understand and to be understood",
    "crime recorded without unjustified delay",
    "information when you report the crime",
    "referred to support services",
    "information about compensation",
    "information about the investigation and prosecution",
    "make a Victim Personal Statement",
    "information about the trial and your role as a witness",
    "told the outcome of the case and any appeals",
    "paid expenses and to have property returned",
    "information about the offender after they are convicted",
    "make a complaint",
]
# Reading age 9 to 11 is roughly Flesch reading ease 70 to 90 ("fairly easy" to
# "easy"). Measured when these leaflets were written: victim-information/en 80.1
# with 10.2 words per sentence (Flesch-Kincaid grade 4.6, so a reading age of
# about 9 to 10); the other English leaflets 81.0 to 81.2, 10.6 to 10.9 words.
MIN_FLESCH_READING_EASE = 75
MAX_WORDS_PER_SENTENCE = 12.5
MAX_WORDS_IN_ONE_SENTENCE = 25


def text(leaflet: Leaflet, key: str) -> str:
    return to_text(fill_slots(leaflet.section(key).body, language=leaflet.language))


def leaflet(leaflets: tuple[Leaflet, ...], slug: str, language: str = "en") -> Leaflet:
    return next(x for x in leaflets if x.slug == slug and x.language == language)


def test_the_main_leaflet_lists_all_12_rights_in_order(main_leaflet: Leaflet) -> None:
    items = re.findall(r"^(\d+)\. The right to (.+)$", text(main_leaflet, "your-rights"), re.M)
    assert [int(number) for number, _ in items] == list(range(1, 13))
    for (_, item), phrase in zip(items, RIGHTS, strict=True):
        assert phrase in item


def test_the_rights_carry_their_key_facts(main_leaflet: Leaflet) -> None:
    items = dict(re.findall(r"^(\d+)\. (.+)$", text(main_leaflet, "your-rights"), re.M))
    assert "interpreter" in items["1"]
    assert "free of charge" in items["1"]
    assert "crime reference number" in items["3"]
    assert "safe" in items["3"]
    assert "2 working days" in items["4"]
    assert "Victim Contact Scheme" in items["11"]
    assert "12 months or more" in items["11"]
    assert "violent or sexual" in items["11"]


def test_the_main_leaflet_states_every_timescale_standard_and_enhanced(
    main_leaflet: Leaflet,
) -> None:
    rights = text(main_leaflet, "your-rights")
    assert "A working day is Monday to Friday. Bank holidays do not count." in rights
    assert "support service within 2 working days" in rights
    five_or_one = "within 5 working days, or within 1 working day if you have enhanced rights"
    assert rights.count(five_or_one) == 2  # police updates, and witness care updates
    for event in (
        "arrested",
        "interviewed under caution",
        "released on bail",
        "bail conditions",
        "not to investigate",
        "charged",
        "caution",
        "bail hearing",
        "warrant",
    ):
        assert event in rights, event
    assert "Witness Care Unit will tell you within 1 working day" in rights
    assert "date, time and place of a court hearing" in rights
    assert "result of the case and the sentence" in rights
    assert rights.count("10 working days") == 2  # complaints, and the Right to Review
    assert "Victims' Right to Review" in rights


def test_the_main_leaflet_explains_who_gets_enhanced_rights(main_leaflet: Leaflet) -> None:
    rights = text(main_leaflet, "your-rights")
    for group in (
        "Victims of the most serious crime",
        "Persistently targeted victims",
        "Vulnerable victims",
        "Intimidated victims",
    ):
        assert group in rights
    for crime in (
        "close relatives of someone who died",
        "domestic abuse",
        "hate crime",
        "sexual offences",
        "human trafficking",
        "terrorism",
        "attempted murder",
        "kidnapping or false imprisonment",
        "arson with intent to endanger life",
        "grievous bodily harm with intent",
    ):
        assert crime in rights, crime
    assert "under 18 at the time of the crime" in rights


def test_the_main_leaflet_says_how_to_complain(main_leaflet: Leaflet) -> None:
    complaints = text(main_leaflet, "complaints")
    assert "victims.example.police.uk/complaints" in complaints
    assert "020 7946 0400" in complaints
    assert "complaints@example.police.uk" in complaints
    assert "10 working days" in complaints
    assert "Parliamentary and Health Service Ombudsman" in complaints


def test_the_main_leaflet_says_how_to_reach_the_helpline(main_leaflet: Leaflet) -> None:
    contact = text(main_leaflet, "contact-us")
    assert "Victim Care Helpline: 0808 157 0100" in contact
    assert "free to call" in contact
    assert "call 999" in contact
    assert "call 101" in contact


def test_the_main_leaflet_uses_every_slot(main_leaflet: Leaflet) -> None:
    bodies = "".join(section.body for section in main_leaflet.sections)
    for slot in ("crime_reference", "officer_name", "officer_team_phone", "support_services"):
        assert "{{" + slot + "}}" in bodies
    assert "{{support_services}}" in main_leaflet.section("support-services").body


@pytest.mark.parametrize(
    "slug", ["victim-information", "domestic-abuse", "bereaved-families", "fraud"]
)
def test_english_leaflets_are_easy_to_read(leaflets: tuple[Leaflet, ...], slug: str) -> None:
    subject = leaflet(leaflets, slug)
    bodies = [fill_slots(section.body) for section in subject.sections]
    figures = measure(bodies)
    assert figures.flesch_reading_ease >= MIN_FLESCH_READING_EASE, figures
    assert figures.words_per_sentence <= MAX_WORDS_PER_SENTENCE, figures


@pytest.mark.parametrize(
    "slug", ["victim-information", "domestic-abuse", "bereaved-families", "fraud"]
)
def test_no_english_sentence_runs_on(leaflets: tuple[Leaflet, ...], slug: str) -> None:
    subject = leaflet(leaflets, slug)
    long = [
        sentence
        for section in subject.sections
        for sentence in sentences_of(fill_slots(section.body))
        if len(sentence.split()) > MAX_WORDS_IN_ONE_SENTENCE
    ]
    assert long == []


def test_the_domestic_abuse_leaflet_puts_safety_first(leaflets: tuple[Leaflet, ...]) -> None:
    subject = leaflet(leaflets, "domestic-abuse")
    first = text(subject, "what-happens-next")
    assert first.startswith("If you are in danger now, call 999.")
    assert "press 55" in first
    assert "mobile" in first
    assert "landline" in first
    contact = text(subject, "contact-us")
    for safe in ("safe", "voicemail", "text", "letters"):
        assert safe in contact


def test_the_bereaved_families_leaflet_names_the_flo_and_homicide_service(
    leaflets: tuple[Leaflet, ...],
) -> None:
    subject = leaflet(leaflets, "bereaved-families")
    assert text(subject, "what-happens-next").startswith("We are so sorry for your loss.")
    assert "family liaison officer" in text(subject, "what-happens-next")
    assert "Homicide Service" in text(subject, "support-services")
    assert "enhanced rights" in text(subject, "your-rights")


def test_the_fraud_leaflet_says_it_is_not_their_fault_and_to_call_the_bank(
    leaflets: tuple[Leaflet, ...],
) -> None:
    subject = leaflet(leaflets, "fraud")
    first = text(subject, "what-happens-next")
    assert first.startswith("It is not your fault.")
    assert "Tell your bank straight away" in first
    assert "reportfraud.example.police.uk" in first
    assert "Financial Ombudsman Service" in text(subject, "compensation")
