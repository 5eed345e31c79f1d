"""What a verified victim can see and change, and the agent's screen: no HTTP.

Everything is read through the owning domains' service functions (cases,
victims, referrals); this module only composes and words it. A victim caller
carries ``principal.victim_id`` and ``principal.case_id`` and nothing else is
ever read for them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from victim_api.cases import service as cases
from victim_api.cases.schemas import DutyState
from victim_api.cases.transitions import CaseStatus
from victim_api.cases.workdays import LONDON
from victim_api.helpline import verification, wording
from victim_api.leaflets.content import Section, SectionKey
from victim_api.leaflets.language import negotiate_language, parse_accept_language
from victim_api.leaflets.render import to_ssml, to_text
from victim_api.platform.audit import Operation, record
from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.principal import Caller
from victim_api.referrals import service as referrals
from victim_api.victims import service as victims
from victim_api.victims.safety import METHODS, ContactMethod, unsafe_reasons
from victim_api.victims.schemas import VictimUpdate

MAX_SPOKEN_WORDS = 20


def _ids(caller: Caller) -> tuple[str, str]:
    victim_id, case_id = caller.principal.victim_id, caller.principal.case_id
    if not victim_id or not case_id:
        raise victims.VictimNotFoundError()
    return victim_id, case_id


def _own_victim(session: Session, caller: Caller) -> Any:
    """The caller's own live record; 404 if it is gone, erased or not on the token's case."""
    victim_id, case_id = _ids(caller)
    row = victims.require_live_victim(session, victim_id)
    if row.case_id != case_id:
        raise victims.VictimNotFoundError()
    return row


def _next_update_due(session: Session, case_id: str) -> Any:
    duties = cases.open_duties(session, case_id)
    return duties[0]["due_on"] if duties else None


def _upcoming_hearing(events: Sequence[dict[str, Any]], now: datetime) -> dict[str, Any] | None:
    hearings = [
        e["hearing"]
        for e in events
        if e["hearing"] is not None and as_utc(e["hearing"]["starts_at"]) > now
    ]
    if not hearings:
        return None
    soonest = min(hearings, key=lambda h: as_utc(h["starts_at"]))
    return {
        "starts_at": as_utc(soonest["starts_at"]),
        "court_name": soonest["court_name"],
        "kind": soonest["kind"],
    }


def my_case(session: Session, caller: Caller) -> dict[str, Any]:
    """The victim's case in plain English (``GET /v1/me/case``)."""
    row = _own_victim(session, caller)
    view = cases.victim_view(session, caller, row.case_id)
    events = cases.victim_timeline(session, caller, row.case_id, victim_ids=[row.id])
    status = CaseStatus(view["status"])
    return {
        "case_id": view["id"],
        "crime_reference": view["crime_reference"],
        "status": status.value,
        "status_text": view["status_sentence"],
        "next_steps": wording.NEXT_STEPS.get(status, []),
        "officer": view["officer"],
        "next_update_due": None if row.opted_out else _next_update_due(session, row.case_id),
        "upcoming_hearing": _upcoming_hearing(events, utcnow()),
        "enhanced_rights": {
            "enhanced": view["enhanced"],
            "note": wording.ENHANCED_NOTE if view["enhanced"] else wording.STANDARD_NOTE,
        },
        "referrals": [
            {k: r[k] for k in ("service_name", "status", "status_text")}
            for r in referrals.referral_statuses(session, caller, row.id)
        ],
        "language": row.language,
    }


def my_timeline(
    session: Session, caller: Caller, *, limit: int, after: Sequence[Any] | None
) -> list[dict[str, Any]]:
    """Up to ``limit + 1`` VICTIM-visible events, oldest first, after the cursor's."""
    row = _own_victim(session, caller)
    events = cases.victim_timeline(session, caller, row.case_id, victim_ids=[row.id])
    if after is not None:
        stamp, last_id = as_utc(datetime.fromisoformat(str(after[0]))), str(after[1])
        events = [e for e in events if (as_utc(e["occurred_at"]), e["id"]) > (stamp, last_id)]
    return events[: limit + 1]


def timeline_sort_key(view: dict[str, Any]) -> list[Any]:
    return [as_utc(view["occurred_at"]).isoformat(), view["id"]]


def my_preferences(session: Session, caller: Caller) -> dict[str, Any]:
    row = _own_victim(session, caller)
    return victims.own_preferences(session, caller, row.id)


def update_my_preferences(
    session: Session,
    caller: Caller,
    changes: dict[str, Any],
    *,
    expected_version: int,
    pepper: str,
    policy: cases.DeadlinePolicy,
) -> dict[str, Any]:
    """Change preferences through the victims domain's own update (opt-out waives duties)."""
    row = _own_victim(session, caller)
    victims.update_victim(
        session,
        caller,
        row.id,
        VictimUpdate.model_validate(changes),
        expected_version=expected_version,
        pepper=pepper,
        policy=policy,
    )
    return victims.own_preferences(session, caller, row.id)


# ---------------------------------------------------------------------------
# Speech


_WORDS_BREAK = re.compile(r",\s+|;\s+|\s+and\s+")


def short_sentences(text: str, max_words: int = MAX_SPOKEN_WORDS) -> list[str]:
    """Split text into sentences of at most ``max_words`` words, at clause breaks first."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        out.extend(_shorten(sentence, max_words))
    return [s for s in out if s]


def _shorten(sentence: str, max_words: int) -> list[str]:
    if len(sentence.split()) <= max_words:
        return [sentence]
    pieces: list[str] = []
    for clause in _WORDS_BREAK.split(sentence):
        words = clause.split()
        while words:
            chunk, words = words[:max_words], words[max_words:]
            pieces.append(" ".join(chunk))
    return [p if p.endswith((".", "!", "?")) else p.rstrip(",;") + "." for p in pieces]


def _spoken_date(value: Any) -> str:
    # dd/mm/yyyy: the leaflets' SSML renderer reads it as say-as date, format dmy.
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _speech_paragraphs(case: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(heading, sentences) blocks, in the order the caller hears them."""
    blocks: list[tuple[str, list[str]]] = [
        ("", [wording.SPEECH_REFERENCE.format(reference=case["crime_reference"])]),
        (wording.SPEECH_STATUS, short_sentences(case["status_text"])),
        (wording.SPEECH_NEXT, [s for step in case["next_steps"] for s in short_sentences(step)]),
    ]
    officer = case["officer"]
    if officer is not None:
        lines = [wording.SPEECH_OFFICER.format(name=officer["name"])]
        if officer.get("team"):
            lines.append(wording.SPEECH_OFFICER_TEAM.format(team=officer["team"]))
        if officer.get("work_phone"):
            lines.append(wording.SPEECH_OFFICER_PHONE.format(phone=officer["work_phone"]))
        blocks.append(("", [s for line in lines for s in short_sentences(line)]))
    dates: list[str] = []
    due = case["next_update_due"]
    if due is not None:
        late = due < utcnow().astimezone(LONDON).date()
        template = wording.SPEECH_UPDATE_LATE if late else wording.SPEECH_NEXT_UPDATE
        dates.append(template.format(date=_spoken_date(due)))
    hearing = case["upcoming_hearing"]
    if hearing is not None:
        local = as_utc(hearing["starts_at"]).astimezone(LONDON)
        dates.append(
            wording.SPEECH_HEARING.format(
                court=hearing["court_name"], date=_spoken_date(local), time=local.strftime("%H:%M")
            )
        )
    if dates:
        blocks.append(("", [s for d in dates for s in short_sentences(d)]))
    rights = short_sentences(case["enhanced_rights"]["note"])
    for referral in case["referrals"]:
        rights.extend(
            short_sentences(
                wording.SPEECH_REFERRAL.format(
                    service=referral["service_name"], status=referral["status_text"]
                )
            )
        )
    blocks.append(("", rights))
    blocks.append(("", [wording.SPEECH_END]))
    return blocks


def _as_sections(blocks: list[tuple[str, list[str]]]) -> list[Section]:
    # The leaflets' SSML renderer takes sections of Markdown: one paragraph each.
    # Each sentence is its own Markdown paragraph so the renderer never joins two.
    from victim_api.leaflets.render import escape_markdown

    return [
        Section(
            key=SectionKey.WHAT_HAPPENS_NEXT,
            heading=heading or " ",
            body="\n\n".join(escape_markdown(s) for s in sentences),
        )
        for heading, sentences in blocks
        if sentences
    ]


def my_case_speech(
    session: Session, caller: Caller, *, accept_language: str | None
) -> dict[str, Any]:
    """The case summary as SSML 1.1 and text, in the best language we have words in."""
    case = my_case(session, caller)
    language = negotiate_language(
        wording.AVAILABLE_LANGUAGES,
        lang=[*parse_accept_language(accept_language), case["language"]],
    )
    sections = _as_sections(_speech_paragraphs(case))
    # A heading of one space is a section with no heading: the renderer drops it.
    ssml = to_ssml(wording.SPEECH_INTRO, sections, language)
    lines = [wording.SPEECH_INTRO]
    for section in sections:
        if section.heading.strip():
            lines.append(section.heading)
        lines.append(to_text(section.body))
    return {"language": language, "ssml": ssml, "text": "\n".join(lines).strip()}


# ---------------------------------------------------------------------------
# The agent's screen


def _unsafe_methods(flags: Sequence[str]) -> list[str]:
    return [method.value for method in METHODS if unsafe_reasons(ContactMethod(method), flags)]


def agent_view(session: Session, caller: Caller, case_id: str) -> dict[str, Any]:
    """Everything a helpline agent needs on one screen, for one case."""
    case = cases.get_case(session, caller, case_id)
    people = victims.list_victims(session, caller, case_id, limit=100, after=None)[:100]
    now = utcnow()
    live = verification.live_sessions(session, case_id, caller.principal.client_id)
    duties = cases.list_duties(
        session, caller, case_id, state=DutyState.OVERDUE, limit=100, after=None
    )[:100]
    record(
        session,
        caller,
        operation=Operation.CONSULTATION,
        resource_type="helpline_agent_view",
        resource_id=case_id,
        case_ids=[case_id],
        victim_ids=[p["id"] for p in people],
    )
    return {
        "case": case,
        "entitlement_groups": sorted({e["group"] for e in case["entitlements"]}),
        "verification": {
            "verified_on_this_call": bool(live),
            "verified_victim_id": live[0].victim_id if live else None,
            "verified_at": as_utc(live[0].verified_at) if live else None,
            "people": {p["id"]: verification.verification_status(session, p["id"]) for p in people},
        },
        "people": [_agent_person(session, caller, person) for person in people],
        "overdue_duties": duties,
        "generated_at": now,
    }


def _agent_person(session: Session, caller: Caller, person: dict[str, Any]) -> dict[str, Any]:
    flags = list(person.get("safety_flags") or [])
    return {
        "victim": person,
        "unsafe_methods": _unsafe_methods(flags),
        "safety_flags": flags,
        "interpreter_needed": bool(person.get("interpreter_needed")),
        "language": person.get("language"),
        "referrals": [
            {k: r[k] for k in ("service_name", "status", "status_text")}
            for r in referrals.referral_statuses(session, caller, person["id"])
        ],
        "recent_contacts": victims.list_contacts(
            session, caller, person["id"], limit=5, after=None
        )[:5],
    }
