"""A court tester and a vendor's engineer walking scenarios/README.md and certify/README.md from a clean shell
(review R5). Found:

* a date written the right way that does not exist (``2026-02-30``, ``2026-13-01``) or a time of day that does not
  (``25:00``) was told "unrecognised time … expected a date (YYYY-MM-DD …)" — the very form she had written;
* ``--court-url`` (and ``zhixing certify court --driver``) at a server that is not a court driver interface: an
  ordinary web page ended in a ``JSONDecodeError`` stack trace, a 404 in ``GET /now: 被测系统返回 404`` naming no
  option, and an address without ``http://`` in the HTTP client's English complaint in the Chinese half;
* ``zhixing certify agency --only`` with a misspelt check said "unknown checks" without naming the checks there are.
"""

from __future__ import annotations

from scenarios.loader import parse_text

SCENARIO = """\
name: 日期写错
case:
  number: (2026)豫0811执501号
  amount: 50000
  filed: {filed}
  debtors: [{{as: 张某, world: 3}}]
steps:
  - at: {at}
    assign: 李法官
  - expect_deadline: {{node: 7, last_day: {last_day}}}
"""


def _problems(filed: str = "2026-03-02 10:00", at: str = "2026-03-02 11:00", last_day: str = "2026-03-12"):
    _, bad = parse_text(SCENARIO.format(filed=filed, at=at, last_day=last_day), "t.scenario.yaml")
    return {(p.line, p.key): str(p) for p in bad}


def test_a_date_that_does_not_exist_is_said_so_with_the_months_days():
    problems = _problems(filed="2026-02-29 10:00", at="2026-13-01", last_day="2026年4月31日")
    assert set(problems) == {(5, "case.filed"), (8, "steps.0.at"), (10, "steps.1.expect_deadline.last_day")}
    filed, at, last_day = problems[5, "case.filed"], problems[8, "steps.0.at"], \
        problems[10, "steps.1.expect_deadline.last_day"]
    assert "日期不存在" in filed and "2026年2月只有28日" in filed and "February 2026 has 28 days" in filed
    assert "没有13月" in at and "there is no month 13" in at
    assert "2026年4月只有30日" in last_day and "April 2026 has 30 days" in last_day
    for message in problems.values():
        assert "无法识别" not in message and "unrecognised" not in message


def test_a_time_of_day_that_does_not_exist_is_said_so():
    (message,) = _problems(at="2026-03-02 25:00").values()
    assert "时刻不存在" in message and "no such time of day" in message and "0–23" in message


def test_a_leap_day_and_the_forms_the_readme_allows_still_parse():
    assert _problems(filed="2024-02-29 10:00", at="2024/3/1 下午3时", last_day="2024年3月12日") == {}
    message = _problems(at="下周一")[8, "steps.0.at"]  # not a date at all: every form is listed, as before
    assert "无法识别的时间" in message and "YYYY年M月D日" in message
