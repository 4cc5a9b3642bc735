"""The command line's rich console: plain text in, plain text out.

Names printed come from the user (a court profile's name, a process file's name, an output path, a case number in
an event log); rich would read ``[/x]`` in them as markup (a ``MarkupError`` traceback, or text silently styled
and lost) and ``:smile:`` as an emoji. zhixing prints no markup of its own, so markup and emoji codes are off.
"""

from __future__ import annotations

from typing import Any

from rich import table as rich_table
from rich.console import Console


def console(width_at_least: int | None = None) -> Console:
    """A console of the terminal's width, or ``width_at_least`` columns when the terminal is narrower."""
    plain = Console(markup=False, emoji=False)
    if width_at_least is None or plain.width >= width_at_least:
        return plain
    return Console(markup=False, emoji=False, width=width_at_least)


class Table(rich_table.Table):
    """rich's table, its cells folding onto the next line where they do not fit: rich ends a word too long for its
    column with "…", and a run of Chinese is one word (措施 "查询、冻结、…" at 80 columns, a KPI's label cut)."""

    def add_column(self, *args: Any, overflow: Any = "fold", **kwargs: Any) -> None:
        super().add_column(*args, overflow=overflow, **kwargs)
