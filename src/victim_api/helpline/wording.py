"""What the victim is told, in plain English: one place for every fixed sentence.

Every sentence here has at most 20 words (the phone line reads them aloud; a test
checks). The speech and the JSON use the same words. Only English exists yet:
``AVAILABLE_LANGUAGES`` grows when a translator provides a language, and the
language fallback (``leaflets.language.negotiate_language``) then picks it.
"""

from __future__ import annotations

from victim_api.cases.transitions import CaseStatus

AVAILABLE_LANGUAGES = ("en",)

NEXT_STEPS: dict[CaseStatus, list[str]] = {
    CaseStatus.REPORTED: [
        "An officer will review your report.",
        "We will tell you if the police decide to investigate.",
    ],
    CaseStatus.UNDER_INVESTIGATION: [
        "Officers are gathering evidence.",
        "We will tell you when there is news, such as an arrest.",
    ],
    CaseStatus.SUSPECT_IDENTIFIED: [
        "Officers are investigating the suspect.",
        "We will tell you if the suspect is arrested or charged.",
    ],
    CaseStatus.SUSPECT_ARRESTED: [
        "Officers will decide whether to charge, bail or release the suspect.",
        "We will tell you what they decide.",
    ],
    CaseStatus.SUSPECT_BAILED: [
        "The suspect must follow their bail conditions while officers investigate.",
        "Tell us at once if the suspect breaks their bail conditions.",
    ],
    CaseStatus.RELEASED_UNDER_INVESTIGATION: [
        "Officers are still investigating.",
        "We will tell you when they make a decision.",
    ],
    CaseStatus.RELEASED_NO_FURTHER_ACTION: [
        "The police will take no further action at present.",
        "You can ask the officer in charge to explain the decision.",
    ],
    CaseStatus.CHARGED: [
        "The case will go to court.",
        "The witness care unit will tell you the date of any hearing.",
    ],
    CaseStatus.OUT_OF_COURT_DISPOSAL: [
        "The case has been dealt with without a court hearing.",
        "You can ask the officer in charge what this means for you.",
    ],
    CaseStatus.NO_CHARGE_DECISION: [
        "You have the right to ask for a review of this decision.",
        "Ask the officer in charge how to ask for a review.",
    ],
    CaseStatus.AWAITING_TRIAL: [
        "The court will set a date for the trial.",
        "The witness care unit will tell you the date and what to expect.",
    ],
    CaseStatus.COURT_HEARING_SCHEDULED: [
        "A court hearing has been arranged.",
        "The witness care unit will support you if you are a witness.",
    ],
    CaseStatus.OUTCOME_RECORDED: [
        "The court has made a decision.",
        "We will explain the outcome and any sentence to you.",
    ],
    CaseStatus.INVESTIGATION_NOT_PURSUED: [
        "The police are not investigating further at this time.",
        "If new information comes to light, the case can be looked at again.",
    ],
    CaseStatus.CLOSED: [
        "Your case is closed.",
        "You can still get support, and you can still make a complaint.",
    ],
}

ENHANCED_NOTE = (
    "You are entitled to enhanced rights under the Victims' Code. "
    "This means you will get updates sooner, usually within one working day."
)
STANDARD_NOTE = (
    "You have rights under the Victims' Code. Ask us if you think you should have enhanced rights."
)

# Speech: the opening and the fixed phrases around the case's own details.
SPEECH_INTRO = "This is the latest information about your case."
SPEECH_REFERENCE = "Your crime reference is {reference}."
SPEECH_STATUS = "Where your case is now."
SPEECH_NEXT = "What happens next."
SPEECH_OFFICER = "Your officer in charge is {name}."
SPEECH_OFFICER_TEAM = "Their team is {team}."
SPEECH_OFFICER_PHONE = "You can call them on {phone}."
SPEECH_NEXT_UPDATE = "Your next update is due by {date}."
SPEECH_UPDATE_LATE = "An update was due by {date}. We are sorry it is late."
SPEECH_HEARING = "There is a court hearing at {court} on {date} at {time}."
SPEECH_REFERRAL = "{service}: {status}"
SPEECH_END = "To hear this again, stay on the line. To speak to the helpline team, press 0."
