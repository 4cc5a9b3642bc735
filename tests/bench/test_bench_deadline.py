"""Throughput of LegalCalendar.deadline over a mixed batch (target ≥ 200,000 deadlines/s on one core).

No timing assertions: CI machines vary. Run with `make bench` to see the figure.
"""

from __future__ import annotations

import random
import warnings
from datetime import datetime, timedelta

from core_flow.legal_calendar import CST, HolidayCalendar, LegalCalendar, Period, Policy

N = 20_000


def _batch(first_year: int = 2010, years: int = 15) -> list[tuple[datetime, Period, Policy]]:
    rnd = random.Random(20250929)
    periods = [Period.parse(p) for p in ("3d", "15d", "30d", "48h", "24h", "3wd", "10wd", "6m", "1y", "same_day")]
    first = datetime(first_year, 1, 1, tzinfo=CST)
    minutes = years * 365 * 24 * 60  # default 2010-2024, so every period ends inside the official data
    return [
        (
            first + timedelta(minutes=rnd.randrange(minutes)),
            rnd.choice(periods),
            rnd.choice((Policy.CPL, Policy.NATURAL)),
        )
        for _ in range(N)
    ]


def test_bench_deadlines_per_second(benchmark) -> None:
    _measure(benchmark, LegalCalendar(HolidayCalendar(use_env=False)), _batch(), "legal calendar")


def test_bench_deadlines_in_provisional_years_per_second(benchmark) -> None:
    """2027-2030: no official data, so every result carries the provisional warning (the slower path)."""
    cal = LegalCalendar(HolidayCalendar(use_env=False, strict=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _measure(benchmark, cal, _batch(2027, 4), "legal calendar, provisional years")


def _measure(benchmark, cal: LegalCalendar, batch: list[tuple[datetime, Period, Policy]], label: str) -> None:
    deadline = cal.deadline

    def run() -> int:
        for start, period, policy in batch:
            deadline(start, period, policy)
        return len(batch)

    assert benchmark(run) == N
    stats = getattr(benchmark, "stats", None)
    if stats is not None and stats.stats.mean:
        rate = N / stats.stats.mean
        benchmark.extra_info["deadlines_per_second"] = round(rate)
        best = N / stats.stats.min
        print(f"\n{label}: {rate:,.0f} deadlines/s (N/mean; best round {best:,.0f}/s; {N} per round)")
