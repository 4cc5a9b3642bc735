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

    for name in ("_get_parameter_help", "_make_command_help"):
        made = getattr(rich_utils, name, None)
        if made is not None:
            setattr(rich_utils, name, lambda made=made, **kw: fold(made(**kw)))
