"""Read SSML back with ElementTree and check the structure a speech engine relies on."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from victim_api.leaflets.render import SSML_NAMESPACE

NS = {"s": SSML_NAMESPACE}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SAY_AS_KINDS = {"telephone", "digits", "date", "characters"}


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix("{" + SSML_NAMESPACE + "}")


def say_as(root: ET.Element) -> list[tuple[str, str | None, str]]:
    return [
        (e.attrib["interpret-as"], e.attrib.get("format"), e.text or "")
        for e in root.iter(f"{{{SSML_NAMESPACE}}}say-as")
    ]


def sentences(root: ET.Element) -> list[str]:
    return ["".join(s.itertext()) for s in root.iter(f"{{{SSML_NAMESPACE}}}s")]


def assert_ssml_structure(root: ET.Element) -> None:
    """speak > (p | break)*, p > s+, s > text and say-as only, say-as > text only."""
    assert tag(root) == "speak"
    assert root.attrib["version"] == "1.1"
    for child in root:
        assert tag(child) in {"p", "break"}
        if tag(child) == "break":
            assert child.attrib["time"].endswith(("s", "ms"))
            assert len(child) == 0
            continue
        assert len(child) >= 1
        assert all(tag(s) == "s" for s in child)
        for sentence in child:
            for inner in sentence:
                assert tag(inner) == "say-as"
                assert len(inner) == 0
                assert inner.attrib["interpret-as"] in SAY_AS_KINDS
                if inner.attrib["interpret-as"] == "date":
                    assert inner.attrib["format"] == "dmy"
