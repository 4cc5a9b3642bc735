"""argparse for the project's small script tools (``loadtests/run.py``, ``loadtests/fixtures.py``,
``python -m scenarios.record_check``, ``python -m scenarios.both_clocks``): its usage errors Chinese first, the
English argparse wrote kept beside them, exit code 2. (The ``zhixing`` command itself is Typer: zhixing/usage.py.)
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法 / usage: " if prefix is None else prefix)


class BilingualParser(argparse.ArgumentParser):
    """argparse, its mistakes reported Chinese first (``用法错误 / usage error: …``), exit code 2; its help page's
    own words (usage, the sections, ``-h``) in both languages, as the ``zhixing`` command's."""

    def __init__(self, *args: Any, show_usage: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self.show_usage = show_usage
        self._positionals.title = "参数 / positional arguments"
        self._optionals.title = "选项 / options"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示本帮助并退出 / show this help and exit"

    def error(self, message: str) -> NoReturn:
        if self.show_usage:
            self.print_usage(sys.stderr)
        self.exit(2, f"用法错误 / usage error: {explain(message)}\n")


_ARGPARSE = [  # argparse's messages → Chinese (the English kept beside it)
    (re.compile(r"^unrecognized arguments: (?P<a>.*)$"), "无法识别的参数：{a}"),
    (re.compile(r"^argument (?P<o>\S+): invalid (?P<t>int|float) value: (?P<v>.*)$"), "{o} 的取值应为{t}：{v}"),
    (re.compile(r"^argument (?P<o>\S+): invalid choice: (?P<v>.*?) \(choose from (?P<c>.*)\)$"),
     "{o} 的取值 {v} 无效，可选：{c}"),
    (re.compile(r"^argument (?P<o>\S+): expected one argument$"), "{o} 需要一个值"),
    (re.compile(r"^the following arguments are required: (?P<a>.*)$"), "缺少必需的参数：{a}"),
    (re.compile(r"^ambiguous option: (?P<o>\S+) could match (?P<c>.*)$"), "选项 {o} 不明确，可能是：{c}"),
]
_TYPE_ZH = {"int": "整数", "float": "数字"}


def explain(message: str) -> str:
    for pattern, zh in _ARGPARSE:
        m = pattern.match(message)
        if m:
            parts = {k: _TYPE_ZH.get(v, v) if k == "t" else v for k, v in m.groupdict().items()}
            return f"{zh.format(**parts)} / {message}"
    return f"用法有误 / {message}"
