"""`zhixing plan staffing --help` and `plan intake --help` say the defaults of the searched range (README: "单一角色从
现有人数减 2 起逐级增加", "搜索上限 `--high`（缺省为现收案的 2 倍）") — and those are the defaults the search uses."""

from __future__ import annotations

import re

from sim.planner import staff_bounds
from sim.profile import load_profile
from zhixing.cli import main


def _help(capsys, *args: str) -> str:
    assert main([*args, "--help"]) == 0
    return re.sub(r"[\s│]+", " ", capsys.readouterr().out)  # the help box wraps lines: compare words only


def test_the_staffing_help_says_where_the_levels_start_and_end(capsys):
    text = _help(capsys, "plan", "staffing")
    assert "缺省：现有人数减 2，至少 1" in text and "today's headcount − 2, at least 1" in text
    assert "缺省：起始人数加 6 与现有人数加 4 中较大者" in text
    # the search's own defaults, for the default court (6 承办法官)
    profile = load_profile(None)
    lo, hi = staff_bounds(profile, ["承办法官"], None, None)
    today = profile.staff["承办法官"].count
    assert lo["承办法官"] == max(1, today - 2) and hi["承办法官"] == max(lo["承办法官"] + 6, today + 4)


def test_the_intake_help_says_the_top_of_the_search(capsys):
    text = _help(capsys, "plan", "intake")
    assert "缺省：配置年收案的 2 倍" in text and "default: twice the profile's" in text
