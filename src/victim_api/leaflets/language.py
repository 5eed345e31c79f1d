"""Pick the language a reader gets a leaflet in.

An explicit choice (a ``lang`` value the reader picked) comes first, then the
browser's ``Accept-Language`` preferences by q-value, each matched exactly and
then by ever shorter prefixes (RFC 4647 lookup: ``cy-GB`` finds ``cy``), and
finally English. The header is untrusted input: malformed parts are skipped,
and its length and number of parts are capped so it cannot cost much to read.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence

DEFAULT_LANGUAGE = "en"
MAX_HEADER_LENGTH = 4096
MAX_LANGUAGE_RANGES = 32

_LANGUAGE_RANGE = re.compile(r"^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$")
_QUALITY = re.compile(r"^[qQ]\s*=\s*(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$")


def negotiate_language(
    available: Collection[str],
    *,
    lang: str | Sequence[str | None] | None = None,
    accept_language: str | None = None,
) -> str:
    """Return the tag from ``available`` that best fits the reader.

    ``lang`` is one explicit choice, or several in order of preference (say,
    the one picked on the page, then the one printed on the leaflet); each is
    tried before ``Accept-Language``.
    Comparison ignores case; the tag is returned as spelled in ``available``.
    Falls back to English, or, for a leaflet with no English, the first
    available tag in sorted order. Raises ValueError only when nothing is
    available.
    """
    by_lower = {tag.lower(): tag for tag in available}
    if not by_lower:
        raise ValueError("no languages are available")
    for preference in _preferences(lang, accept_language):
        for candidate in _lookup_candidates(preference):
            if candidate in by_lower:
                return by_lower[candidate]
    return by_lower.get(DEFAULT_LANGUAGE, by_lower[min(by_lower)])


def parse_accept_language(header: str | None) -> list[str]:
    """The header's language ranges, most preferred first; q=0 and malformed parts dropped.

    Ranges with equal q keep the order they were written in.
    """
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    parts = header[:MAX_HEADER_LENGTH].split(",")[:MAX_LANGUAGE_RANGES]
    for position, part in enumerate(parts):
        parsed = _parse_range(part)
        if parsed is not None and parsed[1] > 0:
            weighted.append((-parsed[1], position, parsed[0]))
    return [language_range for _, _, language_range in sorted(weighted)]


def _parse_range(part: str) -> tuple[str, float] | None:
    language_range, *parameters = (piece.strip() for piece in part.split(";"))
    if not _LANGUAGE_RANGE.match(language_range):
        return None
    quality = 1.0
    for parameter in parameters:
        match = _QUALITY.match(parameter)
        if match is None:
            return None  # a broken q-value means we cannot know how much it is wanted
        quality = float(match[1])
    return language_range.lower(), quality


def _preferences(
    lang: str | Sequence[str | None] | None, accept_language: str | None
) -> Iterator[str]:
    choices = [lang] if isinstance(lang, str) else list(lang or ())
    for choice in choices[:MAX_LANGUAGE_RANGES]:
        explicit = (choice or "").strip()
        if _LANGUAGE_RANGE.match(explicit) and explicit != "*":
            yield explicit.lower()
    for language_range in parse_accept_language(accept_language):
        if language_range != "*":  # "anything" is what the English fallback gives
            yield language_range


def _lookup_candidates(tag: str) -> Iterator[str]:
    """``zh-hant-tw``, then ``zh-hant``, then ``zh`` (RFC 4647 section 3.4)."""
    subtags = tag.split("-")
    while subtags:
        yield "-".join(subtags)
        subtags.pop()
        # A single-letter subtag (an extension or private-use marker) never ends a tag.
        while subtags and len(subtags[-1]) == 1:
            subtags.pop()
