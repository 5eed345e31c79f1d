"""Turn leaflet Markdown into what each channel shows or says.

Pure functions: safe HTML fragments and a whole HTML page for the web, plain
text, SSML for the phone line, and filling the personalisation slots. Slot
values come from case records, so they are treated as hostile: escaped for
Markdown before rendering, and every HTML output goes through the sanitiser.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import langcodes
import nh3
import phonenumbers
from markdown_it import MarkdownIt
from markdown_it.token import Token

from victim_api.leaflets.content import SLOT_NAMES, SLOT_PATTERN, Leaflet, Section

ALLOWED_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "br", "blockquote", "code"}
)
ALLOWED_URL_SCHEMES = frozenset({"https", "mailto", "tel"})
_ALLOWED_HREF_PREFIXES = tuple(f"{scheme}:" for scheme in sorted(ALLOWED_URL_SCHEMES))
LINK_REL = "noopener noreferrer"
SECTION_BREAK = "1s"

# CommonMark with raw HTML off: anything that looks like a tag is printed as text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_IN_PAGE_FRAGMENT = re.compile(r"^#[a-z0-9-]+$")
# A Python string can hold halves of UTF-16 pairs that no encoder accepts.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_LANGUAGE_TAG_SHAPE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
# Characters XML 1.0 forbids outright; SSML containing one would not parse.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _href_policy(element: str, attribute: str, value: str) -> str | None:
    """Keep an href only if it is absolute https:, mailto: or tel:, or a jump within the page.

    Relative URLs would resolve against whichever host serves the page. Other
    attributes pass through untouched: this filter also sees the ``rel`` that
    the sanitiser adds, and must not strip it.
    """
    if attribute != "href":
        return value
    if value.lower().startswith(_ALLOWED_HREF_PREFIXES) or _IN_PAGE_FRAGMENT.match(value):
        return value
    return None


# --- HTML fragments -------------------------------------------------------------------


def to_html(markdown: str) -> str:
    """Render Markdown to an HTML fragment holding only the allow-listed tags and schemes."""
    return sanitise_html(_MARKDOWN.render(markdown))


def sanitise_html(fragment: str) -> str:
    """Run any HTML fragment through the allow-list (idempotent on safe input)."""
    return nh3.clean(
        _LONE_SURROGATE.sub("\ufffd", fragment),
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href"}},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        attribute_filter=_href_policy,
        link_rel=LINK_REL,
        strip_comments=True,
    )


# --- Slots ----------------------------------------------------------------------------

_GENERIC_WORDING: dict[str, dict[str, str]] = {
    "en": {
        "crime_reference": (
            "your crime reference number (it is on the letter or text message we sent you)"
        ),
        "officer_name": "the officer in charge of your case",
        "officer_team_phone": "the number on the letter or text we sent you",
        "support_services": "the support services listed in this leaflet",
    },
    # Welsh wording needs a translator's review, like the Welsh leaflet itself.
    "cy": {
        "crime_reference": (
            "eich cyfeirnod trosedd (mae ar y llythyr neu'r neges destun a anfonwyd atoch)"
        ),
        # No leading article: "y" would have to contract after a vowel ("i'r").
        "officer_name": "swyddog eich achos",
        "officer_team_phone": "y rhif ar y llythyr neu'r neges destun a anfonwyd atoch",
        "support_services": "y gwasanaethau cymorth a restrir yn y daflen hon",
    },
}
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def fill_slots(
    markdown: str, values: Mapping[str, str] | None = None, *, language: str = "en"
) -> str:
    """Replace ``{{slot}}`` markers with escaped values, or generic wording when absent.

    ``language`` picks the generic wording (English when there is none for it).
    Unknown slot names in ``values`` are refused, so a typo cannot silently fall
    back to generic wording. Replacement is one pass: a value that itself looks
    like ``{{slot}}`` stays literal text.
    """
    values = dict(values or {})
    unknown = sorted(set(values) - set(SLOT_NAMES))
    if unknown:
        raise ValueError(f"unknown slot names: {', '.join(unknown)}")
    generic = _GENERIC_WORDING.get(_primary_subtag(language), _GENERIC_WORDING["en"])

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        if name not in SLOT_NAMES:
            return match[0]
        value = _clean_value(values.get(name, ""))
        if not value:
            return generic[name]
        if name == "officer_team_phone":
            return _phone_link(value) or escape_markdown(value)
        return escape_markdown(value)

    return SLOT_PATTERN.sub(replace, markdown)


def escape_markdown(value: str) -> str:
    """Make a value literal inline Markdown text: no markup, links, entities or blocks."""
    # CommonMark lets any ASCII punctuation be backslash-escaped, so escaping all
    # of it covers every construct (emphasis, links, autolinks, entities, HTML).
    return "".join(f"\\{char}" if char in _ASCII_PUNCTUATION else char for char in value)


def _clean_value(value: str) -> str:
    # Line breaks would start new blocks (headings, lists); bidi controls can
    # disguise text. Both go; whitespace collapses to single spaces.
    kept = (
        " "
        if unicodedata.category(char) == "Cc"
        else "\ufffd"
        if _LONE_SURROGATE.match(char)
        else char
        for char in value
        if char not in _BIDI_CONTROLS
    )
    return " ".join("".join(kept).split())


def _phone_link(value: str) -> str | None:
    """A valid UK number becomes a tel: link built only from its parsed digits."""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number_for_region(number, "GB"):
        return None
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    dialled = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"[{shown}](tel:{dialled})"


# --- Plain text -----------------------------------------------------------------------


@dataclass(frozen=True)
class TextBlock:
    """One paragraph, heading or list item as plain text."""

    kind: Literal["paragraph", "heading", "item"]
    text: str
    marker: str = ""
    depth: int = 0
    starts_list: bool = False  # the first item of a top-level list


def to_text(markdown: str) -> str:
    """Readable plain text: blank lines between blocks, list markers, link targets shown."""
    lines: list[str] = []
    previous_kind = ""
    for block in text_blocks(markdown, show_link_targets=True):
        continues_list = block.kind == previous_kind == "item" and not block.starts_list
        if lines and not continues_list:
            lines.append("")
        indent = "  " * block.depth
        lines.append(f"{indent}{block.marker} {block.text}" if block.marker else block.text)
        previous_kind = block.kind
    return "\n".join(lines)


def text_blocks(markdown: str, *, show_link_targets: bool) -> Iterator[TextBlock]:
    """Walk the Markdown's blocks, yielding each one's text."""
    tokens = _MARKDOWN.parse(markdown)
    lists: list[list[int]] = []  # per open list: [next number], or [] for bullets
    marker = ""
    starts_list = False
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append([int(str(token.attrGet("start") or 1))] if token.tag == "ol" else [])
            starts_list = starts_list or len(lists) == 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            marker = _next_marker(lists[-1])
        elif token.type in ("inline", "fence", "code_block"):
            text = _inline_text(token, show_link_targets)
            if text:
                yield TextBlock(
                    kind=_block_kind(tokens, index, in_list=bool(lists)),
                    text=text,
                    marker=marker,
                    depth=max(len(lists) - 1, 0),
                    starts_list=starts_list,
                )
                starts_list = False
            marker = ""  # a list item's later paragraphs carry no marker


def _block_kind(
    tokens: Sequence[Token], index: int, *, in_list: bool
) -> Literal["paragraph", "heading", "item"]:
    if index > 0 and tokens[index - 1].type == "heading_open":
        return "heading"
    return "item" if in_list else "paragraph"


def _next_marker(counter: list[int]) -> str:
    if not counter:
        return "-"
    number = counter[0]
    counter[0] += 1
    return f"{number}."


def _inline_text(token: Token, show_link_targets: bool) -> str:
    if token.type != "inline":
        return token.content.strip()
    parts: list[str] = []
    link_start, href = 0, ""
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_open":
            link_start, href = len(parts), str(child.attrGet("href") or "")
        elif child.type == "link_close" and show_link_targets:
            target = _link_target(href)
            if target and not _already_shown(target, "".join(parts[link_start:])):
                parts.append(f" ({target})")
    return " ".join("".join(parts).split())


def _already_shown(target: str, link_text: str) -> bool:
    bare = target.removeprefix("https://").rstrip("/")
    return bare in link_text


def _link_target(href: str) -> str:
    if href.startswith("tel:"):
        return _national_format(href.removeprefix("tel:"))
    if href.startswith("mailto:"):
        return href.removeprefix("mailto:")
    if href.startswith("#"):
        return ""  # an in-page jump means nothing once the text is on its own
    return href


def _national_format(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return number
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))


# --- SSML -----------------------------------------------------------------------------

SSML_NAMESPACE = "http://www.w3.org/2001/10/synthesis"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"')\]])\s+")
_NUMERIC_DATE = re.compile(r"\b\d{1,2}([/.-])\d{1,2}\1\d{4}\b")
# Short numbers that are read digit by digit; phonenumbers only finds full numbers.
_SERVICE_NUMBER = re.compile(r"\b(?:999|112|101|111|159)\b")
_KEYPAD_PRESS = re.compile(r"(?<=\bpress )\d+\b", re.IGNORECASE)
_LONG_DIGITS = re.compile(r"\b\d{5,}\b")
_REFERENCE = re.compile(r"\b(?=[A-Z0-9/-]*\d{4})[A-Z0-9]+(?:[/-][A-Z0-9]+)+\b")


@dataclass(frozen=True)
class _SayAs:
    start: int
    end: int
    interpret_as: str
    format: str | None = None


def to_ssml(
    title: str, sections: Sequence[Section], language: str, *, notice: str | None = None
) -> str:
    """SSML 1.1 for the phone line: a paragraph per block, a sentence per ``<s>``.

    Phone numbers, dates and reference numbers are wrapped in ``<say-as>`` so the
    voice reads them digit by digit; a break separates sections. ``notice`` (say,
    that this is a sample translation) is spoken straight after the title. Every
    piece of text is XML-escaped.
    """
    tag = _require_language_tag(language)
    parts = [
        f'<speak version="1.1" xmlns="{SSML_NAMESPACE}" xml:lang={quoteattr(tag)}>',
        _ssml_paragraph(title),
        _ssml_paragraph(notice or ""),
    ]
    for section in sections:
        parts.append(f'<break time="{SECTION_BREAK}"/>')
        parts.extend(_ssml_section(section))
    parts.append("</speak>")
    return "\n".join(part for part in parts if part)


def to_section_ssml(section: Section, language: str) -> str:
    """One section on its own as SSML 1.1: its heading, then its blocks."""
    tag = _require_language_tag(language)
    parts = [
        f'<speak version="1.1" xmlns="{SSML_NAMESPACE}" xml:lang={quoteattr(tag)}>',
        *_ssml_section(section),
        "</speak>",
    ]
    return "\n".join(part for part in parts if part)


def _ssml_section(section: Section) -> list[str]:
    return [
        _ssml_paragraph(section.heading),
        *(
            _ssml_paragraph(block.text)
            for block in text_blocks(section.body, show_link_targets=False)
        ),
    ]


def _ssml_paragraph(text: str) -> str:
    sentences = [_ssml_sentence(s.strip()) for s in _SENTENCE_END.split(text)]
    spoken = "".join(f"<s>{sentence}</s>" for sentence in sentences if sentence.strip())
    return f"<p>{spoken}</p>" if spoken else ""


def _ssml_sentence(sentence: str) -> str:
    out: list[str] = []
    position = 0
    for span in _say_as_spans(sentence):
        out.append(_xml_text(sentence[position : span.start]))
        attributes = f"interpret-as={quoteattr(span.interpret_as)}"
        if span.format:
            attributes += f" format={quoteattr(span.format)}"
        out.append(f"<say-as {attributes}>{_xml_text(sentence[span.start : span.end])}</say-as>")
        position = span.end
    out.append(_xml_text(sentence[position:]))
    return "".join(out)


def _xml_text(text: str) -> str:
    # Quotes need no escaping in element text, but escaping them too means the
    # text stays safe even if someone later moves it into an attribute.
    return xml_escape(_NOT_XML_CHAR.sub("", text), {'"': "&quot;", "'": "&apos;"})


def _say_as_spans(sentence: str) -> list[_SayAs]:
    """Non-overlapping spans, earlier detectors winning (a date is not a reference)."""
    candidates = [
        *(_SayAs(m.start(), m.end(), "date", "dmy") for m in _NUMERIC_DATE.finditer(sentence)),
        *(
            _SayAs(m.start, m.end, "telephone")
            for m in phonenumbers.PhoneNumberMatcher(sentence, "GB")
        ),
        *(_SayAs(m.start(), m.end(), "telephone") for m in _SERVICE_NUMBER.finditer(sentence)),
        *(_SayAs(m.start(), m.end(), "digits") for m in _KEYPAD_PRESS.finditer(sentence)),
        *(_SayAs(m.start(), m.end(), "characters") for m in _REFERENCE.finditer(sentence)),
        *(_SayAs(m.start(), m.end(), "digits") for m in _LONG_DIGITS.finditer(sentence)),
    ]
    chosen: list[_SayAs] = []
    for candidate in candidates:
        if all(candidate.end <= c.start or candidate.start >= c.end for c in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda span: span.start)


def is_language_tag(language: str) -> bool:
    """Whether ``language`` is a valid BCP 47 tag, usable in ``lang`` and ``xml:lang``."""
    return bool(_LANGUAGE_TAG_SHAPE.match(language) and langcodes.tag_is_valid(language))


def _require_language_tag(language: str) -> str:
    # langcodes alone also accepts spellings such as "en_GB", which are not
    # valid in xml:lang or lang attributes.
    if not (_LANGUAGE_TAG_SHAPE.match(language) and langcodes.tag_is_valid(language)):
        raise ValueError(f"{language!r} is not a valid BCP 47 language tag")
    return language


def _primary_subtag(language: str) -> str:
    return language.split("-", 1)[0].lower()


# --- A whole HTML page ----------------------------------------------------------------

_PAGE_WORDING: dict[str, dict[str, str]] = {
    "en": {
        "skip": "Skip to main content",
        "contents": "On this page",
        "version": "Leaflet version {version}.",
        "sample": "This is a sample translation. A translator has not checked it yet, so "
        "some words may be wrong. The English version is the one to rely on.",
    },
    # Welsh wording needs a translator's review, like the Welsh leaflet itself.
    "cy": {
        "skip": "Neidio i'r prif gynnwys",
        "contents": "Ar y dudalen hon",
        "version": "Fersiwn {version} o'r daflen.",
        "sample": "Cyfieithiad sampl yw hwn. Nid yw cyfieithydd wedi'i wirio eto, felly "
        "gall rhai geiriau fod yn anghywir. Y fersiwn Saesneg yw'r un i ddibynnu arni.",
    },
}


def sample_notice(language: str) -> list[tuple[str, str]]:
    """What a reader of a sample translation is told, as (language, text) pairs.

    In the leaflet's own language where we have the wording, and always in
    English too, since the notice itself may be in an unchecked translation.
    """
    primary = _primary_subtag(language)
    notice = []
    if primary in _PAGE_WORDING and primary != "en":
        notice.append((language, _PAGE_WORDING[primary]["sample"]))
    notice.append(("en", _PAGE_WORDING["en"]["sample"]))
    return notice


# GOV.UK-like type and colours: 19px body text, near-black on white (contrast
# 19:1), links #1d70b8 (5.2:1), a yellow focus ring. System fonts only.
PAGE_STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #ffffff; color: #0b0c0c;
  font-family: Arial, "Helvetica Neue", Helvetica, sans-serif;
  font-size: 1.1875rem; line-height: 1.5; }
main { display: block; max-width: 40rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 1rem 0; }
h2 { font-size: 1.5rem; line-height: 1.25; margin: 2.5rem 0 0.75rem; }
h3 { font-size: 1.25rem; margin: 1.5rem 0 0.5rem; }
h4 { font-size: 1.1875rem; margin: 1.25rem 0 0.5rem; }
p, li { max-width: 38rem; }
li { margin-bottom: 0.4rem; }
.summary { font-size: 1.3rem; }
a { color: #1d70b8; text-decoration: underline; text-underline-offset: 0.15em; }
a:visited { color: #4c2c92; }
a:focus { outline: 3px solid #ffdd00; background: #ffdd00; color: #0b0c0c;
  text-decoration: none; box-shadow: 0 4px #0b0c0c; }
blockquote { margin: 1rem 0; padding: 0.5rem 1rem; border-left: 5px solid #b1b4b6; }
.skip-link { position: absolute; left: -9999px; top: 0; }
.skip-link:focus { position: static; display: block; padding: 0.75rem 1rem; }
.contents-title { font-weight: bold; margin-bottom: 0.25rem; }
.sample-notice { margin: 1rem 0; padding: 0.5rem 1rem; border: 5px solid #0b0c0c;
  font-weight: bold; }
footer { max-width: 40rem; margin: 0 auto; padding: 1rem; border-top: 1px solid #b1b4b6;
  font-size: 1rem; }
@media print {
  body { font-size: 12pt; color: #000000; background: #ffffff; }
  main, footer { max-width: none; padding: 0; }
  .skip-link, nav { display: none; }
  a, a:visited { color: #000000; }
  a[href^="https:"]::after, a[href^="mailto:"]::after { content: " (" attr(href) ")"; }
  h2, h3 { break-after: avoid; }
  li, p { break-inside: avoid; }
}
""".strip()

_STYLE_HASH = base64.b64encode(hashlib.sha256(PAGE_STYLE.encode()).digest()).decode()
# For the route that serves the page: everything is inline, so nothing else may load.
PAGE_CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def to_html_page(leaflet: Leaflet, sections_html: Mapping[str, str], language: str) -> str:
    """A complete HTML5 page: one h1, an h2 per section, inline style, no external assets.

    ``sections_html`` maps each section key to its body HTML (usually
    ``to_html(fill_slots(section.body, ...))``); it is sanitised again here,
    because the page cannot know where a fragment came from. A sample
    translation (``leaflet.sample``) says so in a box under the title.
    """
    tag = _require_language_tag(language)
    words = _PAGE_WORDING.get(_primary_subtag(tag), _PAGE_WORDING["en"])
    missing = [
        section.key.value for section in leaflet.sections if section.key not in sections_html
    ]
    if missing:
        raise ValueError(f"no HTML for sections: {', '.join(missing)}")
    title = html.escape(leaflet.title)
    parts = [
        "<!DOCTYPE html>",
        f"<html lang={quoteattr(tag)}>",
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{title}</title>",
        f"<style>{PAGE_STYLE}</style>",
        "</head>",
        "<body>",
        f'<a class="skip-link" href="#main">{html.escape(words["skip"])}</a>',
        '<main id="main" tabindex="-1">',
        f"<h1>{title}</h1>",
        _sample_notice_html(leaflet, tag),
        f'<p class="summary">{html.escape(leaflet.summary)}</p>',
        _contents_nav(leaflet, words["contents"]),
        *(_page_section(section, sections_html[section.key]) for section in leaflet.sections),
        "</main>",
        f"<footer><p>{html.escape(words['version'].format(version=leaflet.version))}</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part)


def _sample_notice_html(leaflet: Leaflet, language: str) -> str:
    if not leaflet.sample:
        return ""
    paragraphs = "".join(
        f"<p>{html.escape(text)}</p>"
        if tag == language
        else f"<p lang={quoteattr(tag)}>{html.escape(text)}</p>"
        for tag, text in sample_notice(language)
    )
    return f'<div class="sample-notice" role="note">{paragraphs}</div>'


def _contents_nav(leaflet: Leaflet, label: str) -> str:
    items = "".join(
        f'<li><a href="#{section.key.value}">{html.escape(section.heading)}</a></li>'
        for section in leaflet.sections
    )
    return (
        f'<nav aria-labelledby="contents-title">'
        f'<p class="contents-title" id="contents-title">{html.escape(label)}</p>'
        f"<ol>{items}</ol></nav>"
    )


def _page_section(section: Section, body_html: str) -> str:
    key = section.key.value
    heading = html.escape(section.heading)
    return (
        f'<section aria-labelledby="{key}">'
        f'<h2 id="{key}">{heading}</h2>\n{sanitise_html(body_html)}\n</section>'
    )
