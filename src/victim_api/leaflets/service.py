"""Leaflet versions: import, draft, publish, retire, read and compare. No HTTP here.

A version's wording is checked by the same rules as the content files
(``content.parse_leaflet``). A draft may break them while it is being written
(its ``problems`` say how); publishing refuses until there are none. Publishing
renders the version once, for every channel, and stores the renderings: a
published version never changes, so neither do they.

Other domains use :func:`render_personalised` (the QR and helpline issues) and
:class:`LeafletDocument` (the shape it returns).
"""

from __future__ import annotations

import difflib
import hashlib
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from victim_api.leaflets.content import (
    SECTION_KEYS,
    SLOT_NAMES,
    Leaflet,
    LeafletContentError,
    LeafletStatus,
    Section,
    SectionKey,
    load_directory,
    parse_leaflet,
)
from victim_api.leaflets.language import DEFAULT_LANGUAGE, negotiate_language
from victim_api.leaflets.models import LeafletVersion, VersionStatus
from victim_api.leaflets.render import (
    fill_slots,
    is_language_tag,
    sample_notice,
    to_html,
    to_html_page,
    to_section_ssml,
    to_ssml,
    to_text,
)
from victim_api.leaflets.schemas import LeafletDocument
from victim_api.platform.audit import Operation, record
from victim_api.platform.clock import as_utc, utcnow
from victim_api.platform.db import table_of
from victim_api.platform.errors import ConflictError, NotFoundError
from victim_api.platform.etag import PreconditionFailedError, compare_and_swap
from victim_api.platform.jsonutil import dumps
from victim_api.platform.principal import Caller

__all__ = ["LeafletDocument", "render_personalised"]

T = table_of(LeafletVersion)
RESOURCE = "leaflet_version"
# Raise when a change to render.py changes its output: stored renderings made by
# an older renderer are then redone (in memory) when they are read.
RENDER_VERSION = 1
# session.info key: slugs whose published versions this transaction changed. The
# read cache (leaflets.cache) drops them when the transaction commits.
CHANGED_SLUGS = "victim_api.leaflets_changed"
_CONTENT_FIELDS = ("title", "summary", "sample", "review_note")
# Rendering needs a valid tag; a draft may not have one yet.
_UNDETERMINED = "und"


class LeafletNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("There is no published leaflet with this name.")
        self.code = "leaflet_not_found"


class LeafletVersionNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("This leaflet has no version with this id.")
        self.code = "leaflet_version_not_found"


def _conflict(code: str, detail: str, **extra: Any) -> ConflictError:
    return ConflictError(code, detail, extra=extra or None)


# --- Wording, checks and digests ------------------------------------------------------


def _clean(text: str) -> str:
    """One newline convention, and no half surrogate pairs (no encoder takes them)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def empty_sections() -> list[dict[str, str]]:
    return [{"key": key.value, "heading": "", "body": ""} for key in SECTION_KEYS]


def _sections_of(leaflet: Leaflet) -> list[dict[str, str]]:
    return [{"key": s.key.value, "heading": s.heading, "body": s.body} for s in leaflet.sections]


def _content_of_leaflet(leaflet: Leaflet) -> dict[str, Any]:
    return {
        "title": leaflet.title,
        "summary": leaflet.summary,
        "sample": leaflet.sample,
        "review_note": leaflet.review_note,
        "sections": _sections_of(leaflet),
    }


def _content_of_row(row: Any) -> dict[str, Any]:
    return {
        "title": row.title,
        "summary": row.summary,
        "sample": row.sample,
        "review_note": row.review_note,
        "sections": [dict(section) for section in row.sections],
    }


def content_digest(content: Mapping[str, Any]) -> str:
    canonical = {name: content[name] for name in (*_CONTENT_FIELDS, "sections")}
    return hashlib.sha256(dumps(canonical)).hexdigest()


def _apply(
    content: dict[str, Any],
    fields: Mapping[str, Any],
    sections: Mapping[str, Mapping[str, str]],
) -> dict[str, Any]:
    """``content`` with the given fields and sections replaced (text cleaned)."""
    changed = dict(content)
    for name in _CONTENT_FIELDS:
        if name in fields:
            value = fields[name]
            changed[name] = _clean(value).strip() if isinstance(value, str) else value
    if changed["sample"] is None:
        changed["sample"] = False
    merged = []
    for section in content["sections"]:
        given = sections.get(section["key"], {})
        merged.append(
            {
                "key": section["key"],
                "heading": _clean(given.get("heading", section["heading"])).strip(),
                "body": _clean(given.get("body", section["body"])).strip(),
            }
        )
    changed["sections"] = merged
    return changed


def content_problems(
    *, slug: str, language: str, number: int, content: Mapping[str, Any]
) -> list[str]:
    """Every reason this wording could not be published, by the content files' rules.

    The version is written out as a content file and parsed, so the checks are
    exactly those of ``content.parse_leaflet``; problems are named by section key.
    """
    front: dict[str, Any] = {
        "slug": slug,
        "language": language,
        "version": number,
        "title": content["title"],
        "summary": content["summary"],
        "status": LeafletStatus.DRAFT.value,
        "sample": content["sample"],
    }
    if content["review_note"] is not None:
        front["review_note"] = content["review_note"]
    head = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n"
    line = head.count("\n") + 1
    starts: list[tuple[int, str]] = []
    blocks = []
    for section in content["sections"]:
        block = f"## {section['heading']} {{#{section['key']}}}\n\n{section['body']}\n\n"
        starts.append((line, section["key"]))
        blocks.append(block)
        line += block.count("\n")
    problems = [
        f"{section['key']}: the section has no text"
        for section in content["sections"]
        if not section["body"].strip()
    ]
    try:
        parsed = parse_leaflet(head + "".join(blocks), source="draft")
    except LeafletContentError as error:
        return problems + [_locate(problem, starts) for problem in error.problems]
    for given, kept in zip(content["sections"], parsed.sections, strict=True):
        if kept.heading != given["heading"] or kept.body != given["body"]:
            problems.append(f"{given['key']}: the heading or text cannot be kept as typed")
    return problems


def _locate(problem: str, starts: Sequence[tuple[int, str]]) -> str:
    """``draft: line 12: message`` becomes ``<section key>: message``."""
    problem = problem.removeprefix("draft: ")
    if problem.startswith("line "):
        number_text, _, message = problem.removeprefix("line ").partition(": ")
        if number_text.isdigit():
            line = int(number_text)
            key = next((key for start, key in reversed(starts) if start <= line), None)
            if key is not None:
                return f"{key}: {message}"
    return problem


def row_problems(row: Any) -> list[str]:
    return content_problems(
        slug=row.slug, language=row.language, number=row.number, content=_content_of_row(row)
    )


# --- Rendering ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendition:
    """A version rendered for every channel."""

    sections: list[dict[str, str]]
    ssml: str
    page: str


def _render_language(language: str) -> str:
    return language if is_language_tag(language) else _UNDETERMINED


def leaflet_of(row: Any) -> Leaflet:
    """The row as a Leaflet, unchecked (a draft may not pass the checks yet)."""
    sections = tuple(
        Section.model_construct(key=SectionKey(s["key"]), heading=s["heading"], body=s["body"])
        for s in row.sections
    )
    return Leaflet.model_construct(
        slug=row.slug,
        language=row.language,
        version=row.number,
        title=row.title,
        summary=row.summary,
        status=LeafletStatus.PUBLISHED
        if row.status == VersionStatus.PUBLISHED
        else LeafletStatus.DRAFT,
        sample=row.sample,
        review_note=row.review_note,
        sections=sections,
    )


def render(leaflet: Leaflet, slot_values: Mapping[str, str] | None = None) -> Rendition:
    """HTML, text and SSML per section, the whole SSML and the page.

    Without ``slot_values`` the slots get generic wording; values are escaped
    by ``render.fill_slots``.
    """
    language = _render_language(leaflet.language)
    filled = [
        Section.model_construct(
            key=section.key,
            heading=section.heading,
            body=fill_slots(section.body, slot_values, language=language),
        )
        for section in leaflet.sections
    ]
    sections = [
        {
            "key": section.key.value,
            "heading": section.heading,
            "html": to_html(section.body),
            "text": to_text(section.body),
            "ssml": to_section_ssml(section, language),
        }
        for section in filled
    ]
    notice = sample_notice(language)[0][1] if leaflet.sample else None
    page_leaflet = leaflet.model_copy(update={"language": language})
    return Rendition(
        sections=sections,
        ssml=to_ssml(leaflet.title, filled, language, notice=notice),
        page=to_html_page(page_leaflet, {s["key"]: s["html"] for s in sections}, language),
    )


def stored_rendition(row: Any) -> Rendition:
    """The renderings made at publication, or fresh ones if the renderer has changed."""
    if row.render_version == RENDER_VERSION and row.rendered_sections is not None:
        return Rendition(list(row.rendered_sections), row.ssml or "", row.html_page or "")
    return render(leaflet_of(row))


def _sample_note(language: str) -> str:
    return " ".join(text for _, text in sample_notice(_render_language(language)))


def document(
    row: Any, rendition: Rendition, languages: Iterable[str], *, personalised: bool = False
) -> dict[str, Any]:
    """The LeafletDocument of a version, as a plain dict ready for JSON."""
    return {
        "slug": row.slug,
        "language": row.language,
        "version": row.number,
        "title": row.title,
        "summary": row.summary,
        "sample": bool(row.sample),
        "sample_note": _sample_note(row.language) if row.sample else None,
        "personalised": personalised,
        "languages": sorted(languages),
        "published_at": as_utc(row.published_at) if row.published_at else None,
        "sections": rendition.sections,
        "ssml": rendition.ssml,
    }


# --- Reading what is published --------------------------------------------------------


@dataclass(frozen=True)
class PublishedLeaflet:
    """One published version, rendered: what the public read path serves."""

    id: str
    language: str
    document: dict[str, Any]
    page: str


def published_ids(session: Session, slug: str) -> dict[str, str]:
    """{language: version id} of what is published for ``slug``: one indexed query."""
    rows = session.execute(
        sa.select(T.c.language, T.c.id).where(
            T.c.slug == slug, T.c.status == VersionStatus.PUBLISHED
        )
    )
    return {row.language: row.id for row in rows}


def published_leaflets(session: Session, slug: str) -> list[PublishedLeaflet]:
    rows = list(
        session.execute(sa.select(T).where(T.c.slug == slug, T.c.status == VersionStatus.PUBLISHED))
    )
    languages = [row.language for row in rows]
    return [
        PublishedLeaflet(
            row.id,
            row.language,
            document(row, rendition := stored_rendition(row), languages),
            rendition.page,
        )
        for row in rows
    ]


def published_index(session: Session) -> dict[str, Any]:
    """Every published leaflet and its languages, by slug (the body of the list)."""
    rows = session.execute(
        sa.select(T.c.slug, T.c.language, T.c.number, T.c.title, T.c.sample)
        .where(T.c.status == VersionStatus.PUBLISHED)
        .order_by(T.c.slug, T.c.language)
    )
    by_slug: dict[str, list[Any]] = {}
    for row in rows:
        by_slug.setdefault(row.slug, []).append(row)
    items = []
    for slug, versions in by_slug.items():
        english = next((v for v in versions if v.language == DEFAULT_LANGUAGE), versions[0])
        items.append(
            {
                "slug": slug,
                "title": english.title,
                "languages": [
                    {
                        "language": v.language,
                        "version": v.number,
                        "title": v.title,
                        "sample": bool(v.sample),
                    }
                    for v in versions
                ],
            }
        )
    return {"items": items}


def render_personalised(
    session: Session,
    slug: str,
    language: str | Sequence[str | None] | None,
    slot_values: Mapping[str, str] | None,
    *,
    accept_language: str | None = None,
) -> dict[str, Any]:
    """The published leaflet as a LeafletDocument dict, with its slots filled.

    ``language`` is the reader's choice, or several in order of preference; then
    ``accept_language``; then English (``language.negotiate_language``). With no
    ``slot_values`` (or only blank ones) the slots read as generic wording and the
    stored renderings are used. Values are escaped for every output; unknown slot
    names raise ValueError. Raises LeafletNotFoundError when nothing is published.

    Filled slots are case data: a caller passing values is disclosing personal
    data and must audit it and send ``Cache-Control: no-store``.
    """
    unknown = sorted(set(slot_values or {}) - set(SLOT_NAMES))
    if unknown:
        raise ValueError(f"unknown slot names: {', '.join(unknown)}")
    available = published_ids(session, slug)
    if not available:
        raise LeafletNotFoundError()
    chosen = negotiate_language(available, lang=language, accept_language=accept_language)
    row = session.execute(sa.select(T).where(T.c.id == available[chosen])).one()
    personalised = any((value or "").strip() for value in (slot_values or {}).values())
    rendition = (
        _personal_rendition(row, slot_values or {}) if personalised else stored_rendition(row)
    )
    return document(row, rendition, available, personalised=personalised)


# Rendering (Markdown, sanitising, SSML) is most of a QR resolve's cost, and many
# codes share their wording and slot values (a team's phone, a borough's
# services), so renditions are kept per wording and values. Not personal data:
# slots carry only what a QR code may show. Bounded; wording is content-addressed.
_RENDITIONS: dict[tuple[Any, ...], Rendition] = {}
_RENDITIONS_MAX = 512
_renditions_lock = threading.Lock()


def _personal_rendition(row: Any, slot_values: Mapping[str, str]) -> Rendition:
    key = (row.id, row.content_digest, RENDER_VERSION, tuple(sorted(slot_values.items())))
    with _renditions_lock:
        cached = _RENDITIONS.get(key)
    if cached is not None:
        return cached
    rendition = render(leaflet_of(row), slot_values)
    with _renditions_lock:
        if len(_RENDITIONS) >= _RENDITIONS_MAX:
            _RENDITIONS.pop(next(iter(_RENDITIONS)))  # the oldest entry
        _RENDITIONS[key] = rendition
    return rendition


# --- Editorial reads ------------------------------------------------------------------


def get_version(session: Session, slug: str, version_id: str) -> Any:
    row = session.execute(sa.select(T).where(T.c.id == version_id, T.c.slug == slug)).first()
    if row is None:
        raise LeafletVersionNotFoundError()
    return row


def list_versions(
    session: Session,
    slug: str,
    *,
    language: str | None,
    status: str | None,
    limit: int,
    after: list[Any] | None,
) -> list[Any]:
    """Versions of ``slug`` by language, then number (keyset on language, number, id)."""
    query = sa.select(T).where(T.c.slug == slug)
    if language is not None:
        query = query.where(T.c.language == language)
    if status is not None:
        query = query.where(T.c.status == status)
    if after is not None:
        query = query.where(sa.tuple_(T.c.language, T.c.number, T.c.id) > sa.tuple_(*after))
    ordered = query.order_by(T.c.language, T.c.number, T.c.id).limit(limit + 1)
    return list(session.execute(ordered))


def summary_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "slug": row.slug,
        "language": row.language,
        "version": row.number,
        "status": row.status,
        "title": row.title,
        "sample": bool(row.sample),
        "created_at": as_utc(row.created_at),
        "updated_at": as_utc(row.updated_at),
        "published_at": as_utc(row.published_at) if row.published_at else None,
        "retired_at": as_utc(row.retired_at) if row.retired_at else None,
    }


def editorial_view(row: Any) -> dict[str, Any]:
    return {
        **summary_view(row),
        "summary": row.summary,
        "review_note": row.review_note,
        "sections": [dict(section) for section in row.sections],
        "problems": row_problems(row) if row.status == VersionStatus.DRAFT else [],
    }


def preview(session: Session, row: Any) -> tuple[dict[str, Any], str]:
    """A version rendered as readers would get it (generic wording), and its page."""
    rendition = (
        stored_rendition(row) if row.status == VersionStatus.PUBLISHED else render(leaflet_of(row))
    )
    languages = set(published_ids(session, row.slug)) | {row.language}
    body = {
        **document(row, rendition, languages),
        "id": row.id,
        "status": row.status,
        "problems": row_problems(row) if row.status == VersionStatus.DRAFT else [],
    }
    return body, rendition.page


def diff(session: Session, slug: str, from_id: str, to_id: str) -> dict[str, Any]:
    """Section by section: ADDED, REMOVED, CHANGED (with a unified diff) or UNCHANGED."""
    old, new = get_version(session, slug, from_id), get_version(session, slug, to_id)
    fields = [
        {"name": name, "old": getattr(old, name), "new": getattr(new, name)}
        for name in _CONTENT_FIELDS
        if getattr(old, name) != getattr(new, name)
    ]
    old_sections = {s["key"]: s for s in old.sections}
    new_sections = {s["key"]: s for s in new.sections}
    changes = []
    for key in SECTION_KEYS:
        before, after = old_sections.get(key.value), new_sections.get(key.value)
        had, has = _present(before), _present(after)
        change = (
            "UNCHANGED"
            if (had, has) == (False, False) or (had and has and before == after)
            else "ADDED"
            if has and not had
            else "REMOVED"
            if had and not has
            else "CHANGED"
        )
        text = None
        if change != "UNCHANGED":
            text = "\n".join(
                difflib.unified_diff(
                    _diff_lines(before) if had else [],
                    _diff_lines(after) if has else [],
                    fromfile=f"{old.language} v{old.number} {key.value}",
                    tofile=f"{new.language} v{new.number} {key.value}",
                    lineterm="",
                )
            )
        changes.append(
            {
                "key": key.value,
                "change": change,
                "old_heading": before["heading"] if had and before else None,
                "new_heading": after["heading"] if has and after else None,
                "diff": text,
            }
        )
    return {
        "slug": slug,
        "from_version": _ref(old),
        "to_version": _ref(new),
        "fields": fields,
        "sections": changes,
    }


def _present(section: Mapping[str, str] | None) -> bool:
    return section is not None and bool(section["heading"].strip() or section["body"].strip())


def _diff_lines(section: Mapping[str, str] | None) -> list[str]:
    assert section is not None
    return [f"## {section['heading']}", "", *section["body"].split("\n")]


def _ref(row: Any) -> dict[str, Any]:
    return {"id": row.id, "language": row.language, "version": row.number, "status": row.status}


# --- Editorial changes ----------------------------------------------------------------


def _published_row(session: Session, slug: str, language: str) -> Any:
    return session.execute(
        sa.select(T).where(
            T.c.slug == slug, T.c.language == language, T.c.status == VersionStatus.PUBLISHED
        )
    ).first()


def _next_number(session: Session, slug: str, language: str) -> int:
    highest = session.execute(
        sa.select(sa.func.max(T.c.number)).where(T.c.slug == slug, T.c.language == language)
    ).scalar()
    return int(highest or 0) + 1


def _audit(
    session: Session, caller: Caller, operation: Operation, row_id: str, fields: Iterable[str]
) -> None:
    record(
        session,
        caller,
        operation=operation,
        resource_type=RESOURCE,
        resource_id=row_id,
        fields=fields,
    )


def _changed(session: Session, slug: str) -> None:
    session.info.setdefault(CHANGED_SLUGS, set()).add(slug)


def _insert(
    session: Session,
    *,
    slug: str,
    language: str,
    number: int,
    content: Mapping[str, Any],
    now: datetime,
) -> str:
    version_id = str(uuid.uuid4())
    values = {
        "id": version_id,
        "slug": slug,
        "language": language,
        "number": number,
        "status": VersionStatus.DRAFT.value,
        **{name: content[name] for name in _CONTENT_FIELDS},
        "sections": content["sections"],
        "content_digest": content_digest(content),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    try:
        with session.begin_nested():
            session.execute(sa.insert(T).values(**values))
    except IntegrityError as exc:
        raise _conflict(
            "leaflet_version_conflict",
            "Another version of this leaflet was created at the same moment. Try again.",
        ) from exc
    return version_id


def create_draft(
    session: Session,
    caller: Caller,
    slug: str,
    *,
    language: str,
    copy_from: str | None,
    fields: Mapping[str, Any],
    sections: Mapping[str, Mapping[str, str]],
) -> Any:
    """A new DRAFT numbered after every version of ``slug`` in ``language``.

    It starts from ``copy_from``, else the version published in ``language``,
    else the published English one, else nothing; then ``fields`` and
    ``sections`` replace what they name.
    """
    source = (
        get_version(session, slug, copy_from)
        if copy_from
        else _published_row(session, slug, language)
        or _published_row(session, slug, DEFAULT_LANGUAGE)
    )
    base = (
        _content_of_row(source)
        if source is not None
        else {"title": "", "summary": "", "sample": False, "review_note": None}
        | {"sections": empty_sections()}
    )
    content = _apply(base, fields, sections)
    version_id = _insert(
        session,
        slug=slug,
        language=language,
        number=_next_number(session, slug, language),
        content=content,
        now=utcnow(),
    )
    _audit(session, caller, Operation.COLLECTION, version_id, ["sections", *_CONTENT_FIELDS])
    return get_version(session, slug, version_id)


def update_draft(
    session: Session,
    caller: Caller,
    slug: str,
    version_id: str,
    expected: int,
    *,
    fields: Mapping[str, Any],
    sections: Mapping[str, Mapping[str, str]],
) -> Any:
    """Change a DRAFT (409 otherwise), if its version is still ``expected`` (412)."""
    row = get_version(session, slug, version_id)
    if row.status != VersionStatus.DRAFT:
        raise _conflict(
            "leaflet_version_not_draft",
            "Only a draft can be changed. Create a new draft from this version instead.",
        )
    before = _content_of_row(row)
    content = _apply(before, fields, sections)
    if content == before:
        if row.version != expected:
            raise PreconditionFailedError()
        return row
    values = {
        **{name: content[name] for name in _CONTENT_FIELDS},
        "sections": content["sections"],
        "content_digest": content_digest(content),
        "updated_at": utcnow(),
    }
    compare_and_swap(session, T, {"id": version_id}, expected, values)
    changed = [n for n in _CONTENT_FIELDS if content[n] != before[n]]
    changed += [
        f"sections.{new['key']}"
        for old, new in zip(before["sections"], content["sections"], strict=True)
        if old != new
    ]
    _audit(session, caller, Operation.ALTERATION, version_id, changed)
    return get_version(session, slug, version_id)


def publish(session: Session, caller: Caller, slug: str, version_id: str, expected: int) -> Any:
    """Publish a DRAFT: render it once, store the renderings, retire the version it replaces.

    409 when it is not a draft, has problems, is older than the published
    version, or is a translation of a leaflet with no published English.
    """
    row = get_version(session, slug, version_id)
    if row.status != VersionStatus.DRAFT:
        raise _conflict(
            "leaflet_version_not_draft",
            "Only a draft can be published. Create a new draft from this version instead.",
        )
    if row.version != expected:
        raise PreconditionFailedError()
    problems = row_problems(row)
    if problems:
        raise _conflict(
            "leaflet_version_invalid",
            "This draft cannot be published until its problems are fixed.",
            problems=problems,
        )
    current = _published_row(session, slug, row.language)
    if current is not None and current.number > row.number:
        raise _conflict(
            "leaflet_version_superseded",
            f"Version {current.number} is already published; this draft is older.",
        )
    if row.language != DEFAULT_LANGUAGE and _published_row(session, slug, DEFAULT_LANGUAGE) is None:
        raise _english_required()
    rendition = render(leaflet_of(row))
    now = utcnow()
    try:
        with session.begin_nested():
            if current is not None:
                compare_and_swap(
                    session,
                    T,
                    {"id": current.id},
                    current.version,
                    {"status": VersionStatus.RETIRED.value, "retired_at": now, "updated_at": now},
                )
            compare_and_swap(
                session,
                T,
                {"id": version_id},
                expected,
                {
                    "status": VersionStatus.PUBLISHED.value,
                    "published_at": now,
                    "updated_at": now,
                    "rendered_sections": rendition.sections,
                    "ssml": rendition.ssml,
                    "html_page": rendition.page,
                    "render_version": RENDER_VERSION,
                },
            )
    except IntegrityError as exc:
        raise _conflict(
            "leaflet_version_conflict",
            "Another version of this leaflet was published at the same moment. Read it again.",
        ) from exc
    if current is not None:
        _audit(session, caller, Operation.ALTERATION, current.id, ["status", "retired_at"])
    _audit(session, caller, Operation.ALTERATION, version_id, ["status", "published_at"])
    _changed(session, slug)
    return get_version(session, slug, version_id)


def _english_required() -> ConflictError:
    return _conflict(
        "leaflet_english_required",
        "Readers whose language is not available get English, so a leaflet needs a "
        "published English version while any translation of it is published.",
    )


def retire(session: Session, caller: Caller, slug: str, version_id: str, expected: int) -> Any:
    """Withdraw a PUBLISHED version (or abandon a DRAFT). Retiring twice changes nothing."""
    row = get_version(session, slug, version_id)
    if row.status == VersionStatus.RETIRED:
        return row
    if row.version != expected:
        raise PreconditionFailedError()
    if row.status == VersionStatus.PUBLISHED and row.language == DEFAULT_LANGUAGE:
        others = set(published_ids(session, slug)) - {DEFAULT_LANGUAGE}
        if others:
            raise _english_required()
    now = utcnow()
    compare_and_swap(
        session,
        T,
        {"id": version_id},
        expected,
        {"status": VersionStatus.RETIRED.value, "retired_at": now, "updated_at": now},
    )
    _audit(session, caller, Operation.ALTERATION, version_id, ["status", "retired_at"])
    if row.status == VersionStatus.PUBLISHED:
        _changed(session, slug)
    return get_version(session, slug, version_id)


# --- Importing the content files ------------------------------------------------------


def import_directory(session: Session, caller: Caller, path: Path) -> list[str]:
    """Load ``<path>/<slug>/<language>.md`` (see :func:`import_leaflets`)."""
    return import_leaflets(session, caller, load_directory(path))


def import_leaflets(session: Session, caller: Caller, leaflets: Sequence[Leaflet]) -> list[str]:
    """Bring the database up to the files; all or nothing. Returns one line per file.

    A file whose version is not stored yet is added as a draft; a stored draft of
    that version takes the file's wording; a file marked PUBLISHED is then
    published (English first, so translations have their fallback). Running it
    again changes nothing. Raises LeafletContentError, and changes nothing, when a
    file changes the wording of a version already published or retired: editors
    raise the version number for that.
    """
    lines: list[str] = []
    problems: list[str] = []
    ordered = sorted(leaflets, key=lambda x: (x.slug, x.language != DEFAULT_LANGUAGE, x.language))
    for leaflet in ordered:
        name = f"{leaflet.slug}/{leaflet.language} v{leaflet.version}"
        try:
            lines.append(f"{name}: {_import_one(session, caller, leaflet)}")
        except ConflictError as error:
            problems.append(f"{name}: {error.detail}")
    if problems:
        raise LeafletContentError(problems)
    return lines


def _import_one(session: Session, caller: Caller, leaflet: Leaflet) -> str:
    content = _content_of_leaflet(leaflet)
    digest = content_digest(content)
    row = session.execute(
        sa.select(T).where(
            T.c.slug == leaflet.slug,
            T.c.language == leaflet.language,
            T.c.number == leaflet.version,
        )
    ).first()
    wants_published = leaflet.status == LeafletStatus.PUBLISHED
    if row is None:
        current = _published_row(session, leaflet.slug, leaflet.language)
        if wants_published and current is not None and current.number > leaflet.version:
            return f"skipped: version {current.number} is already published"
        version_id = _insert(
            session,
            slug=leaflet.slug,
            language=leaflet.language,
            number=leaflet.version,
            content=content,
            now=utcnow(),
        )
        _audit(session, caller, Operation.COLLECTION, version_id, ["sections", *_CONTENT_FIELDS])
        action = "added"
    elif row.content_digest != digest:
        if row.status != VersionStatus.DRAFT:
            raise _conflict(
                "leaflet_version_immutable",
                f"this version is {row.status} with other wording; give the changed file "
                "a higher version number",
            )
        version_id = row.id
        update_draft(
            session,
            caller,
            leaflet.slug,
            row.id,
            row.version,
            fields={name: content[name] for name in _CONTENT_FIELDS},
            sections={s["key"]: s for s in content["sections"]},
        )
        action = "updated the draft"
    else:
        version_id = row.id
        action = "unchanged"
        if row.status != VersionStatus.DRAFT or not wants_published:
            return f"{action} ({row.status})"
    if not wants_published:
        return f"{action} (DRAFT)"
    current_version = get_version(session, leaflet.slug, version_id).version
    publish(session, caller, leaflet.slug, version_id, current_version)
    return f"{action}, published" if action != "unchanged" else "published"
