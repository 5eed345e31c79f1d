"""Token parsing (platform/tokens.py): random and mutated strings never raise
anything but TokenError, and a mutation is never accepted as a different token."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from victim_api.platform.policy import access_token_kind
from victim_api.platform.tokens import TokenError, sign, verify

FIXTURES_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
JWS_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."


@pytest.fixture(scope="module")
def signed(app: FastAPI) -> tuple[FastAPI, str, dict[str, object]]:
    settings_ = app.state.settings
    kind = access_token_kind(settings_.access_token_audience)
    token = sign(
        app.state.keys,
        kind,
        issuer=settings_.token_issuer,
        subject="vc_synthetic",
        lifetime=timedelta(minutes=5),
        claims={"scope": "cases:read", "channel": "STAFF"},
    ).token
    claims = _verify(app, token)
    return app, token, claims


def _verify(app: FastAPI, token: str) -> dict[str, object]:
    settings_ = app.state.settings
    kind = access_token_kind(settings_.access_token_audience)
    return verify(app.state.keys, kind, token, issuer=settings_.token_issuer)


@FIXTURES_OK
@given(st.one_of(st.text(max_size=300), st.text(alphabet=JWS_ALPHABET, max_size=300)))
def test_random_strings_are_only_ever_token_errors(signed, text: str) -> None:
    app, _, _ = signed
    with pytest.raises(TokenError):
        _verify(app, text)


@FIXTURES_OK
@given(st.data())
def test_a_mutated_token_is_refused_or_is_the_same_token(signed, data: st.DataObject) -> None:
    app, token, claims = signed
    position = data.draw(st.integers(0, len(token) - 1))
    action = data.draw(st.sampled_from(["replace", "insert", "delete", "swap"]))
    if action == "swap":
        header, payload, signature = token.split(".")
        mutated = ".".join(data.draw(st.permutations([header, payload, signature])))
    else:
        char = data.draw(st.sampled_from(JWS_ALPHABET))
        cut = position + (1 if action in ("replace", "delete") else 0)
        mutated = token[:position] + ("" if action == "delete" else char) + token[cut:]
    try:
        accepted = _verify(app, mutated)
    except TokenError:
        return
    # base64url's unused low bits: the same bytes, so the same token.
    assert accepted == claims


@FIXTURES_OK
@given(st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.integers(), st.text())))
def test_any_header_json_is_only_ever_a_token_error(signed, header: dict[str, object]) -> None:
    app, token, _ = signed
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    _, payload, signature = token.split(".")
    with pytest.raises(TokenError):
        _verify(app, f"{encoded}.{payload}.{signature}")
