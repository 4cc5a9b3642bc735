"""Sequential replications for a planner's decision: a level whose interval straddles the target gets more
replications, a clear-cut one does not.

A staffing level is run with ``R`` replications; when the target is neither met nor clearly missed (the interval
holds the threshold), the level is run again with twice as many (the first ones are kept: the same seeds, common
random numbers across levels still hold for them), up to ``M``. Looking at the same level several times and
stopping when the interval first clears the threshold would make a wrong "met" more likely than the nominal 5%;
so each look judges on the two-sided ``1 − 5%/L`` interval, ``L`` the number of looks the level may take (Bonferroni:
over all the looks together, a wrong decision stays below 5%). With ``M = R`` there is one look and the decision is
the 95% interval shown, as before. The tables still show each KPI's 95% interval over all the replications run.

A KPI is judged on the estimate the tables show, at the look's level: a mean over the replications on its Student t
interval; the time to sale (``sale_days_km_p50``), which the tables show as the Kaplan–Meier median of all the
replications' lots pooled (``sim.replicate.km_pooled``), on that pooled median and its interval at the look's level
(the same bootstrap draws, or Brookmeyer–Crowley below ``sim.kpi.BOOTSTRAP_MIN`` replications) — not on a mean of
each replication's median, which could read "met" beside a pooled interval straddling the target (or the converse).

Student t quantiles come from SciPy (any confidence level); the 95% figures shown elsewhere keep ``sim.kpi``'s table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import fmean, stdev
from typing import Any

from scipy.stats import t as student_t

from sim.kpi import BOOTSTRAP_MIN, is_share
from sim.replicate import court_km

ALPHA = 0.05  # the planner's error rate over all the looks at a level
POOLED_KM = "sale_days_km_p50"  # judged on the pooled Kaplan–Meier median, as the tables show it


def looks_between(first: int, most: int) -> list[int]:
    """The replication counts a level may be judged at: ``first``, doubling, up to ``most``."""
    counts = [first]
    while counts[-1] < most:
        counts.append(min(2 * counts[-1], most))
    return counts


def confidence(looks: int) -> float:
    """The two-sided confidence each look judges on (Bonferroni over ``looks``)."""
    return 1 - ALPHA / looks


def decision_kpis(keys: list[str], runs: list[dict[str, Any]], looks: int,
                  seed: int = 0) -> dict[str, dict[str, Any]]:
    """Each of ``keys``' mean and the ``confidence(looks)`` interval over ``runs`` (each a replication's result with
    its ``kpi``); an interval stays in the KPI's range (≥ 0; ≤ 1 for a share), as the 95% one does. The time to sale
    (``POOLED_KM``): the pooled Kaplan–Meier median of the runs' lots and its interval at that level
    (``sim.replicate.court_km``, its bootstrap seeded from ``seed``, the run's, as the table's is), where every run
    has its lots table."""
    out: dict[str, dict[str, Any]] = {}
    for k in keys:
        # an undefined median (the pooled curve stays above one half to its last time) keeps its interval's lower
        # end all the same (review R30: the point estimate alone judged a level clearly missed with half its lots all
        # but sold): the median may be as short as that
        if k == POOLED_KM and runs and (km := court_km(runs, seed, runs[0]["meta"]["court"], confidence(looks),
                                                      low_if_undefined=True)) is not None:
            if km["mean"] != km["mean"]:  # undefined: beyond the longest time seen
                km["beyond"] = max((float(lot[1]) for r in runs for lot in r["sale_km"]["table"]), default=math.nan)
            out[k] = km
            continue
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


def undefined_missed(ci: dict[str, Any], op: str, threshold: float) -> bool:
    """A time-to-sale target (``sale_days_km_p50 <= x`` or ``< x``) clearly missed by an undefined pooled median
    (review R28 F8): fewer than half of all the replications' lots sold within the run — the pooled curve never
    falls to one half, so the median lies beyond the longest time seen (``beyond``, ``decision_kpis``) — and no
    lower bound (``pooled_km`` gives none for an undefined median) or one above ``x``. With ``x`` at most that
    longest time the median is past ``x``: more replications pool more saturated lots and will not bring it under
    (before, such a level read as straddling — neither bound defined — and doubled its replications up to the most
    before ✗). A target beyond the longest time seen stays undecided: the curve says nothing of it."""
    if op not in ("<=", "<") or ci.get("mean") == ci.get("mean"):
        return False
    low, past = ci.get("low"), ci.get("beyond")
    if low is not None and low == low and low <= threshold:
        return False
    return past is not None and past == past and past >= threshold


def note(first: int, most: int, kpis: Sequence[str] = ()) -> str | None:
    """How a search's levels were judged, Chinese and English: with sequential replications, the looks and their
    level; with the time to sale among the targets' ``kpis``, that it is judged on the pooled median (at that level,
    or 95% without sequential replications). None when neither applies."""
    sequential = bool(first) and most > first
    looks = len(looks_between(first, most)) if sequential else 1
    level = confidence(looks)
    said = []
    if sequential:
        said.append((f"达标判断：每级先 {first} 次重复，区间跨过目标的加倍重复至至多 {most} 次；"
                     f"每次判断用 {level:.2%} 置信区间（至多 {looks} 次查看的 Bonferroni 校正，合计误判率不超过 5%）；"
                     "表中区间为全部重复的 95% 区间",
                     f"judged with sequential replications: {first} at first, doubled up to {most} while the interval "
                     f"straddles the target; each look on the {level:.2%} interval (Bonferroni over at most {looks} "
                     "looks: below 5% wrong in all); the table shows 95% intervals over all the runs"))
    if POOLED_KM in kpis:
        said.append((f"处置用时（{POOLED_KM}）按全部重复的财产合为一条 Kaplan–Meier 曲线的中位数及其 {level:.2%} 区间"
                     f"判断（即表中的合并估计：{BOOTSTRAP_MIN} 次重复起按重复自助法，不足则 Brookmeyer–Crowley），"
                     "不按各次中位数的均值",
                     f"the time to sale ({POOLED_KM}) judged on the Kaplan–Meier median of all the replications' "
                     f"lots pooled into one curve and its {level:.2%} interval (the table's pooled estimate: a "
                     f"bootstrap over the replications from {BOOTSTRAP_MIN} of them, Brookmeyer–Crowley below), not "
                     "on a mean of each one's median"))
        if sequential:
            said.append(("中位数无定义（合并后售出的财产不足一半）且无区间下界的，目标不超过观察到的最长用时即判为明确未达标、"
                         "不再加倍重复：更多重复只合并进更多积压的财产，中位数仍在观察期之外",
                         "an undefined pooled median (fewer than half the lots sold in the run) with no lower bound "
                         "is judged clearly missed when the target is within the longest time seen, and not run "
                         "again: more replications only pool more saturated lots, the median stays beyond the run"))
    if not said:
        return None
    return "；".join(zh for zh, _ in said) + " / " + "; ".join(en for _, en in said)
