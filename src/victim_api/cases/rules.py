"""The Victims' Code notification rules, as seeded by migration 0004_cases.

Each rule says: when an event of this type is recorded on a case, the victim is
owed an update within ``standard`` working days, or ``enhanced`` working days
for a victim entitled to enhanced rights, and who owes it. The table in the
database is the live, configurable copy (``PUT /v1/notification-rules/{event_type}``);
this list is what the migration seeds, and a test keeps the two in step with
docs/cases.md. Timescales follow the Code of Practice for Victims of Crime in
England and Wales (2020); the charge-decision row's "who" is configurable
because secondary sources differ on police or CPS.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from victim_api.cases.events import EventType


class Responsible(StrEnum):
    """Who owes the victim the update. Extensible."""

    POLICE = "POLICE"
    CPS = "CPS"
    WITNESS_CARE_UNIT = "WITNESS_CARE_UNIT"
    EACH_AGENCY = "EACH_AGENCY"


@dataclass(frozen=True)
class Rule:
    event_type: EventType
    obligation: str
    standard_working_days: int
    enhanced_working_days: int
    responsible: Responsible
    code_right: int


E, R = EventType, Responsible
_SUSPECT = "Tell the victim: "

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        E.CASE_REPORTED,
        "Refer the victim to a support service, after reporting.",
        2,
        2,
        R.POLICE,
        4,
    ),
    Rule(E.SUSPECT_ARRESTED, _SUSPECT + "a suspect has been arrested.", 5, 1, R.POLICE, 6),
    Rule(
        E.SUSPECT_INTERVIEWED,
        _SUSPECT + "a suspect has been interviewed under caution.",
        5,
        1,
        R.POLICE,
        6,
    ),
    Rule(
        E.SUSPECT_RELEASED_NO_FURTHER_ACTION,
        _SUSPECT + "a suspect has been released without charge.",
        5,
        1,
        R.POLICE,
        6,
    ),
    Rule(E.SUSPECT_BAILED, _SUSPECT + "a suspect has been released on bail.", 5, 1, R.POLICE, 6),
    Rule(
        E.SUSPECT_RELEASED_UNDER_INVESTIGATION,
        _SUSPECT + "a suspect has been released under investigation.",
        5,
        1,
        R.POLICE,
        6,
    ),
    Rule(
        E.BAIL_CONDITIONS_CHANGED,
        _SUSPECT + "the suspect's bail conditions have changed.",
        5,
        1,
        R.POLICE,
        6,
    ),
    Rule(E.BAIL_CANCELLED, _SUSPECT + "the suspect's bail has been cancelled.", 5, 1, R.POLICE, 6),
    Rule(
        E.INVESTIGATION_NOT_PURSUED,
        _SUSPECT + "the decision not to investigate, or to end the investigation, with reasons.",
        5,
        1,
        R.POLICE,
        6,
    ),
    Rule(E.SUSPECT_CHARGED, _SUSPECT + "the decision to charge.", 5, 1, R.POLICE, 6),
    Rule(E.NO_CHARGE_DECISION, _SUSPECT + "the decision not to charge.", 5, 1, R.POLICE, 6),
    Rule(
        E.OUT_OF_COURT_DISPOSAL,
        _SUSPECT + "the decision to give an out-of-court disposal.",
        5,
        1,
        R.POLICE,
        6,
    ),
    Rule(
        E.HEARING_SCHEDULED,
        _SUSPECT + "the date, time and place of the court hearing.",
        1,
        1,
        R.WITNESS_CARE_UNIT,
        8,
    ),
    Rule(
        E.BAIL_HEARING_OUTCOME,
        _SUSPECT + "the outcome of the bail hearing.",
        5,
        1,
        R.WITNESS_CARE_UNIT,
        8,
    ),
    Rule(
        E.WARRANT_ISSUED,
        _SUSPECT + "a warrant has been issued for the suspect.",
        5,
        1,
        R.WITNESS_CARE_UNIT,
        8,
    ),
    Rule(
        E.REARREST_OUTCOME,
        _SUSPECT + "the outcome after the suspect was arrested again.",
        5,
        1,
        R.WITNESS_CARE_UNIT,
        8,
    ),
    Rule(
        E.OUTCOME_RECORDED,
        _SUSPECT + "the case outcome and any sentence, with an explanation.",
        1,
        1,
        R.WITNESS_CARE_UNIT,
        9,
    ),
    Rule(
        E.COMPLAINT_RECEIVED,
        "Reply to the complaint, or acknowledge it with a timescale.",
        10,
        10,
        R.EACH_AGENCY,
        12,
    ),
    Rule(
        E.REVIEW_REQUESTED,
        "Acknowledge the request to review a no-charge decision.",
        10,
        10,
        R.POLICE,
        6,
    ),
)


def markdown_table(rules: tuple[Rule, ...] = DEFAULT_RULES) -> str:
    """The seeded rules as Markdown, for docs/cases.md."""
    lines = [
        "| event type | the victim is owed | standard | enhanced | who | Code right |",
        "|---|---|---|---|---|---|",
    ]
    for r in rules:
        lines.append(
            f"| `{r.event_type}` | {r.obligation} | {r.standard_working_days} WD "
            f"| {r.enhanced_working_days} WD | {r.responsible} | {r.code_right} |"
        )
    return "\n".join(lines)
