"""Arrivals: the court's intake of new 执行实施 cases, filed in working hours on working days.

For each working day the number of filings is Poisson with mean ``yearly × month weight / working days of the
month``; each filing gets a uniform instant in the working periods. Case type, 金钱给付, 非诉, debtor kind,
claim and 失信 eligibility are drawn from the profile's shares. The arrival stream has its own seed (a child of
the replication's ``SeedSequence``), so it is the same at every staffing level (common random numbers)."""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from sim.profile import CourtProfile, month_weights
from sim.staff import WorkHours


@dataclass(frozen=True, slots=True)
class Arrival:
    at: float  # SimPy seconds since the origin
    case_type: str
    money: bool
    nonlitigation: bool
    person: bool
    amount_cents: int
    shixin: bool


def arrivals(profile: CourtProfile, hours: WorkHours, days: float, rng: np.random.Generator) -> list[Arrival]:
    intake = profile.intake
    weights = month_weights(profile)
    types = list(intake.mix)
    p_types = np.array([intake.mix[t] for t in types], dtype=float)
    p_types /= p_types.sum()
    # ``rng.choice(len(types), p=p_types)`` without its checks of ``p`` at every call (~30 µs each): numpy's own
    # steps — the cumulative shares normalised, one uniform draw, its place — with the same draws and the same result
    cdf = p_types.cumsum()
    cdf /= cdf[-1]
    p_person = intake.debtor_kind.get("person", 0) / sum(intake.debtor_kind.values())
    a = intake.amount_yuan
    log_median = np.log(a.median)
    origin = hours.origin
    working_in_month: dict[tuple[int, int], int] = {}
    out: list[Arrival] = []
    for d in range(int(np.ceil(days)) + 1):
        periods = hours.day(d)
        if not periods:
            continue
        day = (origin + timedelta(days=d)).date()
        key = (day.year, day.month)
        if key not in working_in_month:
            n_days = _cal.monthrange(*key)[1]
            first = datetime(day.year, day.month, 1, tzinfo=origin.tzinfo)
            idx0 = (first.date() - origin.date()).days
            working_in_month[key] = sum(1 for i in range(idx0, idx0 + n_days) if hours.day(i)) or 1
        mean = intake.yearly * weights[day.month - 1] / working_in_month[key]
        n = int(rng.poisson(mean))
        if not n:
            continue
        spans = [b - s for s, b in periods]
        total = sum(spans)
        for u in np.sort(rng.random(n)):
            x = u * total
            for (s, _b), span in zip(periods, spans, strict=True):
                if x < span:
                    t = s + x
                    break
                x -= span
            else:
                t = periods[-1][1] - 1
            if t < 0 or t > days * 86400:
                continue
            amount = float(np.exp(rng.normal(log_median, a.sigma)))
            amount = min(max(amount, a.min), a.max)
            out.append(Arrival(at=float(t), case_type=str(types[int(cdf.searchsorted(rng.random(), side="right"))]),
                               money=bool(rng.random() < intake.money_share),
                               nonlitigation=bool(rng.random() < intake.nonlitigation_share),
                               person=bool(rng.random() < p_person), amount_cents=int(round(amount * 100)),
                               shixin=bool(rng.random() < intake.shixin_share)))
    return out
