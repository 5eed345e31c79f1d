"""Cursor decoding (platform/pagination.py): only our own cursors are accepted;
anything else is 400 `invalid_cursor`, never a 500, in the codec and through the API."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.auth import bearer
from victim_api.platform.pagination import CursorCodec, InvalidCursorError, _b64

CODEC = CursorCodec("a synthetic test secret")
SCOPE = "/v1/audit-events?case_id=x"
VALUES = st.lists(
    st.one_of(
        st.integers(-(2**53), 2**53),
        st.text(max_size=40),
        st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
        ),
    ),
    max_size=3,
)
B64_TEXT = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=", max_size=80
)


@given(VALUES)
def test_a_cursor_round_trips_its_values(values: list[object]) -> None:
    assert CODEC.decode(SCOPE, CODEC.encode(SCOPE, values)) == values


@given(VALUES, st.data())
def test_any_change_to_a_cursor_is_refused(values: list[object], data: st.DataObject) -> None:
    cursor = CODEC.encode(SCOPE, values)
    position = data.draw(st.integers(0, len(cursor) - 1))
    replacement = data.draw(st.characters(codec="utf-8"))
    tampered = cursor[:position] + replacement + cursor[position + 1 :]
    try:
        decoded = CODEC.decode(SCOPE, tampered)
    except InvalidCursorError:
        return
    # Only a change base64 cannot see (the unused low bits of a last character) survives.
    assert decoded == values


@given(VALUES, st.text(max_size=30))
def test_a_cursor_is_bound_to_its_query(values: list[object], other: str) -> None:
    if other == SCOPE:
        return
    with pytest.raises(InvalidCursorError):
        CODEC.decode(other, CODEC.encode(SCOPE, values))


@given(st.one_of(st.text(max_size=200), B64_TEXT))
def test_random_text_is_only_ever_an_invalid_cursor(text: str) -> None:
    with pytest.raises(InvalidCursorError):
        CODEC.decode(SCOPE, text)


@given(st.binary(max_size=120))
def test_a_signed_payload_of_any_shape_is_refused_or_read(payload: bytes) -> None:
    """Even with a valid MAC (our own key), odd JSON never escapes as another error."""
    cursor = f"{_b64(payload)}.{_b64(CODEC._mac(payload))}"
    with contextlib.suppress(InvalidCursorError):
        CODEC.decode(SCOPE, cursor)


@pytest.fixture(scope="module")
def auditor(channel_tokens: dict[str, str]) -> dict[str, str]:
    return bearer(channel_tokens["AUDITOR"])


# Each example is a request: a third of the profile's count (33 in ci).
@settings(
    max_examples=max(10, settings.default.max_examples // 3),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cursor=st.one_of(B64_TEXT.filter(bool), st.text(min_size=1, max_size=100)))
def test_the_api_answers_400_to_any_foreign_cursor(
    client: TestClient, auditor: dict[str, str], cursor: str
) -> None:
    response = client.get("/v1/audit-events", params={"cursor": cursor}, headers=auditor)
    assert response.status_code in {400, 422}, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if response.status_code == 400:
        assert response.json()["code"] == "invalid_cursor"
