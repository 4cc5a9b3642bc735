"""`zhixing deadline` through zhixing.cli.main, output captured with capsys."""

from __future__ import annotations

import json

import pytest

from zhixing import cli

WORKED = ["deadline", "--from", "2025-09-29 10:00", "--period", "3d"]


def test_worked_example_text(capsys) -> None:
    assert cli.main(WORKED) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "最后一日 / last day: 2025-10-09"
    assert lines[1] == "届满时刻 / due: 2025-10-10T00:00:00+08:00 (2025-10-09 24:00)"
    assert "国庆节 National Day" in out
    assert "2025-10-02 → 2025-10-09" in out


def test_worked_example_json(capsys) -> None:
    assert cli.main([*WORKED, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["last_day"] == "2025-10-09"
    assert data["due"] == "2025-10-10T00:00:00+08:00"
    assert data["nominal_last_day"] == "2025-10-02" and data["rolled"] is True
    assert any("国庆节" in line for line in data["explanation"])


@pytest.mark.parametrize(("words", "canonical"), [
    ("三日", "3d"), ("3日", "3d"), ("15天", "15d"), ("四十八小时", "48h"), ("十个工作日", "10wd"), ("六个月", "6m"),
    ("一年", "1y"), ("当天", "same_day"), ("一百二十日", "120d"), ("一百零五日", "105d"), ("3 日", "3d"),
])
def test_a_period_in_the_laws_own_words(capsys, words: str, canonical: str) -> None:
    """民诉法 writes 十五日、六个月: typed so, the period is the same as its short form."""
    assert cli.main(["deadline", "--from", "2025-09-29 10:00", "--period", words, "--json"]) == 0
    by_words = json.loads(capsys.readouterr().out)
    assert cli.main(["deadline", "--from", "2025-09-29 10:00", "--period", canonical, "--json"]) == 0
    assert by_words == json.loads(capsys.readouterr().out)
    assert by_words["period"] == canonical


def test_natural_policy(capsys) -> None:
    assert cli.main([*WORKED, "--policy", "natural", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["last_day"] == "2025-10-02" and data["rolled"] is False


@pytest.mark.parametrize(
    ("argv", "where"),
    [
        (["deadline", "--from", "2025-09-29 10:00", "--period", "3x"], "--period"),
        (["deadline", "--from", "2025-09-29 10:00", "--period", "6月"], "--period"),  # June, not six months
        (["deadline", "--from", "2025-09-29 10:00", "--period", "四八小时"], "--period"),
        (["deadline", "--from", "2025-09-29 10:00", "--period", "零日"], "--period"),
        (["deadline", "--from", "29/09/2025", "--period", "3d"], "--from"),
        (["deadline", "--from", "2025-09-29", "--period", "3d", "--policy", "lenient"], "--policy"),
        (["deadline", "--from", "9999-12-31 10:00", "--period", "3d"], "--from / --period"),  # past year 9999
    ],
)
def test_bad_input_exits_2_with_bilingual_message(capsys, argv: list[str], where: str) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"错误 / error: {where}: ")
    assert " / " in captured.err and "Traceback" not in captured.err


def test_beyond_official_data_is_provisional_or_strict_error(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("ZHIXING_CALENDAR_STRICT", raising=False)
    argv = ["deadline", "--from", "2026-12-30 09:00", "--period", "3d"]
    assert cli.main([*argv, "--strict-calendar"]) == 2
    err = capsys.readouterr().err
    assert "2027-01-02" in err and "--strict-calendar" in err and "Traceback" not in err
    assert cli.main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["last_day"] == "2027-01-04" and data["provisional"] is True and data["provisional_years"] == [2027]
    assert data["warnings"] and "2027" in data["warnings"][0]
    ext = tmp_path / "2027.yaml"
    ext.write_text('years:\n  2027:\n    source: "test data"\n    workdays: [2027-01-02]\n', encoding="utf-8")
    for extra in ([], ["--strict-calendar"]):
        assert cli.main([*argv, "--holidays", str(ext), *extra, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["last_day"] == "2027-01-02" and data["warnings"] == [] and data["provisional"] is False


def test_malformed_holidays_file(capsys, tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("years:\n  2027:\n    source: x\n    workdays: [2027-02-30]\n", encoding="utf-8")
    assert cli.main([*WORKED, "--holidays", str(bad)]) == 2
    assert f"{bad}:4" in capsys.readouterr().err


PROVISIONAL = ["deadline", "--from", "2026-12-28 10:00", "--period", "十个工作日"]


def test_a_provisional_warning_is_shown_once_on_a_terminal_and_kept_on_the_console_when_redirected(
        capsys, monkeypatch) -> None:
    """The explanation carries the warning; on a terminal it was printed twice (stdout and stderr, 300 characters
    each). Redirected, the console (stderr) still shows it."""
    assert cli.main(PROVISIONAL) == 0  # redirected (captured): in the explanation and on stderr
    out, err = capsys.readouterr()
    assert out.count("2027 年节假日为暂定") == 1 and err.count("2027 年节假日为暂定") == 1
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert cli.main(PROVISIONAL) == 0
    out, err = capsys.readouterr()
    assert out.count("2027 年节假日为暂定") == 1 and "2027" not in err
    assert "最后一日 / last day: 2027-01-12  [暂定 provisional]" in out
