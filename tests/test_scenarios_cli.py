"""`zhixing scenarios run PATH… --junit FILE --html FILE`: exit status, reports, bad files stop everything."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import typer

from zhixing import cmd_scenarios

GOOD = """\
name: 立案节点当天完成
case:
  number: (2025)豫0811执8001号
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
  - expect_deadline: {node: 立案, last_day: 2025-03-03}
"""
BAD_EXPECTATION = GOOD.replace("立案节点当天完成", "错误的最后一日").replace("2025-03-03}", "2025-03-04}")


def cli(args: list[str]) -> int:
    from zhixing.cli import _register_commands, app, main

    _register_commands()
    if not any(g.name == "scenarios" for g in app.registered_groups):
        cmd_scenarios.register(app)
    return main(args)


def test_run_writes_junit_and_html_and_fails_on_a_failing_scenario(tmp_path: Path, capsys):
    (tmp_path / "a.scenario.yaml").write_text(GOOD + "---\n" + BAD_EXPECTATION, encoding="utf-8")
    junit, html = tmp_path / "j.xml", tmp_path / "r.html"
    assert cli(["scenarios", "run", str(tmp_path), "--junit", str(junit), "--html", str(html)]) == 1
    out = capsys.readouterr().out
    assert "✔ 通过 passed  立案节点当天完成" in out and "✘ 失败 failed  错误的最后一日" in out
    assert "2 scenarios, 1 passed, 1 failed" in out
    root = ET.parse(junit).getroot()
    assert root.get("tests") == "2" and root.get("failures") == "1"
    failure = root.find(".//testcase[@name='错误的最后一日']/failure")
    assert failure is not None and "a.scenario.yaml:15" in failure.get("message")
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "错误的最后一日" in page and "<script" not in page
    assert "期望 expected" in page and "http" not in page.split("<body>")[1]  # self-contained


def test_all_pass_exits_zero(tmp_path: Path):
    (tmp_path / "a.scenario.yaml").write_text(GOOD, encoding="utf-8")
    assert cli(["scenarios", "run", str(tmp_path / "a.scenario.yaml")]) == 0


def test_a_bad_file_stops_the_run_before_any_scenario(tmp_path: Path, capsys):
    (tmp_path / "a.scenario.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.scenario.yaml").write_text(GOOD.replace("node: 立案", "node: 立案审查"), encoding="utf-8")
    assert cli(["scenarios", "run", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "b.scenario.yaml:7" in captured.err and "未知节点" in captured.err
    assert "✔" not in captured.out


def test_register_adds_the_sub_app():
    app = typer.Typer()
    cmd_scenarios.register(app)
    assert [g.name for g in app.registered_groups] == ["scenarios"]


def test_tags_select_scenarios_and_an_empty_selection_is_an_error(tmp_path, capsys) -> None:
    from zhixing.cli import main

    suite = Path(__file__).parent.parent / "scenarios" / "suite" / "fidelity"
    from scenarios.loader import load_paths

    tagged = sum(1 for sc in load_paths([suite]) if "coercion" in sc.tags)
    assert tagged >= 3
    assert main(["scenarios", "run", str(suite), "--tag", "coercion"]) == 0
    out = capsys.readouterr().out
    assert f"{tagged} scenarios, {tagged} passed" in out
    assert main(["scenarios", "run", str(suite), "--tag", "coercon"]) == 2
    assert "did you mean: coercion" in capsys.readouterr().err
    assert main(["scenarios", "run", str(tmp_path)]) == 2  # nothing to run is not a pass
    assert "no scenario files" in capsys.readouterr().err


def test_steps_and_exchanges_on_demand(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.scenario.yaml").write_text(GOOD, encoding="utf-8")
    assert cli(["scenarios", "run", str(tmp_path)]) == 0
    plain = capsys.readouterr().out
    assert "检查 check 期限 deadline" not in plain and "查控往来 exchanges" not in plain
    assert cli(["scenarios", "run", str(tmp_path), "--steps", "--show-exchanges"]) == 0
    out = capsys.readouterr().out
    assert "检查 check 期限 deadline `expect_deadline`" in out and "期望 expected: node=2 last_day=2025-03-03" in out
    assert "查控往来 exchanges (" in out
