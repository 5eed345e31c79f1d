"""to_html and fill_slots against an XSS corpus: nothing executable survives either path."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.leaflets.html_checks import fragment_problems, parse_html, text_of
from victim_api.leaflets.content import SLOT_NAMES
from victim_api.leaflets.render import fill_slots, sanitise_html, to_html

XSS_PAYLOADS = [
    # script and event handlers
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<p onmouseover="alert(1)">hover</p>',
    # frames, objects, forms, meta, base, link
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    # style tricks
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    # HTML links with scheme, case and entity tricks
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    # Markdown link tricks
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    '[x](https://ok.example/"onmouseover="alert(1))',
    '[x](https://ok.example/ "title" onclick="alert(1)")',
    "[x](//evil.example/path)",
    "[x](/relative/path)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "![tracker](https://evil.example/pixel.png)",
    # autolinks
    "<javascript:alert(1)>",
    "<data:text/html,alert(1)>",
    "<vbscript:msgbox(1)>",
    '<https://ok.example/"onmouseover="alert(1)>',
    # raw HTML blocks, comments, CDATA, code
    "<div>\n<script>alert(1)</script>\n</div>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "\u0000<script>alert(1)</script>",
    '<a href="tel:+442079460123" onclick="alert(1)">call</a>',
]
SLOT_TEMPLATE = "Dear reader, {{%s}} is here."


def test_the_corpus_is_large_enough() -> None:
    assert len(XSS_PAYLOADS) >= 30
    assert len(set(XSS_PAYLOADS)) == len(XSS_PAYLOADS)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_to_html_leaves_nothing_executable(payload: str) -> None:
    output = to_html(payload)
    assert fragment_problems(output) == []
    assert "javascript:" not in "".join(
        str(value).lower()
        for element in parse_html(output).elements
        for value in element.attrs.values()
    )


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize("slot", SLOT_NAMES)
def test_a_slot_value_can_add_no_markup_at_all(payload: str, slot: str) -> None:
    output = to_html(fill_slots(SLOT_TEMPLATE % slot, {slot: payload}))
    assert fragment_problems(output) == []
    # The template is one plain paragraph, and a value cannot change that.
    assert [element.tag for element in parse_html(output).elements] == ["p"]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitise_html_cleans_raw_html_too(payload: str) -> None:
    assert fragment_problems(sanitise_html(payload)) == []


BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def expected_slot_text(value: str) -> str:
    """What a reader should see: the value, less control and bidi characters, one line."""
    kept = (
        " " if ord(c) < 32 or 127 <= ord(c) < 160 else "\ufffd" if 0xD800 <= ord(c) < 0xE000 else c
        for c in value
        if c not in BIDI_CONTROLS
    )
    return " ".join("".join(kept).split())


@given(st.text())
def test_any_slot_value_comes_out_as_exactly_its_own_text(value: str) -> None:
    output = to_html(fill_slots("Name: {{officer_name}}.", {"officer_name": value}))
    expected = expected_slot_text(value) or "the officer in charge of your case"
    assert [element.tag for element in parse_html(output).elements] == ["p"]
    assert text_of(output).strip() == f"Name: {expected}."


def test_allowed_markup_survives() -> None:
    markdown = (
        "### Small heading\n\n#### Smaller\n\nA **bold** and *italic* `code` line  \nbroken.\n\n"
        "- one\n- two\n\n1. first\n\n> quoted\n\n"
        "[web](https://victims.example.police.uk/a?b=c) [call](tel:+448081570100) "
        "[mail](mailto:victimcare@example.police.uk) [jump](#complaints)"
    )
    output = to_html(markdown)
    tags = {element.tag for element in parse_html(output).elements}
    assert tags == {
        "h3",
        "h4",
        "p",
        "strong",
        "em",
        "code",
        "br",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
    }
    hrefs = [e.attrs["href"] for e in parse_html(output).elements if e.tag == "a"]
    assert hrefs == [
        "https://victims.example.police.uk/a?b=c",
        "tel:+448081570100",
        "mailto:victimcare@example.police.uk",
        "#complaints",
    ]
    assert output.count('rel="noopener noreferrer"') == 4


@pytest.mark.parametrize(
    "href",
    ["http://victims.example.police.uk", "ftp://files.example", "/relative", "//evil.example/x"],
)
def test_other_link_targets_lose_their_href(href: str) -> None:
    (link,) = [e for e in parse_html(to_html(f"[x]({href})")).elements if e.tag == "a"]
    assert "href" not in link.attrs


def test_headings_outside_the_allow_list_become_plain_text() -> None:
    output = to_html("# Big\n\n##### Tiny")
    assert {e.tag for e in parse_html(output).elements} == set()
    assert "Big" in output
    assert "Tiny" in output
