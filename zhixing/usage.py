"""Usage errors (a mistyped option, a missing argument, a value of the wrong kind) in Chinese and English.

Typer/click words them in English only (``Error: Invalid value for '--years': Input should be a valid number``).
``explain`` rewords each kind of usage error bilingually, Chinese first, naming the option or argument at fault;
the value checks come from pydantic (Typer coerces with it), so their Chinese is the table shared with the HTTP
422 bodies (``core_flow.validation``). An error of a kind not known here keeps its English text behind the Chinese
head, so nothing is lost.
"""

from __future__ import annotations

import re
from typing import Any

from core_flow.validation import field_messages

_EXTRA = re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)$", re.S)
_NO_COMMAND = re.compile(r"^No such command (?P<name>'[^']*'|\S+)\.(?:\s*Did you mean (?P<close>.+)\?)?$", re.S)
_REQUIRES = re.compile(r"^Option (?P<opt>'[^']*') requires (?:an argument|(?P<n>\d+) arguments)\.$")
_NO_VALUE = re.compile(r"^Option (?P<opt>'[^']*') does not take a value\.$")
_TAKES = re.compile(r"^Argument (?P<arg>'[^']*') takes (?P<n>\d+) values\.$")
_MISSING_KIND = {"option": "选项", "argument": "参数", "parameter": "参数"}


def _hint(err: Any) -> str:
    """The option or argument an error is about, as click names it (``'--years'``, ``'PROFILE'``)."""
    hint = getattr(err, "param_hint", None)
    if hint is None and getattr(err, "param", None) is not None:
        hint = err.param.get_error_hint()
    if hint is None:
        return ""
    if not isinstance(hint, str):
        return " / ".join(repr(h) for h in hint)
    return hint


def _value_error(err: Any) -> str:
    """A value Typer refused: the Chinese from pydantic's error type, the English as pydantic put it."""
    hint = _hint(err)
    cause = err.__cause__
    errors = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    if errors:
        f = field_messages([errors[0]])[0]
        zh, en = f["zh"], f["en"]
    else:  # a check of our own (a callback) or Typer's, worded in English
        zh, en = "取值无效", err.message
    if not hint:
        return f"取值无效：{zh} / invalid value: {en}"
    return f"{hint} 的取值无效：{zh} / invalid value for {hint}: {en}"


def _missing(err: Any) -> str:
    kind = getattr(err, "param_type", None) or (err.param.param_type_name if err.param is not None else "parameter")
    hint = _hint(err)
    name = f" {hint}" if hint else ""
    return f"缺少{_MISSING_KIND.get(kind, '参数')}{name} / missing {kind}{name}"


def _no_such_option(err: Any) -> str:
    name = err.option_name
    text = f"没有选项 {name} / no such option: {name}"
    if err.possibilities:
        options = ", ".join(sorted(err.possibilities))
        text += f"（可能是 / did you mean: {options}）"
    return text


def _plain(message: str) -> str:
    """A usage error click raises with a bare message."""
    if m := _EXTRA.match(message):
        return f"多余的参数 / unexpected extra argument(s): {m['args']}"
    if m := _NO_COMMAND.match(message):
        return f"没有命令 {m['name']} / no such command {m['name']}"
    if message == "Missing command.":
        return "缺少子命令 / missing command"
    if m := _REQUIRES.match(message):
        n = m["n"] or "1"
        return f"选项 {m['opt']} 需要 {n} 个值 / option {m['opt']} requires {n} value(s)"
    if m := _NO_VALUE.match(message):
        return f"选项 {m['opt']} 不接受取值 / option {m['opt']} does not take a value"
    if m := _TAKES.match(message):
        return f"参数 {m['arg']} 需要 {m['n']} 个值 / argument {m['arg']} takes {m['n']} values"
    return f"用法有误 / {message}"


def explain(err: Any) -> str:
    """One line, Chinese first, for a click or Typer usage error (``UsageError`` and its kinds)."""
    kind = type(err).__name__
    if kind == "MissingParameter":
        return _missing(err)
    if kind == "BadParameter":
        return _value_error(err)
    if kind == "NoSuchOption":
        return _no_such_option(err)
    if kind == "FileError":
        name = repr(err.ui_filename)
        return f"无法打开文件 {name}：{err.message} / could not open file {name}: {err.message}"
    if (m := _NO_COMMAND.match(err.message)) and (said := m["close"] or _other_command(err, m["name"].strip("'"))):
        return f"{_plain(err.message)}（可能是 / did you mean: {said}）"
    return _plain(err.message)


def _other_command(err: Any, name: str) -> str | None:
    """What a group's unknown command may have meant: a command of a close name (``simulte``), or — a group of one
    command given its argument (``zhixing calendar 2027``) — that command with it."""
    import difflib

    ctx = getattr(err, "ctx", None)
    commands = sorted(getattr(getattr(ctx, "command", None), "commands", {}) or {})
    if not commands:
        return None
    close = difflib.get_close_matches(name, commands, n=3, cutoff=0.6)
    if close:
        return ", ".join(close)
    if len(commands) == 1:
        return f"{ctx.command_path} {commands[0]} {name}"
    return None


def show(err: Any, echo: Any) -> None:
    """Print ``err`` for the user: the bilingual line, then the command's usage and where its help is."""
    echo(f"用法错误 / usage error: {explain(err)}")
    ctx = getattr(err, "ctx", None)
    if ctx is not None:
        echo("用法 / usage: " + ctx.get_usage().removeprefix("Usage: "))
        if ctx.command.get_help_option(ctx) is not None:
            echo(f"帮助 / help: {ctx.command_path} {ctx.help_option_names[0]}")
