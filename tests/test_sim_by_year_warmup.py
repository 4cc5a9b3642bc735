"""The year-by-year table leaves out a year wholly in the warm-up. Review R2: with the README's own advice for
steady-state staffing (`--warmup-days 365 --years 2`) the table's first row read 0 cases filed and 0 closed for a
year in which the court filed its whole intake — counted nowhere, said as none."""

from __future__ import annotations

from datetime import datetime

from core_flow.legal_calendar import CST
from sim.replicate import aggregate, make_units, run_units
from tests.sim_support import small_court


def test_a_year_wholly_in_the_warm_up_is_no_row():
    profile = small_court(60, origin=datetime(2026, 1, 5, 8, 30, tzinfo=CST), warmup_days=365)
    results = run_units(make_units([(profile.name, profile)], years=2.1, replications=1, seed=7), backend="serial")
    years = results[0]["by_year"]
    assert [y["year"] for y in years] == [2, 3]
    assert years[0]["from"] == "2027-01-05" and years[0]["days"] > 0 and years[0]["filed"] > 0
    assert sum(y["filed"] for y in years) == results[0]["kpi"]["filed"]
    assert [y["year"] for y in aggregate(results)["courts"][profile.name]["by_year"]] == [2, 3]
