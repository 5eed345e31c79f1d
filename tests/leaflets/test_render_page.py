"""to_html_page: a complete, accessible page that loads nothing from anywhere."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from tests.leaflets.html_checks import (
    Element,
    fragment_problems,
    page_loading_problems,
    parse_html,
)
from victim_api.leaflets.content import SECTION_KEYS, Leaflet
from victim_api.leaflets.render import (
    PAGE_CONTENT_SECURITY_POLICY,
    PAGE_STYLE,
    fill_slots,
    to_html,
    to_html_page,
)


def page_for(leaflet: Leaflet, values: dict[str, str] | None = None, language: str = "en") -> str:
    sections = {
        s.key: to_html(fill_slots(s.body, values, language=language)) for s in leaflet.sections
    }
    return to_html_page(leaflet, sections, language)


def chrome_only_page(leaflet: Leaflet) -> str:
    return to_html_page(leaflet, dict.fromkeys(SECTION_KEYS, "<p>Words.</p>"), leaflet.language)


def elements(page: str, name: str) -> list[Element]:
    return [e for e in parse_html(page).elements if e.tag == name]


def test_the_page_is_a_complete_html5_document(sample_leaflet: Leaflet) -> None:
    page = page_for(sample_leaflet)
    assert page.startswith("<!DOCTYPE html>\n")
    (html_element,) = elements(page, "html")
    assert html_element.attrs["lang"] == "en"
    assert elements(page, "meta")[0].attrs == {"charset": "utf-8"}
    assert "<title>A test leaflet</title>" in page
    assert len(elements(page, "title")) == 1
    assert len(elements(page, "h1")) == 1


def test_there_is_one_h2_per_section_with_the_key_as_its_id(sample_leaflet: Leaflet) -> None:
    page = page_for(sample_leaflet)
    assert [e.attrs.get("id") for e in elements(page, "h2")] == list(SECTION_KEYS)
    assert [e.attrs["aria-labelledby"] for e in elements(page, "section")] == list(SECTION_KEYS)


def test_the_skip_link_is_first_and_lands_on_main(sample_leaflet: Leaflet) -> None:
    page = page_for(sample_leaflet)
    assert elements(page, "a")[0].attrs == {"class": "skip-link", "href": "#main"}
    (main,) = elements(page, "main")
    assert main.attrs["id"] == "main"


def test_the_contents_list_links_to_every_section(sample_leaflet: Leaflet) -> None:
    hrefs = [e.attrs["href"] for e in elements(chrome_only_page(sample_leaflet), "a")]
    assert hrefs == ["#main", *(f"#{key}" for key in SECTION_KEYS)]


def test_the_page_itself_refers_to_no_other_origin(sample_leaflet: Leaflet) -> None:
    page = chrome_only_page(sample_leaflet)
    assert page_loading_problems(page) == []
    assert "src=" not in page
    assert all(
        e.attrs["href"].startswith("#") for e in parse_html(page).elements if "href" in e.attrs
    )
    for css_fetch in ("url(", "@import", "@font-face"):
        assert css_fetch not in PAGE_STYLE


def test_content_links_are_the_only_outward_references(sample_leaflet: Leaflet) -> None:
    page = page_for(sample_leaflet)
    assert page_loading_problems(page) == []
    outward = [
        e.attrs["href"]
        for e in parse_html(page).elements
        if not e.attrs.get("href", "#").startswith("#")
    ]
    assert outward == [
        "tel:+448081570100",
        "https://victims.example.police.uk",
        "mailto:victimcare@example.police.uk",
    ]


def test_the_style_is_inline_with_a_print_version(sample_leaflet: Leaflet) -> None:
    page = page_for(sample_leaflet)
    assert page.count("<style>") == 1
    assert f"<style>{PAGE_STYLE}</style>" in page
    assert "@media print" in PAGE_STYLE
    assert "font-size: 1.1875rem" in PAGE_STYLE  # 19px body text
    assert "color: #0b0c0c" in PAGE_STYLE
    assert "background: #ffffff" in PAGE_STYLE


def test_the_content_security_policy_allows_exactly_this_style() -> None:
    digest = base64.b64encode(hashlib.sha256(PAGE_STYLE.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in PAGE_CONTENT_SECURITY_POLICY
    assert PAGE_CONTENT_SECURITY_POLICY.startswith("default-src 'none';")


def test_welsh_chrome_for_a_welsh_page(sample_leaflet: Leaflet) -> None:
    page = page_for(sample_leaflet.model_copy(update={"language": "cy"}), language="cy")
    assert elements(page, "html")[0].attrs["lang"] == "cy"
    assert "Neidio i&#x27;r prif gynnwys" in page
    assert "Ar y dudalen hon" in page


def test_fragments_handed_to_the_page_are_sanitised_again(sample_leaflet: Leaflet) -> None:
    hostile = (
        '<p>ok</p><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:x">x</a>'
    )
    page = to_html_page(sample_leaflet, dict.fromkeys(SECTION_KEYS, hostile), "en")
    for section_html in re.findall(r"</h2>(.*?)</section>", page, re.S):
        assert fragment_problems(section_html) == []
    assert "<script>" not in page
    assert "onerror" not in page


def test_title_summary_and_headings_are_escaped(sample_leaflet: Leaflet) -> None:
    hostile = sample_leaflet.model_copy(
        update={"title": "<script>x</script>", "summary": '"><img src=x>'}
    )
    page = chrome_only_page(hostile)
    assert "<script>x" not in page
    assert "<img" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_every_section_needs_its_html(sample_leaflet: Leaflet) -> None:
    with pytest.raises(ValueError, match="complaints"):
        to_html_page(
            sample_leaflet, {k: "<p>x</p>" for k in SECTION_KEYS if k != "complaints"}, "en"
        )


def test_an_invalid_language_tag_is_refused(sample_leaflet: Leaflet) -> None:
    with pytest.raises(ValueError, match="BCP 47"):
        to_html_page(sample_leaflet, dict.fromkeys(SECTION_KEYS, ""), '" onload="x')


def test_slot_values_reach_the_page_escaped(sample_leaflet: Leaflet) -> None:
    values = {"officer_name": "<b>PC Jones</b>", "officer_team_phone": "020 7946 0311"}
    page = page_for(sample_leaflet, values)
    assert "&lt;b&gt;PC Jones&lt;/b&gt;" in page
    assert '<a href="tel:+442079460311" rel="noopener noreferrer">020 7946 0311</a>' in page
