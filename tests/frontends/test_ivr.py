"""`victim-api ivr` through a pseudo-terminal (pexpect), against the demo server on loopback."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pexpect
import pytest

from tests.frontends.conftest import DEMO_VICTIM, DemoServer
from victim_api.ivr import (
    LONDON,
    callback_window,
    crime_reference_from_keys,
    date_from_keys,
    keyed,
)

PROMPT_SECONDS = 30


@pytest.fixture
def call(demo_server: DemoServer) -> Iterator[pexpect.spawn]:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "victim_api", "ivr", "--base-url", demo_server.base_url, "--voice", "text"],
        env={
            **os.environ,
            "VICTIM_API_IVR_CLIENT_ID": "demo-helpline",
            "VICTIM_API_IVR_CLIENT_SECRET": "demo-helpline-secret",
            "TERM": "dumb",
        },
        encoding="utf-8",
        timeout=PROMPT_SECONDS,
    )
    yield child
    child.close(force=True)


def _keys(child: pexpect.spawn, expected: str, keys: str) -> None:
    child.expect_exact(expected)
    child.expect_exact("keys> ")
    child.sendline(keys)


def _key_in_the_demo_victim(child: pexpect.spawn) -> None:
    reference = DEMO_VICTIM["crime_reference"].replace("/", "")
    year, month, day = DEMO_VICTIM["date_of_birth"].split("-")
    _keys(child, "key your crime reference number", f"{reference}#")
    _keys(child, "key your date of birth", f"{day}{month}{year}#")
    _keys(child, "key your PIN", f"{DEMO_VICTIM['pin']}#")


def test_keys_that_are_not_on_a_keypad_are_asked_for_again(call: pexpect.spawn) -> None:
    call.expect_exact("Welcome")
    _keys(call, "key your crime reference number", "ABC/12#")
    call.expect_exact("Sorry, I did not get that.")
    _keys(call, "key your crime reference number", "990000126#")
    _keys(call, "key your date of birth", "31021990#")  # no 31 February
    call.expect_exact("Sorry, I did not get that.")
    call.sendeof()
    call.expect(pexpect.EOF)


def test_keypad_answers_map_to_what_the_api_expects() -> None:
    assert keyed("9900001*26#") == "9900001*26"
    assert keyed("#") == ""
    assert keyed("123") is None  # no hash yet
    assert keyed("12#3#") is None
    assert crime_reference_from_keys("990000126") == "990000126"
    assert crime_reference_from_keys("9900001*26") == "9900001/26"
    assert crime_reference_from_keys("*26") is None
    assert date_from_keys("12041990") == "1990-04-12"
    assert date_from_keys("1241990") is None
    assert date_from_keys("29022001") is None


def test_callback_windows_are_in_london_time_and_in_the_future() -> None:
    # 22:30 UTC on 31 May is 23:30 in London: "tomorrow" is 1 June there.
    now = datetime(2026, 5, 31, 22, 30, tzinfo=UTC)
    start, end = callback_window("2", now) or (None, None)
    assert start is not None
    assert end is not None
    assert (start.astimezone(LONDON).day, start.astimezone(LONDON).hour) == (1, 9)
    assert end.astimezone(LONDON).hour == 12
    soon, later = callback_window("1", now) or (now, now)
    assert now < soon < later
    assert callback_window("7", now) is None


def test_a_verified_caller_hears_their_case_and_books_a_callback(call: pexpect.spawn) -> None:
    call.expect_exact("Welcome to the victim care line.")
    _key_in_the_demo_victim(call)
    # The case summary, spoken from GET /v1/me/case/speech (plain text without espeak-ng).
    call.expect(r"(?i)your case")
    _keys(call, "Press 1 to request a callback.", "1#")
    _keys(call, "When should we call you?", "2#")
    _keys(call, "What is it about?", "1#")
    call.expect_exact("Thank you. We will call you back between 9 AM on ")
    _keys(call, "Press 1 to request a callback.", "0#")
    call.expect_exact("Goodbye.")
    call.expect(pexpect.EOF)
    call.close()
    assert call.exitstatus == 0


def test_wrong_details_are_said_plainly_and_the_caller_may_try_again(
    call: pexpect.spawn,
) -> None:
    call.expect_exact("Welcome")
    _keys(call, "key your crime reference number", "990000126#")
    _keys(call, "key your date of birth", "01011970#")
    _keys(call, "key your PIN", "000000#")
    call.expect_exact("Sorry, those details did not match our records.")
    call.expect_exact("Let's try again.")
    _key_in_the_demo_victim(call)
    call.expect(r"(?i)your case")
