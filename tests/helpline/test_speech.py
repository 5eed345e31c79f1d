"""The spoken summary: SSML 1.1 a speech engine can read, short sentences, say-as."""

from __future__ import annotations

from defusedxml.ElementTree import fromstring
from fastapi.testclient import TestClient

from tests.helpline.conftest import make_person, session_headers
from tests.leaflets.ssml_checks import XML_LANG, assert_ssml_structure, say_as, sentences


def test_the_summary_is_ssml_with_say_as_and_short_sentences(
    client: TestClient, police, ivr
) -> None:
    person = make_person(client, police)
    response = client.post(
        f"/v1/cases/{person.case_id}/events",
        json={
            "type": "HEARING_SCHEDULED",
            "hearing": {"court_name": "Southwark Crown Court", "starts_at": "2099-03-02T10:00:00Z"},
        },
        headers=police,
    )
    assert response.status_code == 201
    me = session_headers(client, ivr, person)
    speech = client.get("/v1/me/case/speech", headers=me)
    assert speech.status_code == 200, speech.text
    body = speech.json()
    root = fromstring(body["ssml"])
    assert_ssml_structure(root)
    assert root.attrib[XML_LANG] == body["language"] == "en"
    spoken = say_as(root)
    assert ("characters", None, person.crime_reference) in spoken
    assert ("telephone", None, "020 7946 0123") in spoken
    dates = [text for kind, fmt, text in spoken if kind == "date"]
    assert "02/03/2099" in dates
    assert all(fmt == "dmy" for kind, fmt, _ in spoken if kind == "date")
    assert all(len(s.split()) <= 20 for s in sentences(root)), sentences(root)
    assert person.crime_reference in body["text"]
    assert "<" not in body["text"]


def test_the_victims_language_falls_back_to_words_we_have(client: TestClient, police, ivr) -> None:
    person = make_person(client, police, language="pl")
    me = session_headers(client, ivr, person)
    body = client.get("/v1/me/case/speech", headers={**me, "Accept-Language": "fr"}).json()
    # No Polish or French wording exists yet: English, and the SSML says so.
    assert body["language"] == "en"
    assert 'xml:lang="en"' in body["ssml"]


def test_every_fixed_sentence_is_short_enough_to_speak() -> None:
    from victim_api.helpline import wording

    texts = [v for k, v in vars(wording).items() if k.isupper() and isinstance(v, str)]
    texts += [s for steps in wording.NEXT_STEPS.values() for s in steps]
    for text in texts:
        for sentence in text.split(". "):
            assert len(sentence.split()) <= 20, sentence


def test_long_sentences_are_split_at_clause_breaks() -> None:
    from victim_api.helpline.service import short_sentences

    long = " ".join(["word"] * 30) + ", and then " + " ".join(["more"] * 5) + "."
    parts = short_sentences(long)
    assert all(len(p.split()) <= 20 for p in parts)
    assert " ".join(parts).count("word") == 30
