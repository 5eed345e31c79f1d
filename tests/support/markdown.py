"""Markdown as the docs tests read it: fenced code blocks and the prose between.

Covers README.md and every page under docs/integration/, the pages whose
examples and links are checked (tests/docs/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "docs" / "integration"
OPENING = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted(INTEGRATION.rglob("*.md"))]


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the first line of code, 1-based
    info: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def language(self) -> str:
        return self.info.split()[0].lower() if self.info else ""


def fenced_blocks(path: Path) -> list[Block]:
    """CommonMark fenced code blocks (``` or ~~~, any length, indented or not)."""
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = OPENING.match(lines[index])
        fence = opening["fence"] if opening else ""
        if not opening or (fence[0] == "`" and "`" in opening["info"]):
            index += 1
            continue
        indent = len(opening["indent"])
        closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            body.append(_dedent(lines[end], indent))
            end += 1
        blocks.append(Block(path, index + 2, opening["info"].strip(), "\n".join(body) + "\n"))
        index = end + 1
    return blocks


def _dedent(line: str, indent: int) -> str:
    stripped = len(line) - len(line.lstrip(" "))
    return line[min(indent, stripped) :]


def prose(path: Path) -> str:
    """The document without its fenced blocks and inline code spans."""
    lines = path.read_text(encoding="utf-8").splitlines()
    inside: set[int] = set()
    for block in fenced_blocks(path):
        # The fences and the code: from the opening line to the closing one.
        count = block.code.count("\n")
        inside.update(range(block.line - 2, block.line + count))
    kept = [line for number, line in enumerate(lines) if number not in inside]
    return re.sub(r"(`+)(?:(?!\1).)+\1", "", "\n".join(kept))
