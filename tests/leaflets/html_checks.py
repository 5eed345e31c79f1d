"""Read HTML back with the standard library's parser and list anything unsafe in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from victim_api.leaflets.render import ALLOWED_TAGS

SAFE_SCHEMES = ("https:", "mailto:", "tel:")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]


@dataclass
class _Collector(HTMLParser):
    elements: list[Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse_html(markup: str) -> _Collector:
    collector = _Collector()
    collector.feed(markup)
    collector.close()
    return collector


def fragment_problems(markup: str) -> list[str]:
    """Everything in a sanitised fragment that the allow-list should have removed."""
    parsed = parse_html(markup)
    problems = [f"comment {c!r}" for c in parsed.comments]
    for element in parsed.elements:
        if element.tag not in ALLOWED_TAGS:
            problems.append(f"tag <{element.tag}>")
        allowed = {"href", "rel"} if element.tag == "a" else set()
        problems += [
            f"attribute {name!r} on <{element.tag}>" for name in element.attrs.keys() - allowed
        ]
        href = (element.attrs.get("href") or "").strip()
        if href and not (href.lower().startswith(SAFE_SCHEMES) or href.startswith("#")):
            problems.append(f"href {href!r}")
        if (
            element.tag == "a"
            and "href" in element.attrs
            and element.attrs.get("rel") != "noopener noreferrer"
        ):
            problems.append(f"link without rel=noopener noreferrer: {element.attrs}")
    return problems


def text_of(markup: str) -> str:
    return "".join(parse_html(markup).text)


# Elements that fetch or run something, or send the reader somewhere on their own.
LOADING_TAGS = frozenset(
    {
        "script",
        "link",
        "img",
        "iframe",
        "frame",
        "object",
        "embed",
        "source",
        "video",
        "audio",
        "track",
        "picture",
        "base",
        "form",
        "svg",
        "math",
    }
)


def page_loading_problems(page: str) -> list[str]:
    """Anything in a whole page that would load, run or redirect without the reader choosing."""
    parsed = parse_html(page)
    problems = [f"<{e.tag}>" for e in parsed.elements if e.tag in LOADING_TAGS]
    problems += [f"src on <{e.tag}>" for e in parsed.elements if "src" in e.attrs]
    problems += [f"http-equiv {e.attrs}" for e in parsed.elements if "http-equiv" in e.attrs]
    for element in parsed.elements:
        href = element.attrs.get("href") or "#"
        if href.startswith("#"):
            continue
        if element.tag != "a" or not href.startswith(("https://", "tel:", "mailto:")):
            problems.append(f"href {href!r} on <{element.tag}>")
    return problems
