"""Parsing and validating a leaflet file: every problem is found and listed at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.leaflets.conftest import VALID_FRONT_MATTER, leaflet_text
from victim_api.leaflets.content import (
    SECTION_KEYS,
    LeafletContentError,
    LeafletStatus,
    SectionKey,
    load_directory,
    load_leaflet,
    parse_leaflet,
)
from victim_api.platform.errors import ProblemError


def problems_of(text: str) -> tuple[str, ...]:
    with pytest.raises(LeafletContentError) as caught:
        parse_leaflet(text, source="test.md")
    return caught.value.problems


def sections_with(**changes: str) -> list[tuple[str, str]]:
    """The valid sections, with some bodies replaced."""
    return [
        (f"Heading {{#{key}}}", changes.get(key.replace("-", "_"), "Body.")) for key in SECTION_KEYS
    ]


def test_a_valid_file_parses_into_front_matter_and_ordered_sections() -> None:
    leaflet = parse_leaflet(leaflet_text(front_matter={**VALID_FRONT_MATTER, "version": "3"}))
    assert leaflet.slug == "test-leaflet"
    assert leaflet.version == 3
    assert leaflet.status is LeafletStatus.PUBLISHED
    assert leaflet.sample is False
    assert [s.key for s in leaflet.sections] == list(SECTION_KEYS)
    first = leaflet.sections[0]
    assert first.heading == "Heading for what-happens-next"
    assert first.body == "Body of what-happens-next."
    assert leaflet.section("complaints").key is SectionKey.COMPLAINTS


def test_the_body_keeps_its_markdown_and_stops_at_the_next_section() -> None:
    body = "First *paragraph*.\n\n- one\n- two\n\n### Smaller heading\n\nMore."
    leaflet = parse_leaflet(leaflet_text(sections=sections_with(your_rights=body)))
    assert leaflet.section("your-rights").body == body
    assert leaflet.section("support-services").body == "Body."


def test_a_level_2_heading_inside_a_code_block_is_not_a_section() -> None:
    body = "Example:\n\n```\n## Not a section {#complaints}\n```"
    leaflet = parse_leaflet(leaflet_text(sections=sections_with(your_rights=body)))
    assert "Not a section" in leaflet.section("your-rights").body


def test_windows_line_endings_and_a_byte_order_mark_are_accepted() -> None:
    text = "\ufeff" + leaflet_text().replace("\n", "\r\n")
    assert parse_leaflet(text).title == "A test leaflet"


def test_a_sample_translation_needs_a_review_note() -> None:
    front = {**VALID_FRONT_MATTER, "language": "cy", "status": "DRAFT", "sample": "true"}
    assert any("review_note" in p for p in problems_of(leaflet_text(front_matter=front)))
    with_note = {**front, "review_note": "A translator must review this."}
    assert parse_leaflet(leaflet_text(front_matter=with_note)).sample is True


def test_missing_front_matter_is_refused() -> None:
    assert problems_of("## What happens next {#what-happens-next}\n") == (
        "test.md: the file must start with YAML front matter between '---' lines",
    )


def test_front_matter_that_is_not_yaml_is_refused() -> None:
    problems = problems_of("---\nslug: [unclosed\n---\n")
    assert problems[0].startswith("test.md: front matter is not valid YAML")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("slug", "Victim_Information", "slug"),
        ("slug", "-leading-hyphen", "slug"),
        ("language", "xx", "not a valid BCP 47 language tag"),
        ("language", "en_GB", "write the language tag as 'en-GB'"),
        ("language", "EN", "write the language tag as 'en'"),
        ("language", "no", "language"),  # YAML reads a bare `no` as false
        ("version", "0", "version"),
        ("version", "'1'", "version"),
        ("status", "LIVE", "status"),
        ("title", "''", "title"),
    ],
)
def test_each_bad_front_matter_field_is_named(field: str, value: str, expected: str) -> None:
    problems = problems_of(leaflet_text(front_matter={**VALID_FRONT_MATTER, field: value}))
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith("test.md: ") for problem in problems)


def test_unknown_and_missing_front_matter_fields_are_named() -> None:
    front = {k: v for k, v in VALID_FRONT_MATTER.items() if k != "title"}
    problems = problems_of(leaflet_text(front_matter={**front, "author": "someone"}))
    assert any("title" in p and "required" in p.lower() for p in problems)
    assert any("author" in p for p in problems)


def test_a_missing_section_is_named() -> None:
    sections = [s for s in sections_with() if "{#compensation}" not in s[0]]
    assert "test.md: missing section 'compensation'" in problems_of(leaflet_text(sections=sections))


def test_a_repeated_section_is_named() -> None:
    sections = [*sections_with(), ("Again {#complaints}", "Body.")]
    assert "test.md: section 'complaints' appears 2 times" in problems_of(
        leaflet_text(sections=sections)
    )


def test_sections_out_of_order_are_refused() -> None:
    sections = sections_with()
    sections[0], sections[1] = sections[1], sections[0]
    (problem,) = problems_of(leaflet_text(sections=sections))
    assert problem.startswith(
        "test.md: sections are out of order: expected what-happens-next, your-rights"
    )


def test_an_unknown_section_key_and_a_heading_without_a_key_are_named_with_their_line() -> None:
    sections = [*sections_with(), ("Extra {#extra-bits}", "Body."), ("No key here", "Body.")]
    problems = problems_of(leaflet_text(sections=sections))
    assert any("unknown section key 'extra-bits'" in p and ": line " in p for p in problems)
    assert any("heading 'No key here' has no key" in p for p in problems)


def test_text_before_the_first_section_is_refused() -> None:
    problems = problems_of(leaflet_text(preamble="\nStray words.\n"))
    assert problems == ("test.md: there is text before the first '## ... {#key}' section",)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("# A title inside", "use ### or #### for headings inside a section, not #"),
        ("##### Too small", "not #####"),
        ("<div>raw</div>", "raw HTML is not allowed"),
        ("Some <b>bold</b> text", "raw HTML is not allowed"),
        ("![A photo](https://victims.example.police.uk/a.png)", "images are not shown"),
        ("[Click](http://victims.example.police.uk)", "must start with https:, mailto: or tel:"),
        ("[Click](/relative/page)", "must start with https:, mailto: or tel:"),
        ("Hello {{victim_name}}.", "unknown slot {{victim_name}}"),
    ],
)
def test_problems_inside_a_section_are_named(body: str, expected: str) -> None:
    problems = problems_of(leaflet_text(sections=sections_with(complaints=body)))
    assert any(expected in problem for problem in problems), problems


def test_every_problem_in_a_file_is_listed_at_once() -> None:
    front = {**VALID_FRONT_MATTER, "language": "xx", "status": "LIVE"}
    sections = [s for s in sections_with(contact_us="<b>x</b>") if "{#compensation}" not in s[0]]
    problems = problems_of(leaflet_text(front_matter=front, sections=sections))
    assert len(problems) == 4
    message = str(LeafletContentError(problems))
    assert message.startswith("4 leaflet content problem(s):")


def test_the_error_is_a_problem_error_whose_detail_hides_the_file_level_list() -> None:
    error = LeafletContentError(["a.md: something"])
    assert isinstance(error, ProblemError)
    assert (error.status, error.code) == (500, "leaflet_content_invalid")
    assert "a.md" not in error.detail


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_must_sit_at_its_slug_and_language(tmp_path: Path) -> None:
    path = write(tmp_path, "other-slug/cy.md", leaflet_text())
    with pytest.raises(LeafletContentError) as caught:
        load_leaflet(path)
    assert len(caught.value.problems) == 2
    assert "must match its folder name" in caught.value.problems[0]
    assert "must match its file name" in caught.value.problems[1]


def test_load_directory_loads_every_leaflet_sorted(tmp_path: Path) -> None:
    write(tmp_path, "test-leaflet/en.md", leaflet_text())
    cy = {**VALID_FRONT_MATTER, "language": "cy"}
    write(tmp_path, "test-leaflet/cy.md", leaflet_text(front_matter=cy))
    write(tmp_path, "README.md", "# Not a leaflet")
    assert [(x.slug, x.language) for x in load_directory(tmp_path)] == [
        ("test-leaflet", "cy"),
        ("test-leaflet", "en"),
    ]


def test_load_directory_lists_the_problems_of_every_file(tmp_path: Path) -> None:
    write(tmp_path, "test-leaflet/en.md", leaflet_text(preamble="stray"))
    front = {**VALID_FRONT_MATTER, "slug": "second", "language": "pl"}
    write(tmp_path, "second/pl.md", leaflet_text(front_matter=front))
    with pytest.raises(LeafletContentError) as caught:
        load_directory(tmp_path)
    problems = caught.value.problems
    assert any("test-leaflet/en.md: there is text before" in p for p in problems)
    assert "second: has no English (en.md) version" in problems


def test_load_directory_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(LeafletContentError, match="problem"):
        load_directory(tmp_path / "nowhere")
