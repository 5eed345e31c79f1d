"""The editorial API: drafts, If-Match, preview, publish, retire, versions, diff, audit.

Each test works on a leaflet of its own (a fresh slug), so the published leaflets
the other tests read are never touched.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.leaflets.html_checks import fragment_problems, page_loading_problems
from tests.leaflets.ssml_checks import assert_ssml_structure
from tests.leaflets.test_render_html import XSS_PAYLOADS
from tests.support.auth import bearer, new_client, token_for
from victim_api.leaflets.content import SECTION_KEYS
from victim_api.platform.audit import AuditEvent
from victim_api.platform.principal import Channel


@pytest.fixture
def staff(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["STAFF"])


@pytest.fixture
def slug() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def sections(words: str = "Plain words for a reader.") -> dict[str, dict[str, str]]:
    return {
        key: {"heading": f"About {key.replace('-', ' ')}", "body": f"{words} This is {key}."}
        for key in SECTION_KEYS
    }


def draft_body(language: str = "en", **extra: Any) -> dict[str, Any]:
    return {
        "language": language,
        "title": "A test leaflet",
        "summary": "Only for tests.",
        "sections": sections(),
        **extra,
    }


def create(
    client: TestClient, headers: dict[str, str], slug: str, body: dict[str, Any] | None = None
):
    response = client.post(
        f"/v1/leaflets/{slug}/versions", json=body or draft_body(), headers=headers
    )
    assert response.status_code == 201, response.text
    return response


def act(client: TestClient, headers, created, action: str):
    body = created.json()
    url = f"/v1/leaflets/{body['slug']}/versions/{body['id']}/{action}"
    return client.post(url, headers={**headers, "If-Match": created.headers["etag"]})


def published(client: TestClient, headers, slug: str, body: dict[str, Any] | None = None):
    response = act(client, headers, create(client, headers, slug, body), "publish")
    assert response.status_code == 200, response.text
    return response


def audit_of(app: FastAPI, version_id: str) -> list[tuple[str, list[str]]]:
    with app.state.database.read_session() as session:
        rows = session.execute(
            sa.select(AuditEvent.operation, AuditEvent.fields)
            .where(AuditEvent.resource_type == "leaflet_version")
            .where(AuditEvent.resource_id == version_id)
            .order_by(AuditEvent.seq)
        )
        return [(row.operation, list(row.fields)) for row in rows]


def test_a_draft_is_created_with_location_etag_and_no_problems(
    client: TestClient, staff, slug: str, app: FastAPI
) -> None:
    response = create(client, staff, slug)
    body = response.json()
    assert response.headers["location"] == f"/v1/leaflets/{slug}/versions/{body['id']}"
    assert response.headers["etag"] == '"v1"'
    assert response.headers["cache-control"] == "no-store"
    assert (body["status"], body["version"], body["language"]) == ("DRAFT", 1, "en")
    assert body["problems"] == []
    assert [s["key"] for s in body["sections"]] == list(SECTION_KEYS)
    assert audit_of(app, body["id"])[0][0] == "COLLECTION"
    read = client.get(response.headers["location"], headers=staff)
    assert read.json() == body
    assert read.headers["etag"] == '"v1"'


def test_a_draft_may_be_incomplete_and_says_what_is_missing(
    client: TestClient, staff, slug: str
) -> None:
    body = create(client, staff, slug, {"language": "en"}).json()
    problems = body["problems"]
    assert any(p.startswith("title") for p in problems)
    for key in SECTION_KEYS:
        assert f"{key}: the section has no text" in problems


@pytest.mark.parametrize(
    ("body_text", "problem"),
    [
        ("<script>alert(1)</script>", "raw HTML is not allowed"),
        ("[a link](http://example.com)", "must start with https:, mailto: or tel:"),
        ("Call {{officer_phone}}.", "unknown slot {{officer_phone}}"),
        ("##### Too small", "use ### or #### for headings"),
        ("Text\n\n## Another {#complaints}\n\nMore.", "complaints"),
    ],
)
def test_the_content_file_rules_apply_to_drafts(
    client: TestClient, staff, slug: str, body_text: str, problem: str
) -> None:
    given = draft_body()
    given["sections"]["compensation"]["body"] = body_text
    problems = create(client, staff, slug, given).json()["problems"]
    assert any(problem in p for p in problems), problems
    if "##" not in body_text:
        assert all(p.startswith("compensation: ") for p in problems), problems


def test_a_new_draft_copies_the_published_version(client: TestClient, staff, slug: str) -> None:
    first = published(client, staff, slug).json()
    second = create(client, staff, slug, {"language": "en"}).json()
    assert second["version"] == 2
    assert second["title"] == first["title"]
    assert second["sections"] == first["sections"]
    translation = create(client, staff, slug, {"language": "pl", "title": "Ulotka"}).json()
    assert translation["version"] == 1
    assert translation["title"] == "Ulotka"
    assert translation["sections"] == first["sections"]
    copied = create(client, staff, slug, {"language": "cy", "copy_from": translation["id"]}).json()
    assert copied["title"] == "Ulotka"


def test_changing_a_draft_needs_if_match_and_changes_only_what_is_named(
    client: TestClient, staff, slug: str, app: FastAPI
) -> None:
    created = create(client, staff, slug)
    url = created.headers["location"]
    change = {"sections": {"complaints": {"body": "Tell us what went wrong."}}}
    assert client.patch(url, json=change, headers=staff).status_code == 428
    stale = client.patch(url, json=change, headers={**staff, "If-Match": '"v9"'})
    assert stale.status_code == 412
    response = client.patch(url, json=change, headers={**staff, "If-Match": '"v1"'})
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"v2"'
    body = response.json()
    by_key = {s["key"]: s for s in body["sections"]}
    assert by_key["complaints"]["body"] == "Tell us what went wrong."
    assert by_key["complaints"]["heading"] == "About complaints"
    before = {s["key"]: s for s in created.json()["sections"]}
    assert by_key["compensation"] == before["compensation"]
    assert body["title"] == "A test leaflet"
    assert audit_of(app, body["id"])[-1] == ("ALTERATION", ["sections.complaints"])
    note = client.patch(
        url, json={"review_note": None, "sample": False}, headers={**staff, "If-Match": '"v2"'}
    )
    assert note.headers["etag"] == '"v2"'  # nothing changed, so nothing was written


def test_publishing_serves_it_at_once_and_retires_the_one_it_replaces(
    client: TestClient, staff, slug: str, app: FastAPI
) -> None:
    assert client.get(f"/v1/leaflets/{slug}").status_code == 404  # cached as unknown
    first = published(client, staff, slug).json()
    assert first["status"] == "PUBLISHED"
    assert first["published_at"]
    public = client.get(f"/v1/leaflets/{slug}")
    assert public.status_code == 200
    assert public.json()["version"] == 1
    second = create(client, staff, slug, {"language": "en", "title": "A better title"})
    response = act(client, staff, second, "publish")
    assert response.status_code == 200, response.text
    assert client.get(f"/v1/leaflets/{slug}").json()["title"] == "A better title"
    old = client.get(f"/v1/leaflets/{slug}/versions/{first['id']}", headers=staff).json()
    assert old["status"] == "RETIRED"
    assert audit_of(app, first["id"])[-1] == ("ALTERATION", ["retired_at", "status"])
    assert audit_of(app, second.json()["id"])[-1] == ("ALTERATION", ["published_at", "status"])
    listed = {i["slug"]: i for i in client.get("/v1/leaflets").json()["items"]}
    assert listed[slug]["title"] == "A better title"


def test_published_and_retired_versions_never_change(client: TestClient, staff, slug: str) -> None:
    created = create(client, staff, slug)
    done = act(client, staff, created, "publish")
    url = created.headers["location"]
    change = client.patch(
        url, json={"title": "Changed"}, headers={**staff, "If-Match": done.headers["etag"]}
    )
    assert change.status_code == 409
    assert change.json()["code"] == "leaflet_version_not_draft"
    again = client.post(f"{url}/publish", headers={**staff, "If-Match": done.headers["etag"]})
    assert again.status_code == 409


def test_a_draft_with_problems_cannot_be_published(client: TestClient, staff, slug: str) -> None:
    given = draft_body()
    given["sections"]["contact-us"]["body"] = "<b>Call us</b>"
    response = act(client, staff, create(client, staff, slug, given), "publish")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "leaflet_version_invalid"
    assert any(p.startswith("contact-us: raw HTML") for p in body["problems"])
    assert client.get(f"/v1/leaflets/{slug}").status_code == 404


def test_a_translation_needs_a_published_english_version(
    client: TestClient, staff, slug: str
) -> None:
    welsh = create(client, staff, slug, draft_body("cy"))
    refused = act(client, staff, welsh, "publish")
    assert refused.status_code == 409
    assert refused.json()["code"] == "leaflet_english_required"
    english = published(client, staff, slug)
    assert act(client, staff, welsh, "publish").status_code == 200
    english_url = f"/v1/leaflets/{slug}/versions/{english.json()['id']}"
    refused = client.post(
        f"{english_url}/retire", headers={**staff, "If-Match": english.headers["etag"]}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "leaflet_english_required"


def test_retiring_withdraws_the_leaflet_and_retiring_twice_changes_nothing(
    client: TestClient, staff, slug: str
) -> None:
    done = published(client, staff, slug)
    assert client.get(f"/v1/leaflets/{slug}").status_code == 200
    url = f"/v1/leaflets/{slug}/versions/{done.json()['id']}/retire"
    assert client.post(url, headers=staff).status_code == 428
    retired = client.post(url, headers={**staff, "If-Match": done.headers["etag"]})
    assert retired.status_code == 200
    assert retired.json()["status"] == "RETIRED"
    assert client.get(f"/v1/leaflets/{slug}").status_code == 404
    twice = client.post(url, headers={**staff, "If-Match": retired.headers["etag"]})
    assert twice.status_code == 200
    assert twice.headers["etag"] == retired.headers["etag"]


def test_an_older_draft_cannot_replace_a_newer_published_version(
    client: TestClient, staff, slug: str
) -> None:
    published(client, staff, slug)
    older = create(client, staff, slug, {"language": "en"})
    newer = create(client, staff, slug, {"language": "en", "title": "Newer"})
    assert act(client, staff, newer, "publish").status_code == 200
    refused = act(client, staff, older, "publish")
    assert refused.status_code == 409
    assert refused.json()["code"] == "leaflet_version_superseded"


def test_versions_are_listed_by_language_then_number_a_page_at_a_time(
    client: TestClient, staff, slug: str
) -> None:
    published(client, staff, slug)
    create(client, staff, slug, {"language": "en"})
    create(client, staff, slug, draft_body("cy"))
    url = f"/v1/leaflets/{slug}/versions"
    first = client.get(url, params={"limit": 2}, headers=staff).json()
    assert [(i["language"], i["version"]) for i in first["items"]] == [("cy", 1), ("en", 1)]
    rest = client.get(first["next"], headers=staff).json()
    assert [(i["language"], i["version"], i["status"]) for i in rest["items"]] == [
        ("en", 2, "DRAFT")
    ]
    assert "next" not in rest
    drafts = client.get(url, params={"status": "DRAFT", "language": "en"}, headers=staff)
    assert [i["version"] for i in drafts.json()["items"]] == [2]
    assert client.get("/v1/leaflets/never-written/versions", headers=staff).json() == {"items": []}


def test_the_diff_is_per_section_with_a_unified_diff_of_each_change(
    client: TestClient, staff, slug: str
) -> None:
    old = published(client, staff, slug).json()
    new = create(
        client,
        staff,
        slug,
        {
            "language": "en",
            "title": "A new title",
            "sections": {"complaints": {"body": "Plain words, changed. This is complaints."}},
        },
    ).json()
    response = client.get(
        f"/v1/leaflets/{slug}/diff", params={"from": old["id"], "to": new["id"]}, headers=staff
    )
    assert response.status_code == 200
    body = response.json()
    assert body["from_version"]["version"] == 1
    assert body["to_version"] == {
        "id": new["id"],
        "language": "en",
        "version": 2,
        "status": "DRAFT",
    }
    assert body["fields"] == [{"name": "title", "old": "A test leaflet", "new": "A new title"}]
    changes = {s["key"]: s for s in body["sections"]}
    assert list(changes) == list(SECTION_KEYS)
    assert changes["complaints"]["change"] == "CHANGED"
    diff = changes["complaints"]["diff"]
    assert "-Plain words for a reader. This is complaints." in diff
    assert "+Plain words, changed. This is complaints." in diff
    assert diff.startswith("--- en v1 complaints\n+++ en v2 complaints")
    assert {s["change"] for k, s in changes.items() if k != "complaints"} == {"UNCHANGED"}
    blank = create(client, staff, f"{slug}-b", {"language": "en"}).json()
    other = client.get(
        f"/v1/leaflets/{slug}/diff", params={"from": old["id"], "to": blank["id"]}, headers=staff
    )
    assert other.status_code == 404  # a version of another leaflet


def test_sections_of_an_empty_draft_are_added_and_removed_in_the_diff(
    client: TestClient, staff, slug: str
) -> None:
    empty = create(client, staff, slug, {"language": "en"}).json()
    full = create(client, staff, slug).json()
    url = f"/v1/leaflets/{slug}/diff"
    added = client.get(url, params={"from": empty["id"], "to": full["id"]}, headers=staff).json()
    assert {s["change"] for s in added["sections"]} == {"ADDED"}
    first = added["sections"][0]
    assert (first["old_heading"], first["new_heading"]) == (None, "About what happens next")
    assert "+## About what happens next" in first["diff"]
    removed = client.get(url, params={"from": full["id"], "to": empty["id"]}, headers=staff)
    assert {s["change"] for s in removed.json()["sections"]} == {"REMOVED"}


def test_headings_titles_and_summaries_are_never_blank(
    client: TestClient, staff, slug: str
) -> None:
    url = f"/v1/leaflets/{slug}/versions"
    for bad in (
        {"title": "   "},
        {"summary": "two\nlines"},
        {"sections": {"compensation": {"heading": " "}}},
        {"sections": {"compensation": {"body": "nul\u0000"}}},
        {"sections": {"no-such-section": {"body": "x"}}},
    ):
        response = client.post(url, json={"language": "en", **bad}, headers=staff)
        assert response.status_code == 422, bad


def test_preview_renders_a_draft_as_readers_would_get_it(
    client: TestClient, staff, slug: str
) -> None:
    given = draft_body()
    given["sections"]["contact-us"]["body"] = "To speak to {{officer_name}}, call us."
    created = create(client, staff, slug, given).json()
    url = f"/v1/leaflets/{slug}/versions/{created['id']}/preview"
    body = client.get(url, headers=staff).json()
    assert (body["status"], body["problems"], body["published_at"]) == ("DRAFT", [], None)
    contact = next(s for s in body["sections"] if s["key"] == "contact-us")
    assert "the officer in charge of your case" in contact["text"]
    page = client.get(url, headers={**staff, "Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert page_loading_problems(page.text) == []
    assert client.get(url, headers={**staff, "Accept": "image/png"}).status_code == 406


def test_the_xss_corpus_cannot_reach_any_output_or_be_published(
    client: TestClient, staff, slug: str
) -> None:
    given = draft_body(title="<script>alert('title')</script>")
    keys = list(SECTION_KEYS)
    # NUL is refused at the door (422, tested below); everything else is accepted.
    payloads = [p for p in XSS_PAYLOADS if "\x00" not in p]
    for index, key in enumerate(keys):
        chunk = payloads[index :: len(keys)]
        heading = " ".join(chunk[0].split())[:100]
        given["sections"][key] = {"heading": heading, "body": "\n\n".join(chunk)}
    created = create(client, staff, slug, given).json()
    assert any("raw HTML is not allowed" in p for p in created["problems"])
    url = f"/v1/leaflets/{slug}/versions/{created['id']}"
    preview = client.get(f"{url}/preview", headers=staff).json()
    for section in preview["sections"]:
        assert fragment_problems(section["html"]) == [], section["key"]
        assert_ssml_structure(ET.fromstring(section["ssml"]))
    assert_ssml_structure(ET.fromstring(preview["ssml"]))
    page = client.get(f"{url}/preview", headers={**staff, "Accept": "text/html"}).text
    assert page_loading_problems(page) == []
    assert "<script" not in page.lower()
    refused = client.post(f"{url}/publish", headers={**staff, "If-Match": '"v1"'})
    assert refused.json()["code"] == "leaflet_version_invalid"


def test_a_title_that_looks_like_markup_is_published_as_plain_text(
    client: TestClient, staff, slug: str
) -> None:
    published(client, staff, slug, draft_body(title='<img src=x onerror="alert(1)">'))
    body = client.get(f"/v1/leaflets/{slug}").json()
    assert body["title"] == '<img src=x onerror="alert(1)">'  # JSON text: escape when shown
    page = client.get(f"/v1/leaflets/{slug}", headers={"Accept": "text/html"}).text
    assert page_loading_problems(page) == []
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_a_repeated_create_with_the_same_key_is_replayed(
    client: TestClient, staff, slug: str
) -> None:
    headers = {**staff, "Idempotency-Key": f"key-{uuid.uuid4()}"}
    first = client.post(f"/v1/leaflets/{slug}/versions", json=draft_body(), headers=headers)
    again = client.post(f"/v1/leaflets/{slug}/versions", json=draft_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"


def test_a_failed_create_releases_its_key_at_once(client: TestClient, staff, slug: str) -> None:
    headers = {**staff, "Idempotency-Key": f"key-{uuid.uuid4()}"}
    missing = {"language": "en", "copy_from": str(uuid.uuid4())}
    response = client.post(f"/v1/leaflets/{slug}/versions", json=missing, headers=headers)
    assert response.status_code == 404
    assert response.json()["code"] == "leaflet_version_not_found"
    retry = client.post(f"/v1/leaflets/{slug}/versions", json=draft_body(), headers=headers)
    assert retry.status_code == 201


def test_editing_needs_staff_with_leaflets_write(
    client: TestClient, channel_tokens, app: FastAPI, slug: str
) -> None:
    url = f"/v1/leaflets/{slug}/versions"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(channel_tokens["WEB"])).status_code == 403
    assert (
        client.post(url, json=draft_body(), headers=bearer(channel_tokens["PHONE"])).status_code
        == 403
    )
    without = new_client(app, Channel.STAFF, scopes={"qr:read"}, name="no leaflets")
    token = token_for(client, without, acting_user="staff.tester")
    response = client.post(url, json=draft_body(), headers=bearer(token))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_unknown_versions_are_404(client: TestClient, staff, slug: str) -> None:
    url = f"/v1/leaflets/{slug}/versions/{uuid.uuid4()}"
    assert client.get(url, headers=staff).json()["code"] == "leaflet_version_not_found"
    assert client.post(f"{url}/publish", headers=staff).status_code == 404
