"""The numeric options read as the court profile reads its numbers (``zhixing.numbers``, ``sim.profile.read_quantity``):
``--intake 6,000`` and ``6000件``, ``--dispose 30%``, ``--warmup-days 30天``, ``--min 五人``; a mistake named by its
option, in both languages, exit 2, no traceback."""

from __future__ import annotations

from typing import Any

import pytest

import sim.replicate
import zhixing.cmd_plan
from zhixing.cli import main

SMALL = "name: 测试法院\nintake: {yearly: 250}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n"


class Stop(Exception):
    """The run stopped once its inputs are read (nothing simulated)."""


@pytest.fixture()
def small(tmp_path):
    f = tmp_path / "small.yaml"
    f.write_text(SMALL, encoding="utf-8")
    return f


def test_simulate_reads_its_numbers_as_the_profile_does(small, monkeypatch, tmp_path):
    seen: dict[str, Any] = {}

    def make_units(courts: Any, **_: Any) -> Any:
        seen["profile"] = courts[0][1]
        raise Stop

    monkeypatch.setattr(sim.replicate, "make_units", make_units)
    with pytest.raises(Stop):
        main(["simulate", str(small), "--intake", "6,000", "--dispose", "30%", "--warmup-days", "30天",
              "--out", str(tmp_path / "out")])
    p = seen["profile"]
    assert (p.intake.yearly, p.disposal_share, p.warmup_days) == (6000, 0.3, 30)
    with pytest.raises(Stop):
        main(["simulate", str(small), "--intake", "6000件", "--dispose", "０.５", "--out", str(tmp_path / "out")])
    assert (seen["profile"].intake.yearly, seen["profile"].disposal_share) == (6000, 0.5)


def test_plan_reads_its_numbers_as_the_profile_does(small, monkeypatch):
    seen: dict[str, Any] = {}

    def search(console: Any, profile: Any, goal: Any, roles: Any, **options: Any) -> Any:
        seen.update(profile=profile, **options)
        raise Stop

    def carried(console: Any, profile: Any, goal: Any, **options: Any) -> Any:
        seen.update(options)
        raise Stop

    monkeypatch.setattr(zhixing.cmd_plan, "_search", search)
    monkeypatch.setattr(zhixing.cmd_plan, "_carried", carried)
    with pytest.raises(Stop):
        main(["plan", "staffing", str(small), "--intake", "1.2千", "--dispose", "百分之三十", "--min", "二人",
              "--max", "5名"])
    assert (seen["profile"].intake.yearly, seen["profile"].disposal_share) == (1200, 0.3)
    assert (seen["low"], seen["high"]) == (2, 5)
    with pytest.raises(Stop):
        main(["plan", "intake", str(small), "--low", "1,000件", "--high", "1.2万"])
    assert (seen["low"], seen["high"]) == (1000, 12000)


@pytest.mark.parametrize(("args", "option", "zh", "en"), [
    (["simulate", "{p}", "--intake", "6000天"], "--intake", "单位不符", "wrong unit"),
    (["simulate", "{p}", "--intake", "很多"], "--intake", "应为数字", "valid number"),
    (["simulate", "{p}", "--dispose", "130%"], "--dispose", "0 到 1", "between 0 and 1"),
    (["simulate", "{p}", "--warmup-days", "30件"], "--warmup-days", "天、日", "wrong unit"),
    (["plan", "staffing", "{p}", "--min", "2.5人"], "--min", "整数", "whole number"),
    (["plan", "intake", "{p}", "--high", "1万人"], "--high", "单位不符", "wrong unit"),
])
def test_a_wrong_number_is_named_by_its_option(small, capsys, args, option, zh, en):
    assert main([a.format(p=small) for a in args]) == 2
    err = capsys.readouterr().err
    assert f"错误 / error: {option}: " in err and zh in err and en in err and "Traceback" not in err
