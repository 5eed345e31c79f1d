"""Response models of the worklist."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from victim_api.platform.pagination import Page


class ItemKind(StrEnum):
    """What kind of thing is owed. Extensible: clients should accept new values."""

    CALLBACK = "CALLBACK"
    CONTACT_UPDATE = "CONTACT_UPDATE"
    NOTIFICATION_DUTY = "NOTIFICATION_DUTY"
    REFERRAL_NOT_ACKNOWLEDGED = "REFERRAL_NOT_ACKNOWLEDGED"
    REFERRAL_NOT_SENT = "REFERRAL_NOT_SENT"


class ItemState(StrEnum):
    OVERDUE = "OVERDUE"
    DUE_SOON = "DUE_SOON"
    PENDING = "PENDING"


class Owed(BaseModel):
    case_id: str
    victim_id: str | None = Field(
        default=None, description="The person, when the item is owed to one person."
    )


class ItemLinks(BaseModel):
    self: str = Field(description="The resource to open (opening it is audited).")


class WorklistItem(BaseModel):
    kind: ItemKind
    id: str = Field(description="The id of the duty, referral, callback or person.")
    owed: str = Field(description="What is owed, in plain English.")
    to: Owed
    why: str = Field(description="Why it is owed (the rule or agreement), without personal data.")
    due_at: datetime
    state: ItemState = Field(
        description="OVERDUE when `due_at` has passed; otherwise DUE_SOON for duties and "
        "agreed updates, PENDING for callbacks and referrals in hand."
    )
    links: ItemLinks


class WorklistPage(Page[WorklistItem]):
    pass
