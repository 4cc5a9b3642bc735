"""A KPI that only one of several replications has a value for (``sale_days_p50`` where the others sold nothing) has
no interval, and the terminal and the report say so as "one replication with a value" — not "1 次重复 / n=1", which
read as though the run had had one replication (review R17, F6)."""

from __future__ import annotations

import math

from sim.replicate import _interval
from sim.report import _ci
from zhixing.cmd_simulate import fmt_ci


def test_one_value_among_three_replications_is_said_as_such() -> None:
    v = _interval("sale_days_p50", [42.0, math.nan, math.nan])
    assert v["n"] == 1 and v["mean"] == 42.0 and v["low"] != v["low"]  # no interval from one value
    mean, ci = fmt_ci(v, "sale_days_p50")
    assert mean == "42.0" and ci == "无区间（仅 1 次有值）/ no CI (1 value)"
    # the report in the terminal's Chinese words (无区间，仅 1 次有值; its "仅 1 次重复有值" read as one replication)
    text = _ci(v, "sale_days_p50")
    assert "无区间，仅 1 次有值" in text and "one replication with a value" in text and "次重复有值" not in text


def test_values_in_two_replications_have_an_interval() -> None:
    v = _interval("sale_days_p50", [40.0, 44.0, math.nan])
    assert v["n"] == 2
    mean, ci = fmt_ci(v, "sale_days_p50")
    assert ci.startswith("[") and "无区间" not in ci
