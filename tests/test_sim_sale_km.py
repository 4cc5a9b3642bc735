"""Review R17 F3 and F5: the time to sale counts the lots not sold, and a withdrawn round is not counted as held.

F3: ``sale_days_p50`` is the median of the sales made in the window only — in a saturated court most lots are still
unsold at the year's end, so it reads short. ``sale_days_km_p50`` is the Kaplan–Meier median (``sim.kpi.km_median``:
right-censored, left-truncated), with ``lots_in_disposal_end``; a median that is undefined (fewer than half the lots
disposed of) is said so on the terminal and in the report. F5: ``auctions_first`` (and ``auctions_second``,
``sale_periods``) counted rounds later withdrawn before their bidding; they count the rounds held or still to be held.
"""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta

import pytest

from core_flow.engine import Event, EventKind
from core_flow.legal_calendar import CST
from sim.kpi import DISPOSAL_KINDS, KINDS, Collector, km_median, percentile
from sim.replicate import _interval, aggregate

T0 = datetime(2025, 3, 3, 9, tzinfo=CST)


def anchor(days: float, case: str, asset: str, name: str, **data) -> Event:
    return Event(T0 + timedelta(days=days), case, EventKind.ANCHOR, None, asset, None, {"anchor": name, **data})


def closed(days: float, case: str) -> Event:
    return Event(T0 + timedelta(days=days), case, EventKind.CLOSED, None, "", None, {"manner": "completed"})


# --- the estimator -----------------------------------------------------------------------------------------------


def test_km_median_by_hand_with_censoring():
    """Six lots: disposed of at 2, 4, 6 and 7 days, censored (still unsold) at 3 and 5. By hand: at 2, 6 at risk →
    S = 5/6; at 4, 4 at risk (4, 5, 6, 7) → 5/6 × 3/4 = 0.625; at 6, 2 at risk → 0.3125 ≤ 0.5: the median is 6. The
    plain median of the sales alone (2, 4, 6, 7) is 5 — short, as R17 found."""
    durations = [2, 3, 4, 5, 6, 7]
    disposed = [True, False, True, False, True, True]
    assert km_median(durations, disposed) == 6
    assert percentile(sorted(d for d, x in zip(durations, disposed, strict=True) if x), 0.5) == 5


def test_km_median_by_hand_with_late_entry():
    """Left truncation: a lot seen from day 11 only (priced in the warm-up) is not at risk at day 10. By hand: at 10,
    2 at risk (A, B) → S = 1/2 exactly, flat to the next event at 12 → the median is the midpoint, 11; counted from
    day 0 it would be at risk at 10 (3) → 2/3, then at 12 (B, C) → 1/3: the median 12."""
    durations, disposed = [10, 12, 30], [True, True, True]
    assert km_median(durations, disposed, [0, 0, 11]) == 11
    assert km_median(durations, disposed) == 12


def test_km_median_undefined_and_empty():
    assert km_median([1, 2, 3, 4], [True, False, False, False]) is None  # S = 3/4 at its lowest: undefined
    assert km_median([5, 9], [False, False]) is None  # nothing disposed of: undefined
    assert math.isnan(km_median([], []))  # no lot at all: no figure


def test_km_median_is_the_plain_median_when_nothing_is_censored():
    """Nothing censored, the product-limit median is the plain one (``percentile(…, 0.5)``, the one ``sale_days_p50``
    takes): odd and even counts, ties included."""
    rng = random.Random(51)
    for n in list(range(1, 40)) * 5:
        xs = [float(rng.choice(range(1, 60))) if rng.random() < 0.5 else round(rng.uniform(0, 400), 3)
              for _ in range(n)]
        assert km_median(xs, [True] * n) == pytest.approx(percentile(sorted(xs), 0.5), abs=1e-9), xs


def test_km_median_agrees_with_scipys_kaplan_meier():
    """Without late entries, the product-limit survival is scipy's (``scipy.stats.ecdf`` on right-censored data, a
    declared dependency; it has no left truncation, hence the estimator of our own): the same median on random
    censored samples, ties included."""
    from scipy.stats import CensoredData, ecdf

    rng = random.Random(17)
    for n in list(range(1, 30)) * 10:
        xs = [float(rng.randrange(1, 40)) for _ in range(n)]
        seen = [rng.random() < 0.6 for _ in range(n)]
        ours = km_median(xs, seen)
        if not any(seen):
            assert ours is None
            continue
        sf = ecdf(CensoredData(uncensored=[x for x, s in zip(xs, seen, strict=True) if s],
                               right=[x for x, s in zip(xs, seen, strict=True) if not s])).sf
        times = [t for t in sf.quantiles if any(s and x == t for x, s in zip(xs, seen, strict=True))]
        surv = [float(sf.evaluate(t)) for t in times]
        j = next((i for i, v in enumerate(surv) if v <= 0.5 + 1e-9), None)
        want = None if j is None else (
            (times[j] + times[j + 1]) / 2 if abs(surv[j] - 0.5) <= 1e-9 and j + 1 < len(times) else times[j])
        assert ours == pytest.approx(want) if want is not None else ours is None, (xs, seen)


# --- the collector -----------------------------------------------------------------------------------------------


def _collect(events: list[Event], warmup_days: float = 0) -> Collector:
    c = Collector(T0, T0 + timedelta(days=warmup_days), disposal=True)
    for e in sorted(events, key=lambda e: e.at):
        c(e)
    return c


def test_sale_km_censors_the_unsold_the_withdrawn_and_the_closed():
    """Lots priced at day 0: A sold at 10, B taken in kind at 30 (disposed of, as ``sale_days_p50`` counts it), C's
    case closed at 20 (censored), D's round withdrawn by hand at 15 (censored), E and F unsold at the end (100:
    censored, in disposal at the end). By hand: at 10, 6 at risk → 5/6; at 30, 3 at risk (B, E, F) → 5/9 — never
    ≤ 0.5: undefined, where the sales alone give a median of 20."""
    events = [anchor(0, f"案{x}", "房产#1", "reference_price_fixed") for x in "ABCDEF"]
    events += [anchor(10, "案A", "房产#1", "sale_paid", price_cents=1), closed(12, "案A"),
               anchor(30, "案B", "房产#1", "sale_confirmed", in_kind_price_cents=1),
               closed(20, "案C"),
               anchor(5, "案D", "房产#1", "auction_scheduled"), anchor(15, "案D", "房产#1", "listing_withdrawn")]
    c = _collect(events)
    km = c.sale_km(T0 + timedelta(days=100))
    assert sorted(km.pop("table")) == [(0, 10, 1), (0, 15, 0), (0, 20, 0), (0, 30, 1), (0, 100, 0), (0, 100, 0)]
    assert km == {"lots": 6, "disposed": 2, "censored_at_end": 2, "censored_withdrawn": 1, "censored_closed": 1,
                  "censored_unsold": 0, "entered_late": 0, "in_disposal_end": 2, "median": None, "undefined": True}
    assert sorted(c.sale_days) == [10.0, 30.0]
    # one more sale at 40 (E): at 40, 2 at risk (E, F) → 5/9 × 1/2 = 0.28: the median is 40
    c(anchor(40, "案E", "房产#1", "sale_paid", price_cents=1))
    km = c.sale_km(T0 + timedelta(days=100))
    assert km["median"] == 40 and not km["undefined"] and km["in_disposal_end"] == 1


def test_a_round_begun_at_the_closing_that_sells_is_a_sale_not_a_censoring():
    c = _collect([anchor(0, "案1", "房产#1", "reference_price_fixed"), closed(20, "案1"),
                  anchor(25, "案1", "房产#1", "sale_paid", price_cents=1)])
    assert c.sale_km(T0 + timedelta(days=50))["median"] == 25


def node_done(days: float, case: str, asset: str, node: int = 28) -> Event:
    return Event(T0 + timedelta(days=days), case, EventKind.NODE_DONE, node, asset, None, None)


def test_a_sale_period_ended_unsold_is_out_of_the_disposal():
    """Review R22: a 变卖 that found no buyer completes node 28 with no sale (``core_flow.platform.disposal``: stage
    ``unsold``, no anchor of its own) — the lot's disposal is over, yet it was counted in ``lots_in_disposal_end`` and
    at risk to the run's end. It is censored when its 变卖 ended. A 变卖 sold completes node 28 after its ``sale_paid``
    (disposed of, as before); a taking in kind after a failed 变卖 counts as disposed of. A sold by 变卖 at 50, B's 变卖
    unsold at 60, C's at 70 and C taken in kind at 80, D still unsold at 100. By hand: at 50, 4 at risk → 3/4; at 80,
    C and D → 3/8: the median 80. Other nodes done, and a lot never priced, change nothing."""
    events = [anchor(0, f"案{x}", "房产#1", "reference_price_fixed") for x in "ABCD"]
    events += [anchor(30, f"案{x}", "房产#1", "sale_period_scheduled") for x in "ABCD"]
    events += [anchor(50, "案A", "房产#1", "sale_paid", price_cents=1), node_done(50, "案A", "房产#1"),
               node_done(60, "案B", "房产#1"), node_done(60, "案B", "房产#1", node=26),
               node_done(70, "案C", "房产#1"), anchor(80, "案C", "房产#1", "sale_confirmed", in_kind_price_cents=1),
               node_done(75, "案D", "房产#1", node=29), node_done(20, "案E", "房产#1")]  # E: never priced
    c = _collect(events)
    km = c.sale_km(T0 + timedelta(days=100))
    assert km["in_disposal_end"] == 1 and km["censored_at_end"] == 1  # D only (B was counted in disposal too)
    assert km["disposed"] == 2 and km.get("censored_unsold") == 1 and km["lots"] == 4 and km["median"] == 80
    assert EventKind.NODE_DONE in DISPOSAL_KINDS and EventKind.NODE_DONE not in KINDS  # subscribed where disposing
    other = Collector(T0, T0)  # a court without disposal: node 28 done changes nothing
    other(anchor(0, "案B", "房产#1", "reference_price_fixed"))
    other(node_done(60, "案B", "房产#1"))
    assert not other._lot_exit and not other._lot_priced


def test_sale_km_in_the_warm_up_left_out_or_entered_late():
    """Warm-up 30 days: a lot disposed of in it (A, day 20) is not in the estimate; one priced in it (B, day 10) enters
    at its age at the warm-up's end (20 days) and its sale at 60 (age 50) counts; C priced at 40, sold at 100."""
    events = [anchor(0, "案A", "房产#1", "reference_price_fixed"), anchor(20, "案A", "房产#1", "sale_paid"),
              anchor(10, "案B", "房产#1", "reference_price_fixed"), anchor(60, "案B", "房产#1", "sale_paid"),
              anchor(40, "案C", "房产#1", "reference_price_fixed"), anchor(100, "案C", "房产#1", "sale_paid")]
    km = _collect(events, warmup_days=30).sale_km(T0 + timedelta(days=200))
    assert km["lots"] == 2 and km["entered_late"] == 1 and km["median"] == 55  # (50 + 60) / 2


def test_the_summary_has_the_km_median_and_the_lots_in_disposal():
    from sim.staff import StaffStats

    events = [anchor(0, f"案{i}", "房产#1", "reference_price_fixed") for i in range(3)]
    events += [anchor(40, "案0", "房产#1", "sale_paid"), anchor(80, "案1", "房产#1", "sale_paid")]
    c = _collect(events)
    end = T0 + timedelta(days=100)
    out = c.summary(StaffStats(), {}, 1.0, {}, 100, end, 8 * 3600)
    assert out["kpi"]["sale_days_km_p50"] == 80 and out["kpi"]["lots_in_disposal_end"] == 1
    assert out["kpi"]["sale_days_p50"] == 60  # the two sales' median: the unsold third left out
    assert out["sale_km"]["censored_at_end"] == 1


# --- F5: rounds withdrawn are not rounds held --------------------------------------------------------------------


def test_a_withdrawn_round_is_not_counted_as_held():
    """R17 F5: ``auctions_first`` counted first rounds later withdrawn (at a closing, by hand). It counts the rounds
    held or still to be held; the withdrawal counts in ``rounds_withdrawn``; the same for the second round and 变卖.
    A round scheduled in the warm-up was never counted: its withdrawal after it takes nothing off."""
    events = [anchor(0, "案1", "房产#1", "reference_price_fixed"), anchor(1, "案1", "房产#1", "auction_scheduled"),
              anchor(5, "案1", "房产#1", "listing_withdrawn", round="first"),
              anchor(0, "案2", "房产#1", "reference_price_fixed"), anchor(1, "案2", "房产#1", "auction_scheduled"),
              anchor(30, "案2", "房产#1", "first_unsold"), anchor(31, "案2", "房产#1", "second_auction_scheduled"),
              anchor(35, "案2", "房产#1", "listing_withdrawn", round="second"),
              anchor(0, "案3", "房产#1", "reference_price_fixed"), anchor(1, "案3", "房产#1", "auction_scheduled"),
              anchor(40, "案3", "房产#1", "sale_paid"),
              anchor(-20, "案4", "房产#1", "reference_price_fixed"), anchor(-10, "案4", "房产#1", "auction_scheduled"),
              anchor(3, "案4", "房产#1", "listing_withdrawn", round="first")]
    c = Collector(T0 - timedelta(days=30), T0, disposal=True)
    for e in sorted(events, key=lambda e: e.at):
        c(e)
    assert c.lots["auctions_first"] == 2  # 案2's and 案3's (案1's withdrawn; 案4's scheduled in the warm-up)
    assert c.lots["auctions_second"] == 0 and c.lots["rounds_withdrawn"] == 3
    assert c.lots["unsold_first"] + c.lots["sold_first_auction"] == c.lots["auctions_first"]


# --- said on the terminal, in the report and in kpis.json --------------------------------------------------------


def _agg(medians: list[float | None]) -> dict:
    runs = [{"meta": {"court": "甲院", "replication": i}, "kpi": {"sale_days_km_p50": math.nan if m is None else m},
             "sale_km": {"undefined": m is None}} for i, m in enumerate(medians)]
    return aggregate(runs)["courts"]["甲院"]["kpi"]["sale_days_km_p50"]


def test_an_undefined_median_is_said_so():
    from sim.report import _ci
    from zhixing.cmd_simulate import fmt_ci

    every = _agg([None, None])
    assert every["undefined"] == 2 and every["n"] == 0
    mean, ci = fmt_ci(every, "sale_days_km_p50")
    assert mean == "未定义 / undefined" and "中位数未定义" in ci and "survival never below 0.5" in ci
    assert "各次重复均如此" in ci and "in every replication" in ci
    assert "未定义 / undefined" in _ci(every, "sale_days_km_p50") and "中位数未定义" in _ci(every, "sale_days_km_p50")
    some = _agg([150.0, None, 170.0])
    assert some["undefined"] == 1 and some["n"] == 2 and some["mean"] == 160
    mean, ci = fmt_ci(some, "sale_days_km_p50")
    assert mean == "160" and ci.startswith("[") and "另 1 次重复中位数未定义" in ci and "1 more replication" in ci
    assert "另 1 次重复中位数未定义" in _ci(some, "sale_days_km_p50")
    one = _agg([150.0, None])  # one value and one undefined: no interval, and why
    mean, ci = fmt_ci(one, "sale_days_km_p50")
    assert ci.startswith("无区间（仅 1 次有值）/ no CI (1 value)") and "另 1 次" in ci
    defined = _agg([150.0, 170.0])
    assert defined["undefined"] == 0 and fmt_ci(defined, "sale_days_km_p50")[1].startswith("[")
    assert fmt_ci(_interval("sale_days_p50", [1.0, 2.0]), "sale_days_p50")[1] == "[0.0, 7.9]"  # others as they were


def test_the_lots_in_disposal_are_labelled_as_the_priced_ones():
    """Review R22: ``lots_in_disposal_end`` counts the lots priced and not disposed of (the time to sale's subjects);
    a lot sealed whose price is not fixed yet (nodes 20–22: 188 in the seed-11 --dispose 1 court-year, beside 1,132
    counted) is not in it — the label says so."""
    from sim.report import KPI_LABELS

    zh, en = KPI_LABELS["lots_in_disposal_end"]
    assert "期末仍在处置中" in zh and "已定参考价" in zh and "priced" in en


def test_the_km_median_is_in_kpis_json_the_terminal_and_the_report(tmp_path, capsys):
    from zhixing.cli import main

    profile = tmp_path / "p.yaml"
    profile.write_text("name: 测试法院\nintake: {yearly: 400}\nstaff: {承办法官: {count: 3}, 书记员: {count: 3}}\n",
                       encoding="utf-8")
    out = tmp_path / "out"
    assert main(["simulate", str(profile), "--years", "0.5", "-r", "2", "--seed", "7", "--dispose", "1.0",
                 "--warmup-days", "20", "--backend", "serial", "--no-validate", "--out", str(out)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "计入尚未成交的：Kaplan–Meier" in text and "期末仍在处置中的财产" in text
    kpi = next(iter(json.loads((out / "kpis.json").read_text(encoding="utf-8"))["courts"].values()))["kpi"]
    km, left = kpi["sale_days_km_p50"], kpi["lots_in_disposal_end"]
    assert km["n"] == 2 and km["pooled"]["replications"] == 2 and left["mean"] > 0  # H64: the two pooled
    if km["n"]:
        assert km["mean"] >= kpi["sale_days_p50"]["mean"] * 0.5  # a figure of the same order, in days
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "计入尚未成交的：Kaplan–Meier" in page and "Kaplan–Meier estimate" in page and "第1次重复：" in page
    # H64: the replications' lots pooled, said under the terminal's table and in the report's note, zh and en
    assert "（合并 / pooled）" in text and "2 次重复的" in text and "pooled into one curve" in text
    assert "合为一条曲线" in page and "Brookmeyer–Crowley" in page and "（合并 / pooled）" in page
