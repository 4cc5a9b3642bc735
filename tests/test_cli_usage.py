"""Usage errors are bilingual, Chinese first, name the option or argument at fault, and exit 2 (zhixing/usage.py)."""

from __future__ import annotations

import pytest

from zhixing.cli import main

CASES = [
    (["simulate", "--years", "abc"], "'--years' 的取值无效：应为数字 / invalid value for '--years': Input should be"),
    (["court", "serve", "--port", "0"], "'--port' 的取值无效：应不小于 1 / invalid value for '--port'"),
    (["demo", "--seed", "-1"], "'--seed' 的取值无效：应不小于 0"),
    (["simulate", "--bogus"], "没有选项 --bogus / no such option: --bogus"),
    (["deadline"], "缺少选项 '--from' / missing option '--from'"),
    (["plan", "staffing"], "缺少参数 'PROFILE' / missing argument 'PROFILE'"),
    (["timeline", "extra", "more"], "多余的参数 / unexpected extra argument(s): extra more"),
    (["bogus"], "没有命令 'bogus' / no such command 'bogus'"),
    (["simulte"], "没有命令 'simulte' / no such command 'simulte'（可能是 / did you mean: 'simulate'）"),
    (["calendar", "2027"], "no such command '2027'（可能是 / did you mean: "),  # … calendar show 2027
    (["simulate", "--years"], "选项 '--years' 需要 1 个值 / option '--years' requires 1 value(s)"),
    (["nodes", "--json=3"], "选项 '--json' 不接受取值 / option '--json' does not take a value"),
]


@pytest.mark.parametrize(("argv", "expected"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_usage_error_is_bilingual_and_located(argv: list[str], expected: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith("用法错误 / usage error: ")
    assert expected in first
    assert "Traceback" not in err and "Error: " not in err
    if argv == ["calendar", "2027"]:  # a group of one command, given its argument
        assert first.endswith(" calendar show 2027）")


def test_usage_line_and_help_pointer_are_bilingual(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--bogus"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[1].startswith("用法 / usage: ") and lines[1].endswith(" simulate [OPTIONS] [PROFILE]")
    assert lines[2].startswith("帮助 / help: ") and lines[2].endswith(" simulate --help")


def test_close_option_names_are_suggested(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--ou"]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert "没有选项 --ou / no such option: --ou（可能是 / did you mean: " in first
    assert "--out" in first.partition("did you mean: ")[2]


def test_a_group_called_bare_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    main(["plan"])
    out = capsys.readouterr()
    assert "staffing" in out.out + out.err
    assert "用法错误" not in out.out + out.err


def test_an_unknown_kind_keeps_its_english_behind_the_chinese_head() -> None:
    from zhixing.usage import explain

    class UsageError(Exception):
        message = "Something new went wrong."

    assert explain(UsageError()) == "用法有误 / Something new went wrong."


def _flat(text: str) -> str:
    """A help page without its boxes and line breaks (rich wraps text inside panels)."""
    return "".join(text.replace("│", "").split())


def test_help_pages_frame_is_bilingual(capsys: pytest.CaptureFixture[str]) -> None:
    """The help's panel titles, defaults and the --help option itself (zhixing/help_text.py) on the Typer installed."""
    assert main(["simulate", "--help"]) == 0
    out = _flat(capsys.readouterr().out)
    for words in ("参数 / Arguments", "选项 / Options", "[默认 / default:",
                  "显示本帮助并退出 / show this help and exit"):
        assert _flat(words) in out
    assert "Showthismessageandexit" not in out
    assert main(["plan", "staffing", "--help"]) == 0
    assert _flat("[必填 / required]") in _flat(capsys.readouterr().out)
    assert main(["--help"]) == 0
    assert _flat("命令 / Commands") in _flat(capsys.readouterr().out)


def test_a_flag_shows_no_value_type(capsys: pytest.CaptureFixture[str]) -> None:
    """`--json <bool>` invited `--json true` (a usage error): a flag's help line shows no type, an option's does."""
    assert main(["nodes", "--help"]) == 0
    lines = {line.split()[1]: line for line in capsys.readouterr().out.splitlines() if line.startswith("│ --")}
    assert "<" not in lines["--json"].split("以 JSON")[0]
    assert "<path>" in lines["--process"]


def test_the_command_line_starts_without_the_simulation_or_the_engine():
    """Every command's module is imported to build the command line; the engine, the simulation, the mock agencies'
    world, numpy and the web stack are imported only by the command that runs them (`zhixing --help`, `deadline`
    or `calendar` took ~1.0 s, now ~0.3 s on this machine). Checked by what is imported, not by a timing."""
    import subprocess
    import sys

    code = ("import sys, zhixing.cli as c; c._register_commands(); "
            "print(','.join(m for m in ('numpy', 'simpy', 'sim.replicate', 'sim.run', 'core_flow.engine', "
            "'core_flow.model', 'mock_agencies.world', 'faker', 'fastapi', 'uvicorn') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == ""


def _pages() -> list[tuple[list[str], object]]:
    """Every command and group of the command line, with its click object (the help page of each)."""
    import typer

    from zhixing.cli import _register_commands, app

    _register_commands()
    pages: list[tuple[list[str], object]] = []

    def walk(path: list[str], command: object) -> None:
        pages.append((path, command))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if not getattr(sub, "hidden", False):
                walk([*path, name], sub)

    walk([], typer.main.get_command(app))
    return pages


def test_no_help_page_cuts_a_description_in_an_80_column_terminal(capsys, monkeypatch) -> None:
    """Typer's help ended descriptions that did not fit with "…" (`并行进程数 / worke…`): rich wraps at spaces, and a
    run of Chinese has none. At 80 columns no help page shows an ellipsis its own texts do not have."""
    monkeypatch.setenv("COLUMNS", "80")
    pages = _pages()
    assert len(pages) > 20
    for path, command in pages:
        assert main([*path, "--help"]) == 0, path
        out = capsys.readouterr().out
        texts = [getattr(p, "help", None) or "" for p in getattr(command, "params", [])]
        texts += [getattr(command, "help", None) or ""]
        texts += [s.short_help or s.help or "" for s in getattr(command, "commands", {}).values()]
        assert out.count("…") <= sum(t.count("…") for t in texts), (path, [ln for ln in out.splitlines() if "…" in ln])


def test_a_docstrings_line_breaks_are_the_terminals_to_make(capsys, monkeypatch) -> None:
    """The source wraps docstrings at 120 columns; the help joined none of it (ragged lines at 80 columns, a break in
    mid-sentence at 200). A break between Chinese characters joins without a space."""
    from zhixing.help_text import one_line

    assert one_line("中文在此\n    接着 / English here\n    goes on.\n\n第二段\n    续") == \
        "中文在此接着 / English here goes on.\n\n第二段续"
    assert one_line("\b\nkept\nas written") == "\b\nkept\nas written"
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["scenarios", "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any("record a case of an event log as a scenario that replays its inputs" in line for line in lines)
    assert main(["court", "serve", "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any("（虚拟时间；每次运行 PUT /court 新建法院，连接进程内模拟机构或运行中" in line for line in lines)
