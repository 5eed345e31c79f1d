"""render_personalised: slots filled only with values, escaped in HTML, text and SSML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.leaflets.html_checks import fragment_problems, text_of
from tests.leaflets.ssml_checks import assert_ssml_structure
from tests.leaflets.test_render_html import XSS_PAYLOADS
from victim_api.leaflets.service import LeafletNotFoundError, render_personalised

HOSTILE = [
    "</s></p><audio src='https://evil.example/x.mp3'/><p><s>",
    "<break time='100s'/>",
    "&amp; &lt; ]]> <![CDATA[x]]>",
    "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
    '" onmouseover="alert(1)',
    *XSS_PAYLOADS[:10],
]


@pytest.fixture
def session(app: FastAPI, published_leaflets: list[str]) -> Iterator[Session]:
    with app.state.database.read_session() as opened:
        yield opened


def test_without_values_the_slots_read_as_generic_wording(session: Session) -> None:
    document = render_personalised(session, "victim-information", "en", None)
    assert document["personalised"] is False
    contact = next(s for s in document["sections"] if s["key"] == "contact-us")
    assert "the officer in charge of your case" in contact["text"]
    blank = render_personalised(session, "victim-information", "en", {"officer_name": "  "})
    assert blank == document


def test_values_fill_every_channel(session: Session) -> None:
    values = {
        "crime_reference": "01/123456/26",
        "officer_name": "PC Synthetic Example",
        "officer_team_phone": "020 7946 0123",
        "support_services": "Example Victim Support",
    }
    document = render_personalised(session, "victim-information", "en", values)
    assert document["personalised"] is True
    text = " ".join(s["text"] for s in document["sections"])
    html = " ".join(s["html"] for s in document["sections"])
    assert "PC Synthetic Example" in text
    assert "01/123456/26" in text
    assert 'href="tel:+442079460123"' in html
    root = ET.fromstring(document["ssml"])
    assert_ssml_structure(root)
    assert "PC Synthetic Example" in "".join(root.itertext())


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_only_ever_text(session: Session, value: str) -> None:
    document = render_personalised(
        session, "victim-information", "cy", {"officer_name": value, "crime_reference": value}
    )
    for section in document["sections"]:
        assert fragment_problems(section["html"]) == []
        root = ET.fromstring(section["ssml"])
        assert_ssml_structure(root)
    root = ET.fromstring(document["ssml"])
    assert_ssml_structure(root)
    spoken = "".join(root.itertext())
    shown = " ".join(text_of(s["html"]) for s in document["sections"])
    squashed = " ".join(value.split())
    assert squashed in " ".join(spoken.split())
    assert squashed in " ".join(shown.split())


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=st.text(max_size=60))
def test_any_value_gives_well_formed_ssml(app: FastAPI, published_leaflets, value: str) -> None:
    with app.state.database.read_session() as session:
        document = render_personalised(session, "fraud", "en", {"officer_name": value})
    assert_ssml_structure(ET.fromstring(document["ssml"]))


def test_the_language_falls_back_along_the_preferences(session: Session) -> None:
    assert (
        render_personalised(session, "victim-information", ["pl", "cy"], None)["language"] == "cy"
    )
    assert (
        render_personalised(session, "victim-information", [None, "pl"], None)["language"] == "en"
    )
    chosen = render_personalised(session, "victim-information", None, None, accept_language="cy")
    assert chosen["language"] == "cy"
    assert render_personalised(session, "fraud", "cy", None)["language"] == "en"


def test_unknown_slots_and_unknown_leaflets_are_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="unknown slot names: officer"):
        render_personalised(session, "fraud", "en", {"officer": "x"})
    with pytest.raises(LeafletNotFoundError):
        render_personalised(session, "no-such-leaflet", "en", None)
