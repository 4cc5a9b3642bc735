"""The stage table's ok column agrees with the verdict (loadtests/loadplan.py ``knee_table``). A replayed quiet hour
whose one or two expected (Poisson) arrivals did not come counts as carried — ``--judge every`` passes it, with
nothing to time — but the table marked it ✗ beside a passing verdict (H19's note)."""

from __future__ import annotations

from loadtests.loadplan import Stage, StageResult, Thresholds, judge, knee_table


def _ok_column(table: list[str]) -> list[str]:
    return [row.rstrip(" |").rsplit("|", 1)[1].strip() for row in table[2:]]


def test_a_stage_with_nothing_to_time_is_a_dash_not_a_cross() -> None:
    th = Thresholds(min_rate=0.001, every=True)
    quiet = Stage(1, 0.002, 0.0, 600.0, "step")  # 1.2 arrivals expected: none came, within 3σ
    busy = Stage(2, 2.0, 600.0, 600.0, "step")
    idle = Stage(3, 0.0, 1200.0, 600.0, "step")
    results = [StageResult(quiet, 0, 0, 0.0, 0.0, 0.0), StageResult(busy, 1200, 0, 5.0, 9.0, 12.0),
               StageResult(idle, 0, 0, 0.0, 0.0, 0.0)]
    ok, _, _ = judge(results, th, 1200, 0)
    assert ok
    assert _ok_column(knee_table(results, th)) == ["–", "✓", "–"]


def test_a_stage_short_of_its_arrivals_is_still_a_cross() -> None:
    th = Thresholds(min_rate=1.0)
    short = Stage(1, 10.0, 0.0, 60.0, "step")  # 600 expected, none: not carried
    assert _ok_column(knee_table([StageResult(short, 0, 0, 0.0, 0.0, 0.0)], th)) == ["✗"]
    slow = StageResult(short, 600, 0, 300.0, 900.0, 1200.0)  # carried, p95 over 500 ms
    assert _ok_column(knee_table([slow], th)) == ["✗"]
