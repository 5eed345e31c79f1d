"""to_text: plain, readable text."""

from __future__ import annotations

from victim_api.leaflets.render import to_text


def test_blocks_are_separated_and_markup_is_gone() -> None:
    markdown = "First **bold** and *soft*\nline.\n\n### A heading\n\nLast `code`."
    assert to_text(markdown) == "First bold and soft line.\n\nA heading\n\nLast code."


def test_lists_keep_their_markers_and_numbering() -> None:
    markdown = "Steps:\n\n1. one\n2. two\n\n- dot\n  - nested\n- dot two\n\nAfter."
    assert to_text(markdown) == (
        "Steps:\n\n1. one\n2. two\n\n- dot\n  - nested\n- dot two\n\nAfter."
    )


def test_an_ordered_list_can_start_anywhere() -> None:
    assert to_text("3. three\n4. four") == "3. three\n4. four"


def test_link_targets_are_shown_unless_the_text_already_shows_them() -> None:
    markdown = (
        "[Our website](https://victims.example.police.uk/a), "
        "[victims.example.police.uk/b](https://victims.example.police.uk/b), "
        "[call us](tel:+448081570100), [0808 157 0100](tel:+448081570100), "
        "[email](mailto:victimcare@example.police.uk) and [see below](#complaints)."
    )
    assert to_text(markdown) == (
        "Our website (https://victims.example.police.uk/a), victims.example.police.uk/b, "
        "call us (0808 157 0100), 0808 157 0100, "
        "email (victimcare@example.police.uk) and see below."
    )


def test_raw_html_stays_as_the_characters_typed() -> None:
    assert to_text("a <b>tag</b> &amp; more") == "a <b>tag</b> & more"


def test_empty_markdown_gives_empty_text() -> None:
    assert to_text("") == ""
