"""Links in README.md and docs/integration/ resolve, and the index lists every guide.

Relative links must name a file or folder in the repository and, for a Markdown
target with ``#anchor``, a heading there (GitHub's anchors). Links to other
sites are not fetched (CI has no network). Code blocks and inline code are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.support.markdown import INTEGRATION, ROOT, documents, fenced_blocks, prose

pytestmark = pytest.mark.docs
LINK = re.compile(r"!?\[[^\]]*\]\((?P<target><[^>]+>|[^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*#*\s*$", re.MULTILINE)


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    found: set[str] = set()
    for match in HEADING.finditer(prose(path)):
        text = re.sub(r"[^\w\- ]", "", match["text"].strip().lower())
        slug, n = text.replace(" ", "-"), 1
        while slug in found:
            slug, n = f"{text.replace(' ', '-')}-{n}", n + 1
        found.add(slug)
    return found


def links(path: Path) -> list[str]:
    return [m["target"].strip("<>") for m in LINK.finditer(prose(path))]


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{path.relative_to(ROOT)}:\n" + "\n".join(broken)


def test_the_index_links_every_guide() -> None:
    index = INTEGRATION / "README.md"
    linked = {(index.parent / t.partition("#")[0]).resolve() for t in links(index)}
    guides = [p for p in INTEGRATION.rglob("*.md") if p != index]
    missing = [str(p.relative_to(ROOT)) for p in guides if p.resolve() not in linked]
    assert not missing, f"add these guides to the table in docs/integration/README.md: {missing}"


def test_the_helpers_see_blocks_and_anchors() -> None:
    """The checks above are only as good as the parsing: pin it on the index."""
    index = INTEGRATION / "README.md"
    assert "examples-that-cannot-rot" in anchors(index)
    assert any(block.info == "sh no-run" for block in fenced_blocks(index))
    assert "../security.md" in links(index)
