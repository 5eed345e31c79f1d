"""GET /v1/leaflets and /v1/leaflets/{slug}: language, media type, caching, safety."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from tests.leaflets.html_checks import fragment_problems, page_loading_problems, parse_html
from tests.leaflets.ssml_checks import XML_LANG, assert_ssml_structure, sentences
from victim_api.leaflets.content import SECTION_KEYS
from victim_api.leaflets.render import PAGE_CONTENT_SECURITY_POLICY

SLUGS = ("bereaved-families", "domestic-abuse", "fraud", "victim-information")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(autouse=True)
def _published(published_leaflets: list[str]) -> None:
    return None


def get(client: TestClient, slug: str = "victim-information", **headers: str):
    params = {"lang": headers.pop("lang")} if "lang" in headers else None
    names = {"accept_language": "Accept-Language", "if_none_match": "If-None-Match"}
    sent = {names.get(k, k.replace("_", "-").title()): v for k, v in headers.items()}
    return client.get(f"/v1/leaflets/{slug}", params=params, headers=sent)


def test_the_list_names_each_published_leaflet_and_its_languages(client: TestClient) -> None:
    response = client.get("/v1/leaflets")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    items = {item["slug"]: item for item in response.json()["items"]}
    assert set(SLUGS) <= set(items)
    languages = {x["language"]: x for x in items["victim-information"]["languages"]}
    assert set(languages) == {"cy", "en"}
    assert languages["cy"]["sample"] is True
    assert languages["en"]["sample"] is False
    assert items["victim-information"]["title"] == "Information for victims of crime"
    again = client.get("/v1/leaflets", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("slug", SLUGS)
def test_each_leaflet_reads_in_english_with_every_section(client: TestClient, slug: str) -> None:
    response = get(client, slug)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-language"] == "en"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["vary"] == "Accept-Language, Accept"
    # Only configured origins may read cross-origin (tests/platform/test_cors.py).
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["etag"].startswith('"')  # strong, never W/
    body = response.json()
    assert (body["slug"], body["language"], body["version"]) == (slug, "en", 1)
    assert body["sample"] is False
    assert body["sample_note"] is None
    assert body["personalised"] is False
    assert [s["key"] for s in body["sections"]] == list(SECTION_KEYS)
    for section in body["sections"]:
        assert fragment_problems(section["html"]) == []
        assert section["text"].strip()
        assert_ssml_structure(ET.fromstring(section["ssml"]))
    root = ET.fromstring(body["ssml"])
    assert_ssml_structure(root)
    assert root.attrib[XML_LANG] == "en"


def test_slots_read_as_generic_wording_on_a_public_read(client: TestClient) -> None:
    body = get(client).json()
    everything = body["ssml"] + "".join(s["html"] + s["text"] + s["ssml"] for s in body["sections"])
    assert "{{" not in everything
    assert "the officer in charge of your case" in everything


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "en"),
        ({"lang": "cy"}, "cy"),
        ({"lang": "CY"}, "cy"),
        ({"lang": "cy-GB"}, "cy"),
        ({"lang": "pl"}, "en"),
        ({"accept_language": "cy"}, "cy"),
        ({"accept_language": "cy-GB, en;q=0.5"}, "cy"),
        ({"accept_language": "cy;q=0.1, en;q=0.9"}, "en"),
        ({"accept_language": "fr, de;q=0.9"}, "en"),
        ({"accept_language": "fr, cy;q=0.3"}, "cy"),
        ({"accept_language": "*"}, "en"),
        ({"accept_language": "cy;q=0"}, "en"),
        ({"accept_language": "en;q=oops, cy;q=0.5"}, "cy"),
        ({"accept_language": "cy", "lang": "en"}, "en"),
        ({"accept_language": "cy", "lang": "pl"}, "cy"),
    ],
)
def test_the_language_follows_lang_then_accept_language_then_english(
    client: TestClient, headers: dict[str, str], expected: str
) -> None:
    response = get(client, **headers)
    assert response.status_code == 200
    assert response.headers["content-language"] == expected
    assert response.json()["language"] == expected


def test_a_leaflet_with_only_english_answers_english_to_a_welsh_reader(
    client: TestClient,
) -> None:
    response = get(client, "fraud", lang="cy", accept_language="cy")
    assert response.headers["content-language"] == "en"


def test_the_welsh_sample_is_served_and_marked_as_a_sample_everywhere(client: TestClient) -> None:
    body = get(client, lang="cy").json()
    assert body["sample"] is True
    assert "Cyfieithiad sampl" in body["sample_note"]
    assert "sample translation" in body["sample_note"]
    assert body["languages"] == ["cy", "en"]
    assert "Cyfieithiad sampl yw hwn." in sentences(ET.fromstring(body["ssml"]))
    page = get(client, lang="cy", accept="text/html").text
    notes = [e for e in parse_html(page).elements if e.attrs.get("role") == "note"]
    assert len(notes) == 1
    assert "Cyfieithiad sampl" in page
    assert '<p lang="en">This is a sample translation.' in page
    # The editors' review note is never shown to readers.
    assert "translator must" not in page
    assert "review_note" not in body


def test_english_carries_no_sample_notice(client: TestClient) -> None:
    page = get(client, accept="text/html").text
    assert 'role="note"' not in page
    assert "sample translation" not in page


def test_if_none_match_gets_304_with_the_caching_headers(client: TestClient) -> None:
    first = get(client, lang="cy")
    tag = first.headers["etag"]
    for sent in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = get(client, lang="cy", if_none_match=sent)
        assert again.status_code == 304, sent
        assert again.content == b""
        assert again.headers["etag"] == tag
        assert again.headers["cache-control"] == "public, max-age=300"
        assert again.headers["content-language"] == "cy"
        assert again.headers["vary"] == "Accept-Language, Accept"
    assert get(client, lang="cy", if_none_match='"stale"').status_code == 200
    # The English representation has another tag, so the Welsh one does not match it.
    assert get(client, if_none_match=tag).status_code == 200


def test_each_language_and_media_type_has_its_own_strong_etag(client: TestClient) -> None:
    tags = {
        get(client, lang="en").headers["etag"],
        get(client, lang="cy").headers["etag"],
        get(client, lang="en", accept="text/html").headers["etag"],
        get(client, lang="cy", accept="text/html").headers["etag"],
    }
    assert len(tags) == 4
    assert (
        get(client, lang="cy").headers["etag"] == get(client, accept_language="cy").headers["etag"]
    )


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("text/html", "text/html"),
        (BROWSER_ACCEPT, "text/html"),
        ("text/*", "text/html"),
        ("application/json;q=0.5, text/html;q=0.9", "text/html"),
        ("text/html;q=0.4, application/json", "application/json"),
        ("text/html;q=0, */*", "application/json"),
    ],
)
def test_accept_picks_json_or_the_page(client: TestClient, accept: str | None, media: str) -> None:
    response = get(client) if accept is None else get(client, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)


@pytest.mark.parametrize("accept", ["image/png", "application/xml", "text/html;q=0, */*;q=0"])
def test_an_accept_that_allows_neither_is_406(client: TestClient, accept: str) -> None:
    response = get(client, accept=accept)
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_acceptable"


def test_the_page_is_whole_accessible_printable_and_self_contained(client: TestClient) -> None:
    response = get(client, lang="cy", accept="text/html")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == PAGE_CONTENT_SECURITY_POLICY
    assert response.headers["content-language"] == "cy"
    page = response.text
    assert page.startswith("<!DOCTYPE html>\n")
    parsed = parse_html(page)
    [html] = [e for e in parsed.elements if e.tag == "html"]
    assert html.attrs["lang"] == "cy"
    assert len([e for e in parsed.elements if e.tag == "h1"]) == 1
    assert [e.attrs.get("id") for e in parsed.elements if e.tag == "h2"] == list(SECTION_KEYS)
    assert "@media print" in page
    assert page_loading_problems(page) == []


def test_an_unknown_leaflet_is_a_404_problem(client: TestClient) -> None:
    response = get(client, "no-such-leaflet")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "leaflet_not_found"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/v1/leaflets/Not_A_Slug", "/v1/leaflets/fraud?lang=c%20y"])
def test_malformed_names_and_languages_are_422(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
