"""Text that XML 1.0 can hold, for the JUnit files of the scenario runner and the certification kit.

A failure message quotes what a system under test answered, and that can hold any character; XML 1.0 cannot hold
most control characters (U+0000–U+001F but tab and line breaks, surrogates, U+FFFE/U+FFFF), and CI servers reject
the whole file over one of them. They are written as visible ``\\x1b``-style escapes instead.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escaped(pattern: re.Pattern[str], text: str) -> str:
    """``text`` with each character ``pattern`` matches written as its visible escape (``\\x1b``, ``\\ud800``)."""
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                       text)


def xml_safe(text: str) -> str:
    return escaped(_ILLEGAL, text)


def xml_safe_tree(root: ET.Element) -> ET.Element:
    """Every text, tail and attribute value of ``root`` and its descendants made safe, in place."""
    for el in root.iter():
        if el.text:
            el.text = xml_safe(el.text)
        if el.tail:
            el.tail = xml_safe(el.tail)
        for key, value in el.attrib.items():
            el.attrib[key] = xml_safe(value)
    return root
