"""The case status machine, as data.

``TRANSITIONS`` is the one source of truth: the service enforces it, the
409 problem names ``allowed_next(status)``, and docs/cases.md carries the table
rendered by :func:`markdown_table` (a test fails if the two drift).
Moving to the status a case already has is not a transition and always allowed.
"""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    """Where a case stands. Extensible: clients must accept a status they do not know."""

    REPORTED = "REPORTED"
    UNDER_INVESTIGATION = "UNDER_INVESTIGATION"
    SUSPECT_IDENTIFIED = "SUSPECT_IDENTIFIED"
    SUSPECT_ARRESTED = "SUSPECT_ARRESTED"
    SUSPECT_BAILED = "SUSPECT_BAILED"
    RELEASED_UNDER_INVESTIGATION = "RELEASED_UNDER_INVESTIGATION"
    RELEASED_NO_FURTHER_ACTION = "RELEASED_NO_FURTHER_ACTION"
    CHARGED = "CHARGED"
    OUT_OF_COURT_DISPOSAL = "OUT_OF_COURT_DISPOSAL"
    NO_CHARGE_DECISION = "NO_CHARGE_DECISION"
    AWAITING_TRIAL = "AWAITING_TRIAL"
    COURT_HEARING_SCHEDULED = "COURT_HEARING_SCHEDULED"
    OUTCOME_RECORDED = "OUTCOME_RECORDED"
    INVESTIGATION_NOT_PURSUED = "INVESTIGATION_NOT_PURSUED"
    CLOSED = "CLOSED"


S = CaseStatus

# status -> the statuses it may move to next.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.REPORTED: frozenset(
        {
            S.UNDER_INVESTIGATION,
            S.SUSPECT_IDENTIFIED,
            S.SUSPECT_ARRESTED,
            S.INVESTIGATION_NOT_PURSUED,
        }
    ),
    S.UNDER_INVESTIGATION: frozenset(
        {S.SUSPECT_IDENTIFIED, S.SUSPECT_ARRESTED, S.INVESTIGATION_NOT_PURSUED}
    ),
    # A named suspect can be interviewed voluntarily and charged by postal
    # requisition, or eliminated (back to investigation), without an arrest.
    S.SUSPECT_IDENTIFIED: frozenset(
        {
            S.UNDER_INVESTIGATION,
            S.SUSPECT_ARRESTED,
            S.CHARGED,
            S.OUT_OF_COURT_DISPOSAL,
            S.NO_CHARGE_DECISION,
            S.INVESTIGATION_NOT_PURSUED,
        }
    ),
    S.SUSPECT_ARRESTED: frozenset(
        {
            S.SUSPECT_BAILED,
            S.RELEASED_UNDER_INVESTIGATION,
            S.RELEASED_NO_FURTHER_ACTION,
            S.CHARGED,
            S.OUT_OF_COURT_DISPOSAL,
        }
    ),
    S.SUSPECT_BAILED: frozenset(
        {
            S.SUSPECT_ARRESTED,
            S.RELEASED_UNDER_INVESTIGATION,
            S.RELEASED_NO_FURTHER_ACTION,
            S.CHARGED,
            S.OUT_OF_COURT_DISPOSAL,
            S.NO_CHARGE_DECISION,
        }
    ),
    S.RELEASED_UNDER_INVESTIGATION: frozenset(
        {
            S.SUSPECT_ARRESTED,
            S.RELEASED_NO_FURTHER_ACTION,
            S.CHARGED,
            S.OUT_OF_COURT_DISPOSAL,
            S.NO_CHARGE_DECISION,
        }
    ),
    # New evidence or a successful review reopens an investigation.
    S.RELEASED_NO_FURTHER_ACTION: frozenset({S.UNDER_INVESTIGATION, S.CLOSED}),
    S.CHARGED: frozenset({S.AWAITING_TRIAL, S.COURT_HEARING_SCHEDULED, S.OUTCOME_RECORDED}),
    # A breached conditional caution can still be prosecuted.
    S.OUT_OF_COURT_DISPOSAL: frozenset({S.CHARGED, S.CLOSED}),
    # The victims' right to review can overturn a no-charge decision.
    S.NO_CHARGE_DECISION: frozenset({S.UNDER_INVESTIGATION, S.CHARGED, S.CLOSED}),
    S.AWAITING_TRIAL: frozenset({S.COURT_HEARING_SCHEDULED, S.OUTCOME_RECORDED}),
    S.COURT_HEARING_SCHEDULED: frozenset({S.AWAITING_TRIAL, S.OUTCOME_RECORDED}),
    # An appeal or a separate sentencing hearing follows an outcome.
    S.OUTCOME_RECORDED: frozenset({S.COURT_HEARING_SCHEDULED, S.CLOSED}),
    S.INVESTIGATION_NOT_PURSUED: frozenset({S.UNDER_INVESTIGATION, S.CLOSED}),
    S.CLOSED: frozenset({S.UNDER_INVESTIGATION}),
}


def _order(statuses: frozenset[CaseStatus]) -> list[CaseStatus]:
    position = {status: i for i, status in enumerate(CaseStatus)}
    return sorted(statuses, key=position.__getitem__)


def allowed_next(status: CaseStatus | str) -> list[CaseStatus]:
    """The statuses a case in ``status`` may move to, in the enum's order."""
    return _order(TRANSITIONS[CaseStatus(status)])


def is_allowed(current: CaseStatus | str, new: CaseStatus | str) -> bool:
    """Whether ``current -> new`` is legal; staying put is always allowed."""
    return current == new or CaseStatus(new) in TRANSITIONS[CaseStatus(current)]


def markdown_table() -> str:
    """The transition table as Markdown, for docs/cases.md."""
    lines = ["| status | may move to |", "|---|---|"]
    for status in CaseStatus:
        targets = ", ".join(f"`{s}`" for s in allowed_next(status))
        lines.append(f"| `{status}` | {targets} |")
    return "\n".join(lines)
