"""Ctrl-C during `zhixing simulate` or `zhixing plan` ends the command with exit status 130 (typer's own handling of
KeyboardInterrupt), as `zhixing scenarios run` and `python loadtests/run.py` do — README's exit-code table said 1.
Each command's help lists 130 among its exit statuses (it listed 0, 2 and 3 only)."""

from __future__ import annotations

import re

import pytest

import zhixing.cmd_simulate as cmd_simulate
from zhixing.cli import main


@pytest.mark.parametrize("command", [("simulate",), ("plan", "staffing"), ("plan", "intake")])
def test_the_help_lists_exit_status_130_for_ctrl_c(capsys, command):
    assert main([*command, "--help"]) == 0
    text = re.sub(r"[\s│]+", " ", capsys.readouterr().out)  # the help box wraps lines: compare words only
    assert "130 被 Ctrl-C 中断 / interrupted by Ctrl-C" in text
    assert "0 完成 / done" in text and "3 仿真单元崩溃" in text


def test_ctrl_c_during_simulate_ends_with_exit_status_130(monkeypatch, tmp_path):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cmd_simulate, "use_holiday_file", interrupted)
    assert main(["simulate", "--years", "0.01", "-r", "1", "--out", str(tmp_path / "out")]) == 130
