"""The script tools' argparse errors are Chinese first, the English kept (core_flow/argparse_text.py)."""

from __future__ import annotations

import pytest

from core_flow.argparse_text import BilingualParser, explain


def _parser() -> BilingualParser:
    p = BilingualParser(prog="tool")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--rate", type=float)
    p.add_argument("--wait", choices=("callback", "poll"))
    p.add_argument("--events", required=True)
    return p


@pytest.mark.parametrize(("argv", "expected"), [
    (["--events", "x", "--count", "abc"], "--count 的取值应为整数：'abc' / argument --count: invalid int value: 'abc'"),
    (["--events", "x", "--rate", "fast"], "--rate 的取值应为数字：'fast' / argument --rate: invalid float value"),
    (["--events", "x", "--wait", "push"], "--wait 的取值 'push' 无效，可选：'callback', 'poll' / argument --wait: "
                                          "invalid choice"),
    (["--events", "x", "--bogus"], "无法识别的参数：--bogus / unrecognized arguments: --bogus"),
    ([], "缺少必需的参数：--events / the following arguments are required: --events"),
    (["--events"], "--events 需要一个值 / argument --events: expected one argument"),
])
def test_usage_errors_are_bilingual(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        _parser().parse_args(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"用法错误 / usage error: {expected}" in err and err.startswith("用法 / usage: tool")


def test_a_message_of_an_unknown_shape_keeps_its_english() -> None:
    assert explain("something new") == "用法有误 / something new"


def test_usage_can_be_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    p = BilingualParser(prog="tool", show_usage=False)
    with pytest.raises(SystemExit):
        p.parse_args(["--x"])
    assert capsys.readouterr().err.startswith("用法错误 / usage error: ")


def test_the_help_page_speaks_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    """`loadtests/run.py --help` framed its bilingual options in argparse's English (usage:, options:, show this help
    message and exit)."""
    p = BilingualParser(prog="tool", description="工具 / a tool")
    p.add_argument("events", help="事件日志 / event log")
    p.add_argument("--count", type=int, default=1, help="次数 / count")
    with pytest.raises(SystemExit):
        p.parse_args(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法 / usage: tool [-h] [--count COUNT] events")
    assert "参数 / positional arguments:" in out and "选项 / options:" in out
    assert "显示本帮助并退出 / show this help and exit" in out and "show this help message" not in out
