"""The help pages' own words (panel titles, "[default: …]", the --help option) in Chinese and English.

Also: a flag's help shows no value type (Typer's rich help wrote ``--json <bool>``); and a description wraps in a
narrow terminal instead of being cut off (Typer's help cut ``并行进程数 / worke…`` at 80 columns: rich wraps at
spaces and ends a line too long with an ellipsis, and a run of Chinese has no spaces).

Every command's and option's description is written bilingually in the command modules; the frame around them
comes from Typer in English only ("Options", "Show this message and exit."). Typer has no translation hook, so
``localise`` sets the module-level strings Typer's help renderer reads at render time, and words the --help
option Typer adds to each command. Against a Typer that lacks one of these, the help stays English: nothing breaks
(tests/test_cli_usage.py checks the words on the Typer installed).
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace
from typing import Any

HELP_OPTION = "显示本帮助并退出 / show this help and exit"
STRINGS = {
    "ARGUMENTS_PANEL_TITLE": "参数 / Arguments",
    "OPTIONS_PANEL_TITLE": "选项 / Options",
    "COMMANDS_PANEL_TITLE": "命令 / Commands",
    "DEFAULT_STRING": "[默认 / default: {}]",
    "REQUIRED_LONG_STRING": "[必填 / required]",
}

_done = False


def localise() -> None:
    global _done
    if _done:
        return
    _done = True
    from typer import rich_utils

    for name, text in STRINGS.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)
    _flags_take_no_value()
    _descriptions_wrap(rich_utils)
    try:
        from typer._click import decorators
    except ImportError:  # a Typer on click: its --help text stays click's
        return
    original = getattr(decorators, "help_option", None)
    if original is None:
        return

    def help_option(param_decls: list[str]) -> Any:
        add = original(param_decls)

        def decorate(command: Any) -> Any:
            command = add(command)
            command.params[-1].help = HELP_OPTION  # the option ``add`` appended
            return command

        return decorate

    decorators.help_option = help_option


def _flags_take_no_value() -> None:
    """A flag (``--json``) takes no value, but Typer's rich help shows it a type column (``--json <bool>``), which
    invites ``--json true`` and a usage error. Its plain-text help already shows none; the rich one now agrees."""
    from typer import core

    option = getattr(core, "TyperOption", None)
    shown = getattr(option, "display_type_rich", None)
    if shown is None:
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        return None if getattr(self, "is_flag", False) else shown(self, ctx)

    option.display_type_rich = display_type_rich


def _descriptions_wrap(rich_utils: Any) -> None:
    """The help's descriptions fold onto the next line where they do not fit (rich's ``overflow="fold"``) rather
    than end in "…": an 80-column terminal (an SSH session on a court server) showed half of many Chinese lines."""
    from rich.columns import Columns
    from rich.text import Text

    def fold(shown: Any) -> Any:
        if isinstance(shown, Text):
            shown.overflow = "fold"
        elif isinstance(shown, Columns):
            for part in shown.renderables:
                fold(part)
        return shown

    parameter = getattr(rich_utils, "_get_parameter_help", None)
    if parameter is not None:
        rich_utils._get_parameter_help = lambda **kw: fold(parameter(**kw))
    command = getattr(rich_utils, "_make_command_help", None)
    if command is not None:  # a group's list of its commands
        rich_utils._make_command_help = lambda help_text, **kw: fold(command(help_text=one_line(help_text), **kw))
    page = getattr(rich_utils, "_get_help_text", None)
    if page is not None:  # the text at the top of a command's own page

        def page_text(obj: Any, **kw: Any) -> Any:
            shown = SimpleNamespace(deprecated=getattr(obj, "deprecated", False), help=one_line(obj.help or ""))
            try:
                made = page(obj=shown, **kw)  # a rich Group of Texts
            except AttributeError:  # a Typer that reads more of the command than these two: its own text, as is
                made = page(obj=obj, **kw)
            for part in getattr(made, "renderables", ()):
                fold(part)
            return made

        rich_utils._get_help_text = page_text


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u303f" or "\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def one_line(text: str) -> str:
    """A docstring's paragraphs each on one line, for the terminal to wrap at its own width: Typer's rich help kept
    the source's line breaks (wrapped at 120 columns, ragged at 80). A break between two Chinese characters joins
    without a space; a paragraph kept as written (click's ``\\b``) stays so."""
    out = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        if paragraph.startswith("\b"):
            out.append(paragraph)
            continue
        joined = ""
        for line in (part.strip() for part in paragraph.split("\n")):
            if joined and line:
                joined += "" if _cjk(joined[-1]) and _cjk(line[0]) else " "
            joined += line
        out.append(joined)
    return "\n\n".join(out)
