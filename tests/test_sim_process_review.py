"""Review R14 of the planners' process options (sim ``process:`` / ``process_file:`` / ``--process``): what a
planner reads when the process they wrote is wrong or elsewhere, and what the staffing page says of the process its
levels ran. Each test fails on the code before the review's fix (checked in a worktree at d938074), but
``test_an_unreadable_process_option_is_still_the_options``, which keeps what the fix must not change."""

from __future__ import annotations

from pathlib import Path

import pytest

from core_flow.errors import UserError
from sim.profile import load_profile
from tests.test_sim_process import _file, _line
from zhixing.cli import main

# ── a province: process: merges key by key across common, a court's file and the court in place ─────────────────
PROVINCE = """name: 测试省
common:
  intake: {yearly: 150}
  process:
    fees:
      application_fee: {enabled: yes please}
courts:
  - name: 甲
  - name: 乙
    process:
      fees:
        application_fee: {settle: sometimes, tiers: 3}
  - {profile: 丙.yaml}
"""
OWN = "name: 丙\nprocess:\n  fees:\n    application_fee:\n      basis: nonsense\n"


def test_a_provinces_process_problems_are_each_said_where_written(tmp_path):
    """Every problem of a court's merged ``process:``, at the layer that wrote it: ``common``'s bad value at
    ``common``'s line (it was said at the court's own ``process:`` line, as if the court had written it), and every
    problem of a court (only the first was said: 乙's ``tiers`` was lost behind its ``settle``)."""
    f = _file(tmp_path, "省.yaml", PROVINCE)
    own = _file(tmp_path, "丙.yaml", OWN)
    from sim.province import load_province

    with pytest.raises(UserError) as err:
        load_province(f)
    said = err.value.message
    common = _line(PROVINCE, "yes please")
    for court in ("甲", "乙", "丙"):  # common's value is every court's
        assert f"{f}:{common}:process.fees.application_fee.enabled: {court}：" in said, said
    assert f"{f}:{_line(PROVINCE, 'sometimes')}:process.fees.application_fee.settle: 乙：" in said, said
    assert f"{f}:{_line(PROVINCE, 'sometimes')}:process.fees.application_fee.tiers: 乙：" in said, said
    assert f"{own}:{_line(OWN, 'nonsense')}:process.fees.application_fee.basis: 丙：" in said, said
    assert f"{f}:{_line(PROVINCE, '    process:')}:process.fees.application_fee.enabled" not in said


def test_a_province_bad_process_exits_2_with_its_lines(tmp_path, capsys):
    f = _file(tmp_path, "省.yaml", PROVINCE)
    _file(tmp_path, "丙.yaml", OWN)
    code = main(["simulate", str(f), "--years", "0.05", "-r", "1", "--backend", "serial", "--out",
                 str(tmp_path / "out")])
    got = capsys.readouterr()
    assert code == 2 and "Traceback" not in got.err
    assert f"{f}:{_line(PROVINCE, 'sometimes')}:process.fees.application_fee.tiers" in " ".join(got.err.split())


# ── process_file: a profile names a file that cannot be read ──────────────────────────────────────────────────
@pytest.mark.parametrize("target", ["nowhere.yaml", "adir", "empty.yaml"])
def test_a_profiles_unreadable_process_file_is_said_at_the_profiles_line(tmp_path, capsys, target):
    """A profile's ``process_file:`` that is missing, a directory or empty: said at the profile's ``process_file``
    line, naming the file — it was said at the file alone, as ``无法读取流程文件（--process）``, though no --process
    was given."""
    (tmp_path / "adir").mkdir()
    _file(tmp_path, "empty.yaml", "")
    text = f"name: 某院\nintake: {{yearly: 100}}\nprocess_file: {target}\n"
    f = _file(tmp_path, "court.yaml", text)
    with pytest.raises(UserError) as err:
        load_profile(f)
    said = err.value.message
    assert said.startswith(f"{f}:3:process_file"), said
    assert str((tmp_path / target).resolve()) in said and "--process" not in said
    code = main(["simulate", str(f), "--years", "0.05", "-r", "1", "--backend", "serial", "--out",
                 str(tmp_path / "out")])
    got = capsys.readouterr()
    assert code == 2 and f"{f}:3:process_file" in got.err and "Traceback" not in got.err


def test_an_unreadable_process_option_is_still_the_options(tmp_path, capsys):
    f = _file(tmp_path, "court.yaml", "name: 某院\nintake: {yearly: 100}\n")
    code = main(["simulate", str(f), "--process", str(tmp_path / "nowhere.yaml"), "--years", "0.05", "-r", "1",
                 "--backend", "serial", "--out", str(tmp_path / "out")])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and "无法读取流程文件（--process）" in err and f"{tmp_path / 'nowhere.yaml'}" in err


# ── plan staffing --out: the page says which process its levels ran ───────────────────────────────────────────
def test_the_staffing_page_says_which_process_ran(tmp_path):
    f = _file(tmp_path, "fee.yaml", "name: 收费法院\nintake: {yearly: 150}\nstaff: {承办法官: {count: 1}, 书记员: "
              "{count: 1}}\nprocess:\n  fees:\n    application_fee:\n      enabled: true\n")
    page = tmp_path / "curve.html"
    code = main(["plan", "staffing", str(f), "--target", "compliance>=0.1", "--min", "1", "--max", "1", "--years",
                 "0.05", "-r", "2", "--backend", "serial", "--out", str(page)])
    assert code in (0, None)
    text = page.read_text(encoding="utf-8")
    assert "流程选项覆盖 / process overrides: fees.application_fee.enabled=true" in text
    assert "内置流程" in text  # the base it merged over


# ── the rule checks hold the run to the RUN's process ────────────────────────────────────────────────────────
def test_a_court_whose_file_sweeps_every_3_months_passes_its_rule_checks(tmp_path):
    """Node 45's sweep is the court's own (``every: 3m`` in its process file): the engine sweeps its 终本 register
    every 3 months, and the rule checks hold the run to that — they held every court to the bundled 6 months and
    failed this one ('5 sweeps after 终本, expected 2 (every 6 months, 10 in 5 years)', exit 2: the planner could not
    simulate the court at all). A run that swept every 6 months is still caught against the 3-month rule."""
    from core_flow.process_loader import default_process_path
    from core_flow.process_options import load_base
    from sim.invariants import Checker, SimulationCheckFailed
    from sim.replicate import make_units
    from sim.run import run_unit

    text = Path(default_process_path()).read_text(encoding="utf-8")
    six = "sweep: {anchor: closed_zhongben, every: 6m, count: 10, policy: natural}"
    assert text.count(six) == 1
    own = _file(tmp_path, "本院流程.yaml", text.replace(six, six.replace("6m", "3m")))
    rows = ["case,filed,type,current_node,handler,amount_yuan,zhongben_closed"]
    rows += [f"(2023)豫0811执{500 + i}号,2023-03-0{1 + i},首执,,,{20000 + i * 1000},2024-{7 + i % 5:02d}-15"
             for i in range(8)]
    _file(tmp_path, "ss.csv", "\n".join(rows) + "\n")
    f = _file(tmp_path, "court.yaml", "name: 终本法院\nintake: {yearly: 40}\nstaff: {承办法官: {count: 1}, 书记员: "
              "{count: 1}}\nstart_state: ss.csv\nprocess_file: 本院流程.yaml\n")
    unit = make_units([("终本法院", load_profile(f))], years=1.0, replications=1, seed=3)[0]
    r = run_unit(unit)
    assert r["invariants"]["violation_count"] == 0
    register = [row for row in r["cases"] if row["case"].startswith("(2023)")]
    assert register and all(row["sweeps"] >= 4 for row in register)  # every 3 months over the run's year
    # the checks are not loosened: the bundled court's run (6-monthly sweeps) fails the 3-month rule
    checker = Checker(load_base(own).process)
    assert checker.sweep_count == 10 and 90 < checker.sweep_days < 92
    plain = make_units([("终本法院", load_profile(f).model_copy(update={"process_file": None}))], years=1.0,
                       replications=1, seed=3)[0]
    import sim.run as run

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(run, "Checker", lambda process: checker)
        with pytest.raises(SimulationCheckFailed) as err:
            run_unit(plain)
    assert "every 3 months, 10 in all" in err.value.en


# ── the report names nodes and manners as the court's own process does ───────────────────────────────────────
def test_the_report_and_tables_name_nodes_and_manners_by_the_courts_own_process(tmp_path):
    """A court's file naming node 7 and the 执行完毕 and 终本 manners its own way: the report's per-node table,
    ``nodes.csv`` and ``cases.csv`` give those names — they gave the bundled ones beside the court's numbers (the row
    N33-F-S listed it as not modelled)."""
    import csv
    import io

    from core_flow.process_loader import default_process_path

    text = Path(default_process_path()).read_text(encoding="utf-8")
    done, zhongben = "  - code: completed\n    name: 执行完毕\n", "  - code: zhongben\n    name: 终本\n"
    assert text.count("    name: 执行通知\n") == 1 and text.count(done) == 1 and text.count(zhongben) == 1
    own = _file(tmp_path, "本院流程.yaml", text.replace("    name: 执行通知\n", "    name: 本院执行通知\n").replace(
        done, done.replace("执行完毕", "本院执行完毕")).replace(zhongben, zhongben.replace("终本", "本院终本")))
    f = _file(tmp_path, "court.yaml", "name: 某院\nintake: {yearly: 300}\nstaff: {承办法官: {count: 1}, 书记员: "
              "{count: 1}}\n")
    out = tmp_path / "out"
    code = main(["simulate", str(f), "--process", str(own), "--years", "0.3", "-r", "1", "--backend", "serial",
                 "--no-validate", "--out", str(out)])
    assert code in (0, None)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "7 本院执行通知" in page and "7 执行通知<" not in page
    nodes = list(csv.DictReader(io.StringIO((out / "nodes.csv").read_text(encoding="utf-8-sig"))))
    assert {row["node_name"] for row in nodes if row["node"] == "7"} == {"本院执行通知"}
    cases = list(csv.DictReader(io.StringIO((out / "cases.csv").read_text(encoding="utf-8-sig"))))
    closed = {row["manner"]: row["manner_name"] for row in cases if row["manner"] in ("completed", "zhongben")
              and row["type"] != "preservation"}
    assert closed and set(closed.values()) <= {"本院执行完毕", "本院终本"}, closed


def test_a_court_naming_its_manners_and_authorities_otherwise_runs_as_the_bundled_one(tmp_path):
    """The simulated staff name manners and authorities by their codes, as the run's process names them: a court's
    file naming 执行完毕, 终本, the preservation manners, 院长, 执行局长, 分管副院长 and 审判管理办公室 its own way runs
    its year as the bundled process does — the staff wrote the bundled Chinese names, which its file did not know
    (refused UNKNOWN_MANNER, WRONG_AUTHORITY): no case ever closed, nothing was paid out, and the rule checks
    passed."""
    from core_flow.process_loader import default_process_path
    from sim.replicate import make_units
    from sim.run import run_unit

    text = Path(default_process_path()).read_text(encoding="utf-8")
    for code, name in (("completed", "执行完毕"), ("zhongben", "终本"), ("preservation_done", "保全完毕"),
                       ("preservation_partial", "部分保全"), ("preservation_none", "无标的物可实施保全")):
        written = f"  - code: {code}\n    name: {name}\n"
        assert text.count(written) == 1
        text = text.replace(written, f"  - code: {code}\n    name: 本院{name}\n")
    for name in ("审判管理办公室", "执行局长", "分管副院长", "院长"):
        assert text.count(f"name: {name},") == 1
        text = text.replace(f"name: {name},", f"name: 本院{name}甲,")
    own = _file(tmp_path, "本院流程.yaml", text)
    f = _file(tmp_path, "court.yaml", "name: 某院\nintake: {yearly: 300}\nstaff: {承办法官: {count: 1}, 书记员: "
              "{count: 1}}\ndisposal: true\n")
    runs = [run_unit(make_units([("某院", load_profile(f, process))], years=0.3, replications=1, seed=4)[0])
            for process in (None, own)]
    bundled, renamed = runs
    assert renamed["meta"]["process"]["base"].startswith("流程文件")
    assert renamed["meta"]["refusals"] == bundled["meta"]["refusals"]  # no UNKNOWN_MANNER, no WRONG_AUTHORITY
    for kpi in ("closed", "recovered_yuan", "proceeds_yuan", "resumptions", "node_freezes"):
        assert renamed["kpi"][kpi] == bundled["kpi"][kpi], kpi
    assert bundled["kpi"]["closed"] > 0 and bundled["kpi"]["recovered_yuan"] > 0
    assert [row["manner"] for row in renamed["cases"]] == [row["manner"] for row in bundled["cases"]]


def test_a_relative_process_option_is_named_absolute_in_the_outputs(tmp_path, monkeypatch):
    """``--process sub/p.yaml`` typed in one directory: the report and kpis.json name the file by its absolute path,
    as a profile's own ``process_file`` is — they said ``sub/p.yaml``, no file once the report is read elsewhere."""
    import json

    from core_flow.process_loader import default_process_path

    (tmp_path / "sub").mkdir()
    own = _file(tmp_path / "sub", "p.yaml", Path(default_process_path()).read_text(encoding="utf-8"))
    f = _file(tmp_path, "court.yaml", "name: 某院\nintake: {yearly: 100}\n")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    code = main(["simulate", "court.yaml", "--process", "sub/p.yaml", "--years", "0.05", "-r", "1", "--backend",
                 "serial", "--no-validate", "--out", str(out)])
    assert code in (0, None) and f.exists()
    base = json.loads((out / "kpis.json").read_text(encoding="utf-8"))["params"]["process"]["某院"]["base"]
    assert str(own.resolve()) in base, base
    assert str(own.resolve()) in (out / "report.html").read_text(encoding="utf-8")
