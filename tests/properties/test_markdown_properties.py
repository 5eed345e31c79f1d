"""Markdown sanitising (leaflets/render.py `to_html`): whatever an editor or a slot
value writes, the fragment holds no script, no event handler and no javascript:,
data: or vbscript: link. Input is built from the pieces attacks are made of."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tests.leaflets.html_checks import fragment_problems
from victim_api.leaflets.render import fill_slots, to_html

SCHEMES = [
    "javascript:",
    "JaVaScRiPt:",
    "java\tscript:",
    "jav&#x61;script:",
    "&#106;avascript:",
    "vbscript:",
    "data:text/html,",
    " javascript:",
    "https:",
    "mailto:",
    "tel:",
    "#",
]
PIECES = st.one_of(
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=//x>",
            "<img src=x onerror=alert(1)>",
            '<a href="javascript:alert(1)">x</a>',
            "<svg onload=alert(1)>",
            "<iframe src=//x>",
            '<div style="background:url(javascript:x)">',
            "<!-- c -->",
            "<style>*{}</style>",
            "<math><mi xlink:href=javascript:x>",
            " onclick=alert(1) ",
            "&lt;script&gt;",
            "\n\n",
            "\n    indented\n",
            "```\ncode\n```",
            "> quote ",
            "- item ",
            "**bold** ",
            "`code` ",
            "](",
            ")",
            "[",
            "]",
            "<",
            ">",
            '"',
            "'",
        ]
    ),
    st.builds(
        lambda scheme, rest: f"[link]({scheme}{rest})",
        st.sampled_from(SCHEMES),
        st.text(max_size=10),
    ),
    st.builds(
        lambda scheme, rest: f"<{scheme}{rest}>", st.sampled_from(SCHEMES), st.text(max_size=10)
    ),
    st.builds(lambda scheme: f"![img]({scheme}x)", st.sampled_from(SCHEMES)),
    st.builds(lambda scheme: f"[ref]\n\n[ref]: {scheme}alert(1)\n", st.sampled_from(SCHEMES)),
    st.text(max_size=12),
)
MARKDOWN = st.lists(PIECES, max_size=12).map("".join)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
BAD_HREF = re.compile(r"""<[^>]*href\s*=\s*["']?\s*(javascript|vbscript|data):""", re.IGNORECASE)


def _assert_safe(html: str) -> None:
    assert fragment_problems(html) == [], html
    assert "<script" not in html.lower()
    assert not EVENT_HANDLER.search(html), html
    assert not BAD_HREF.search(html), html


@given(MARKDOWN)
def test_rendered_markdown_is_always_safe(markdown: str) -> None:
    _assert_safe(to_html(markdown))


@given(MARKDOWN, st.sampled_from(["officer_name", "crime_reference", "officer_team_phone"]))
def test_a_slot_value_can_never_add_markup(value: str, slot: str) -> None:
    html = to_html(fill_slots(f"Before {{{{{slot}}}}} after.", {slot: value}))
    _assert_safe(html)
    assert html.count("<p>") == 1
