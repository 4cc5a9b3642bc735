"""A provisional holiday year said to a person, not to a programmer.

Python prints a warning as ``/path/core_flow/engine/core.py:152: ProvisionalCalendarWarning: …`` followed by the
source line that raised it: a court engineer watching ``zhixing court serve`` or ``zhixing agencies serve`` read a
path into the project's code and a line of it. The command line prints these as ``⚠ 警告 / warning: …`` (the text is
bilingual already); every other warning keeps Python's form (a programmer's, meant for one).
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, TextIO

from core_flow.legal_calendar import ProvisionalCalendarWarning

PREFIX = "⚠ 警告 / warning: "


def install() -> None:
    """From now on a :class:`ProvisionalCalendarWarning` prints as one plain line on standard error."""
    shown = warnings.showwarning
    if getattr(shown, "_zhixing", False):
        return

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        if isinstance(category, type) and issubclass(category, ProvisionalCalendarWarning):
            out: Any = file if file is not None else sys.stderr
            try:
                out.write(f"{PREFIX}{message}\n")
                out.flush()
            except (OSError, ValueError):  # a closed stream (as Python's own: a warning is never an error)
                pass
            return
        shown(message, category, filename, lineno, file, line)

    show._zhixing = True  # type: ignore[attr-defined]
    warnings.showwarning = show
