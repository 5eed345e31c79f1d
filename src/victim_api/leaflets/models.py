"""Leaflet versions: each language's wording of a leaflet, from draft to retirement.

One row is one version of one leaflet in one language. A version starts as a
DRAFT (editable), becomes PUBLISHED (immutable, served to the public) and ends
RETIRED (kept for the record and for diffs). At most one version per slug and
language is PUBLISHED at a time; a partial unique index enforces it.

``number`` is the version number editors see (the front matter's ``version``);
``version`` is the row's concurrency counter behind its ETag, as on every
mutable table (``platform.etag.compare_and_swap``).

Published rows also hold their renderings (HTML, text and SSML per section,
the whole-document SSML and the HTML page), made once at publication, so a
public read renders nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class VersionStatus(StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    RETIRED = "RETIRED"


_PUBLISHED_ONLY = sa.text("status = 'PUBLISHED'")


class LeafletVersion(SQLModel, table=True):
    __tablename__ = "leaflet_version"
    __table_args__ = (
        sa.UniqueConstraint("slug", "language", "number"),
        # The public read path: the one published version per slug and language.
        sa.Index(
            "ix_leaflet_version_published_slug_language",
            "slug",
            "language",
            unique=True,
            sqlite_where=_PUBLISHED_ONLY,
            postgresql_where=_PUBLISHED_ONLY,
        ),
        sa.CheckConstraint("status IN ('DRAFT', 'PUBLISHED', 'RETIRED')", name="status"),
        sa.CheckConstraint("number >= 1", name="number"),
    )

    id: str = Field(primary_key=True, max_length=36)
    slug: str = Field(max_length=64)
    language: str = Field(max_length=35)
    number: int
    status: str = Field(max_length=16)
    title: str = Field(sa_type=sa.Text)
    summary: str = Field(sa_type=sa.Text)
    sample: bool = False
    review_note: str | None = Field(default=None, sa_type=sa.Text)
    # [{key, heading, body}] in section order; body is the Markdown source.
    sections: list[dict[str, Any]] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    # SHA-256 of the wording (front matter and sections, not number or status):
    # how an import tells an unchanged file from an edited one.
    content_digest: str = Field(max_length=64)
    # Set at publication: [{key, heading, html, text, ssml}], the whole SSML, the page.
    rendered_sections: list[dict[str, Any]] | None = Field(
        default=None, sa_column=sa.Column(sa.JSON, nullable=True)
    )
    ssml: str | None = Field(default=None, sa_type=sa.Text)
    html_page: str | None = Field(default=None, sa_type=sa.Text)
    # Which renderer made the stored renderings; an older one is redone on read.
    render_version: int | None = None
    created_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    published_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    retired_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    version: int = Field(default=1)
