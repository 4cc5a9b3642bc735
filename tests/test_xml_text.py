"""XML 1.0's forbidden characters become visible escapes; everything else is kept (core_flow/xml_text.py)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from core_flow.xml_text import xml_safe, xml_safe_tree


def test_forbidden_characters_become_escapes_and_text_is_kept() -> None:
    assert xml_safe("a\x00b\x1bc\x7fd\t\n\r中文\ufffe") == "a\\x00b\\x1bc\x7fd\t\n\r中文\\ufffe"


def test_a_tree_with_them_serialises_to_xml_that_parses() -> None:
    root = ET.Element("r", name="x\x01")
    ET.SubElement(root, "c").text = "y\x02"
    back = ET.fromstring(ET.tostring(xml_safe_tree(root), encoding="unicode"))
    assert back.get("name") == "x\\x01" and back.find("c").text == "y\\x02"
