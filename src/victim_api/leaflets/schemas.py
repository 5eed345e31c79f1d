"""Request and response models of the leaflets API.

Titles, summaries and headings are plain text (escape them when inserting them
into HTML); each section's ``html`` is already sanitised and safe to insert.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from victim_api.leaflets.content import SectionKey
from victim_api.leaflets.models import VersionStatus
from victim_api.platform.pagination import Page

SLUG_EXAMPLE = "victim-information"
MAX_SLUG_LENGTH = 64
# A language tag as the content files spell it (RFC 5646 case conventions):
# `en`, `cy`, `pa-Guru`, `en-GB`, `es-419`.
CANONICAL_LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$"
# Any BCP 47 shape, in any case, for what a reader asks for.
LANGUAGE_RANGE_PATTERN = r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8}){0,7}$"
MAX_LANGUAGE_LENGTH = 35
MAX_TITLE_LENGTH = 120
MAX_SUMMARY_LENGTH = 400
MAX_HEADING_LENGTH = 120
MAX_SECTION_LENGTH = 8000
MAX_NOTE_LENGTH = 2000
# One line of text, not blank: no line breaks, and no NUL (PostgreSQL cannot store it).
_ONE_LINE = r"^[^\x00\r\n]*[^\s\x00][^\x00\r\n]*$"
_NO_NUL = r"^[^\x00]*$"

CanonicalLanguage = Annotated[
    str,
    Field(
        pattern=CANONICAL_LANGUAGE_PATTERN,
        max_length=MAX_LANGUAGE_LENGTH,
        description="BCP 47 tag in its standard spelling, e.g. `en`, `cy`, `pa-Guru`.",
        examples=["cy"],
    ),
]
Title = Annotated[
    str, Field(min_length=1, max_length=MAX_TITLE_LENGTH, pattern=_ONE_LINE, examples=["Help"])
]
Summary = Annotated[str, Field(min_length=1, max_length=MAX_SUMMARY_LENGTH, pattern=_ONE_LINE)]
ReviewNote = Annotated[
    str,
    Field(
        max_length=MAX_NOTE_LENGTH,
        pattern=_NO_NUL,
        description="For editors only, never shown to readers: what a reviewer must check.",
    ),
]


# --- Public documents -----------------------------------------------------------------


class LeafletSectionPublic(BaseModel):
    key: SectionKey = Field(description="Stable and never translated; find sections by it.")
    heading: str = Field(description="Plain text, in the leaflet's language.")
    html: str = Field(description="Sanitised HTML fragment: safe to insert as it is.")
    text: str = Field(description="Plain text, with link targets written out.")
    ssml: str = Field(description="This section alone as an SSML 1.1 `<speak>` document.")


class LeafletDocument(BaseModel):
    """A leaflet in one language, rendered for every channel."""

    slug: str
    language: str = Field(description="The language served (also sent as `Content-Language`).")
    version: int = Field(description="The leaflet's version number in this language.")
    title: str = Field(description="Plain text.")
    summary: str = Field(description="Plain text.")
    sample: bool = Field(
        description="An unreviewed sample translation: show `sample_note` prominently."
    )
    sample_note: str | None = Field(
        description="What to tell the reader of a sample translation; null otherwise."
    )
    personalised: bool = Field(
        description="Whether slots were filled with case details (never on public reads)."
    )
    languages: list[str] = Field(
        description="Every language this leaflet is published in, for a language switcher."
    )
    published_at: datetime | None = Field(description="Null only in a draft's preview.")
    sections: list[LeafletSectionPublic] = Field(description="All eight, in reading order.")
    ssml: str = Field(description="The whole leaflet as one SSML 1.1 document, for the phone.")


class LeafletLanguage(BaseModel):
    language: str
    version: int
    title: str
    sample: bool


class LeafletSummary(BaseModel):
    slug: str
    title: str = Field(description="The English title.")
    languages: list[LeafletLanguage]


class LeafletList(BaseModel):
    items: list[LeafletSummary]


# --- Editorial ------------------------------------------------------------------------


class SectionInput(BaseModel):
    """A section's heading and Markdown body; either may be left out to keep it."""

    model_config = ConfigDict(extra="forbid")

    heading: str | None = Field(
        default=None, min_length=1, max_length=MAX_HEADING_LENGTH, pattern=_ONE_LINE
    )
    body: str | None = Field(
        default=None,
        max_length=MAX_SECTION_LENGTH,
        pattern=_NO_NUL,
        description="Markdown, as in the content files (content/leaflets/README.md).",
    )


class SectionsInput(BaseModel):
    """Sections by key. A key left out keeps what the draft (or its source) has."""

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    what_happens_next: SectionInput | None = Field(default=None, alias="what-happens-next")
    your_rights: SectionInput | None = Field(default=None, alias="your-rights")
    support_services: SectionInput | None = Field(default=None, alias="support-services")
    compensation: SectionInput | None = Field(default=None, alias="compensation")
    giving_evidence: SectionInput | None = Field(default=None, alias="giving-evidence")
    victim_personal_statement: SectionInput | None = Field(
        default=None, alias="victim-personal-statement"
    )
    complaints: SectionInput | None = Field(default=None, alias="complaints")
    contact_us: SectionInput | None = Field(default=None, alias="contact-us")

    def by_key(self) -> dict[str, dict[str, str]]:
        """The sections given, as {key: {heading?, body?}}."""
        given: dict[str, dict[str, str]] = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if value is not None and field.alias:
                given[field.alias] = value.model_dump(exclude_none=True)
        return given


class LeafletVersionCreate(BaseModel):
    """A new draft. Whatever is left out is copied from `copy_from`, or else from the
    version published in `language`, or else from the published English version (a
    translator's starting point). A draft may be incomplete: publishing checks it."""

    model_config = ConfigDict(extra="forbid")

    language: CanonicalLanguage
    copy_from: UUID | None = Field(
        default=None, description="A version of this leaflet to start from (any status)."
    )
    title: Title | None = None
    summary: Summary | None = None
    sample: bool | None = Field(
        default=None, description="An unreviewed translation; needs a `review_note`."
    )
    review_note: ReviewNote | None = None
    sections: SectionsInput | None = None


class LeafletVersionUpdate(BaseModel):
    """Changes to a draft. Fields left out are kept; `review_note: null` clears it."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    summary: Summary | None = None
    sample: bool | None = None
    review_note: ReviewNote | None = None
    sections: SectionsInput | None = None


class LeafletSectionSource(BaseModel):
    key: SectionKey
    heading: str
    body: str = Field(description="Markdown.")


class LeafletVersionSummary(BaseModel):
    id: UUID
    slug: str
    language: str
    version: int = Field(description="The version number editors and readers see.")
    status: VersionStatus = Field(description="DRAFT, then PUBLISHED, then RETIRED.")
    title: str
    sample: bool
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    retired_at: datetime | None


class LeafletVersionPublic(LeafletVersionSummary):
    """A version as editors see it: its source, and what stops it being published."""

    summary: str
    review_note: str | None
    sections: list[LeafletSectionSource]
    problems: list[str] = Field(
        description="What must be fixed before this draft can be published; empty when "
        "it can be. The same checks as the content files."
    )


class LeafletVersionPage(Page[LeafletVersionSummary]):
    pass


class LeafletPreview(LeafletDocument):
    """A version rendered exactly as readers would get it, with generic slot wording."""

    id: UUID
    status: VersionStatus
    problems: list[str]


class VersionRef(BaseModel):
    id: UUID
    language: str
    version: int
    status: VersionStatus


class FieldChange(BaseModel):
    name: Literal["title", "summary", "sample", "review_note"]
    old: str | bool | None
    new: str | bool | None


class SectionChange(BaseModel):
    key: SectionKey
    change: Literal["ADDED", "REMOVED", "CHANGED", "UNCHANGED"]
    old_heading: str | None
    new_heading: str | None
    diff: str | None = Field(
        description="A unified diff of the heading and Markdown body; null unless CHANGED."
    )


class LeafletDiff(BaseModel):
    slug: str
    from_version: VersionRef
    to_version: VersionRef
    fields: list[FieldChange] = Field(description="Front matter that differs.")
    sections: list[SectionChange] = Field(description="Every section key, in order.")
