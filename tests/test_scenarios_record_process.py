"""`zhixing scenarios record --process FILE`: a log of a court that ran its own process file is recorded with the
file's settings as the scenario's ``process:`` (what the file sets differently from the bundled process), so the
replay runs the court the log came from. Before, only the application fee's switch was read from the log: a court's
own tiers (or any other setting) were lost and the replay ran the bundled ones."""

from __future__ import annotations

from pathlib import Path

import yaml

from core_flow import yaml_text
from core_flow.process_loader import default_process_path
from scenarios.process_options import load_base, merge
from scenarios.record import differences, read_log, record
from scenarios.runner import run_scenario
from tests.test_scenarios_process import FEE_CASE, _one, recording_of
from zhixing.cli import main

# the court's own tiers: 10% of the money enforced (60,000): a fee of 6,000 settled first, the applicant 54,000
OWN = {"fees": {"application_fee": {"enabled": True, "tiers": [{"percent": 10}]}}}
CASE = FEE_CASE.format(name="本院分段", process="", expectation=(
    "expect_event: {kind: fee_settled, data: {amount_cents: 600000, settled: true}}")).replace(
    "pay_out: {amount: 59200}", "pay_out: {amount: 54000}")


def _court_file(tmp_path: Path, overrides: dict) -> Path:
    data = yaml_text.load(Path(default_process_path()).read_text(encoding="utf-8"))
    path = tmp_path / "court-process.yaml"
    path.write_text(yaml.safe_dump(merge(data, overrides), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_differences_are_the_overrides_that_give_the_file_back() -> None:
    base = {"a": {"b": 1, "c": [1, 2], "d": {"e": 1}}, "f": 2}
    data = {"a": {"b": 1, "c": [1, 3], "d": {"e": 1, "g": 2}}, "f": 2}
    assert differences(data, base) == {"a": {"c": [1, 3], "d": {"g": 2}}}
    assert merge(base, differences(data, base)) == data
    assert differences(base, base) is None


def test_a_log_of_a_court_with_its_own_process_file_records_and_replays_its_settings(tmp_path: Path, capsys) -> None:
    court = _court_file(tmp_path, OWN)
    base = load_base(court)
    sc = _one(CASE, "t.scenario.yaml", base)[0]
    log = tmp_path / "own.jsonl"
    recording_of(sc, log)  # the court ran the file: its fee of 6,000 settled, the applicant paid 54,000
    text = record(read_log(log), sc.case.number, str(log), base)
    doc = yaml.safe_load(text)
    assert doc["process"] == OWN, doc.get("process")
    assert "fees.application_fee.enabled, fees.application_fee.tiers" in text.split("name:")[0]  # said in the comment
    assert "⚠" not in text.split("name:")[0]  # the file is reproduced exactly
    replay = _one(text, "rec.scenario.yaml")[0]  # loaded on the bundled process, as `scenarios run` does
    result = run_scenario(replay)
    assert result.passed, result.explain()
    # without --process only the fee's switch is read from the log: the replay runs the bundled tiers and fails
    guessed = record(read_log(log), sc.case.number, str(log))
    assert yaml.safe_load(guessed)["process"] == {"fees": {"application_fee": {"enabled": True}}}
    assert not run_scenario(_one(guessed, "guess.scenario.yaml")[0]).passed
    # the command: --process FILE
    out = tmp_path / "rec.scenario.yaml"
    assert main(["scenarios", "record", "--events", str(log), "--case", sc.case.number, "--process", str(court),
                 "-o", str(out)]) in (0, None)
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["process"] == OWN
    assert "流程文件" in capsys.readouterr().out


def test_a_process_file_that_leaves_out_a_key_is_said_not_silent(tmp_path: Path) -> None:
    """Overrides never remove a key: a file without the fee's ``tiers`` (the model's default: none) is not the
    bundled process plus overrides (the bundled tiers stay). The recording says so in its comment."""
    data = yaml_text.load(Path(default_process_path()).read_text(encoding="utf-8"))
    del data["fees"]["application_fee"]["tiers"]
    court = tmp_path / "short.yaml"
    court.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    base = load_base(court)
    assert base.process.fees.application_fee.tiers == ()
    log = tmp_path / "short.jsonl"
    sc = _one(FEE_CASE.format(name="x", process="", expectation="expect_no_event: {kind: fee_settled}"),
              "t.scenario.yaml", base)[0]
    recording_of(sc, log)
    head = record(read_log(log), sc.case.number, str(log), base).split("name:")[0]
    assert f"⚠ 流程文件 {court} 省略了内置流程设置的键" in head and "cannot reproduce it exactly" in head, head
    assert "未设置与内置流程不同的值" in head  # nothing it sets differs: no process: written


def test_a_bad_process_file_is_a_located_error_before_the_log_is_read(tmp_path: Path, capsys) -> None:
    court = _court_file(tmp_path, {"fees": {"application_fee": {"enabled": "可能"}}})
    code = main(["scenarios", "record", "--events", str(tmp_path / "absent.jsonl"), "--case", "x", "--process",
                 str(court)])
    err = capsys.readouterr().err
    assert code == 2 and f"{court}:" in err and "enabled" in err, err
