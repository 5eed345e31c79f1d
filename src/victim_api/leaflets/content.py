"""Leaflet content files: parse, validate and load them.

A file is YAML front matter between ``---`` lines, then Markdown whose level-2
headings carry a stable section key: ``## What happens next {#what-happens-next}``.
Every problem in a file (or a directory of files) is collected and raised at
once, so an editor fixes them in one pass instead of one per test run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import langcodes
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from victim_api.platform.errors import ProblemError


class SectionKey(StrEnum):
    """The sections every leaflet has, in the order they must appear."""

    WHAT_HAPPENS_NEXT = "what-happens-next"
    YOUR_RIGHTS = "your-rights"
    SUPPORT_SERVICES = "support-services"
    COMPENSATION = "compensation"
    GIVING_EVIDENCE = "giving-evidence"
    VICTIM_PERSONAL_STATEMENT = "victim-personal-statement"
    COMPLAINTS = "complaints"
    CONTACT_US = "contact-us"


SECTION_KEYS: tuple[SectionKey, ...] = tuple(SectionKey)
SLOT_NAMES: tuple[str, ...] = (
    "crime_reference",
    "officer_name",
    "officer_team_phone",
    "support_services",
)
SLOT_PATTERN = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
LINK_SCHEMES = ("https:", "mailto:", "tel:")

_HEADING_KEY = re.compile(r"^(?P<heading>.*?)\s*\{#(?P<key>[^}]*)\}$")
_FRONT_MATTER = re.compile(r"\A---\n(?P<yaml>.*?)\n?---[ \t]*(?:\n|\Z)", re.DOTALL)
_IN_PAGE_FRAGMENT = re.compile(r"^#[a-z0-9-]+$")
# html=True only for checking: rendering escapes raw HTML, so an editor who
# typed some would see it printed as text; we tell them instead.
_STRUCTURE_PARSER = MarkdownIt("commonmark", {"html": True})


class LeafletStatus(StrEnum):
    PUBLISHED = "PUBLISHED"
    DRAFT = "DRAFT"


class LeafletContentError(ProblemError):
    """One or more leaflet files are invalid. ``problems`` lists every one."""

    def __init__(self, problems: Sequence[str]) -> None:
        # The detail may reach a client as a 500; the file-level list is for
        # editors and logs, so it stays out of the response.
        super().__init__(500, "leaflet_content_invalid", "The leaflet content is invalid.")
        self.problems = tuple(problems)

    def __str__(self) -> str:
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        return f"{len(self.problems)} leaflet content problem(s):\n{listed}"


class FrontMatter(BaseModel):
    """The YAML block at the top of a leaflet file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Annotated[StrictStr, Field(pattern=SLUG_PATTERN, max_length=64)]
    language: StrictStr = Field(description="A BCP 47 tag in canonical form, e.g. `en`, `cy`.")
    version: Annotated[StrictInt, Field(ge=1)]
    title: Annotated[StrictStr, Field(min_length=1, max_length=120)]
    summary: Annotated[StrictStr, Field(min_length=1, max_length=400)]
    status: LeafletStatus
    sample: StrictBool = False
    review_note: StrictStr | None = None

    @field_validator("language")
    @classmethod
    def _canonical_bcp47(cls, value: str) -> str:
        if not langcodes.tag_is_valid(value):
            raise ValueError(f"{value!r} is not a valid BCP 47 language tag")
        canonical = langcodes.standardize_tag(value)
        if canonical != value:
            # One spelling per language keeps file names and lookups exact.
            raise ValueError(f"write the language tag as {canonical!r}")
        return value

    @model_validator(mode="after")
    def _sample_needs_review_note(self) -> FrontMatter:
        if self.sample and not (self.review_note or "").strip():
            raise ValueError("a sample leaflet needs a review_note saying what must be checked")
        return self


class Section(BaseModel):
    """One level-2 section: its stable key, the heading shown, and its Markdown body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: SectionKey
    heading: Annotated[str, Field(min_length=1)]
    body: str


class Leaflet(FrontMatter):
    """A parsed, valid leaflet: its front matter and its sections in order."""

    sections: tuple[Section, ...]

    @field_validator("sections")
    @classmethod
    def _every_section_in_order(cls, value: tuple[Section, ...]) -> tuple[Section, ...]:
        if tuple(section.key for section in value) != SECTION_KEYS:
            raise ValueError(f"sections must be exactly {', '.join(SECTION_KEYS)}, in that order")
        return value

    def section(self, key: SectionKey | str) -> Section:
        return next(section for section in self.sections if section.key == key)


def parse_leaflet(text: str, *, source: str = "<text>") -> Leaflet:
    """Parse one leaflet file's text, or raise LeafletContentError listing every problem."""
    problems: list[str] = []
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise LeafletContentError(
            [f"{source}: the file must start with YAML front matter between '---' lines"]
        )
    front_matter = _parse_front_matter(match["yaml"], source, problems)
    body_first_line = text.count("\n", 0, match.end()) + 1
    sections = _parse_sections(text[match.end() :], body_first_line, source, problems)
    if problems or front_matter is None:
        raise LeafletContentError(problems)
    return Leaflet(**front_matter.model_dump(), sections=tuple(sections))


def load_leaflet(path: Path) -> Leaflet:
    """Load ``<slug>/<language>.md``, checking the front matter agrees with the path."""
    source = path.as_posix()
    leaflet = parse_leaflet(path.read_text(encoding="utf-8"), source=source)
    problems = []
    if leaflet.slug != path.parent.name:
        problems.append(f"{source}: slug {leaflet.slug!r} must match its folder name")
    if leaflet.language != path.stem:
        problems.append(f"{source}: language {leaflet.language!r} must match its file name")
    if problems:
        raise LeafletContentError(problems)
    return leaflet


def load_directory(path: Path) -> tuple[Leaflet, ...]:
    """Load every ``<slug>/<language>.md`` under ``path`` (e.g. ``content/leaflets``).

    Returns the leaflets sorted by slug then language. Raises LeafletContentError
    listing the problems of every file, and any slug with no English version
    (English is where language negotiation always ends).
    """
    if not path.is_dir():
        raise LeafletContentError([f"{path.as_posix()}: no such leaflet directory"])
    leaflets: list[Leaflet] = []
    problems: list[str] = []
    for file in sorted(path.glob("*/*.md")):
        try:
            leaflets.append(load_leaflet(file))
        except LeafletContentError as error:
            problems.extend(error.problems)
    problems.extend(_slugs_without_english(leaflets))
    if problems:
        raise LeafletContentError(problems)
    return tuple(sorted(leaflets, key=lambda leaflet: (leaflet.slug, leaflet.language)))


def _slugs_without_english(leaflets: Iterable[Leaflet]) -> list[str]:
    languages: dict[str, set[str]] = {}
    for leaflet in leaflets:
        languages.setdefault(leaflet.slug, set()).add(leaflet.language)
    return [
        f"{slug}: has no English (en.md) version"
        for slug, tags in sorted(languages.items())
        if "en" not in tags
    ]


def _parse_front_matter(raw: str, source: str, problems: list[str]) -> FrontMatter | None:
    try:
        data: Any = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        problems.append(f"{source}: front matter is not valid YAML ({error})")
        return None
    if not isinstance(data, dict):
        problems.append(f"{source}: front matter must be a set of 'name: value' lines")
        return None
    try:
        return FrontMatter.model_validate(data)
    except ValidationError as error:
        for detail in error.errors(include_url=False, include_input=False):
            where = ".".join(str(part) for part in detail["loc"]) or "front matter"
            message = detail["msg"].removeprefix("Value error, ")
            problems.append(f"{source}: {where}: {message}")
        return None


@dataclass(frozen=True)
class _Span:
    """The source of one level-2 section, before it is validated."""

    heading: str
    line: int
    body: str
    tokens: Sequence[Token]


def _parse_sections(body: str, first_line: int, source: str, problems: list[str]) -> list[Section]:
    preamble, spans = _split_at_headings(body)
    if preamble.strip():
        problems.append(f"{source}: there is text before the first '## ... {{#key}}' section")
    sections: list[Section] = []
    for span in spans:
        where = f"{source}: line {first_line + span.line}"
        problems.extend(f"{where}: {message}" for message in _body_problems(span.tokens))
        section = _section(span, where, problems)
        if section is not None:
            sections.append(section)
    problems.extend(f"{source}: {message}" for message in _key_problems(sections))
    return sections


def _split_at_headings(body: str) -> tuple[str, list[_Span]]:
    """Cut the body at each level-2 heading (found by the parser, so not in code blocks)."""
    lines = body.split("\n")
    tokens = _STRUCTURE_PARSER.parse(body)
    starts = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    ends = [*starts[1:], len(tokens)] if starts else []
    spans: list[_Span] = []
    for start, end in zip(starts, ends, strict=True):
        heading_line, body_line = tokens[start].map or (0, 0)
        next_line = (tokens[end].map or (len(lines), 0))[0] if end < len(tokens) else len(lines)
        spans.append(
            _Span(
                heading=tokens[start + 1].content,
                line=heading_line,
                body="\n".join(lines[body_line:next_line]).strip(),
                tokens=tokens[start + 3 : end],
            )
        )
    preamble_end = (tokens[starts[0]].map or (0, 0))[0] if starts else len(lines)
    return "\n".join(lines[:preamble_end]), spans


def _section(span: _Span, where: str, problems: list[str]) -> Section | None:
    match = _HEADING_KEY.match(span.heading.strip())
    if match is None:
        problems.append(
            f"{where}: heading {span.heading!r} has no key; write '## Heading {{#key}}'"
        )
        return None
    key, heading = match["key"], match["heading"].strip()
    if key not in SECTION_KEYS:
        problems.append(f"{where}: unknown section key {key!r}")
        return None
    if not heading:
        problems.append(f"{where}: section {key!r} has no heading text")
        return None
    return Section(key=SectionKey(key), heading=heading, body=span.body)


def _key_problems(sections: Sequence[Section]) -> list[str]:
    found = [section.key for section in sections]
    problems = [f"missing section {key.value!r}" for key in SECTION_KEYS if key not in found]
    problems += [
        f"section {key.value!r} appears {found.count(key)} times"
        for key in SECTION_KEYS
        if found.count(key) > 1
    ]
    if not problems and tuple(found) != SECTION_KEYS:
        problems.append(
            "sections are out of order: expected "
            + ", ".join(SECTION_KEYS)
            + "; found "
            + ", ".join(found)
        )
    return problems


def _body_problems(tokens: Sequence[Token]) -> list[str]:
    """Things inside a section that would render wrongly or be silently removed."""
    problems: list[str] = []
    for token in tokens:
        if token.type == "heading_open" and token.tag not in ("h3", "h4"):
            problems.append(f"use ### or #### for headings inside a section, not {token.markup}")
        if token.type in ("html_block", "html_inline"):
            problems.append(f"raw HTML is not allowed: {token.content.strip()!r}")
        problems.extend(_inline_problems(token))
    return problems


def _inline_problems(token: Token) -> list[str]:
    problems: list[str] = []
    children = token.children or []
    raw_html = [child.content for child in children if child.type == "html_inline"]
    if raw_html:
        problems.append(f"raw HTML is not allowed: {' '.join(raw_html)!r}")
    for child in children:
        if child.type == "image":
            problems.append("images are not shown in leaflets; describe it in words")
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if not (href.startswith(LINK_SCHEMES) or _IN_PAGE_FRAGMENT.match(href)):
                problems.append(f"link {href!r} must start with https:, mailto: or tel:")
    for name in SLOT_PATTERN.findall(token.content):
        if name not in SLOT_NAMES:
            problems.append(f"unknown slot {{{{{name}}}}}; known slots: {', '.join(SLOT_NAMES)}")
    return problems
