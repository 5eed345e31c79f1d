"""Timeline event types: which status change makes each, who may post it, and
the plain-English text a victim sees when the sender gives none."""

from __future__ import annotations

from enum import StrEnum

from victim_api.cases.transitions import CaseStatus


class EventType(StrEnum):
    """What happened. Extensible: clients must accept a type they do not know."""

    CASE_REPORTED = "CASE_REPORTED"
    INVESTIGATION_STARTED = "INVESTIGATION_STARTED"
    SUSPECT_IDENTIFIED = "SUSPECT_IDENTIFIED"
    SUSPECT_ARRESTED = "SUSPECT_ARRESTED"
    SUSPECT_INTERVIEWED = "SUSPECT_INTERVIEWED"
    SUSPECT_BAILED = "SUSPECT_BAILED"
    SUSPECT_RELEASED_UNDER_INVESTIGATION = "SUSPECT_RELEASED_UNDER_INVESTIGATION"
    SUSPECT_RELEASED_NO_FURTHER_ACTION = "SUSPECT_RELEASED_NO_FURTHER_ACTION"
    BAIL_CONDITIONS_CHANGED = "BAIL_CONDITIONS_CHANGED"
    BAIL_CANCELLED = "BAIL_CANCELLED"
    SUSPECT_CHARGED = "SUSPECT_CHARGED"
    OUT_OF_COURT_DISPOSAL = "OUT_OF_COURT_DISPOSAL"
    NO_CHARGE_DECISION = "NO_CHARGE_DECISION"
    AWAITING_TRIAL = "AWAITING_TRIAL"
    HEARING_SCHEDULED = "HEARING_SCHEDULED"
    BAIL_HEARING_OUTCOME = "BAIL_HEARING_OUTCOME"
    WARRANT_ISSUED = "WARRANT_ISSUED"
    REARREST_OUTCOME = "REARREST_OUTCOME"
    OUTCOME_RECORDED = "OUTCOME_RECORDED"
    INVESTIGATION_NOT_PURSUED = "INVESTIGATION_NOT_PURSUED"
    CASE_CLOSED = "CASE_CLOSED"
    COMPLAINT_RECEIVED = "COMPLAINT_RECEIVED"
    REVIEW_REQUESTED = "REVIEW_REQUESTED"
    OFFICER_CHANGED = "OFFICER_CHANGED"
    CASE_DETAILS_UPDATED = "CASE_DETAILS_UPDATED"
    ENTITLEMENTS_CHANGED = "ENTITLEMENTS_CHANGED"
    GENERAL_UPDATE = "GENERAL_UPDATE"
    INTERNAL_NOTE = "INTERNAL_NOTE"


class Visibility(StrEnum):
    VICTIM = "VICTIM"
    INTERNAL = "INTERNAL"


E = EventType

# The event each status change records.
STATUS_EVENTS: dict[CaseStatus, EventType] = {
    CaseStatus.REPORTED: E.CASE_REPORTED,
    CaseStatus.UNDER_INVESTIGATION: E.INVESTIGATION_STARTED,
    CaseStatus.SUSPECT_IDENTIFIED: E.SUSPECT_IDENTIFIED,
    CaseStatus.SUSPECT_ARRESTED: E.SUSPECT_ARRESTED,
    CaseStatus.SUSPECT_BAILED: E.SUSPECT_BAILED,
    CaseStatus.RELEASED_UNDER_INVESTIGATION: E.SUSPECT_RELEASED_UNDER_INVESTIGATION,
    CaseStatus.RELEASED_NO_FURTHER_ACTION: E.SUSPECT_RELEASED_NO_FURTHER_ACTION,
    CaseStatus.CHARGED: E.SUSPECT_CHARGED,
    CaseStatus.OUT_OF_COURT_DISPOSAL: E.OUT_OF_COURT_DISPOSAL,
    CaseStatus.NO_CHARGE_DECISION: E.NO_CHARGE_DECISION,
    CaseStatus.AWAITING_TRIAL: E.AWAITING_TRIAL,
    CaseStatus.COURT_HEARING_SCHEDULED: E.HEARING_SCHEDULED,
    CaseStatus.OUTCOME_RECORDED: E.OUTCOME_RECORDED,
    CaseStatus.INVESTIGATION_NOT_PURSUED: E.INVESTIGATION_NOT_PURSUED,
    CaseStatus.CLOSED: E.CASE_CLOSED,
}

# Types a police system or staff may post to a timeline directly. The others
# are made by status changes and by the service itself. Hearings and outcomes
# recur (adjournments, sentencing, appeals), so they are in both.
POSTABLE: tuple[EventType, ...] = (
    E.SUSPECT_INTERVIEWED,
    E.BAIL_CONDITIONS_CHANGED,
    E.BAIL_CANCELLED,
    E.BAIL_HEARING_OUTCOME,
    E.WARRANT_ISSUED,
    E.REARREST_OUTCOME,
    E.HEARING_SCHEDULED,
    E.OUTCOME_RECORDED,
    E.COMPLAINT_RECEIVED,
    E.REVIEW_REQUESTED,
    E.GENERAL_UPDATE,
    E.INTERNAL_NOTE,
)
# Postable types with no detail block of their own.
SIMPLE_POSTABLE: tuple[EventType, ...] = tuple(
    t for t in POSTABLE if t not in (E.HEARING_SCHEDULED, E.OUTCOME_RECORDED, E.INTERNAL_NOTE)
)
INTERNAL_ONLY = frozenset({E.CASE_DETAILS_UPDATED, E.ENTITLEMENTS_CHANGED, E.INTERNAL_NOTE})


# What a victim is told when the sender gives no text of its own.
DEFAULT_TEXT: dict[EventType, str] = {
    E.CASE_REPORTED: "Your crime has been recorded. An officer will review it.",
    E.INVESTIGATION_STARTED: "Officers are investigating your case.",
    E.SUSPECT_IDENTIFIED: "Officers have identified a suspect and are continuing to investigate.",
    E.SUSPECT_ARRESTED: "A suspect has been arrested.",
    E.SUSPECT_INTERVIEWED: "A suspect has been interviewed by officers.",
    E.SUSPECT_BAILED: "A suspect has been released on bail while the investigation continues.",
    E.SUSPECT_RELEASED_UNDER_INVESTIGATION: (
        "A suspect has been released without bail while officers continue to investigate."
    ),
    E.SUSPECT_RELEASED_NO_FURTHER_ACTION: (
        "A suspect has been released and no further action will be taken against them."
    ),
    E.BAIL_CONDITIONS_CHANGED: "The suspect's bail conditions have changed.",
    E.BAIL_CANCELLED: "The suspect's bail has been cancelled.",
    E.SUSPECT_CHARGED: "A suspect has been charged.",
    E.OUT_OF_COURT_DISPOSAL: "The case has been dealt with without going to court.",
    E.NO_CHARGE_DECISION: (
        "A decision has been made not to charge the suspect. "
        "You can ask for this decision to be reviewed."
    ),
    E.AWAITING_TRIAL: "The case is waiting for a trial date.",
    E.HEARING_SCHEDULED: "A court hearing has been arranged.",
    E.BAIL_HEARING_OUTCOME: "The court has made a decision about the suspect's bail.",
    E.WARRANT_ISSUED: "The court has issued a warrant for the suspect's arrest.",
    E.REARREST_OUTCOME: "There is an update after the suspect was arrested again.",
    E.OUTCOME_RECORDED: "The court has reached an outcome in your case.",
    E.INVESTIGATION_NOT_PURSUED: (
        "Officers have decided not to investigate further at this time. They will explain why."
    ),
    E.CASE_CLOSED: "Your case is closed.",
    E.COMPLAINT_RECEIVED: "We have received your complaint and will reply.",
    E.REVIEW_REQUESTED: "We have received your request to review the decision.",
    E.OFFICER_CHANGED: "A new officer is now in charge of your case.",
    E.GENERAL_UPDATE: "There is an update on your case.",
}

# The victim-facing status sentence when the sender gives none.
STATUS_SENTENCE: dict[CaseStatus, str] = {
    CaseStatus.REPORTED: "Your crime has been recorded and will be reviewed by an officer.",
    CaseStatus.UNDER_INVESTIGATION: "Officers are investigating your case.",
    CaseStatus.SUSPECT_IDENTIFIED: "Officers have identified a suspect and are investigating.",
    CaseStatus.SUSPECT_ARRESTED: "A suspect has been arrested.",
    CaseStatus.SUSPECT_BAILED: "A suspect is on bail while the investigation continues.",
    CaseStatus.RELEASED_UNDER_INVESTIGATION: (
        "A suspect has been released while officers continue to investigate."
    ),
    CaseStatus.RELEASED_NO_FURTHER_ACTION: (
        "A suspect was released and no further action will be taken against them."
    ),
    CaseStatus.CHARGED: "A suspect has been charged.",
    CaseStatus.OUT_OF_COURT_DISPOSAL: "The case has been dealt with without going to court.",
    CaseStatus.NO_CHARGE_DECISION: (
        "A decision was made not to charge the suspect. You can ask for a review."
    ),
    CaseStatus.AWAITING_TRIAL: "The case is waiting for a trial date.",
    CaseStatus.COURT_HEARING_SCHEDULED: "A court hearing has been arranged.",
    CaseStatus.OUTCOME_RECORDED: "The court has reached an outcome in your case.",
    CaseStatus.INVESTIGATION_NOT_PURSUED: "Officers are not investigating further at this time.",
    CaseStatus.CLOSED: "Your case is closed.",
}
