"""``victim-api ivr``: a terminal IVR simulator, the reference phone front end.

It walks the phone journey the way an interactive voice response system would,
as a client of the HTTP API only (docs/integration/phone.md): a PHONE client's
token, the victim's keyed crime reference, date of birth and PIN through
``POST /v1/victim-sessions``, the case read out from ``GET /v1/me/case/speech``,
and "press 1 to request a callback" (``POST /v1/me/callback-requests``).

Keypad input: each answer is keyed with the digits and ended with ``#``, as on a
phone (typing Enter after the ``#``). A phone keypad has no slash, so a crime
reference is keyed as its digits alone, the API's keypad form (docs/cases.md,
"Crime references"): ``9900001/26`` is ``990000126#``. A ``*`` where the slash
goes is taken as the slash too. A date of birth is keyed day, month, year:
``12041990#``. With no PIN, key ``#`` alone.

Speech: with espeak-ng installed (and ``--voice espeak`` or ``auto``) each prompt
is spoken, the case summary from its SSML; the words are always printed too, so
the simulator works on any terminal and a test can read it.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import httpx

LONDON = ZoneInfo("Europe/London")
KEYPAD = frozenset("0123456789*#")
ATTEMPTS = 3
HELPLINE = "0808 157 0100"

# What to say for each problem code the phone journey can meet: never the API's words.
PROBLEM_SPEECH = {
    "verification_failed": "Sorry, those details did not match our records.",
    "rate_limited": "There have been too many attempts. Please try again later.",
    "victim_session_required": "Sorry, your call needs to be verified again.",
    "unauthenticated": "Sorry, your call needs to be verified again.",
    "validation_failed": "Sorry, we could not understand that.",
    "channel_not_allowed": "Sorry, this service is not available on the phone line.",
}
GENERAL_PROBLEM = (
    f"Sorry, something went wrong. Please call back later, or call the helpline on {HELPLINE}."
)


class Voice(StrEnum):
    AUTO = "auto"
    ESPEAK = "espeak"
    TEXT = "text"


class CallEndedError(Exception):
    """The caller hung up (end of input) or the journey cannot go on."""


class ApiProblemError(Exception):
    def __init__(self, status: int, code: str, retry_after: str | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.retry_after = retry_after


@dataclass
class Speaker:
    """Prints every prompt; speaks it too when espeak-ng is there and wanted."""

    espeak: str | None
    language: str = "en"
    output: Callable[[str], None] = print

    @classmethod
    def choose(cls, voice: Voice, output: Callable[[str], None] = print) -> Speaker:
        found = shutil.which("espeak-ng")
        if voice is Voice.ESPEAK and found is None:
            raise CallEndedError("espeak-ng is not installed (apt-get install espeak-ng)")
        return cls(espeak=None if voice is Voice.TEXT else found, output=output)

    def say(self, text: str, ssml: str | None = None) -> None:
        self.output(text)
        if self.espeak is None:
            return
        args = [self.espeak, "-v", self.language, *(["-m", ssml] if ssml else [text])]
        try:  # a machine with no sound device: the printed words must do
            subprocess.run(args, check=False, capture_output=True, timeout=120)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired):
            self.espeak = None


def keyed(raw: str) -> str | None:
    """The keys before ``#``, or None if anything but keypad keys was typed."""
    keys = raw.strip().replace(" ", "")
    if not keys.endswith("#") or not set(keys) <= KEYPAD or keys.count("#") != 1:
        return None
    return keys[:-1]


def crime_reference_from_keys(keys: str) -> str | None:
    """Digits pass as they are (the API accepts the keypad form); a star is a slash."""
    if not keys or "#" in keys or keys.startswith("*") or keys.endswith("*"):
        return None
    return keys.replace("*", "/")


def date_from_keys(keys: str) -> str | None:
    """``DDMMYYYY`` -> ``YYYY-MM-DD``, or None if it is not a real date."""
    if len(keys) != 8 or not keys.isdigit():
        return None
    try:
        return datetime.strptime(keys, "%d%m%Y").date().isoformat()
    except ValueError:
        return None


def callback_window(choice: str, now: datetime) -> tuple[datetime, datetime] | None:
    """1: the next two hours; 2: tomorrow 9 to 12; 3: tomorrow 12 to 5 (London time)."""
    local = now.astimezone(LONDON)
    if choice == "1":
        start = local + timedelta(minutes=15)
        return start, start + timedelta(hours=2)
    tomorrow = (local + timedelta(days=1)).date()
    hours = {"2": (9, 12), "3": (12, 17)}.get(choice)
    if hours is None:
        return None
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, hours[0], tzinfo=LONDON)
    return start, start.replace(hour=hours[1])


def spoken_time(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return local.strftime("%-I:%M %p on %A %-d %B").replace(":00 ", " ")


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


REASONS = {"1": "CASE_UPDATE", "2": "SUPPORT", "3": "SAFETY_CONCERN", "4": "OTHER"}


class Api:
    """The few calls the phone journey makes; problem responses raise ApiProblemError."""

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=15)
        self.client_id = client_id
        self.client_secret = client_secret
        self.session_token: str | None = None

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiProblemError(0, "unreachable") from exc
        body = response.json() if "json" in response.headers.get("content-type", "") else {}
        if response.status_code >= 400:
            code = body.get("code") or body.get("error") or "error"
            retry_after = response.headers.get("retry-after")
            raise ApiProblemError(response.status_code, str(code), retry_after)
        return dict(body)

    def _victim(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.session_token}"}

    def start_session(self, crime_reference: str, date_of_birth: str, pin: str | None) -> None:
        token = self._call(
            "POST",
            "/v1/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self.client_secret),
        )["access_token"]
        body = {"crime_reference": crime_reference, "date_of_birth": date_of_birth}
        if pin:
            body["pin"] = pin
        session = self._call(
            "POST", "/v1/victim-sessions", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        self.session_token = str(session["session_token"])

    def case_speech(self) -> dict[str, Any]:
        return self._call("GET", "/v1/me/case/speech", headers=self._victim())

    def request_callback(self, start: datetime, end: datetime, reason: str) -> dict[str, Any]:
        body = {
            "preferred_times": [{"from": _rfc3339(start), "to": _rfc3339(end)}],
            "reason": reason,
        }
        headers = {**self._victim(), "Idempotency-Key": str(uuid.uuid4())}
        return self._call("POST", "/v1/me/callback-requests", json=body, headers=headers)


class Call:
    """One call: prompts, keyed answers, the API."""

    def __init__(self, api: Api, speaker: Speaker, read: Callable[[str], str] = input) -> None:
        self.api = api
        self.speaker = speaker
        self.read = read

    def ask(self, prompt: str, parse: Callable[[str], str | None]) -> str:
        """Ask until a keyed answer parses (three tries), as an IVR re-prompts."""
        for _ in range(ATTEMPTS):
            self.speaker.say(prompt)
            try:
                raw = self.read("keys> ")
            except EOFError as exc:
                raise CallEndedError("the caller hung up") from exc
            keys = keyed(raw)
            value = parse(keys) if keys is not None else None
            if value is not None:
                return value
            self.speaker.say("Sorry, I did not get that. Use the keypad, then press hash.")
        raise CallEndedError("no valid answer")

    def problem(self, problem: ApiProblemError) -> None:
        words = PROBLEM_SPEECH.get(problem.code, GENERAL_PROBLEM)
        if problem.code == "rate_limited" and problem.retry_after:
            words = f"{words} Wait {problem.retry_after} seconds before you try again."
        self.speaker.say(words)

    def verify(self) -> bool:
        for attempt in range(ATTEMPTS):
            reference = self.ask(
                "Please key your crime reference number, leaving out the slash. Then press hash.",
                crime_reference_from_keys,
            )
            born = self.ask(
                "Please key your date of birth as two digits for the day, two for the month "
                "and four for the year. Then press hash.",
                date_from_keys,
            )
            pin = self.ask(
                "Please key your PIN, then press hash. If you do not have one, just press hash.",
                lambda keys: keys if keys.isdigit() or keys == "" else None,
            )
            try:
                self.api.start_session(reference, born, pin or None)
                return True
            except ApiProblemError as problem:
                self.problem(problem)
                if problem.code != "verification_failed" or attempt == ATTEMPTS - 1:
                    return False
                self.speaker.say("Let's try again.")
        return False

    def summary(self) -> None:
        speech = self.api.case_speech()
        self.speaker.language = str(speech.get("language") or "en").split("-")[0]
        self.speaker.say(str(speech["text"]), ssml=speech.get("ssml"))

    def callback(self) -> None:
        when = self.ask(
            "When should we call you? Press 1 for the next two hours, 2 for tomorrow morning, "
            "or 3 for tomorrow afternoon. Then press hash.",
            lambda keys: keys if keys in ("1", "2", "3") else None,
        )
        reason = self.ask(
            "What is it about? Press 1 for an update on your case, 2 for support, 3 if you are "
            "worried about your safety, or 4 for something else. Then press hash.",
            lambda keys: keys if keys in REASONS else None,
        )
        window = callback_window(when, datetime.now(UTC))
        if window is None:  # `ask` accepted only 1, 2 or 3
            raise CallEndedError("no callback time")
        self.api.request_callback(*window, REASONS[reason])
        self.speaker.say(
            f"Thank you. We will call you back between {spoken_time(window[0])} "
            f"and {spoken_time(window[1])}."
        )

    def menu(self) -> None:
        while True:
            choice = self.ask(
                "Press 1 to request a callback. Press 2 to hear your update again. "
                "Press 0 to end the call. Then press hash.",
                lambda keys: keys if keys in ("0", "1", "2") else None,
            )
            if choice == "0":
                return
            if choice == "1":
                self.callback()
            else:
                self.summary()

    def run(self) -> int:
        self.speaker.say("Welcome to the victim care line. If you are in danger now, call 999.")
        try:
            if not self.verify():
                self.speaker.say(f"Please call the helpline on {HELPLINE}. Goodbye.")
                return 1
            self.summary()
            self.menu()
        except ApiProblemError as problem:
            self.problem(problem)
            return 1
        except CallEndedError:
            return 1
        self.speaker.say("Thank you for calling. Goodbye.")
        return 0
