"""The command line's rich console: plain text in, plain text out.

Names printed come from the user (a court profile's name, a process file's name, an output path, a case number in
an event log); rich would read ``[/x]`` in them as markup (a ``MarkupError`` traceback, or text silently styled
and lost) and ``:smile:`` as an emoji. zhixing prints no markup of its own, so markup and emoji codes are off.
"""

from __future__ import annotations

import re
from typing import Any

from rich import table as rich_table
from rich.cells import cell_len
from rich.console import Console


class _Console(Console):
    """rich's console; on a terminal, a line of text is broken where Chinese text may break (between any two
    characters, not before a closing mark nor after an opening one), not only at spaces: rich takes a run of Chinese
    as one word, moved whole to the next line — "⚠" alone on a line, or "只有 18" and the rest of the sentence below.
    Piped or redirected output is as rich makes it."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if self.is_terminal and not kwargs.get("soft_wrap"):
            objects = tuple(wrap_text(o, self.width) if isinstance(o, str) else o for o in objects)
        super().print(*objects, **kwargs)


def console(width_at_least: int | None = None) -> Console:
    """A console of the terminal's width, or ``width_at_least`` columns when the terminal is narrower."""
    plain = _Console(markup=False, emoji=False)
    if width_at_least is None or plain.width >= width_at_least:
        return plain
    return _Console(markup=False, emoji=False, width=width_at_least)


_WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"  # CJK characters, punctuation, full-width forms
# a unit of breaking: spaces; one wide character; a run of anything else (a word, a number, a path) — each with the
# spaces after it
_UNITS = re.compile(f"\\s+|[{_WIDE}]\\s*|[^\\s{_WIDE}]+\\s*")
_NO_START = set("，。、；：！？）》」』】〕,.;:!?)]}%/")  # never at the head of a line: joined to the unit before
_NO_END = set("（《「『【〔([{")  # never at the end of a line: joined to the unit after


def wrap_text(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` cells (a wide character takes two), each line of it on its
    own; a line keeps its indentation on the lines it is broken into. A unit wider than the line is cut by
    characters."""
    return "\n".join(_wrap_line(line, width) for line in text.split("\n"))


def _wrap_line(line: str, width: int) -> str:
    if cell_len(line) <= width:
        return line
    body = line.lstrip(" ")
    indent = " " * min(len(line) - len(body), width // 2)
    units: list[str] = []
    for unit in _UNITS.findall(body):
        if units and (unit[0] in _NO_START or units[-1].rstrip()[-1:] in _NO_END):
            units[-1] += unit
        else:
            units.append(unit)
    lines: list[str] = []
    current = indent
    for unit in units:
        if cell_len((current + unit).rstrip()) <= width or current == indent:
            current += unit
            continue
        lines.append(current.rstrip())
        current = indent + unit.lstrip()
    lines.append(current.rstrip())
    out: list[str] = []
    for piece in lines:  # a unit wider than a whole line (a long path): cut by characters
        while cell_len(piece) > width:
            cut = _fit(piece, width)
            out.append(piece[:cut])
            piece = indent + piece[cut:]
        out.append(piece)
    return "\n".join(out)


def _fit(text: str, width: int) -> int:
    """How many leading characters of ``text`` fit in ``width`` cells (at least one)."""
    used = 0
    for i, ch in enumerate(text):
        used += cell_len(ch)
        if used > width:
            return max(i, 1)
    return len(text)


class Table(rich_table.Table):
    """rich's table, its cells folding onto the next line where they do not fit: rich ends a word too long for its
    column with "…", and a run of Chinese is one word (措施 "查询、冻结、…" at 80 columns, a KPI's label cut)."""

    def add_column(self, *args: Any, overflow: Any = "fold", **kwargs: Any) -> None:
        super().add_column(*args, overflow=overflow, **kwargs)
