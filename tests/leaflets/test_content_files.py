"""The real leaflet files: they parse, are complete, and every link and number is sound."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from markdown_it import MarkdownIt

from tests.leaflets.conftest import LEAFLET_FILES
from victim_api.leaflets.content import (
    SECTION_KEYS,
    SLOT_NAMES,
    SLOT_PATTERN,
    Leaflet,
    LeafletStatus,
    load_leaflet,
)
from victim_api.leaflets.render import fill_slots, to_text

# Our own pages live on example domains; a few public bodies are named for real.
PUBLIC_BODY_HOSTS = frozenset({"www.gov.uk", "www.financial-ombudsman.org.uk"})
EXAMPLE_DOMAIN = "example.police.uk"
# Digit runs that may be split by single spaces or hyphens: candidate phone numbers.
DIGIT_RUN = re.compile(r"(?<![\d+])\+?\d(?:[ -]?\d)+(?!\d)")
SHORT_NUMBER_AFTER = re.compile(
    r"\b(?:call|ring|dial|phone|on)\s+(\d{3,6})\b(?![ -]?\d)", re.IGNORECASE
)
FILE_IDS = [path.relative_to(path.parents[1]).as_posix() for path in LEAFLET_FILES]


def links_of(markdown: str) -> list[tuple[str, str]]:
    """(href, link text) for every link, found by the parser rather than a regex."""
    found: list[tuple[str, str]] = []
    for token in MarkdownIt("commonmark").parse(markdown):
        children = token.children or []
        for index, child in enumerate(children):
            if child.type == "link_open":
                text = children[index + 1].content if index + 1 < len(children) else ""
                found.append((str(child.attrGet("href")), text))
    return found


def whole_text(leaflet: Leaflet) -> str:
    return "\n\n".join(
        to_text(fill_slots(s.body, language=leaflet.language)) for s in leaflet.sections
    )


def test_there_are_the_expected_leaflets() -> None:
    assert set(FILE_IDS) == {
        "victim-information/en.md",
        "victim-information/cy.md",
        "domestic-abuse/en.md",
        "bereaved-families/en.md",
        "fraud/en.md",
    }


def test_the_whole_directory_loads(leaflets: tuple[Leaflet, ...]) -> None:
    assert [(x.slug, x.language) for x in leaflets] == sorted(
        (path.parent.name, path.stem) for path in LEAFLET_FILES
    )


@pytest.mark.parametrize("path", LEAFLET_FILES, ids=FILE_IDS)
def test_each_file_parses_and_is_published_and_only_translations_are_samples(path: Path) -> None:
    leaflet = load_leaflet(path)
    if leaflet.sample:
        assert leaflet.review_note
        assert "review" in leaflet.review_note.lower()
        # An unreviewed translation may reach victims only marked as a sample
        # (tests/leaflets/test_api_public.py checks every channel shows it).
        assert leaflet.language != "en"
    assert leaflet.status is LeafletStatus.PUBLISHED


@pytest.mark.parametrize("path", LEAFLET_FILES, ids=FILE_IDS)
def test_each_file_has_every_section_with_words_in_it(path: Path) -> None:
    leaflet = load_leaflet(path)
    assert tuple(section.key for section in leaflet.sections) == SECTION_KEYS
    for section in leaflet.sections:
        assert len(section.body.split()) >= 20, f"{section.key} is nearly empty"


@pytest.mark.parametrize("path", LEAFLET_FILES, ids=FILE_IDS)
def test_each_link_is_well_formed(path: Path) -> None:
    leaflet = load_leaflet(path)
    links = [link for section in leaflet.sections for link in links_of(section.body)]
    assert links, "a leaflet with no links gives a victim nowhere to go"
    problems = [
        f"{href!r}: {problem}" for href, text in links if (problem := link_problem(href, text))
    ]
    assert problems == []


def link_problem(href: str, text: str) -> str | None:
    if href.startswith("https:"):
        parts = urlsplit(href)
        host = parts.hostname or ""
        if not host or parts.username or parts.port:
            return "needs a plain host"
        if not (
            host == EXAMPLE_DOMAIN
            or host.endswith("." + EXAMPLE_DOMAIN)
            or host in PUBLIC_BODY_HOSTS
        ):
            return "our pages use example.police.uk; public bodies must be listed in this test"
        return None
    if href.startswith("tel:"):
        return tel_problem(href.removeprefix("tel:"), text)
    if href.startswith("mailto:"):
        try:
            validate_email(href.removeprefix("mailto:"), check_deliverability=False)
        except EmailNotValidError as error:
            return str(error)
        return None
    if href.startswith("#"):
        return None if href[1:] in SECTION_KEYS else "jumps to no section"
    return "scheme must be https:, tel: or mailto:"


def tel_problem(number: str, text: str) -> str | None:
    try:
        parsed = phonenumbers.parse(number, None)  # no default region: must be +44...
    except phonenumbers.NumberParseException as error:
        return str(error)
    if not phonenumbers.is_valid_number_for_region(parsed, "GB"):
        return "not a valid UK number"
    shown = re.sub(r"\D", "", text)
    if shown and phonenumbers.parse(text, "GB") != parsed:
        return f"link text {text!r} is a different number"
    return None


@pytest.mark.parametrize("path", LEAFLET_FILES, ids=FILE_IDS)
def test_every_phone_number_in_the_text_is_a_valid_uk_number(path: Path) -> None:
    text = whole_text(load_leaflet(path))
    problems = []
    for match in DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", match[0])
        if len(digits) >= 7 and not phonenumbers.is_valid_number(
            phonenumbers.parse(match[0], "GB")
        ):
            problems.append(match[0])
    for match in SHORT_NUMBER_AFTER.finditer(text):
        short = phonenumbers.parse(match[1], "GB")
        if not phonenumbers.is_valid_short_number_for_region(short, "GB"):
            problems.append(match[0])
    assert problems == []


def test_the_phone_number_scan_finds_what_it_should() -> None:
    found = [m[0] for m in DIGIT_RUN.finditer("Call 0808 157 0100 or 020 7946 0400, or 999.")]
    assert found == ["0808 157 0100", "020 7946 0400", "999"]
    assert not phonenumbers.is_valid_number(phonenumbers.parse("0808 157 01000", "GB"))


@pytest.mark.parametrize("path", LEAFLET_FILES, ids=FILE_IDS)
def test_each_file_uses_only_known_slots(path: Path) -> None:
    leaflet = load_leaflet(path)
    used = {name for s in leaflet.sections for name in SLOT_PATTERN.findall(s.body)}
    assert used <= set(SLOT_NAMES)
    assert "officer_team_phone" in SLOT_PATTERN.findall(leaflet.section("contact-us").body)


@pytest.mark.parametrize("path", LEAFLET_FILES, ids=FILE_IDS)
def test_each_file_tells_people_in_danger_to_call_999(path: Path) -> None:
    leaflet = load_leaflet(path)
    assert "999" in leaflet.section("contact-us").body


def test_the_welsh_translation_keeps_every_number_link_and_slot_of_the_english(
    leaflets: tuple[Leaflet, ...],
) -> None:
    english, welsh = (
        next(x for x in leaflets if x.slug == "victim-information" and x.language == tag)
        for tag in ("en", "cy")
    )
    for en_section, cy_section in zip(english.sections, welsh.sections, strict=True):
        assert sorted(h for h, _ in links_of(cy_section.body)) == sorted(
            h for h, _ in links_of(en_section.body)
        ), en_section.key
        assert sorted(SLOT_PATTERN.findall(cy_section.body)) == sorted(
            SLOT_PATTERN.findall(en_section.body)
        ), en_section.key
        assert sorted(re.findall(r"\d+", cy_section.body)) == sorted(
            re.findall(r"\d+", en_section.body)
        ), en_section.key
