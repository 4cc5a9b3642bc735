"""A simulation that runs into a year without a State Council holiday notice says so — on the terminal, in the
report and in kpis.json (`zhixing simulate`, `plan staffing`, `plan intake`) — and stays silent when the data is
official; only deadlines falling due in the run count (a 3-year seal's term does not)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from core_flow.legal_calendar.holidays import ENV_VAR
from sim.replicate import aggregate, make_units, run_units
from sim.report import calendar_note, write_outputs
from tests.sim_support import small_court
from tests.test_calendar_provisional import OFFICIAL_2027, write
from zhixing.cli import main

DEC_2026 = "2026-12-01T08:30:00+08:00"


def _run(origin: str | None = None, years: float = 0.12) -> list[dict]:
    update = {"origin": datetime.fromisoformat(origin)} if origin else {}
    profile = small_court(250, judges=1, clerks=1, **update)
    return run_units(make_units([("c", profile)], years=years, replications=2, seed=5), backend="serial")


def test_a_run_into_a_provisional_year_reports_it_everywhere_the_planner_looks(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    results = _run(DEC_2026)
    for r in results:
        # a 0.12-year run from December 2026 ends in January 2027: its deadlines there rest on the provisional year
        assert r["calendar"]["provisional_years"] == [2027] and r["calendar"]["provisional_deadlines"] > 0
    agg = aggregate(results)
    mean = sum(r["calendar"]["provisional_deadlines"] for r in results) / 2
    assert agg["calendar"] == {"provisional_years": [2027], "provisional_deadlines": mean}
    note = calendar_note(agg["calendar"])
    assert note and "2027" in note and "暂定" in note and "provisional" in note and f"{mean:,.0f}" in note
    paths = write_outputs(tmp_path, agg, small_court(250), {"years": 0.12, "replications": 2, "seed": 5})
    assert "class='warn'>⚠ 注意 / note: 本次仿真用到暂定节假日（2027" in paths["html"].read_text(encoding="utf-8")
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["calendar"]["provisional_years"] == [2027] and data["calendar"]["note"] == note


def test_official_data_for_the_year_leaves_no_note(tmp_path, monkeypatch):
    """The same run with a notice for 2027 in an extension file ($ZHIXING_HOLIDAYS): nothing provisional."""
    monkeypatch.setenv(ENV_VAR, str(write(tmp_path, "2027.yaml", OFFICIAL_2027)))
    agg = aggregate(_run(DEC_2026))
    assert agg["calendar"]["provisional_years"] == [] and calendar_note(agg["calendar"]) is None


def test_a_run_inside_official_years_has_no_note_though_its_seal_terms_end_in_provisional_ones(monkeypatch):
    """From January 2025 (the default origin): seals set in the run end three years later, in a provisional year —
    not a deadline of the run, so no note."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    results = _run(None, years=0.3)
    assert all(r["calendar"] == {"provisional_years": [], "provisional_deadlines": 0} for r in results)
    assert calendar_note(aggregate(results)["calendar"]) is None


@pytest.mark.parametrize("command", [
    ["simulate", "--years", "0.1", "-r", "2", "--no-validate"],
    ["plan", "staffing", "--target", "compliance>=0.1", "--years", "0.1", "-r", "2", "--min", "1", "--max", "1"],
    ["plan", "intake", "--target", "compliance>=0.1", "--years", "0.1", "-r", "2", "--low", "200", "--high", "400",
     "--steps", "1"],
])
def test_the_commands_print_the_note(tmp_path, monkeypatch, capsys, command):
    monkeypatch.delenv(ENV_VAR, raising=False)
    profile = tmp_path / "p.yaml"
    profile.write_text(f"name: 测试法院\norigin: '{DEC_2026}'\nintake: {{yearly: 250}}\n"
                       "staff: {承办法官: {count: 1}, 书记员: {count: 1}}\n", encoding="utf-8")
    extra = ["--out", str(tmp_path / "out")] if command[0] == "simulate" else []
    code = main([*command[:2 if command[0] == "plan" else 1], str(profile),
                 *command[2 if command[0] == "plan" else 1:], "--backend", "serial", "--seed", "5", *extra])
    text = capsys.readouterr().out
    assert code == 0
    assert "本次仿真用到暂定节假日（2027" in text.replace("\n", "")


def test_a_provisional_year_with_no_deadline_in_it_is_said_for_the_working_days_alone():
    """A run reaching the provisional year only at its end had no deadline due in it: the note said "about 0
    deadlines per replication"."""
    from sim.report import calendar_note

    none = calendar_note({"provisional_years": [2027], "provisional_deadlines": 0.2})
    assert none is not None and "约 0 个" not in none and "about 0 deadlines" not in none
    assert "期内没有期限在该年到期" in none and "no deadline fell due in it" in none
    some = calendar_note({"provisional_years": [2027], "provisional_deadlines": 1234.0})
    assert some is not None and "约 1,234 个期内到期的期限" in some and "about 1,234 deadlines" in some
