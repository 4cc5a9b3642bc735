"""KPIs of a run, read from the engine's events (the record), the staff's statistics and the agencies' requests.

``Collector`` is subscribed to the event kinds it reads (``KINDS``) and keeps counters only (no event list), so a
court-year costs little memory. Events before ``kpi_from`` (the warm-up) are not counted. ``mean_ci`` gives the
mean and a Student-t 95% confidence interval over replications.

A start state's cases (``sim.start_state``: filed before the run's ``origin``) are the carried-over caseload, not
intake: they are counted apart (``carried_over*``), their cycle times and the 6-month share count from their real
filing date, and a deadline already due before the run (``inherited``) is not put on the simulated staff — its miss,
warning, node freeze and 督办 are counted apart (``*_at_start``; the approvals in the run of such a node freeze too,
``unfreeze_approvals_at_start``, so ``unfreeze_approvals`` answers ``node_freezes``), and the nodes entered as done at
the start (work done before the run, no staff time) count in no compliance figure.

The closing share within the 审限 reads the engine's own deadline of the limit node (``limit_node``, 结案: 6 months,
非诉 3, on the legal calendar): ``within_limit_share`` by the case's latest due (approved 期限变更 extensions
included; a case closed while its limit is suspended counts as within), ``within_statutory_share`` by its first due
(the statutory period, extensions not counted)."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import fmean, stdev
from typing import Any

import numpy as np

from core_flow.engine import Event, EventKind
from core_flow.engine.events import EVENT_KIND
from core_flow.process_loader import default_process
from core_flow.protocol import HUB

# Student t quantiles t(0.975, df) for df = 1..30; beyond, the normal 1.96 (within 1.5%)
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
         2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


SHARES = ("compliance", "within_limit_share", "within_statutory_share", "zhongben_rate")  # in [0, 1]


def is_share(key: str) -> bool:
    """A KPI that is a share in [0, 1] (a compliance, a share of cases, a utilisation — work is done only in working
    hours, one item at a time per person), not a count, a time or an amount."""
    head = key.partition(".")[0]
    return head in SHARES or head == "utilisation"


def fmt_value(x: float, key: str = "") -> str:
    """A KPI's value as the terminal and the report both show it: a share (``is_share(key)``) to three decimals
    (1.000 beside 0.991, not 1.0); a count, an amount or days to one decimal below 100 (67.5 resumptions, not 67.500)
    and whole from 100, with thousands separators; NaN as –."""
    if x != x:
        return "–"
    if key and is_share(key):
        return f"{x:.3f}"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}"


def t975(df: int) -> float:
    return _T975[df - 1] if 1 <= df <= len(_T975) else 1.96


def mean_ci(values: list[float]) -> tuple[float, float, float]:
    """(mean, low, high): the 95% confidence interval of the mean over independent replications; one replication
    has no interval (NaN bounds: nothing to estimate the spread from — not a zero-width interval)."""
    xs = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not xs:
        return (math.nan, math.nan, math.nan)
    m = fmean(xs)
    if len(xs) < 2:
        return (m, math.nan, math.nan)
    h = t975(len(xs) - 1) * stdev(xs) / math.sqrt(len(xs))
    return (m, m - h, m + h)


def percentile(sorted_xs: list[float], q: float) -> float:
    if not sorted_xs:
        return math.nan
    i = (len(sorted_xs) - 1) * q
    lo = math.floor(i)
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (i - lo)


def km_curve(durations: Sequence[float], disposed: Sequence[bool],
             entries: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The product-limit (Kaplan–Meier) curve of a time to an event, right-censored and, with ``entries``,
    left-truncated (delayed entry: a subject seen from age ``entries[i]`` on, at risk at age t when entry < t ≤
    duration). ``disposed[i]``: the event happened at ``durations[i]``; else it is censored there. (times, deaths,
    at risk, survival) at the distinct event times, in order; empty arrays without an event."""
    d = np.asarray(durations, dtype=float)
    event = np.asarray(disposed, dtype=bool)
    a = np.zeros_like(d) if entries is None else np.asarray(entries, dtype=float)
    times, deaths = np.unique(d[event], return_counts=True)
    # at risk at t: entered before t and not out before t — #(d ≥ t) − #(a ≥ t) (a ≥ t implies d ≥ t)
    at_risk = np.searchsorted(np.sort(a), times, side="left") - np.searchsorted(np.sort(d), times, side="left")
    return times, deaths, at_risk, np.cumprod(1.0 - deaths / at_risk)


def _curve_median(times: np.ndarray, survival: np.ndarray) -> float | None:
    """``km_median``'s rule on a curve: the first time the survival is at or below 0.5, the midpoint to the next
    event time where it is exactly 0.5; None where it never falls to 0.5."""
    below = np.flatnonzero(survival <= 0.5 + 1e-9)
    if below.size == 0:
        return None
    j = int(below[0])
    if abs(survival[j] - 0.5) <= 1e-9 and j + 1 < times.size:
        return float(times[j] + times[j + 1]) / 2
    return float(times[j])


def km_median(durations: Sequence[float], disposed: Sequence[bool],
              entries: Sequence[float] | None = None) -> float | None:
    """The median of a time to an event by the product-limit (Kaplan–Meier) estimator (``km_curve``: right-censored
    and, with ``entries``, left-truncated).

    The median is the first event time at which the survival falls to 0.5 or below; where it is exactly 0.5 up to
    the next event time, the midpoint of the two (so, nothing censored, it is the plain median: the mean of the two
    middle values of an even count). NaN when there is no subject; None when the survival never falls to 0.5 (fewer
    than half had the event by the last time observed: the median is undefined, longer than anything seen)."""
    if len(durations) == 0:
        return math.nan
    times, _deaths, _at_risk, survival = km_curve(durations, disposed, entries)
    if times.size == 0:
        return None
    return _curve_median(times, survival)


def km_median_ci(durations: Sequence[float], disposed: Sequence[bool], entries: Sequence[float] | None = None,
                 z: float = 1.959964) -> tuple[float | None, float | None]:
    """The Brookmeyer–Crowley 95% interval of ``km_median``: the times whose pointwise interval of the survival holds
    0.5 — Greenwood's variance on the log-log scale (``exp(±z·se)`` powers of the survival, as R's ``survfit`` with
    ``conf.type="log-log"``, lifelines and scipy's ``ecdf`` ``method="log-log"``), left truncation in the risk sets.
    (low, high): the first event time at which the interval's lower, then its upper, bound is at or below 0.5; None
    where it never is (high None: longer than anything seen). Subjects taken as independent."""
    times, deaths, at_risk, survival = km_curve(durations, disposed, entries)
    if times.size == 0:
        return None, None
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(deaths / (at_risk * (at_risk - deaths)))
        se = np.sqrt(greenwood) / np.abs(np.log(survival))
        lower = np.where(survival > 0, survival ** np.exp(z * se), 0.0)
        upper = np.where(survival > 0, survival ** np.exp(-z * se), 0.0)
    lower = np.nan_to_num(lower, nan=0.0)  # log S = 0 before the first fall cannot occur at an event time
    upper = np.nan_to_num(upper, nan=1.0)

    def first(bound: np.ndarray) -> float | None:
        below = np.flatnonzero(bound <= 0.5 + 1e-9)
        return float(times[below[0]]) if below.size else None

    return first(lower), first(upper)


# the time to sale pooled over a court's replications (``pooled_km``): the interval of its median by a bootstrap
# over the replications from this many on; below, Brookmeyer–Crowley over the lots (``km_median_ci``)
BOOTSTRAP_MIN = 10
BOOTSTRAP_DRAWS = 2000


def resampled_medians(arrays: Sequence[np.ndarray], picks: np.ndarray, chunk: int = 100) -> np.ndarray:
    """``km_median`` of each resample of replications — row b of ``picks`` names the replications (indices into
    ``arrays``, each an (entry, exit, disposed) table) pooled — at once, not lot by lot: each replication's deaths and
    risk set are counted once at every event time of all of them, a resample's are their sums weighted by how often
    it drew each replication, and its survival their product-limit (the same arithmetic as ``km_curve`` on the
    concatenated lots: a time without a death in the resample multiplies by exactly 1). +inf where the median is
    undefined. (2,000 resamples of ten replications of 1,800 lots: 1.5 s; concatenating and calling ``km_median``
    2,000 times took 4.8 s — per court of a province.) ``chunk`` resamples at a time bound the memory."""
    times = np.unique(np.concatenate([a[a[:, 2] > 0, 1] for a in arrays]))
    reps, k = len(arrays), times.size
    out = np.full(picks.shape[0], math.inf)
    if k == 0:
        return out
    deaths = np.zeros((reps, k))
    at_risk = np.zeros((reps, k))
    for r, a in enumerate(arrays):
        t, n = np.unique(a[a[:, 2] > 0, 1], return_counts=True)
        deaths[r, np.searchsorted(times, t)] = n
        at_risk[r] = (np.searchsorted(np.sort(a[:, 0]), times, side="left")
                      - np.searchsorted(np.sort(a[:, 1]), times, side="left"))
    index = np.arange(k)
    for lo in range(0, picks.shape[0], chunk):
        rows = picks[lo:lo + chunk]
        weights = np.zeros((rows.shape[0], reps))
        np.add.at(weights, (np.repeat(np.arange(rows.shape[0]), rows.shape[1]), rows.ravel()), 1.0)
        d, n = weights @ deaths, weights @ at_risk
        with np.errstate(divide="ignore", invalid="ignore"):
            survival = np.cumprod(np.where(d > 0, 1.0 - d / n, 1.0), axis=1)
        below = (survival <= 0.5 + 1e-9) & (d > 0)
        has = below.any(axis=1)
        j = np.argmax(below, axis=1)
        # the next event time of the resample after j (for the midpoint where the survival is exactly 0.5)
        nxt = np.minimum.accumulate(np.where(d > 0, index, k)[:, ::-1], axis=1)[:, ::-1]
        after = np.where(j + 1 < k, nxt[np.arange(rows.shape[0]), np.minimum(j + 1, k - 1)], k)
        s_j = survival[np.arange(rows.shape[0]), j]
        mid = (np.abs(s_j - 0.5) <= 1e-9) & (after < k)
        med = np.where(mid, (times[j] + times[np.minimum(after, k - 1)]) / 2, times[j])
        out[lo:lo + chunk] = np.where(has, med, math.inf)
    return out


def pooled_km(tables: Sequence[Sequence[Sequence[float]]], seed: int | Sequence[int] = 0,
              level: float = 0.95, *, low_if_undefined: bool = False) -> dict[str, Any]:
    """The time to sale's Kaplan–Meier median over every replication's lots together — the replications are
    independent and identically distributed, so their lots make one sample of the court's lots (R times one
    replication's) and one curve (``km_curve``) — with its two-sided ``level`` interval (95%, as the tables show it;
    the staffing search's sequential looks judge on a higher one, ``sim.sequential``). ``tables``: each replication's
    lots as (entry, exit, disposed) in days from the reference price (``Collector.sale_km``'s ``table``).

    The interval: a bootstrap that resamples whole replications (a cluster bootstrap: ``BOOTSTRAP_DRAWS`` draws of R
    replications with replacement, each pooled and its median taken; the (1 − level)/2 and (1 + level)/2 order
    statistics — 2.5% and 97.5% at 95% —, an undefined median counted as longer than any) — the lots of one
    replication are not independent (they share its staff's queues, its saturation), so a lot-level interval is too
    narrow when the replications differ. With fewer than ``BOOTSTRAP_MIN`` replications a bootstrap over them is
    degenerate (R = 2: three distinct resamples) and its percentile interval too narrow; the lot-level
    Brookmeyer–Crowley interval (``km_median_ci``, at the normal quantile of ``level``) then, said so (``method``).
    The draws' generator is seeded from ``seed`` (the run's), so the interval is the same whichever backend ran the
    units — and the same draws at every ``level``: a higher level's interval holds the 95% one.

    An undefined median has no interval (``low``, ``high`` None) unless ``low_if_undefined``: then ``low`` is the
    interval's lower end all the same (the first time its curve's interval already holds one half: Brookmeyer–
    Crowley's, or the bootstrap's lower order statistic when finite) — the staffing search's judgement of a
    saturated level (``sim.sequential``; review R30: an undefined point estimate alone is not a clear miss)."""
    if not 0 < level < 1:
        raise ValueError(f"the confidence level must lie in (0, 1), got {level!r}")
    arrays = [np.asarray(t, dtype=float).reshape(-1, 3) for t in tables]
    reps = len(arrays)
    lots = np.concatenate(arrays) if arrays else np.zeros((0, 3))
    out: dict[str, Any] = {"replications": reps, "lots": int(lots.shape[0]), "disposed": int(lots[:, 2].sum()),
                           "method": "bootstrap" if reps >= BOOTSTRAP_MIN else "brookmeyer_crowley",
                           "draws": BOOTSTRAP_DRAWS if reps >= BOOTSTRAP_MIN else 0}
    median = km_median(lots[:, 1], lots[:, 2] > 0, lots[:, 0]) if lots.shape[0] else math.nan
    out["median"] = None if median is None or median != median else median
    out["undefined"] = median is None
    if median is None or median != median:
        out["low"] = out["high"] = None
        if not (low_if_undefined and lots.shape[0]):
            return out
    if reps >= BOOTSTRAP_MIN:
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        draws = resampled_medians(arrays, rng.integers(0, reps, (BOOTSTRAP_DRAWS, reps)))
        draws.sort()
        tail = (1 - level) / 2  # rounded before floor and ceil: 0.025 · 2,000 is 50, not 50.00000000000004
        lo = float(draws[math.floor(round(tail * BOOTSTRAP_DRAWS, 9))])
        hi = float(draws[math.ceil(round((1 - tail) * BOOTSTRAP_DRAWS, 9)) - 1])
        out["low"] = lo if math.isfinite(lo) else None
        out["high"] = hi if math.isfinite(hi) else None
    else:
        out["low"], out["high"] = km_median_ci(lots[:, 1], lots[:, 2] > 0, lots[:, 0], z=normal_quantile(level))
    if out["median"] is None:
        out["high"] = None
    return out


def normal_quantile(level: float) -> float:
    """The standard normal quantile of a two-sided ``level`` interval: ``km_median_ci``'s 1.959964 at 95% (exactly
    that constant, so the 95% interval is the one it always gave), the inverse normal otherwise."""
    if level == 0.95:
        return 1.959964
    from statistics import NormalDist

    return NormalDist().inv_cdf((1 + level) / 2)


def manner_name(code: str, process: Any = None) -> str:
    """A closing manner's Chinese name by its code (process.yaml ``closing_manners``: 保全完毕 for
    ``preservation_done``); an unknown code as it is. ``process``: the court's own (``sim.report.run_process``); None:
    the bundled process."""
    manner = (process or default_process()).manners.get(code)
    return manner.name if manner is not None else code


class Collector:
    """Counters over the engine's events. ``origin`` is the clock's origin; ``kpi_from`` the end of warm-up."""

    def __init__(self, origin: datetime, kpi_from: datetime, limit_node: int | None = None,
                 fees: bool = False, disposal: bool = False) -> None:
        self.origin = origin
        # the court disposes of property (a profile's ``disposal: true``, nodes 19–30): its lots' way from the
        # reference price to a sale, 以物抵债 or none, read from the platform's anchor events (``DISPOSAL_KINDS``)
        self.disposal = disposal
        self.lots: Counter[str] = Counter()
        self._lot_round: dict[tuple[str, str], str] = {}  # (case, asset) → the round last scheduled
        self._lot_priced: dict[tuple[str, str], datetime] = {}  # (case, asset) → its first reference price fixed
        self.sale_days: list[float] = []
        # each priced lot's way out of the disposal, for the time to sale with the lots still unsold (``sale_km``):
        # (case, asset) → (instant, "disposed" | "withdrawn" | "closed" | "unsold": a 变卖 ended unsold); a case's
        # priced lots; the round of a lot whose scheduling was counted (a withdrawal takes it back out of its round's
        # count: review R17 F5)
        self._lot_exit: dict[tuple[str, str], tuple[datetime, str]] = {}
        self._case_lots: dict[str, list[str]] = defaultdict(list)
        self._round_counted: dict[tuple[str, str], str] = {}
        # the court charges the 执行申请费 (process.yaml ``fees``, a profile's ``process:``): the fees the payouts
        # settled are a KPI of their own (``fees_yuan``) beside the money paid to applicants (``recovered_yuan``, net
        # of them)
        self.fees = fees
        self.fee_cents = 0
        self.kpi_from = kpi_from
        # the 审限 (the process's ``limit.node``, 结案: 6 months, 非诉 3): the engine's own due per case, its first
        # one (the statutory period) and its latest (after 期限变更: approved extensions, suspensions)
        self.limit_node = limit_node
        self.limit_first: dict[str, datetime] = {}
        self.limit_due: dict[str, datetime] = {}
        self.limit_suspended: set[str] = set()
        self.filed: Counter[str] = Counter()
        self.filed_at: dict[str, datetime] = {}
        self.nonlit: set[str] = set()
        self.closed: Counter[str] = Counter()
        self.closed_at: dict[str, datetime] = {}
        self.cycle: dict[str, list[float]] = defaultdict(list)
        self.within_limit = 0  # closed by the case's 审限 as changed by 期限变更
        self.within_statutory = 0  # closed within the statutory 6 (非诉 3) months, extensions not counted
        self.deadlines: dict[tuple[str, int, str, str], bool] = {}  # open deadline → missed already
        self.on_time: Counter[int] = Counter()
        self.late: Counter[int] = Counter()
        self.warnings: Counter[int] = Counter()
        self.frozen: Counter[int] = Counter()
        self.unfreeze_by: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.paid_cents = 0
        self.deducted_cents = 0
        self.proceeds_cents = 0
        self.deposit_cents = 0  # forfeited deposits (悔拍) remitted to the cases: not 变价款, counted apart
        self.returned_cents = 0  # 余款退还: sale proceeds above the claim paid back to the debtor
        # (agency, day) → requests the agency received: the court's own, and those the 总对总 system forwarded to it
        # (a 集约查询 or sweep names its scope: each agency in it gets the request, once however often the court's
        # gateway re-sent it — the hub answers a repeated request number with the same ticket)
        self.requests: Counter[tuple[str, int]] = Counter()
        self.requests_hour: Counter[tuple[str, int, int]] = Counter()  # (agency, day, hour)
        self._fanned: set[str] = set()  # the hub requests already forwarded (by request number)
        self.court_sent = 0  # what the court's gateway sent (to the hub or an agency), each attempt: its own load
        self.open_now = 0
        self.zhongben_now = 0
        self.sweeps: Counter[str] = Counter()  # 终本 case → sweeps
        self.sweeps_before: dict[str, int] = {}  # a start state's register case → its sweeps before the run
        # the start state (filed before origin): carried over, not intake; deadlines due before the run, inherited
        self.carried: set[str] = set()
        self.carried_zhongben = 0  # of them, the 终本 register (closed before the run)
        self.carried_closed: Counter[str] = Counter()  # of them, closed in the run, by manner
        self.inherited: set[tuple[str, int, str, str]] = set()
        self.at_start: Counter[str] = Counter()  # overdue / warnings / node_freezes / duban_raised / entered_done
        self.overdue_at_start: Counter[int] = Counter()  # per node: deadlines already missed when the run began
        self.frozen_at_start: set[tuple[str, int, str]] = set()  # nodes frozen by an inherited deadline, unapproved
        # deadlines computed on a provisional holiday year (no State Council notice): (due, the years)
        self.provisional: list[tuple[datetime, list[int]]] = []
        # per year of the run (year 1 from the origin to its anniversary …), counted as the KPIs are (after the
        # warm-up): why year 3 differs from year 1 (``by_year``)
        self.year_starts: list[datetime] = []
        self.yearly: dict[int, Counter[str]] = defaultdict(Counter)
        self._span: tuple[datetime, datetime, Counter[str]] | None = None  # ``_year``'s last year

    def year_of(self, at: datetime) -> int:
        """The year of the run ``at`` falls in: 1 from the origin to its first anniversary (a 29 February origin's
        anniversary is 1 March), 2 to the second …"""
        starts = self.year_starts
        while not starts or starts[-1] <= at:
            n = len(starts)
            try:
                starts.append(self.origin.replace(year=self.origin.year + n))
            except ValueError:  # 29 February in a common year
                starts.append(self.origin.replace(year=self.origin.year + n, month=3, day=1))
        return bisect_right(starts, at)

    def _year(self, at: datetime, key: str, n: int = 1) -> None:
        span = self._span  # the year counted last: [its start, its end) and its counter (events come in time order)
        if span is not None and span[0] <= at < span[1]:
            span[2][key] += n
            return
        year = self.year_of(at)
        counter = self.yearly[year]
        if year > 0:  # ``year_of``: year_starts[year - 1] <= at < year_starts[year]
            self._span = (self.year_starts[year - 1], self.year_starts[year], counter)
        counter[key] += n

    def __call__(self, e: Event) -> None:
        kind = e.kind
        k = e.case_id
        # the most frequent kinds first (a court-year: ~285,000 events, a third deadlines set, a third items done)
        if kind == EVENT_KIND.DEADLINE_SET:
            key = (k, e.node, e.instance, e.item)
            self.deadlines[key] = False
            due = (e.data or {}).get("due", e.at)
            if k in self.carried and due <= self.origin:
                self.inherited.add(key)  # already due when the run began: not the simulated staff's
            elif self.inherited:
                self.inherited.discard(key)  # set again in the run (re-armed): the staff's from now on
            if e.data and "calendar_provisional" in e.data:  # the deadline depends on a provisional holiday year
                self.provisional.append((due, e.data["calendar_provisional"]))
            if e.node == self.limit_node:
                self.limit_first.setdefault(k, due)
                self.limit_due[k] = due
                self.limit_suspended.discard(k)
            return
        if kind == EVENT_KIND.ITEM_DONE:
            key = (k, e.node, e.instance, e.item)
            missed = self.deadlines.pop(key, None)
            if k in self.carried and (key in self.inherited or e.at <= self.origin):
                if e.at <= self.origin:
                    self.at_start["entered_done"] += 1  # work done before the run, entered at its start
            elif missed is False and e.at >= self.kpi_from:
                if (e.data or {}).get("late"):
                    self.late[e.node] += 1
                    self._year(e.at, "late")
                else:
                    self.on_time[e.node] += 1
                    self._year(e.at, "on_time")
            return
        if kind == EVENT_KIND.EXCHANGE:
            d = e.data or {}
            if d.get("kind") == "sent" and e.at >= self.kpi_from:
                day = (e.at.date() - self.origin.date()).days
                hour = e.at.hour
                agency = d.get("agency", "?")
                self.court_sent += 1
                self.requests[(agency, day)] += 1
                self.requests_hour[(agency, day, hour)] += 1
                scope = d.get("scope")
                if scope and (no := d.get("request_no")) not in self._fanned:
                    self._fanned.add(no)
                    # counted in C (``Counter.update``), in the scope's order as a loop would (~26 agencies each)
                    self.requests.update([(code, day) for code in scope])
                    self.requests_hour.update([(code, day, hour) for code in scope])
            return
        counted = e.at >= self.kpi_from
        if kind == EVENT_KIND.ANCHOR:
            if self.disposal:
                self._lot(e, counted)
            return
        if kind == EVENT_KIND.NODE_DONE:  # read only for a 变卖 ended unsold (``DISPOSAL_KINDS``)
            if self.disposal and e.node == _SALE_NODE and (key := (e.case_id, e.instance)) in self._lot_priced:
                # review R22: node 28 done with no sale — the 变卖 found no buyer (``core_flow.platform.disposal``,
                # stage ``unsold``: no anchor of its own) — ends the lot's disposal; it was counted in disposal to the
                # end. Censored there (``sale_km``), as a withdrawal; a 变卖 sold completes node 28 after its
                # ``sale_paid``, already disposed of; a later taking in kind (after_failed_sale) still overrides
                self._lot_exit.setdefault(key, (e.at, "unsold"))
            return
        if kind == EVENT_KIND.DEADLINE_MISSED:
            key = (k, e.node, e.instance, e.item)
            if key in self.deadlines and not self.deadlines[key]:
                self.deadlines[key] = True
                if key in self.inherited:
                    self.at_start["overdue"] += 1
                    self.overdue_at_start[e.node] += 1
                elif counted:
                    self.late[e.node] += 1
                    self._year(e.at, "late")
        elif kind == EVENT_KIND.DEADLINE_WITHDRAWN:  # moot (node 26 after 以物抵债): neither met nor late
            key = (k, e.node, e.instance, e.item)
            self.deadlines.pop(key, None)
            self.inherited.discard(key)
        elif kind == EVENT_KIND.FILED:
            d = e.data or {}
            filed = d.get("filed_at") or e.at  # a start-state case: its real filing date
            self.filed_at[k] = filed
            self.open_now += 1
            if d.get("nonlitigation"):
                self.nonlit.add(k)
            if filed < self.origin:
                self.carried.add(k)  # the caseload carried over into the run, not intake
            elif counted:
                self.filed[d.get("case_type", "first")] += 1
                self._year(e.at, "filed")
        elif kind == EVENT_KIND.CLOSED:
            manner = (e.data or {}).get("manner", "?")
            self.open_now -= 1
            at = (e.data or {}).get("closed_at", e.at)  # a closing entered after the fact (a start state's register)
            counted = at >= self.kpi_from
            self.closed_at[k] = at
            if k in self._case_lots:  # its lots still in disposal leave it (censored: ``sale_km``)
                for asset in self._case_lots[k]:
                    self._lot_exit.setdefault((k, asset), (at, "closed"))
            if manner == "zhongben":
                self.zhongben_now += 1
            if k in self.carried:
                if at < self.origin:
                    self.carried_zhongben += 1  # the 终本 register of the start state
                    if before := (e.data or {}).get("sweeps_before"):
                        self.sweeps_before[k] = before
                elif counted:
                    self.carried_closed[manner] += 1
            if counted:
                self.closed[manner] += 1
                self._year(at, "closed")
                if manner == "zhongben":
                    self._year(at, "zhongben")
                filed = self.filed_at.get(k)
                if filed is not None:
                    days = (at - filed).total_seconds() / 86400
                    self.cycle[manner].append(days)
                    first = self.limit_first.get(k)
                    if first is None:  # a process without a 审限 deadline: the statutory months, in days
                        first = filed + timedelta(days=92 if k in self.nonlit else 183)
                    if at <= first:
                        self.within_statutory += 1
                    if at <= self.limit_due.get(k, first) or k in self.limit_suspended:
                        self.within_limit += 1
        elif kind == EVENT_KIND.LIMIT_SUSPENDED:
            self.limit_suspended.add(k)  # 审限中止: no due runs until it is lifted (a new deadline then)
        elif self.inherited and kind in _AT_START and self._inherited(e):
            self.at_start[_AT_START[kind]] += 1  # a deadline missed before the run: its consequences, apart
            if kind == EVENT_KIND.NODE_FROZEN:
                self.frozen_at_start.add((k, e.node, e.instance))
        elif self.frozen_at_start and kind in _UNFREEZE and (k, e.node, e.instance) in self.frozen_at_start:
            # the approval of a node freeze inherited from the start state: the approvers' work in the run, counted
            # apart so that ``unfreeze_approvals`` answers ``node_freezes``
            self.at_start["unfreeze_approvals" if kind == EVENT_KIND.UNFREEZE_APPROVED else "unfreeze_forwarded"] += 1
            if kind == EVENT_KIND.UNFREEZE_APPROVED:
                self.frozen_at_start.discard((k, e.node, e.instance))
        elif counted:
            if kind == EVENT_KIND.WARNING:
                self.warnings[e.node] += 1
            elif kind == EVENT_KIND.NODE_FROZEN:
                self.frozen[e.node] += 1
            elif kind == EVENT_KIND.UNFREEZE_APPROVED:
                self.unfreeze_by[(e.data or {}).get("authority", "?")] += 1
            elif kind == EVENT_KIND.UNFREEZE_FORWARDED:
                self.unfreeze_by[(e.data or {}).get("authority", "?") + " (层报)"] += 1
            elif kind == EVENT_KIND.PAID_OUT:  # to the applicant: recovered; a surplus back to the debtor is not
                if (e.data or {}).get("surplus"):
                    self.returned_cents += e.data.get("amount_cents", 0)
                else:
                    self.paid_cents += (e.data or {}).get("amount_cents", 0)
            elif kind == EVENT_KIND.FEE_SETTLED:  # settled from a receipt at its payout: not the applicant's money
                self.fee_cents += (e.data or {}).get("amount_cents", 0)
            elif kind == EVENT_KIND.FUNDS_ARRIVED:
                self.deducted_cents += (e.data or {}).get("amount_cents", 0)
            elif kind == EVENT_KIND.PROCEEDS_ARRIVED:  # a sale's proceeds (变价款: auction, 变卖)
                if (e.data or {}).get("source") == "deposit_forfeited":  # a defaulted buyer's deposit (H56)
                    self.deposit_cents += e.data.get("amount_cents", 0)
                else:
                    self.proceeds_cents += (e.data or {}).get("amount_cents", 0)
            elif kind == EVENT_KIND.SWEEP_DUE:
                self.sweeps[k] += 1
            if kind in _COUNTED:
                self.counts[kind.value] += 1
                if kind in _BY_YEAR:
                    self._year(e.at, _BY_YEAR[kind])
        if kind == EVENT_KIND.RESUMPTION_APPROVED:
            self.zhongben_now -= 1
        elif kind == EVENT_KIND.SWEEP_DUE and not counted:
            self.sweeps[k] += 1

    def _lot(self, e: Event, counted: bool) -> None:
        """A disposal anchor (``core_flow.platform.disposal``): the lot's round scheduled, unsold, sold or taken in
        kind. A lot's instance is its asset; a sale counts under the round last scheduled for it (一拍, 二拍, 变卖)
        when the buyer's price is in the case's account (``sale_paid``: the instant ``proceeds_yuan`` counts it) —
        not at the 成交确认 ruling (``sale_confirmed``, node 27, a judge's work item: counted apart, as
        ``sales_confirmed``), which a busy court's queue holds back for weeks and a case closed 执行完毕 on the
        proceeds may never reach (review R17: a --dispose 1 court-year counted 322 sales of 571 paid); 以物抵债 at its
        ``sale_confirmed`` (``in_kind_price_cents``: no payment)."""
        d = e.data or {}
        anchor = d.get("anchor")
        if anchor not in _LOT_ANCHORS:
            return
        key = (e.case_id, e.instance)
        if anchor == "reference_price_fixed":
            if key not in self._lot_priced:
                self._case_lots[e.case_id].append(e.instance)
                if e.case_id in self.closed_at:  # priced on a closed case (a retry answered late): not in disposal
                    self._lot_exit[key] = (e.at, "closed")
            self._lot_priced.setdefault(key, e.at)
        elif anchor in _ROUNDS:
            self._lot_round[key] = _ROUNDS[anchor]
            # a round held again after its buyer defaulted (悔拍: ``reauction``, the same round's anchor) is not a new
            # first or second auction or 变卖 of the lot: counted apart, in ``reauctions`` (review R23 finding 7)
            held = "reauctions" if d.get("reauction") else _LOT_ANCHORS[anchor]
            if counted:
                self._round_counted[key] = held
                self.lots[held] += 1
                return
            self._round_counted.pop(key, None)
        elif anchor == "listing_withdrawn":
            # review R17 F5: a round withdrawn before its bidding was not held — taken back out of its round's count
            # (``auctions_first``, ``auctions_second``, ``sale_periods``: the rounds held or still to be held); the
            # withdrawal itself counts in ``rounds_withdrawn``
            if (held := self._round_counted.pop(key, None)) is not None:
                self.lots[held] -= 1
            if key in self._lot_priced:
                self._lot_exit.setdefault(key, (e.at, "withdrawn"))
        if key in self._lot_priced and (anchor == "sale_paid" or (
                anchor == "sale_confirmed" and "in_kind_price_cents" in d)):
            # disposed of (sold, or taken in kind): its end, even after a censoring — a round whose bidding had begun
            # at the closing runs to its end; a lot withdrawn by hand may still be taken in kind
            if self._lot_exit.get(key, (None, ""))[1] != "disposed":
                self._lot_exit[key] = (e.at, "disposed")
        if not counted:
            return
        if anchor == "sale_paid":
            self.lots["sold_" + self._lot_round.get(key, "first_auction")] += 1
        elif anchor == "sale_confirmed" and "in_kind_price_cents" in d:
            self.lots["in_kind"] += 1
        else:  # a count of its own (a sale's confirmation too: ``sales_confirmed``)
            self.lots[_LOT_ANCHORS[anchor]] += 1
            return
        if (priced := self._lot_priced.get(key)) is not None:
            self.sale_days.append((e.at - priced).total_seconds() / 86400)

    def sale_km(self, end: datetime) -> dict[str, Any]:
        """The median days from a lot's reference price to its disposal — its sale paid, or its taking in kind
        confirmed, as ``sale_days_p50`` — with the lots not disposed of taken into account (review R17 F3: the plain
        median of the sales made in the window left out the lots still unsold at its end, so it read short where the
        staff are saturated: about 94 days against a Kaplan–Meier 232). Kaplan–Meier (``km_median``) over every lot
        seen in disposal in the counted window: a lot priced in the warm-up enters at its age at the warm-up's end
        (left truncation), one that left the disposal in the warm-up is not in it. Censored: a lot still in disposal
        at the run's end (there); a lot whose round was withdrawn (撤回拍卖: by hand, or at its case's closing) or
        whose case closed (执行完毕 on other money, a settlement, 终本 — its sale no longer wanted) or whose 变卖
        ended unsold (its disposal over: review R22 — not "in disposal at the end") at that instant, taken as
        unrelated to how long the lot would have taken to sell. No competing event: a lot taken in kind is disposed of,
        as ``sale_days_p50`` counts it. A later sale or taking in kind overrides the censoring (a round whose bidding
        had begun at the closing runs to its end). ``median`` None: undefined (``undefined``: fewer
        than half the lots disposed of by the last time seen) or no lot. ``table``: the lots as (entry, exit,
        disposed), days from the reference price — sent back with the unit's results, so a court's replications can
        be pooled into one curve (``pooled_km``, ``sim.replicate.aggregate``)."""
        durations: list[float] = []
        disposed: list[bool] = []
        entries: list[float] = []
        table: list[tuple[float, float, float]] = []  # (entry, exit, disposed): what ``pooled_km`` pools
        how: Counter[str] = Counter()
        in_disposal = 0
        for key, priced in self._lot_priced.items():
            at, way = self._lot_exit.get(key, (end, "end"))
            if way == "end":
                in_disposal += 1
            if at <= self.kpi_from:  # out of the disposal before the counted window
                continue
            entry = max(0.0, (self.kpi_from - priced).total_seconds() / 86400)
            days = (at - priced).total_seconds() / 86400
            if days <= entry:
                continue
            durations.append(days)
            disposed.append(way == "disposed")
            entries.append(entry)
            table.append((entry, days, 1.0 if way == "disposed" else 0.0))
            how[way] += 1
        median = km_median(durations, disposed, entries)
        undefined = median is None
        return {"lots": len(durations), "disposed": how["disposed"], "censored_at_end": how["end"],
                "censored_withdrawn": how["withdrawn"], "censored_closed": how["closed"],
                "censored_unsold": how["unsold"],
                "entered_late": sum(1 for x in entries if x > 0), "in_disposal_end": in_disposal,
                "median": None if undefined or median != median else median, "undefined": undefined,
                "table": table}

    def by_year(self, end: datetime, series: dict[str, list[float]]) -> list[dict[str, Any]]:
        """Each year of the run (``year_of``) as the KPIs count it — after the warm-up, ``days`` counted: new cases
        filed, closed (of them by 终本), resumptions, 终本 sweeps, deadline compliance; and the open cases and the
        终本 register at the year's end (the last daily sample in it). A planner reading a 3-year run sees why year 3
        differs from year 1 (the register grown, its sweeps and resumptions). A year wholly in the warm-up is no row
        (nothing of it is counted)."""
        self.year_of(end)  # the year starts up to the run's end
        rows = []
        days, opens, register = series.get("day", []), series.get("open", []), series.get("zhongben", [])
        for i, start in enumerate(self.year_starts[:-1]):
            stop = min(self.year_starts[i + 1], end)
            if stop <= start:
                break
            lo = max(start, self.kpi_from)
            if stop <= lo:  # wholly in the warm-up: nothing counted (its row read 0 cases filed, with its filings)
                continue
            c = self.yearly.get(i + 1, Counter())
            met, late = c["on_time"], c["late"]
            upto = (stop - self.origin).total_seconds() / 86400
            last = max((j for j, d in enumerate(days) if d < upto), default=None)
            rows.append({"year": i + 1, "from": start.date().isoformat(), "to": stop.date().isoformat(),
                         "days": max(0.0, (stop - lo).total_seconds() / 86400),
                         "filed": c["filed"], "closed": c["closed"], "zhongben": c["zhongben"],
                         "resumptions": c["resumptions"], "sweeps": c["sweeps"],
                         "compliance": met / (met + late) if met + late else math.nan,
                         "open_at_end": opens[last] if last is not None else math.nan,
                         "register_at_end": register[last] if last is not None else math.nan})
        return rows

    def _inherited(self, e: Event) -> bool:
        item = e.item
        if item is None and e.kind == EventKind.NODE_FROZEN:
            reason = (e.data or {}).get("reason", "")
            item = reason.split(":", 1)[1] if reason.startswith("DEADLINE:") else None
        return (e.case_id, e.node, e.instance, item) in self.inherited

    def provisional_before(self, end: datetime) -> tuple[set[int], int]:
        """The provisional holiday years of the deadlines that fell due in the run (before ``end``: those after it
        do not touch its results — a 3-year seal's term — and are not reported), and how many such deadlines."""
        within = [years for due, years in self.provisional if due <= end]
        return {y for years in within for y in years}, len(within)

    def summary(self, staff_stats: Any, staff_people: dict[str, tuple[str, ...]], capacity_s: float,
                series: dict[str, list[float]], days: float, end: datetime, day_cap_s: float) -> dict[str, Any]:
        kpi: dict[str, float] = {}
        total_on = sum(self.on_time.values())
        total_late = sum(self.late.values())
        kpi["compliance"] = total_on / (total_on + total_late) if total_on + total_late else math.nan
        per_node = {}
        for node in sorted(set(self.on_time) | set(self.late) | set(self.warnings) | set(self.frozen)):
            on, late = self.on_time[node], self.late[node]
            per_node[str(node)] = {"deadlines": on + late, "late": late,
                                   "compliance": on / (on + late) if on + late else None,
                                   "warnings": self.warnings[node], "frozen": self.frozen[node]}
            if on + late:
                kpi[f"compliance.node{node}"] = on / (on + late)
        filed = sum(self.filed.values())
        closed = sum(self.closed.values())
        kpi["filed"] = filed
        kpi["carried_over"] = len(self.carried)
        kpi["carried_over_open"] = len(self.carried) - self.carried_zhongben
        kpi["carried_over_zhongben"] = self.carried_zhongben
        kpi["carried_over_closed"] = sum(self.carried_closed.values())
        kpi["overdue_at_start"] = self.at_start["overdue"]
        kpi["node_freezes_at_start"] = self.at_start["node_freezes"]
        kpi["unfreeze_approvals_at_start"] = self.at_start["unfreeze_approvals"]
        kpi["closed"] = closed
        kpi["warnings"] = sum(self.warnings.values())
        kpi["node_freezes"] = sum(self.frozen.values())
        kpi["unfreeze_approvals"] = sum(self.unfreeze_by.values())
        kpi["duban_raised"] = self.counts["duban_raised"]
        kpi["duban_closed"] = self.counts["duban_closed"]
        kpi["limit_extended"] = self.counts["limit_extended"]
        kpi["resumptions"] = self.counts["resumption_approved"]
        kpi["sweeps"] = self.counts["sweep_due"]
        kpi["zhongben_rate"] = self.closed["zhongben"] / closed if closed else math.nan
        kpi["within_limit_share"] = self.within_limit / closed if closed else math.nan
        kpi["within_statutory_share"] = self.within_statutory / closed if closed else math.nan
        kpi["recovered_yuan"] = self.paid_cents / 100
        if self.fees:  # only where charged: the bundled court's KPIs stay as they were
            kpi["fees_yuan"] = self.fee_cents / 100
        kpi["deducted_yuan"] = self.deducted_cents / 100
        kpi["proceeds_yuan"] = self.proceeds_cents / 100
        kpi["returned_yuan"] = self.returned_cents / 100
        if self.disposal:  # only where the court disposes of property: the other courts' KPIs stay as they were
            for key in DISPOSAL_KPIS:
                kpi[key] = self.lots[key]
            kpi["sale_days_p50"] = percentile(sorted(self.sale_days), 0.5)
            sale_km = self.sale_km(end)
            kpi["sale_days_km_p50"] = sale_km["median"] if sale_km["median"] is not None else math.nan
            kpi["lots_in_disposal_end"] = sale_km["in_disposal_end"]
            # review R26 F8: a defaulted buyer's forfeited deposit reaches the case as a receipt of its own — not the
            # sale's proceeds (``proceeds_yuan``, 变价款), counted apart
            kpi["deposits_forfeited_yuan"] = self.deposit_cents / 100
        kpi["open_at_end"] = self.open_now
        kpi["zhongben_register_at_end"] = self.zhongben_now
        cycle = {}
        for manner, xs in self.cycle.items():
            xs.sort()
            cycle[manner] = {"n": len(xs), "p50": percentile(xs, 0.5), "p90": percentile(xs, 0.9),
                             "mean": fmean(xs)}
            kpi[f"cycle_p50_days.{manner}"] = percentile(xs, 0.5)
            kpi[f"cycle_p90_days.{manner}"] = percentile(xs, 0.9)
        all_cycle = sorted(x for xs in self.cycle.values() for x in xs)
        kpi["cycle_p50_days"] = percentile(all_cycle, 0.5)
        kpi["cycle_p90_days"] = percentile(all_cycle, 0.9)
        # staff
        util_person, util_role = {}, {}
        overtime_role: dict[str, float] = {}
        # a person's work on the day it arrived above a working day's hours is overtime: the work done, and the work
        # still queued at the end (``StaffStats.queued_demand``: a shared queue's spread over the role's people) — a
        # saturated run's last weeks of arrivals, begun after its end, were left out and the figure read low
        over_person: dict[str, float] = defaultdict(float)
        demand = defaultdict(float, staff_stats.demand)
        for key, s in staff_stats.queued_demand(staff_people).items():
            demand[key] += s
        for (p, _d), s in demand.items():
            if s > day_cap_s:
                over_person[p] += s - day_cap_s
        for role, names in staff_people.items():
            busy = [staff_stats.busy.get(n, 0.0) for n in names]
            for n, b in zip(names, busy, strict=True):
                util_person[n] = b / capacity_s if capacity_s else math.nan
            util_role[role] = sum(busy) / (capacity_s * len(names)) if capacity_s and names else math.nan
            kpi[f"utilisation.{role}"] = util_role[role]
            overtime_role[role] = sum(over_person[n] for n in names) / 3600
            kpi[f"overtime_hours.{role}"] = overtime_role[role]
        kpi["staff_items"] = staff_stats.done
        by_kind = {k: {"items": v[0], "staff_hours": v[1] / 3600, "mean_wait_hours": v[2] / v[0] / 3600 if v[0] else 0}
                   for k, v in sorted(staff_stats.by_kind.items())}
        # agencies
        agencies: dict[str, dict[str, float]] = {}
        per_agency: dict[str, list[int]] = defaultdict(list)
        for (agency, _day), n in self.requests.items():
            per_agency[agency].append(n)
        peak_hour: dict[str, int] = defaultdict(int)
        peak_when: dict[str, int] = {}
        for (agency, _day, hour), n in self.requests_hour.items():
            if n > peak_hour[agency]:
                peak_hour[agency] = n
                peak_when[agency] = hour
        for agency, ns in sorted(per_agency.items()):
            agencies[agency] = {"total": sum(ns), "per_day_mean": sum(ns) / max(days, 1),
                                "peak_day": max(ns), "peak_hour": peak_hour[agency],
                                "peak_hour_of_day": peak_when.get(agency, 0)}
        if agencies:  # what the agencies handle: the 总对总 system's own row (the court's requests to it) not again
            kpi["agency_requests_per_day"] = sum(a["total"] for code, a in agencies.items() if code != HUB) / max(
                days, 1)
            # what the court itself sends (its gateway's load: one 集约查询 is one request to the hub; re-sends count)
            kpi["court_requests_per_day"] = self.court_sent / max(days, 1)
        # each agency's requests by hour on the calendar (date ordinal × 24 + hour): courts' loads add up hour by
        # hour, so a province's peak day and peak hour per agency can be found (``sim.replicate.province``)
        first_day = self.origin.date().toordinal()
        agency_hours: dict[str, dict[int, int]] = defaultdict(dict)
        for (agency, day, hour), n in self.requests_hour.items():
            agency_hours[agency][(first_day + day) * 24 + hour] = n
        kpi["cases_per_judge_year"] = (filed / max(len(staff_people.get("承办法官", ())), 1)) * 365 / max(days, 1)
        # Little's law: L from the daily backlog samples, W from the cases' own filing and closing instants
        win0 = self.kpi_from
        t_days = (end - win0).total_seconds() / 86400
        in_window = 0.0
        arrivals = 0
        for k, f in self.filed_at.items():
            c = self.closed_at.get(k, end)
            lo, hi = max(f, win0), min(c, end)
            if hi > lo:
                in_window += (hi - lo).total_seconds() / 86400
            if f >= win0:
                arrivals += 1
        present_at_start = sum(1 for k, f in self.filed_at.items() if f < win0 and self.closed_at.get(k, end) > win0)
        opens = series.get("open", [])
        little = {"L": fmean(opens) if opens else math.nan, "filed": arrivals + present_at_start, "days": t_days,
                  "W_days": in_window / (arrivals + present_at_start) if arrivals + present_at_start else math.nan}
        return {"kpi": kpi, "per_node": per_node, "unfreeze_by": dict(self.unfreeze_by), "cycle": cycle,
                "by_year": self.by_year(end, series),
                "closed_by": dict(self.closed), "filed_by": dict(self.filed),
                "utilisation": {"role": util_role, "person": util_person}, "overtime_hours": overtime_role,
                "work": by_kind, "agencies": agencies, "agency_hours": dict(agency_hours), "little": little,
                "series": series,
                "sweeps_per_case": dict(self.sweeps),
                "carried_over": {"cases": len(self.carried), "zhongben_register": self.carried_zhongben,
                                 "closed_in_run": dict(self.carried_closed), "at_start": dict(self.at_start),
                                 "overdue_by_node": {str(n): v for n, v in sorted(self.overdue_at_start.items())}},
                **({"sale_km": sale_km} if self.disposal else {})}


# the disposal anchors counted (``Collector._lot``) → their KPI; ``sale_paid`` counts by its round (``_ROUNDS``),
# ``sale_confirmed`` in kind or as a confirmation
_LOT_ANCHORS = {"reference_price_fixed": "lots_priced", "objection_received": "price_objections",
                "objection_upheld": "price_objections_upheld", "auction_scheduled": "auctions_first",
                "second_auction_scheduled": "auctions_second", "sale_period_scheduled": "sale_periods",
                "first_unsold": "unsold_first", "second_unsold": "unsold_second", "sale_paid": "sold",
                "sale_confirmed": "sales_confirmed", "listing_withdrawn": "rounds_withdrawn",
                "buyer_defaulted": "buyer_defaults"}
_ROUNDS = {"auction_scheduled": "first_auction", "second_auction_scheduled": "second_auction",
           "sale_period_scheduled": "sale_period"}
DISPOSAL_KPIS = ("lots_priced", "price_objections", "price_objections_upheld", "auctions_first", "unsold_first",
                 "auctions_second", "unsold_second", "sale_periods", "sold_first_auction", "sold_second_auction",
                 "sold_sale_period", "in_kind", "rounds_withdrawn", "sales_confirmed", "buyer_defaults", "reauctions")
_AT_START = {EventKind.WARNING: "warnings", EventKind.NODE_FROZEN: "node_freezes",
             EventKind.DUBAN_RAISED: "duban_raised", EventKind.DUBAN_CLOSED: "duban_closed"}
_BY_YEAR = {EventKind.RESUMPTION_APPROVED: "resumptions", EventKind.SWEEP_DUE: "sweeps"}
_UNFREEZE = {EventKind.UNFREEZE_APPROVED, EventKind.UNFREEZE_FORWARDED}
_COUNTED = {EventKind.DUBAN_RAISED, EventKind.DUBAN_CLOSED, EventKind.LIMIT_EXTENDED, EventKind.RESUMPTION_APPROVED,
            EventKind.SWEEP_DUE, EventKind.RESUMPTION_FILED}
# every kind ``Collector.__call__`` reads: it is subscribed to these only (``sim.run``); a kind it starts reading
# must be added here (tests/test_sim_kpi_kinds.py feeds it every other kind and checks nothing changes)
KINDS = frozenset({EventKind.EXCHANGE, EventKind.DEADLINE_SET, EventKind.DEADLINE_MISSED, EventKind.ITEM_DONE,
                   EventKind.DEADLINE_WITHDRAWN,
                   EventKind.FILED, EventKind.CLOSED, EventKind.WARNING, EventKind.NODE_FROZEN,
                   EventKind.UNFREEZE_APPROVED, EventKind.UNFREEZE_FORWARDED, EventKind.PAID_OUT,
                   EventKind.FUNDS_ARRIVED, EventKind.PROCEEDS_ARRIVED, EventKind.SWEEP_DUE, EventKind.FEE_SETTLED,
                   EventKind.RESUMPTION_APPROVED, EventKind.LIMIT_SUSPENDED}) | _COUNTED
# read besides where the court disposes of property (``Collector(disposal=True)``): the platform's anchors
DISPOSAL_KINDS = frozenset({EventKind.ANCHOR, EventKind.NODE_DONE})
# 变卖 (``core_flow.platform.disposal``): its node done with no sale paid is the 变卖 ended unsold
_SALE_NODE = 28
