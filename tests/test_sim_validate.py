"""Validation against queueing theory: the staff queue as a plain M/M/c reproduces Erlang C; Little's law holds on
the court model's own output.

Tolerances come from the replications' own confidence interval: the theoretical value must lie within 3.3 standard
errors of the simulated mean (the 99.9% interval). Seeds are fixed, so the outcome is the same on every run."""

from __future__ import annotations

import pytest

from sim.kpi import mean_ci, t975
from sim.replicate import make_units, run_units
from sim.staff_deadline import DeadlineStaff
from sim.validate import erlang_c, erlang_wq, little, mmc
from tests.sim_support import small_court


def test_erlang_c_formula_matches_the_issue_figures():
    assert erlang_c(9, 1, 10) == pytest.approx(0.6687, abs=5e-5)
    assert erlang_wq(9, 1, 10) == pytest.approx(0.6687, abs=5e-5)  # cμ − λ = 1
    assert erlang_c(4, 1, 5) == pytest.approx(0.5541, abs=5e-5)
    assert erlang_c(4, 1, 3) == 1.0  # overloaded: everyone waits


def _within(sim: tuple[float, float, float], theory: float, reps: int) -> bool:
    mean, low, _high = sim
    se = (mean - low) / t975(reps - 1)
    return abs(mean - theory) <= 3.3 * se


@pytest.mark.parametrize(("lam", "c"), [(9, 10), (4, 5)])
def test_the_staff_queue_as_mmc_reproduces_erlang_c(lam, c):
    reps = 8
    r = mmc(lam, 1, c, hours=1500, warmup=50, replications=reps, seed=20251204)
    assert r.customers > reps * 1500 * lam * 0.9
    assert _within(r.p_wait, erlang_c(lam, 1, c), reps), r
    assert _within(r.wq, erlang_wq(lam, 1, c), reps), r
    # and the interval is tight enough to mean something
    assert r.p_wait[2] - r.p_wait[1] < 0.1


def test_the_deadline_first_staff_queue_as_mmc_reproduces_erlang_c():
    """The default staff discipline (``queue: deadline``): with no deadline in a plain M/M/c every item counts as due
    the same time after it came, so the order is first come, first served and Erlang C holds (λ=4, μ=1, c=5)."""
    reps = 8
    r = mmc(4, 1, 5, hours=1500, warmup=50, replications=reps, seed=20251205, staff_class=DeadlineStaff)
    assert r.customers > reps * 1500 * 4 * 0.9
    assert _within(r.p_wait, erlang_c(4, 1, 5), reps), r
    assert _within(r.wq, erlang_wq(4, 1, 5), reps), r


def test_mean_ci_is_a_student_t_interval():
    m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    assert m == 2.0 and hi - m == pytest.approx(4.303 * 1.0 / 3 ** 0.5, rel=1e-3)
    m, lo, hi = mean_ci([0.75])  # one replication: a mean, no interval (not a zero-width one)
    assert m == 0.75 and lo != lo and hi != hi


def test_littles_law_holds_on_the_court_models_own_output():
    """L (open cases, sampled daily) = λ (filings per day) × W (days from filing to closing, or to the end)."""
    r = run_units(make_units([("c", small_court(600, judges=2, clerks=2))], years=0.5, replications=1, seed=4),
                  backend="serial")[0]
    law = little(r)
    assert law["L"] > 20
    assert law["ratio"] == pytest.approx(1.0, abs=0.03), law
