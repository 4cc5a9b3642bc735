"""Validation against queueing theory: the staff machinery run as a plain M/M/c queue reproduces Erlang C, and
Little's law holds on the court model's own output.

The M/M/c run uses exactly the code a court uses (``sim.staff.Staff``'s pooled role on a SimPy environment), with
24/7 hours, Poisson arrivals (rate λ per hour) and exponential staff times (rate μ per hour). Each replication has
its own seed from ``numpy.random.SeedSequence``; the estimate is the mean over replications with a Student-t
95% confidence interval."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import simpy

from sim.kpi import mean_ci
from sim.staff import Staff, WorkHours

HOUR = 3600.0


def erlang_c(lam: float, mu: float, c: int) -> float:
    """P(wait) of an M/M/c queue (Erlang C)."""
    a = lam / mu
    rho = a / c
    if rho >= 1:
        return 1.0
    term = 1.0
    total = 1.0
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c / (1 - rho)
    return last / (total + last)


def erlang_wq(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue Wq = C(c, a) / (cμ − λ), in the time unit of λ and μ."""
    return erlang_c(lam, mu, c) / (c * mu - lam)


@dataclass(frozen=True)
class MMcResult:
    lam: float
    mu: float
    c: int
    p_wait: tuple[float, float, float]  # mean, CI low, CI high
    wq: tuple[float, float, float]  # hours
    theory_p_wait: float
    theory_wq: float
    customers: int

    def as_dict(self) -> dict[str, object]:
        return {"lambda": self.lam, "mu": self.mu, "c": self.c, "p_wait": list(self.p_wait), "wq": list(self.wq),
                "theory_p_wait": self.theory_p_wait, "theory_wq": self.theory_wq, "customers": self.customers,
                "p_wait_ok": self.p_wait[1] <= self.theory_p_wait <= self.p_wait[2],
                "wq_ok": self.wq[1] <= self.theory_wq <= self.wq[2]}


def mmc_once(lam: float, mu: float, c: int, hours: float, warmup: float, seed: int,
             staff_class: type[Staff] = Staff) -> tuple[float, float, int]:
    """One replication: (share of customers who waited, mean wait in hours, customers counted). ``staff_class``:
    first come, first served (``Staff``) or deadline first (``DeadlineStaff``: with no deadline, the same order)."""
    env = simpy.Environment()
    staff = staff_class(env, WorkHours(datetime(2025, 1, 1), always=True),
                        {"server": tuple(f"s{i}" for i in range(c))}, dedicated=(), count_from=warmup * HOUR,
                        keep_waits=True)
    rng = random.Random(seed)

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(lam) * HOUR)
            staff.work("server", rng.expovariate(mu) * HOUR)

    env.process(arrivals())
    env.run(until=(warmup + hours) * HOUR)
    waits = staff.stats.waits
    n = len(waits)
    return sum(1 for w in waits if w > 0) / n, sum(waits) / n / HOUR, n


def mmc(lam: float, mu: float, c: int, *, hours: float = 2000, warmup: float = 50, replications: int = 10,
        seed: int = 11, staff_class: type[Staff] = Staff) -> MMcResult:
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(replications)]
    runs = [mmc_once(lam, mu, c, hours, warmup, s, staff_class) for s in seeds]
    return MMcResult(lam, mu, c, mean_ci([r[0] for r in runs]), mean_ci([r[1] for r in runs]),
                     erlang_c(lam, mu, c), erlang_wq(lam, mu, c), sum(r[2] for r in runs))


def little(result: dict) -> dict[str, float]:
    """Little's law on a court run: mean open cases L vs intake rate λ × mean time in system W (days).

    L is the time-average of open cases over the KPI window, λ the cases filed per day in it, W the mean time
    from filing to closing — cases still open at the end count with the time they have spent so far (the
    sample-path form of L = λW over a finite window)."""
    little_ = result["little"]
    lam = little_["filed"] / little_["days"]
    return {"L": little_["L"], "lambda_per_day": lam, "W_days": little_["W_days"], "lambda_W": lam * little_["W_days"],
            "ratio": (lam * little_["W_days"]) / little_["L"] if little_["L"] else math.nan}
