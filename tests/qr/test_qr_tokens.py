"""Signed QR tokens: issued, drawn, decoded by a real reader, verified offline, revoked."""

from __future__ import annotations

import base64
import csv
import io
import json
import uuid
import zipfile
from datetime import timedelta
from xml.etree import ElementTree

import jwt as pyjwt
import png
import pytest
import sqlalchemy as sa
import zxingcpp
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.auth import bearer
from tests.support.cases import put_new_case
from victim_api.platform.keys import KeyPurpose
from victim_api.platform.tokens import sign
from victim_api.qr import images, service
from victim_api.qr.service import QR, QR_CAPACITY_BYTES, max_url_length, qr_kind

FORBIDDEN_IN_TOKEN = ("name", "birth", "dob", "phone", "crime", "case", "victim", "email")


@pytest.fixture
def staff(channel_tokens) -> dict[str, str]:
    return bearer(channel_tokens["STAFF"])


@pytest.fixture
def new_case(client: TestClient, channel_tokens):
    return lambda: put_new_case(client, bearer(channel_tokens["POLICE_SYSTEM"]))


def issue(client: TestClient, headers, **body) -> dict:
    response = client.post(
        "/v1/qr-tokens", json={"leaflet_slug": "victim-information", **body}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def claims_of(token: str) -> dict:
    return pyjwt.decode(token, options={"verify_signature": False})


def test_issue_returns_token_url_jti_and_expiry(client: TestClient, staff) -> None:
    response = client.post(
        "/v1/qr-tokens", json={"leaflet_slug": "fraud", "language": "cy"}, headers=staff
    )
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/qr-tokens/{body['jti']}"
    assert response.headers["etag"] == '"v1"'
    assert body["url"] == f"https://victims.example.police.uk/l#t={body['token']}"
    assert body["status"] == "ACTIVE"
    claims = claims_of(body["token"])
    assert claims["jti"] == body["jti"]
    assert claims["sub"] == "fr"
    assert claims["exp"] - claims["iat"] == 400 * 86400


def test_tokens_carry_no_personal_or_case_data(client: TestClient, staff, new_case) -> None:
    case_id = new_case()
    body = issue(client, staff, case_id=case_id, language="cy")
    header = pyjwt.get_unverified_header(body["token"])
    claims = claims_of(body["token"])
    assert set(claims) == {"iss", "aud", "sub", "iat", "exp", "jti"}
    assert header == {"alg": "ES256", "kid": header["kid"], "typ": "vq"}
    decoded = json.dumps(claims) + json.dumps(header)
    assert case_id not in decoded
    assert case_id not in body["url"]
    for word in FORBIDDEN_IN_TOKEN:
        assert word not in decoded.lower()


def test_the_largest_url_fits_a_version_15_q_code(
    client: TestClient, staff, settings, new_case
) -> None:
    assert max_url_length(settings) <= QR_CAPACITY_BYTES
    body = issue(client, staff, case_id=new_case(), language="cy", lifetime_days=730)
    assert len(body["url"].encode()) <= max_url_length(settings)
    assert images.version_for(body["url"]) <= 15


def test_the_png_decodes_to_exactly_the_issued_url(client: TestClient, staff) -> None:
    body = issue(client, staff)
    response = client.get(f"/v1/qr-tokens/{body['jti']}/image.png?module=6", headers=staff)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    width, height, rows, _ = png.Reader(bytes=response.content).asDirect()
    pixels = bytearray()
    for row in rows:
        pixels.extend(255 if value else 0 for value in row[:width])
    image = memoryview(bytes(pixels)).cast("B", shape=[height, width])
    decoded = zxingcpp.read_barcodes(image)
    assert [barcode.text for barcode in decoded] == [body["url"]]


def test_the_svg_is_print_ready(client: TestClient, staff) -> None:
    body = issue(client, staff)
    response = client.get(f"/v1/qr-tokens/{body['jti']}/image.svg", headers=staff)
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.content)
    assert root.get("viewBox")
    background = root.find("{http://www.w3.org/2000/svg}rect")
    assert background is not None
    assert background.get("fill") == "white"


def test_images_are_never_stored_but_revalidate_with_an_etag(client: TestClient, staff) -> None:
    # A case-bound code opens a personalised leaflet: no shared or browser copy.
    body = issue(client, staff)
    url = f"/v1/qr-tokens/{body['jti']}/image.svg"
    first = client.get(url, headers=staff)
    assert first.headers["cache-control"] == "no-store"
    again = client.get(url, headers={**staff, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "query", ["module=0", "module=41", "border=3", "border=17", "error_correction=X"]
)
def test_image_parameters_out_of_range_are_422(client: TestClient, staff, query) -> None:
    body = issue(client, staff)
    response = client.get(f"/v1/qr-tokens/{body['jti']}/image.png?{query}", headers=staff)
    assert response.status_code == 422


def test_a_token_verifies_offline_with_pyjwt_against_the_published_jwks(
    client: TestClient, staff, settings
) -> None:
    body = issue(client, staff)
    kid = pyjwt.get_unverified_header(body["token"])["kid"]
    jwks = client.get("/.well-known/jwks.json").json()
    [jwk] = [k for k in jwks["keys"] if k["kid"] == kid]
    key = pyjwt.PyJWK.from_dict(jwk)
    claims = pyjwt.decode(
        body["token"],
        key=key,
        algorithms=["ES256"],
        audience=settings.qr_token_audience,
        issuer=settings.qr_token_issuer,
        options={"require": ["exp", "iat", "jti", "sub"]},
    )
    assert claims["jti"] == body["jti"]


def test_a_qr_token_is_not_an_access_token(client: TestClient, staff) -> None:
    body = issue(client, staff)
    response = client.get("/v1/audit-events", headers=bearer(body["token"]))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_an_access_token_is_not_a_qr_token(client: TestClient, channel_tokens) -> None:
    response = client.post("/v1/qr-tokens/resolve", json={"token": channel_tokens["STAFF"]})
    assert response.status_code == 404
    assert response.json()["code"] == "qr_token_invalid"


def test_resolve_opens_the_leaflet_and_hints_at_verification(
    client: TestClient, staff, new_case
) -> None:
    bound = issue(client, staff, case_id=new_case(), language="cy")
    response = client.post("/v1/qr-tokens/resolve", json={"token": bound["token"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["leaflet_slug"] == "victim-information"
    assert body["language"] == "cy"
    assert body["case_updates"]["available"] is True
    unbound = issue(client, staff)
    assert (
        client.post("/v1/qr-tokens/resolve", json={"token": unbound["token"]}).json()[
            "case_updates"
        ]["available"]
        is False
    )


def test_the_resolved_leaflet_is_in_the_requested_language_with_fallback(
    client: TestClient, staff
) -> None:
    def resolve(token: str, headers: dict[str, str] | None = None, **body: str) -> dict:
        response = client.post(
            "/v1/qr-tokens/resolve", json={"token": token, **body}, headers=headers or {}
        )
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        return response.json()

    welsh = resolve(issue(client, staff, language="cy")["token"])
    assert welsh["language"] == welsh["leaflet"]["language"] == "cy"
    assert welsh["leaflet"]["sample"] is True
    assert len(welsh["leaflet"]["sections"]) == 8
    polish = issue(client, staff, language="pl")["token"]
    assert resolve(polish)["leaflet"]["language"] == "en"
    assert resolve(polish, language="cy")["leaflet"]["language"] == "cy"
    unbound = issue(client, staff)["token"]
    assert resolve(unbound, {"Accept-Language": "cy-GB"})["leaflet"]["language"] == "cy"
    assert resolve(unbound, {"Accept-Language": "cy"}, language="en")["language"] == "en"
    fraud = issue(client, staff, leaflet_slug="fraud", language="cy")["token"]
    assert resolve(fraud)["leaflet"]["language"] == "en"


def test_a_case_bound_leaflet_shows_the_team_contact_and_services_but_nothing_sensitive(
    client: TestClient, staff, channel_tokens, app
) -> None:
    from tests.support.cases import case_body
    from victim_api.directory.seed import seed_directory

    with app.state.database.transaction() as session:
        seed_directory(session)  # the synthetic London directory (idempotent)
    police = bearer(channel_tokens["POLICE_SYSTEM"])
    body = case_body(crime_type="DOMESTIC_ABUSE", borough="CAMDEN")
    case_id = str(uuid.uuid4())
    created = client.put(
        f"/v1/cases/{case_id}", json=body, headers={**police, "If-None-Match": "*"}
    )
    assert created.status_code == 201, created.text
    bound = issue(client, staff, case_id=case_id)
    response = client.post("/v1/qr-tokens/resolve", json={"token": bound["token"]})
    resolved = response.json()
    text = json.dumps(resolved)
    assert body["officer"]["work_phone"] in text
    assert body["crime_reference"] not in text
    assert body["officer"]["name"] not in text
    assert resolved["support_services"]
    contact = next(s for s in resolved["leaflet"]["sections"] if s["key"] == "contact-us")
    assert "the officer in charge of your case" in contact["text"]
    # What the code's holder saw is recorded as a disclosure.
    from victim_api.platform.audit import AuditEvent
    from victim_api.platform.db import table_of

    events = table_of(AuditEvent)
    with app.state.database.read_session() as session:
        rows = session.execute(
            sa.select(events.c.operation, events.c.recipient, events.c.case_ids).where(
                events.c.resource_type == "qr_token_resolution"
            )
        ).all()
    assert ("DISCLOSURE", "QR_CODE_HOLDER", [case_id]) in [tuple(r) for r in rows]


def resolve_leaflet(client: TestClient, token: str) -> dict:
    response = client.post("/v1/qr-tokens/resolve", json={"token": token})
    assert response.status_code == 200, response.text
    return dict(response.json()["leaflet"])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_expired_revoked_and_forged_tokens_get_distinct_codes(
    client: TestClient, staff, app: FastAPI, settings
) -> None:
    revoked = issue(client, staff)
    etag = client.get(f"/v1/qr-tokens/{revoked['jti']}", headers=staff).headers["etag"]
    assert (
        client.delete(
            f"/v1/qr-tokens/{revoked['jti']}", headers={**staff, "If-Match": etag}
        ).status_code
        == 204
    )

    expired = sign(
        app.state.keys,
        qr_kind(settings),
        issuer=settings.qr_token_issuer,
        subject="vi",
        lifetime=timedelta(minutes=-5),
        jti="expired1",
    )
    with app.state.database.transaction() as session:
        session.execute(
            sa.insert(QR).values(
                jti="expired1",
                leaflet_slug="victim-information",
                kid=expired.kid,
                token=expired.token,
                url="x",
                issued_by="test",
                issued_at=expired.issued_at,
                expires_at=expired.expires_at,
                version=1,
            )
        )
    head, payload, signature = issue(client, staff)["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "da"
    tampered = f"{head}.{_b64(json.dumps(claims).encode())}.{signature}"
    cases = {
        "qr_token_revoked": revoked["token"],
        "qr_token_expired": expired.token,
        "qr_token_invalid": tampered,
    }
    for code, token in cases.items():
        response = client.post("/v1/qr-tokens/resolve", json={"token": token})
        assert response.json()["code"] == code, (code, response.text)
        assert response.status_code == (404 if code == "qr_token_invalid" else 410)


def test_revocation_needs_if_match(client: TestClient, staff) -> None:
    body = issue(client, staff)
    assert client.delete(f"/v1/qr-tokens/{body['jti']}", headers=staff).status_code == 428
    stale = client.delete(f"/v1/qr-tokens/{body['jti']}", headers={**staff, "If-Match": '"v9"'})
    assert stale.status_code == 412


def test_the_tokens_of_a_case_can_be_listed(client: TestClient, staff, new_case) -> None:
    case_id = new_case()
    jtis = [issue(client, staff, case_id=case_id)["jti"] for _ in range(3)]
    issue(client, staff, case_id=new_case())
    page = client.get(f"/v1/qr-tokens?case_id={case_id}&limit=2", headers=staff).json()
    seen = [t["jti"] for t in page["items"]]
    page = client.get(page["next"], headers=staff).json()
    seen += [t["jti"] for t in page["items"]]
    assert sorted(seen) == sorted(jtis)


def test_a_batch_is_a_zip_of_svgs_with_a_manifest(client: TestClient, staff) -> None:
    response = client.post(
        "/v1/qr-tokens/batch", json={"leaflet_slug": "domestic-abuse", "count": 5}, headers=staff
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert len(rows) == 5
    for row in rows:
        ElementTree.fromstring(archive.read(row["file"]))
        assert row["url"].endswith(
            client.get(f"/v1/qr-tokens/{row['jti']}", headers=staff).json()["token"]
        )


def test_a_batch_over_500_is_refused(client: TestClient, staff) -> None:
    response = client.post(
        "/v1/qr-tokens/batch", json={"leaflet_slug": "fraud", "count": 501}, headers=staff
    )
    assert response.status_code == 422


def test_rotating_qr_keys_keeps_issued_tokens_verifying(
    client: TestClient, staff, app: FastAPI
) -> None:
    body = issue(client, staff)
    old_kid = pyjwt.get_unverified_header(body["token"])["kid"]
    new_kid = app.state.keys.rotate(KeyPurpose.QR, timedelta(seconds=1))
    with app.state.database.transaction() as session:
        service.get(session, body["jti"])
    app.state.keys._refresh(force=True)
    newer = issue(client, staff)
    assert pyjwt.get_unverified_header(newer["token"])["kid"] == new_kid != old_kid
    assert client.post("/v1/qr-tokens/resolve", json={"token": body["token"]}).status_code == 200


def test_a_token_cannot_be_bound_to_an_unknown_case(client: TestClient, staff) -> None:
    response = client.post(
        "/v1/qr-tokens",
        json={"leaflet_slug": "fraud", "case_id": str(uuid.uuid4())},
        headers=staff,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "unknown_reference"


def test_partners_cannot_issue(client: TestClient, channel_tokens) -> None:
    response = client.post(
        "/v1/qr-tokens", json={"leaflet_slug": "fraud"}, headers=bearer(channel_tokens["PARTNER"])
    )
    assert response.status_code == 403
