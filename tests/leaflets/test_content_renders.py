"""Every real leaflet, through every renderer: safe HTML, a self-contained page, valid SSML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.leaflets.conftest import LEAFLET_FILES
from tests.leaflets.html_checks import fragment_problems, page_loading_problems, parse_html
from tests.leaflets.ssml_checks import NS, XML_LANG, assert_ssml_structure, say_as, sentences
from victim_api.leaflets.content import SECTION_KEYS, Leaflet, load_leaflet
from victim_api.leaflets.render import fill_slots, to_html, to_html_page, to_ssml, to_text

FILE_IDS = [path.relative_to(path.parents[1]).as_posix() for path in LEAFLET_FILES]
VALUES = {
    "crime_reference": "01/234567/26",
    "officer_name": "PC Sam Example",
    "officer_team_phone": "020 7946 0311",
    "support_services": "the local victim support service",
}


def filled(leaflet: Leaflet, values: dict[str, str] | None) -> list[str]:
    return [fill_slots(s.body, values, language=leaflet.language) for s in leaflet.sections]


@pytest.fixture(params=LEAFLET_FILES, ids=FILE_IDS)
def leaflet(request: pytest.FixtureRequest) -> Leaflet:
    path: Path = request.param
    return load_leaflet(path)


@pytest.mark.parametrize("values", [None, VALUES], ids=["generic", "personalised"])
def test_every_section_renders_to_safe_html_with_no_slot_left(
    leaflet: Leaflet, values: dict[str, str] | None
) -> None:
    for body in filled(leaflet, values):
        html = to_html(body)
        assert fragment_problems(html) == []
        assert "{{" not in html
        assert "{{" not in to_text(body)


def test_the_page_is_self_contained_and_structured(leaflet: Leaflet) -> None:
    bodies = filled(leaflet, VALUES)
    sections_html = {s.key: to_html(body) for s, body in zip(leaflet.sections, bodies, strict=True)}
    page = to_html_page(leaflet, sections_html, leaflet.language)
    assert page_loading_problems(page) == []
    parsed = parse_html(page)
    assert [e.attrs.get("lang") for e in parsed.elements if e.tag == "html"] == [leaflet.language]
    assert [e.tag for e in parsed.elements].count("h1") == 1
    assert [e.attrs.get("id") for e in parsed.elements if e.tag == "h2"] == list(SECTION_KEYS)


def test_the_ssml_is_well_formed_and_reads_numbers_properly(leaflet: Leaflet) -> None:
    sections = [
        s.model_copy(update={"body": body})
        for s, body in zip(leaflet.sections, filled(leaflet, VALUES), strict=True)
    ]
    root = ET.fromstring(to_ssml(leaflet.title, sections, leaflet.language))
    assert_ssml_structure(root)
    assert root.attrib[XML_LANG] == leaflet.language
    assert len(root.findall("s:break", NS)) == len(SECTION_KEYS)
    assert sentences(root)[0] == leaflet.title
    spoken = say_as(root)
    assert ("telephone", None, "999") in spoken
    assert ("telephone", None, "020 7946 0311") in spoken  # the officer's team, from the slot
