"""Provisional calendar years past the official holiday data (issue 9, point 1).

Expected dates come from 《全国年节及纪念日放假办法》(2024 revision, LAW.md "Computing periods") and the 2027
Gregorian/lunar calendar counted by hand — 2027-01-01 and 2027-10-01 are Fridays, 春节 (正月初一) is Saturday
2027-02-06 — not from the implementation. Virtual time only: nothing here sleeps.
"""

from __future__ import annotations

import json
import textwrap
import warnings
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.legal_calendar import (
    CST,
    ENV_VAR,
    STRICT_ENV_VAR,
    CalendarRangeError,
    HolidayCalendar,
    LegalCalendar,
    Period,
    ProvisionalCalendarWarning,
    provisional_year_of,
)
from zhixing import cli

pytest_plugins = ["pytester"]

SUITE_FILE = Path(__file__).parent.parent / "scenarios" / "suite" / "holidays" / "provisional.scenario.yaml"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delenv(STRICT_ENV_VAR, raising=False)


def at(y: int, m: int, d: int, hh: int = 0) -> datetime:
    return datetime(y, m, d, hh, tzinfo=CST)


def lenient() -> HolidayCalendar:
    return HolidayCalendar(use_env=False)


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


# An official-looking 2027 (test data, not the real notice): 国庆 Oct 1–7 with a make-up Saturday Oct 9.
OFFICIAL_2027 = """\
    years:
      2027:
        source: "测试通知 test notice 2027 (not real)"
        holidays:
          - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
          - {name: 国庆节, from: 2027-10-01, to: 2027-10-07}
        workdays: [2027-09-26, 2027-10-09]
    """


# ------------------------------------------------------------------------------------- the provisional year


def test_2027_provisional_rests_on_statutory_days_where_weekends_only_works() -> None:
    hc = lenient()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # weekdays that weekends-only would call working days
        for d in (date(2027, 1, 1), date(2027, 10, 1), date(2027, 10, 4), date(2027, 10, 5), date(2027, 2, 5),
                  date(2027, 2, 8), date(2027, 2, 9), date(2027, 2, 10), date(2027, 5, 3), date(2027, 5, 4)):
            assert d.weekday() < 5 and hc.is_rest_day(d), d
        for d in (date(2027, 1, 1), date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)):
            reason = hc.rest_reason(d)
            assert reason is not None and "暂定" in reason and "provisional" in reason, reason
        assert hc.rest_reason(date(2027, 1, 1)).startswith("元旦")
        assert hc.rest_reason(date(2027, 10, 2)).startswith("国庆节")  # a Saturday, but named as 国庆
        assert hc.rest_reason(date(2027, 10, 4)).startswith("国庆节（补假")
        # ordinary days stay as they were; no make-up working day is invented
        assert hc.is_working_day(date(2027, 1, 4)) and hc.is_working_day(date(2027, 10, 6))
        assert hc.is_rest_day(date(2027, 10, 9))  # a Saturday: 调休 unknown, so a rest day
        data = hc.year_data(2027)
    assert data.provisional and data.workdays == set()
    assert hc.covered_years()[-1] == 2026 and hc.provisional_years() == [2027]


def test_deadlines_in_2027_carry_the_provisional_warning_and_2026_ones_do_not() -> None:
    cal = LegalCalendar(lenient())
    with pytest.warns(ProvisionalCalendarWarning, match="2027"):
        dl = cal.deadline(at(2026, 12, 22, 9), Period.parse("10d"))
    # weekends-only would end on Friday 2027-01-01; 元旦 is a rest day, then the weekend
    assert dl.nominal_last_day == date(2027, 1, 1) and dl.last_day == date(2027, 1, 4) and dl.rolled
    assert dl.provisional and dl.provisional_years == (2027,)
    (text,) = dl.warnings
    assert provisional_year_of(text) == 2027
    for word in ("2027", "暂定", "provisional", "调休", "make-up", "--holidays", ENV_VAR, "holidays_extension.yaml",
                 "《全国年节及纪念日放假办法》"):
        assert word in text, word
    assert any("元旦（暂定）" in line for line in dl.explain())
    assert dl.as_dict()["provisional"] is True and dl.as_dict()["provisional_years"] == [2027]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the Python warning is emitted once per year; the text stays on results
        again = cal.deadline(at(2026, 12, 30, 9), Period.parse("2wd"))
        official = cal.deadline(at(2026, 9, 29, 9), Period.parse("3d"))
    assert again.last_day == date(2027, 1, 4) and again.provisional  # Dec 31, then Jan 4 (Jan 1 is 元旦)
    assert official.last_day == date(2026, 10, 8)  # 2026 国庆 (official): Oct 1–7 rest
    assert official.warnings == () and not official.provisional and official.as_dict()["provisional"] is False
    # natural counting inspects no day: no warning even in 2027
    assert cal.deadline(at(2026, 12, 22, 9), Period.parse("10d"), "natural").warnings == ()
    assert provisional_year_of("something else") is None


def test_warnings_name_exactly_the_provisional_years_a_computation_inspected() -> None:
    cal = LegalCalendar(lenient())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(2):  # the second time from the per-span cache: the same answer
            # nominal Sunday 2028-01-02; 元旦 2028 is a Saturday, made up on Monday 01-03 (补假)
            rolled = cal.deadline(at(2027, 12, 30, 9), Period.parse("3d"))
            assert rolled.last_day == date(2028, 1, 4) and rolled.provisional_years == (2028,)
            # 10 working days from Monday 2027-12-20: Dec 21–24, 27–31, then Jan 4 (Jan 3 is 补假)
            counted = cal.deadline(at(2027, 12, 20, 9), Period.parse("10wd"))
            assert counted.last_day == date(2028, 1, 4) and counted.provisional_years == (2027, 2028)
            inside = cal.deadline(at(2027, 3, 1, 9), Period.parse("3d"))
            assert inside.last_day == date(2027, 3, 4) and inside.provisional_years == (2027,)


def test_an_extension_file_replaces_the_provisional_year(tmp_path, monkeypatch) -> None:
    path = write(tmp_path, "2027.yaml", OFFICIAL_2027)
    for hc in (HolidayCalendar([path], use_env=False), HolidayCalendar([path], use_env=False, strict=True)):
        cal = LegalCalendar(hc)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # official data: no provisional warning at all
            assert hc.is_working_day(date(2027, 10, 9))  # the make-up Saturday
            assert hc.is_working_day(date(2027, 9, 26))  # the make-up Sunday
            assert hc.is_rest_day(date(2027, 10, 6)) and hc.is_rest_day(date(2027, 10, 7))  # provisional: working
            assert hc.rest_reason(date(2027, 10, 1)) == "国庆节 National Day"
            dl = cal.deadline(at(2027, 9, 21, 9), Period.parse("10d"))
        assert dl.last_day == date(2027, 10, 8) and dl.warnings == () and not dl.provisional
        data = hc.year_data(2027)
        assert not data.provisional and data.source == "测试通知 test notice 2027 (not real)"
    # the provisional calendar would say otherwise for the same period
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        provisional = LegalCalendar(lenient()).deadline(at(2027, 9, 21, 9), Period.parse("10d"))
    assert provisional.last_day == date(2027, 10, 6) and provisional.provisional
    # the following year is still provisional
    with pytest.warns(ProvisionalCalendarWarning, match="2028"):
        assert HolidayCalendar([path], use_env=False).is_rest_day(date(2028, 1, 1))
    # the same file named by $ZHIXING_HOLIDAYS
    monkeypatch.setenv(ENV_VAR, str(path))
    assert HolidayCalendar().is_working_day(date(2027, 10, 9))


def test_strict_mode_raises_and_the_setting_reads_the_environment(monkeypatch) -> None:
    strict = HolidayCalendar(use_env=False, strict=True)
    with pytest.raises(CalendarRangeError) as ei:
        LegalCalendar(strict).deadline(at(2026, 12, 22, 9), Period.parse("10d"))
    assert ei.value.code == "calendar_range" and "2027-01-01" in ei.value.message
    assert "--strict-calendar" in ei.value.zh and "--strict-calendar" in ei.value.en
    for value, expected in (("1", True), ("yes", True), ("ON", True), ("0", False), ("", False), ("off", False)):
        monkeypatch.setenv(STRICT_ENV_VAR, value)
        assert HolidayCalendar().strict is expected, value
        assert HolidayCalendar(use_env=False).strict is False  # use_env=False ignores the environment
    monkeypatch.setenv(STRICT_ENV_VAR, "1")
    assert HolidayCalendar(strict=False).strict is False  # an explicit setting wins
    with pytest.raises(CalendarRangeError):
        HolidayCalendar().is_rest_day(date(2027, 1, 1))
    monkeypatch.setenv(STRICT_ENV_VAR, "maybe")
    with pytest.raises(UserError) as ei:
        HolidayCalendar()
    assert ei.value.where == STRICT_ENV_VAR and "maybe" in ei.value.message


def test_years_without_a_provisional_year_raise_in_either_mode() -> None:
    hc = lenient()
    with pytest.raises(CalendarRangeError) as ei:
        hc.is_rest_day(date(2101, 3, 1))  # past the holidays package's lunar tables
    assert "2101" in ei.value.message
    with pytest.raises(CalendarRangeError):
        hc.year_data(2003)


# ---------------------------------------------------------------------------------------------- the engine


def _court(strict: bool | None):
    from sim.assembly import build_virtual_court

    origin = at(2026, 12, 4, 9)
    return origin, build_virtual_court(origin, seed=7, diligence=1.0, strict_calendar=strict,
                                       identity_failure_rate=0.0, same_handler_rate=0.0)


def _file(court, case_id: str, i: int):
    d = court.session.world.debtor(i)
    return court.platform.file(c.FileCase(case_id, debtors=(d.id_number,), amount_cents=50_000_00), [d.subject()])


def test_cases_filed_on_2026_12_04_run_their_whole_first_year_on_the_default_settings() -> None:
    origin, court = _court(None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs = [_file(court, f"K{i}", i) for i in range(4)]
    assert all(o.accepted for o in outs)
    court.run_until(origin + timedelta(days=366))  # virtual time: the simulated clerk works every case
    events = court.runtime.events
    assert court.clock.now() == origin + timedelta(days=366)
    assert not [e for e in events if e.kind == EventKind.REFUSED and e.data.get("code") == "CALENDAR_RANGE"]
    # each case's 6-month limit lies in 2027 and is flagged provisional on its deadline_set event
    for i in range(4):
        limit = [e for e in court.runtime.case_events(f"K{i}") if e.kind == EventKind.DEADLINE_SET and e.node == 43]
        assert limit and limit[0].data["due"].year == 2027
        assert [provisional_year_of(w) for w in limit[0].data["calendar_warnings"]] == [2027]
    # the cases went on in 2027: every one was closed, and 终本 cases were swept months later
    assert all(s.closed_manner is not None for s in court.runtime.cases.values())
    assert any(e.kind == EventKind.SWEEP_DUE and e.at >= at(2027, 6, 1) for e in events)


def test_a_strict_court_refuses_the_same_filing_with_calendar_range() -> None:
    _origin, court = _court(True)
    out = _file(court, "K0", 0)
    assert not out.accepted and out.refusal.code == "CALENDAR_RANGE" and "2027" in out.refusal.zh
    assert "K0" not in court.runtime.cases


# ------------------------------------------------------------------------------------------------------ CLI


def test_calendar_show_2027_lists_provisional_days_with_their_source(capsys) -> None:
    assert cli.main(["calendar", "show", "2027"]) == 0
    out = capsys.readouterr().out
    assert "暂定 provisional" in out and "调休未知" in out and "make-up days unknown" in out
    assert "《全国年节及纪念日放假办法》" in out and "官方 official" not in out
    assert "2027-01-01" in out and "元旦（暂定）" in out and "2027-10-05" in out
    assert "警告 / warning: 2027 年节假日为暂定" in out
    assert cli.main(["calendar", "show", "2027", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["provisional"] is True and data["workdays"] == [] and data["workdays_known"] is False
    days = [h["date"] for h in data["holidays"]]
    assert {"2027-01-01", "2027-10-01", "2027-10-02", "2027-10-03"} <= set(days)
    assert {h["source_kind"] for h in data["holidays"]} == {"暂定 provisional"}
    assert data["rest_days"] + data["working_days"] == 365


def test_calendar_show_2026_is_official_with_make_up_days(capsys) -> None:
    assert cli.main(["calendar", "show", "2026"]) == 0
    out = capsys.readouterr().out
    assert "官方 official" in out and "chinesecalendar" in out and "暂定" not in out
    assert cli.main(["calendar", "show", "2026", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # 2026 春节 (LAW.md): rest Feb 15–23, make-up working days Feb 14 (Sat) and Feb 28 (Sat)
    workdays = {w["date"] for w in data["workdays"]}
    assert {"2026-02-14", "2026-02-28"} <= workdays
    assert {f"2026-02-{d}" for d in range(15, 24)} <= {h["date"] for h in data["holidays"]}
    assert data["provisional"] is False and data["warnings"] == []


def test_calendar_show_strict_extension_and_bad_years(capsys, tmp_path) -> None:
    assert cli.main(["calendar", "show", "2027", "--strict-calendar"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 / error:") and "2027" in err and "Traceback" not in err
    ext = write(tmp_path, "2027.yaml", OFFICIAL_2027)
    assert cli.main(["calendar", "show", "2027", "--holidays", str(ext), "--strict-calendar"]) == 0
    out = capsys.readouterr().out
    assert "官方 official — 测试通知 test notice 2027 (not real)" in out and "暂定" not in out
    assert "2027-10-09" in out and "调休上班" in out
    assert cli.main(["calendar", "show", "1999"]) == 2
    err = capsys.readouterr().err
    assert "1999" in err and "Traceback" not in err


def test_deadline_command_marks_a_provisional_result(capsys) -> None:
    argv = ["deadline", "--from", "2026-12-22 09:00", "--period", "10d"]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == "最后一日 / last day: 2027-01-04  [暂定 provisional]"
    assert lines[1].endswith("[暂定 provisional]")
    assert lines[2].startswith("暂定 / provisional:") and "2027" in lines[2]
    assert "2027 年节假日为暂定" in captured.err
    assert cli.main(["deadline", "--from", "2026-12-01 09:00", "--period", "10d"]) == 0
    out = capsys.readouterr().out
    assert "暂定" not in out and out.splitlines()[0] == "最后一日 / last day: 2026-12-11"


# ------------------------------------------------------------------------------------------------ scenarios


def test_scenario_runs_report_provisional_deadlines_on_console_junit_and_html(tmp_path) -> None:
    from scenarios.cli import run_command

    lines: list[str] = []
    junit, html = tmp_path / "j.xml", tmp_path / "r.html"
    assert run_command([SUITE_FILE], junit, html, echo=lines.append) == 0
    text = "\n".join(lines)
    assert text.count("⚠ 警告 / warning: 暂定日历 / provisional calendar") == 3
    assert "3 个场景的期限依赖 2027、2028 年暂定日历" in text
    root = ET.parse(junit).getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == 3
    for tc in cases:
        props = {p.get("name"): p.get("value") for p in tc.findall("./properties/property")}
        assert props["calendar_provisional"].startswith("2027") and "provisional" in props["calendar_warning"]
    page = html.read_text(encoding="utf-8")
    assert "⚠ 暂定 provisional" in page and "3 个场景的期限依赖暂定日历" in page


def test_a_strict_scenario_run_fails_where_the_engine_refuses(tmp_path) -> None:
    from scenarios.cli import run_command

    lines: list[str] = []
    assert run_command([SUITE_FILE], echo=lines.append, strict_calendar=True) == 1
    text = "\n".join(lines)
    assert "CALENDAR_RANGE" in text and "暂定日历 / provisional calendar" not in text


def test_pytest_plugin_warns_and_writes_junit_properties(pytester) -> None:
    pytester.makefile(".scenario.yaml", provisional=SUITE_FILE.read_text(encoding="utf-8"))
    result = pytester.runpytest("-p", "no:cacheprovider", "--junitxml=j.xml")
    result.assert_outcomes(passed=3, warnings=3)
    result.stdout.fnmatch_lines(["*ProvisionalCalendarWarning*provisional.scenario.yaml*2027*"])
    root = ET.parse(pytester.path / "j.xml").getroot()
    names = [p.get("name") for p in root.iter("property")]
    assert names.count("calendar_provisional") == 3 and names.count("calendar_warning") == 3
    strict = pytester.runpytest("-p", "no:cacheprovider", "--strict-calendar")
    strict.assert_outcomes(failed=3)  # every filing arms a 6-month limit in 2027: refused with CALENDAR_RANGE
    strict.stdout.fnmatch_lines(["*拒绝 refused CALENDAR_RANGE*"])
