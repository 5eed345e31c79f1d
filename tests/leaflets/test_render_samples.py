"""Sample translations are marked in every rendering; single sections render alone."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.leaflets.html_checks import page_loading_problems, parse_html
from tests.leaflets.ssml_checks import assert_ssml_structure, sentences, tag
from victim_api.leaflets.content import Leaflet
from victim_api.leaflets.language import negotiate_language
from victim_api.leaflets.render import (
    fill_slots,
    is_language_tag,
    sample_notice,
    to_html,
    to_html_page,
    to_section_ssml,
    to_ssml,
)


def page(leaflet: Leaflet) -> str:
    sections = {
        s.key: to_html(fill_slots(s.body, language=leaflet.language)) for s in leaflet.sections
    }
    return to_html_page(leaflet, sections, leaflet.language)


def test_a_sample_page_says_so_under_the_title_in_both_languages(sample_leaflet: Leaflet) -> None:
    welsh = sample_leaflet.model_copy(
        update={"language": "cy", "sample": True, "review_note": "Review it."}
    )
    markup = page(welsh)
    elements = parse_html(markup).elements
    names = [e.tag for e in elements]
    notice = names.index("div")
    assert names[notice - 1] == "h1"
    assert elements[notice].attrs == {"class": "sample-notice", "role": "note"}
    assert elements[notice + 2].attrs == {"lang": "en"}
    assert "Review it." not in markup
    assert page_loading_problems(markup) == []


def test_a_page_that_is_not_a_sample_has_no_notice(sample_leaflet: Leaflet) -> None:
    assert "sample-notice" not in page(sample_leaflet).split("</style>")[1]


def test_the_notice_is_in_the_leaflets_language_then_english() -> None:
    assert [tag for tag, _ in sample_notice("cy")] == ["cy", "en"]
    assert [tag for tag, _ in sample_notice("cy-GB")] == ["cy-GB", "en"]
    assert [tag for tag, _ in sample_notice("pl")] == ["en"]
    assert [tag for tag, _ in sample_notice("en")] == ["en"]


def test_the_ssml_notice_follows_the_title(sample_leaflet: Leaflet) -> None:
    root = ET.fromstring(to_ssml("Title", sample_leaflet.sections, "cy", notice="Sampl <yw> hwn."))
    assert_ssml_structure(root)
    assert sentences(root)[:2] == ["Title", "Sampl <yw> hwn."]


def test_a_section_alone_is_its_heading_then_its_blocks(sample_leaflet: Leaflet) -> None:
    root = ET.fromstring(to_section_ssml(sample_leaflet.section("contact-us"), "en"))
    assert_ssml_structure(root)
    assert tag(root[0]) == "p"  # no break before the first paragraph
    assert sentences(root)[0] == "Heading for contact-us"


def test_language_tags_are_checked_for_lang_attributes() -> None:
    assert is_language_tag("cy")
    assert is_language_tag("pa-Guru")
    assert not is_language_tag("en_GB")
    assert not is_language_tag("qq")


def test_several_explicit_choices_are_tried_in_order() -> None:
    available = {"en", "cy"}
    assert negotiate_language(available, lang=["pl", "cy"]) == "cy"
    assert negotiate_language(available, lang=[None, "fr"], accept_language="cy") == "cy"
    assert negotiate_language(available, lang=[]) == "en"
