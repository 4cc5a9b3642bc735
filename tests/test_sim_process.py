"""A planner simulates a court with its own process options: the court profile's ``process:`` (the same overrides as a
scenario's, ``core_flow.process_options``: mappings merged key by key, lists whole, checked by the process model when
the PROFILE is loaded, each problem at the profile's own ``file:line [process.key]``) and ``--process FILE`` (the
court's whole process file) for ``zhixing simulate`` and ``zhixing plan staffing``. The process crosses to a worker as
data; the fee court's year runs with its rule checks on, the fees settled apart from the money paid to applicants;
the outputs say which process ran. Every test fails on the code before (the profile refused ``process:`` as an
unknown field and had no ``--process``)."""

from __future__ import annotations

import csv
import io
import json
import pickle
from pathlib import Path

import pytest

from core_flow.errors import UserError
from core_flow.process_loader import default_process_path
from sim.profile import load_profile, process_data
from sim.replicate import make_units, run_units, strip
from sim.run import run_unit
from zhixing.cli import main

FEES_ON = "process:\n  fees:\n    application_fee:\n      enabled: true\n"
COURT = "name: 收费法院\nintake: {yearly: 300}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n"
PROCESS_TEXT = Path(default_process_path()).read_text(encoding="utf-8")


def _file(tmp_path: Path, name: str, text: str) -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture()
def fee_court(tmp_path: Path) -> Path:
    return _file(tmp_path, "fee.yaml", COURT + FEES_ON)


# ── the profile's process: ───────────────────────────────────────────────────────────────────────────────────
def test_a_profile_carries_process_overrides_merged_over_the_bundled_process(fee_court):
    profile = load_profile(fee_court)
    assert profile.process == {"fees": {"application_fee": {"enabled": True}}} and profile.process_file is None
    data = process_data(profile)
    fee = data["fees"]["application_fee"]
    assert fee["enabled"] is True and fee["settle"] == "before_applicant"  # one key changed, the others the base's
    assert data["nodes"] and data["case_types"]  # the rest of the bundled process kept
    assert process_data(load_profile()) is None  # no options: the bundled process, nothing carried


def test_bad_process_settings_are_profile_errors_at_their_lines_with_the_profiles_other_mistakes(tmp_path):
    text = (COURT.replace("{承办法官: {count: 1}", "{承办法官: {count: -1}") + "process:\n  fees:\n"
            "    application_fee:\n      enabled: maybe\n      tiers: 3\n")
    f = _file(tmp_path, "bad.yaml", text)
    with pytest.raises(UserError) as err:
        load_profile(f)
    said = err.value.message
    enabled, tiers = _line(text, "enabled: maybe"), _line(text, "tiers: 3")
    assert f"{f}:{enabled}:process.fees.application_fee.enabled" in said
    assert f"{f}:{tiers}:process.fees.application_fee.tiers" in said
    assert "staff.承办法官.count" in said  # together with the profile's other problem
    assert "流程设置无效：应为布尔值，收到 'maybe'" in said and "invalid process setting" in said  # Chinese first
    assert said.index("流程设置无效") < said.index("invalid process setting")


def test_process_not_a_mapping_says_what_it_takes(tmp_path):
    f = _file(tmp_path, "list.yaml", COURT + "process: [1]\n")
    with pytest.raises(UserError) as err:
        load_profile(f)
    said = err.value.message
    assert f"{f}:4:process" in said
    assert "process 须为映射：流程文件（process.yaml）的键" in said and "fees" in said and "收到 [1]" in said
    assert "mapping of process.yaml's keys" in said and "取值无效" not in said


def test_a_misspelt_process_key_is_guessed(tmp_path):
    f = _file(tmp_path, "typo.yaml", COURT + "process:\n  feez:\n    application_fee: {enabled: true}\n")
    with pytest.raises(UserError) as err:
        load_profile(f)
    assert f"{f}:5:process.feez" in err.value.message
    assert "未知键 'feez'；是否想写：fees" in err.value.message and "did you mean: fees" in err.value.message


def test_an_alias_bomb_in_a_profile_is_refused_at_once(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    f = _file(tmp_path, "bomb.yaml", "process:\n  x:\n" + "".join(f"    {line}\n" for line in lines))
    with pytest.raises(UserError) as err:
        load_profile(f)
    assert "别名" in err.value.zh and "aliases" in err.value.en


def test_a_province_layers_process_like_its_other_keys(tmp_path):
    """``common``'s process: under a court's own: mappings merged key by key."""
    _file(tmp_path, "甲.yaml", "name: 甲\nprocess:\n  fees:\n    application_fee: {settle: after_applicant}\n")
    f = _file(tmp_path, "省.yaml", "name: 省\ncommon:\n  intake: {yearly: 200}\n" + FEES_ON.replace("\n", "\n  ")
              .replace("process:", "  process:", 1).rstrip() + "\ncourts:\n  - {profile: 甲.yaml}\n  - {name: 乙}\n")
    from sim.province import load_province

    courts = dict(load_province(f).courts)
    assert courts["甲"].process == {"fees": {"application_fee": {"enabled": True, "settle": "after_applicant"}}}
    assert courts["乙"].process == {"fees": {"application_fee": {"enabled": True}}}


# ── --process FILE: a court's whole process file ─────────────────────────────────────────────────────────────
def test_a_whole_process_file_is_the_base_the_profiles_process_applies_over(tmp_path, fee_court):
    own = _file(tmp_path, "本院流程.yaml", PROCESS_TEXT.replace("    settle: before_applicant",
                                                           "    settle: after_applicant"))
    profile = load_profile(fee_court, own)
    assert profile.process_file == str(own)
    fee = process_data(profile)["fees"]["application_fee"]
    assert fee["settle"] == "after_applicant" and fee["enabled"] is True  # the file's, then the profile's over it
    # a profile may name its file itself (relative to the profile)
    named = _file(tmp_path, "named.yaml", COURT + "process_file: 本院流程.yaml\n")
    assert load_profile(named).process_file == str(own.resolve())


def test_a_bad_process_file_is_said_at_its_line_exit_2(tmp_path, fee_court, capsys):
    text = PROCESS_TEXT.replace("    enabled: false", "    enabled: sometimes")
    bad = _file(tmp_path, "bad_process.yaml", text)
    code = main(["simulate", str(fee_court), "--process", str(bad), "--years", "0.05", "-r", "1", "--backend",
                 "serial", "--out", str(tmp_path / "out")])
    got = capsys.readouterr()
    said = " ".join((got.out + got.err).split())
    assert code == 2
    assert f"{bad}:{_line(text, 'enabled: sometimes')}" in said and "fees.application_fee.enabled" in said
    assert not (tmp_path / "out" / "report.html").exists()  # refused before anything ran


def test_plan_staffing_takes_process_too(tmp_path, fee_court, capsys):
    bad = _file(tmp_path, "p.yaml", "nodes: 3\n")
    code = main(["plan", "staffing", str(fee_court), "--target", "compliance>=0.5", "--process", str(bad),
                 "--years", "0.05", "-r", "1"])
    got = capsys.readouterr()
    said = " ".join((got.out + got.err).split())
    assert code == 2 and f"{bad}:1" in said and "[nodes]" in said


def test_plan_intake_takes_process_too(tmp_path, fee_court, capsys):
    """`plan intake` had no --process (staffing and simulate had): a court's own process file could not be searched."""
    bad = _file(tmp_path, "p.yaml", "nodes: 3\n")
    code = main(["plan", "intake", str(fee_court), "--target", "compliance>=0.5", "--process", str(bad),
                 "--years", "0.05", "-r", "1"])
    said = " ".join("".join(capsys.readouterr()).split())
    assert code == 2 and f"{bad}:1" in said and "[nodes]" in said
    own = _file(tmp_path, "own.yaml", PROCESS_TEXT.replace("    settle: before_applicant",
                                                            "    settle: after_applicant"))
    code = main(["plan", "intake", str(fee_court), "--target", "compliance>=0.1", "--process", str(own),
                 "--years", "0.02", "-r", "2", "--steps", "1", "--low", "50", "--high", "100", "--backend", "serial"])
    said = " ".join("".join(capsys.readouterr()).split())
    assert code in (0, None) and str(own.resolve()) in said and "fees.application_fee.enabled=true" in said, said


# ── the run: data to the worker, fees settled, money to the cent ─────────────────────────────────────────────
def test_the_unit_carries_the_process_as_data_and_backends_agree(fee_court):
    units = make_units([("收费法院", load_profile(fee_court).with_intake(150))], years=0.1, replications=2, seed=5)
    unit = units[0]
    assert unit.process is not None and unit.process["fees"]["application_fee"]["enabled"] is True
    assert pickle.loads(pickle.dumps(unit)) == unit  # what crosses to a process-pool or Ray worker
    serial = run_units(units, backend="serial")
    pooled = run_units(units, backend="process", workers=2)
    assert strip(serial) == strip(pooled) and serial[0]["cases"] == pooled[0]["cases"]
    assert "fees_yuan" in serial[0]["kpi"]


def test_ray_runs_the_fee_court_as_serial_does(fee_court):
    """Ray workers import this tree afresh: the process they build from the unit's data is the fee court's."""
    pytest.importorskip("ray")
    units = make_units([("收费法院", load_profile(fee_court).with_intake(150))], years=0.1, replications=1, seed=5)
    serial = run_units(units, backend="serial")
    on_ray = run_units(units, backend="ray", workers=1)
    assert strip(on_ray) == strip(serial) and on_ray[0]["kpi"]["fees_yuan"] == serial[0]["kpi"]["fees_yuan"]


def test_a_fee_court_year_runs_with_its_rule_checks_and_the_fees_apart_from_the_applicants_money(fee_court):
    """A small fee court-year, rule checks on (a violation fails the run): the fees the ledger settled are the KPI's
    ``fees_yuan``; the money paid to applicants is what left the case accounts less exactly those fees (and any
    surplus returned to debtors), to the cent — case by case and in all."""
    unit = make_units([("收费法院", load_profile(fee_court))], years=0.4, replications=1, seed=11)[0]
    r = run_unit(unit)
    assert r["invariants"]["violation_count"] == 0
    rows = r["cases"]
    fees = sum(row["fee_settled_cents"] for row in rows)
    paid = sum(row["paid_cents"] for row in rows)
    returned = sum(row["returned_cents"] for row in rows)
    assert fees > 0 and r["kpi"]["fees_yuan"] == fees / 100
    assert round(r["kpi"]["recovered_yuan"] * 100) == paid - fees - returned
    assert all(row["fee_settled_cents"] <= row["fee_cents"] for row in rows)
    assert r["meta"]["process"]["overrides"] == ["fees.application_fee.enabled=true"]
    # the same court without the fee: nothing settled, the applicants get all that left the accounts
    plain = run_unit(make_units([("法院", load_profile(fee_court).model_copy(update={"process": {}}))], years=0.4,
                                replications=1, seed=11)[0])
    assert "fees_yuan" not in plain["kpi"] and "process" not in plain["meta"]
    assert round(plain["kpi"]["recovered_yuan"] * 100) == sum(row["paid_cents"] - row["returned_cents"]
                                                               for row in plain["cases"])


def test_a_payout_the_checks_do_not_see_fails_the_money_reconciliation(fee_court, monkeypatch):
    """The new check: payees' money plus the fees settled is what left each case account."""
    from core_flow.engine import EventKind
    from sim.invariants import Checker, SimulationCheckFailed

    seen = Checker.__call__
    dropped: list[str] = []

    def losing_one(self, e):
        if e.kind == EventKind.PAID_OUT and not dropped:
            dropped.append(e.case_id)
            return None
        return seen(self, e)

    monkeypatch.setattr(Checker, "__call__", losing_one)
    unit = make_units([("收费法院", load_profile(fee_court))], years=0.4, replications=1, seed=11)[0]
    with pytest.raises(SimulationCheckFailed) as err:
        run_unit(unit)
    assert dropped and any(v["case"] == dropped[0] and "application fee settled" in v["en"]
                           for v in err.value.violations)


# ── which process ran: never silent ──────────────────────────────────────────────────────────────────────────
def test_simulate_says_which_process_ran_in_its_output_and_report(fee_court, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["simulate", str(fee_court), "--years", "0.1", "-r", "1", "--backend", "serial", "--no-validate",
                 "--out", str(out)])
    said = " ".join(capsys.readouterr().out.split())
    assert code == 0
    assert "流程选项覆盖 / process overrides: fees.application_fee.enabled=true" in said
    assert "结算执行申请费" in said  # the fees KPI in the table
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "流程选项覆盖 / process overrides" in page and "fees.application_fee.enabled=true" in page
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert "fees_yuan" in json.dumps(kpis)
    assert kpis["params"]["process"]["收费法院"]["overrides"] == ["fees.application_fee.enabled=true"]
    rows = list(csv.DictReader(io.StringIO((out / "cases.csv").read_text(encoding="utf-8-sig"))))
    assert "fee_settled_yuan" in rows[0]


def test_the_bundled_process_is_said_too(tmp_path, capsys):
    f = _file(tmp_path, "plain.yaml", COURT)
    out = tmp_path / "out"
    code = main(["simulate", str(f), "--years", "0.05", "-r", "1", "--backend", "serial", "--no-validate",
                 "--out", str(out)])
    said = " ".join(capsys.readouterr().out.split())
    assert code == 0 and "流程 / process: 内置流程" in said and "process overrides" not in said
    assert "内置流程" in (out / "report.html").read_text(encoding="utf-8")


def test_a_fee_court_disposing_of_property_pays_its_proceeds_after_the_fee(tmp_path, monkeypatch):
    """The disposal's handler pays the proceeds the way the engine then asks (process.yaml ``fees``): the applicant
    what is left after the fee (FEE_UNSETTLED says how much), the surplus what the receipt holds after both — before,
    a refused payout of proceeds was dropped and the surplus refused BAD_AMOUNT: the money stayed held for good."""
    import core_flow.platform.platform as platform

    refused: list[tuple[str, str]] = []
    pay_out = platform.Platform.pay_out

    def watched(self, case_id, receipt, amount_cents, payee=None, surplus=False):
        out = pay_out(self, case_id, receipt, amount_cents, payee, surplus)
        if out.refusal is not None and out.refusal.code != "FEE_UNSETTLED":  # FEE_UNSETTLED: paid what it says
            refused.append((case_id, out.refusal.code))
        return out

    monkeypatch.setattr(platform.Platform, "pay_out", watched)
    f = _file(tmp_path, "dispose.yaml", COURT.replace("300", "400") + "disposal: true\n" + FEES_ON)
    r = run_unit(make_units([("收费法院", load_profile(f))], years=0.8, replications=1, seed=3)[0])
    assert r["invariants"]["violation_count"] == 0 and r["kpi"]["proceeds_yuan"] > 0 and r["kpi"]["fees_yuan"] > 0
    assert not [code for _, code in refused if code == "BAD_AMOUNT"]
    assert all(row["fee_settled_cents"] <= row["fee_cents"] for row in r["cases"])


def test_a_province_of_a_fee_court_and_a_bundled_one_says_each_and_writes_one_cases_table(tmp_path, capsys):
    """Courts of one province with different processes: each court's process said; the cases table has the fee
    columns (empty for the court that does not charge) — its columns were the first row's, and a later court's
    extra fields failed the write."""
    f = _file(tmp_path, "省.yaml", "name: 测试省\ncommon:\n  intake: {yearly: 150}\ncourts:\n  - name: 乙\n"
              "  - name: 甲\n    process: {fees: {application_fee: {enabled: true}}}\n")
    out = tmp_path / "out"
    code = main(["simulate", str(f), "--years", "0.1", "-r", "1", "--backend", "serial", "--no-validate",
                 "--out", str(out)])
    said = " ".join(capsys.readouterr().out.split())
    assert code == 0
    assert "甲：流程 / process: 内置流程" in said and "乙：流程 / process: 内置流程" in said
    assert "process overrides: fees.application_fee.enabled=true" in said
    rows = list(csv.DictReader(io.StringIO((out / "cases.csv").read_text(encoding="utf-8-sig"))))
    assert {row["court"] for row in rows} == {"甲", "乙"}
    assert all(row["fee_yuan"] == "" for row in rows if row["court"] == "乙")
    assert any(row["fee_settled_yuan"] not in ("", "0.00") for row in rows if row["court"] == "甲")
