"""``python -m scenarios.record_check --process FILE`` (``make record-check PROCESS=FILE``): a court-year simulated
with a court's own process file (``zhixing simulate --process FILE``) is recorded with that file and replayed. Before,
record_check had no such option: a log of such a court could only be recorded as a log of the bundled process, and
what the file changed was lost (here the application fee's own tier: every payout's fee replayed wrong)."""

from __future__ import annotations

from pathlib import Path

import yaml

from core_flow import yaml_text
from core_flow.process_loader import default_process_path
from scenarios.process_options import load_base, merge
from scenarios.record_check import check_log, main
from sim.profile import load_profile
from sim.replicate import make_units
from sim.run import run_unit

# the court charges the application fee (off in the bundled process) at its own single tier: 10% of what is enforced
OWN = {"fees": {"application_fee": {"enabled": True, "tiers": [{"percent": 10}]}}}


def _court_file(tmp_path: Path, overrides: dict) -> Path:
    data = yaml_text.load(Path(default_process_path()).read_text(encoding="utf-8"))
    path = tmp_path / "court-process.yaml"
    path.write_text(yaml.safe_dump(merge(data, overrides), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _court_year(tmp_path: Path, process_file: Path) -> Path:
    """A short court-year (as ``zhixing simulate --process FILE --years 0.25 --intake 120 --warmup-days 0 --events``)
    of a court running ``process_file``: its per-event log."""
    profile = load_profile(None, process_file).with_intake(120).model_copy(update={"warmup_days": 0.0})
    (unit,) = make_units([(profile.name, profile)], years=0.25, replications=1, seed=7, check=False,
                         events_dir=str(tmp_path / "events"))
    run_unit(unit)
    (log,) = (tmp_path / "events").glob("events-*.csv")
    return log


def test_a_court_year_of_a_courts_own_process_file_records_with_it_and_replays_green(tmp_path: Path, capsys) -> None:
    court = _court_file(tmp_path, OWN)
    log = _court_year(tmp_path, court)
    assert "fee_settled" in log.read_text(encoding="utf-8")  # the court charged its fee
    assert main(["--process", str(court), "--events", str(log), "--limit", "12", "--show-failures"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"流程文件 process file: {court}"), out[:200]
    assert "共 12 件，12 件回放通过 / 12 of 12 cases replayed green" in out, out
    # each recording carries the court's own tier as process: (what the file sets differently from the bundled one)
    checks = check_log(log, 12, load_base(court))
    assert all(yaml.safe_load(c.text)["process"] == OWN for c in checks)
    assert sum("fee_settled" in c.text for c in checks) >= 6  # the fees are asserted, at the file's tier


def test_without_the_file_the_recording_guesses_the_bundled_tiers_and_the_replay_says_so(tmp_path: Path,
                                                                                           capsys) -> None:
    """Recorded as a log of the bundled process, only the fee's switch is read from the log: the replay settles the
    bundled tiers' fee (50 yuan on a small payout, not 10%), and the expected fee_settled is not emitted."""
    court = _court_file(tmp_path, OWN)
    log = _court_year(tmp_path, court)
    assert main(["--events", str(log), "--limit", "12", "--show-failures"]) == 1
    out = capsys.readouterr().out
    assert "失败 failed" in out and "fee_settled" in out and "amount_cents=5000" in out, out
    assert "12 件回放通过" not in out


def test_a_bad_process_file_is_said_with_its_line_before_any_log_is_read(tmp_path: Path, capsys) -> None:
    court = _court_file(tmp_path, {"fees": {"application_fee": {"enabled": "可能"}}})
    assert main(["--process", str(court), "--events", str(tmp_path / "absent.csv")]) == 2
    err = capsys.readouterr().err
    assert f"{court}:" in err and "enabled" in err, err
