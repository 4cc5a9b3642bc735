"""Sequential replications for a planner's decision: a level whose interval straddles the target gets more
replications, a clear-cut one does not.

A staffing level is run with ``R`` replications; when the target is neither met nor clearly missed (the interval
holds the threshold), the level is run again with twice as many (the first ones are kept: the same seeds, common
random numbers across levels still hold for them), up to ``M``. Looking at the same level several times and
stopping when the interval first clears the threshold would make a wrong "met" more likely than the nominal 5%;
so each look judges on the two-sided ``1 − 5%/L`` interval, ``L`` the number of looks the level may take (Bonferroni:
over all the looks together, a wrong decision stays below 5%). With ``M = R`` there is one look and the decision is
the 95% interval shown, as before. The tables still show each KPI's 95% interval over all the replications run.

Student t quantiles come from SciPy (any confidence level); the 95% figures shown elsewhere keep ``sim.kpi``'s table.
"""

from __future__ import annotations

import math
from statistics import fmean, stdev
from typing import Any

from scipy.stats import t as student_t

from sim.kpi import is_share

ALPHA = 0.05  # the planner's error rate over all the looks at a level


def looks_between(first: int, most: int) -> list[int]:
    """The replication counts a level may be judged at: ``first``, doubling, up to ``most``."""
    counts = [first]
    while counts[-1] < most:
        counts.append(min(2 * counts[-1], most))
    return counts


def confidence(looks: int) -> float:
    """The two-sided confidence each look judges on (Bonferroni over ``looks``)."""
    return 1 - ALPHA / looks


def decision_kpis(keys: list[str], runs: list[dict[str, Any]], looks: int) -> dict[str, dict[str, float]]:
    """Each of ``keys``' mean and the ``confidence(looks)`` interval over ``runs`` (each a replication's result with
    its ``kpi``); an interval stays in the KPI's range (≥ 0; ≤ 1 for a share), as the 95% one does."""
    out = {}
    for k in keys:
        xs = [v for r in runs if (v := r["kpi"].get(k)) is not None and v == v]
        if len(xs) < 2:
            out[k] = {"mean": fmean(xs) if xs else math.nan, "low": math.nan, "high": math.nan, "n": len(xs)}
            continue
        m = fmean(xs)
        h = float(student_t.ppf(1 - (1 - confidence(looks)) / 2, len(xs) - 1)) * stdev(xs) / math.sqrt(len(xs))
        low, high = max(m - h, 0.0), m + h
        if is_share(k):
            high = min(high, 1.0)
        out[k] = {"mean": m, "low": low, "high": high, "n": len(xs)}
    return out


def note(first: int, most: int) -> str | None:
    """How a search's levels were judged with sequential replications (None without them), Chinese and English."""
    if not first or most <= first:
        return None
    looks = len(looks_between(first, most))
    level = confidence(looks)
    return (f"达标判断：每级先 {first} 次重复，区间跨过目标的加倍重复至至多 {most} 次；每次判断用 {level:.2%} 置信区间"
            f"（至多 {looks} 次查看的 Bonferroni 校正，合计误判率不超过 5%）；表中区间为全部重复的 95% 区间 / judged "
            f"with sequential replications: {first} at first, doubled up to {most} while the interval straddles the "
            f"target; each look on the {level:.2%} interval (Bonferroni over at most {looks} looks: below 5% wrong in "
            "all); the table shows 95% intervals over all the runs")
