"""What a run's horizon leaves out is said (an empty 终本 register, under a year counted) — and not said where the
run has a start state or a year's warm-up and a full year counted."""

from __future__ import annotations

from sim.horizon import horizon_notes
from tests.sim_support import small_court


def test_an_empty_register_and_a_short_count_are_said():
    court = small_court()
    notes = horizon_notes([court], 0.5)
    assert len(notes) == 2 and "从空终本库开始" in notes[0] and "182 天" in notes[1]
    assert horizon_notes([court], 1.0) == [notes[0]]  # a year counted: only the register


def test_a_start_state_or_a_years_warm_up_is_the_steady_state():
    warmed = small_court(warmup_days=365)
    assert horizon_notes([warmed], 2.0) == []
    assert "只有 0 天" in horizon_notes([warmed], 1.0)[0]  # a year's warm-up, nothing counted after it
    assert horizon_notes([small_court(start_state="/tmp/起始状态.csv")], 1.0) == []


def test_a_province_names_how_many_courts_start_empty():
    notes = horizon_notes([small_court(), small_court(start_state="x.csv"), small_court()], 1.0)
    assert notes and "（2 个法院" in notes[0]


def test_plan_advises_the_profiles_warm_up_not_an_option_it_does_not_take():
    """`zhixing plan staffing` printed the advice '--warmup-days 365' — an option plan does not take (a usage error if
    followed); it now says the profile's warmup_days. simulate keeps its option."""
    from rich.console import Console

    from zhixing.cmd_plan import _horizon

    console = Console(record=True, width=400)
    (said,) = _horizon(console, [small_court()], 1.0)
    assert "warmup_days: 365" in said and "--warmup-days" not in said, said
    assert "warmup_days: 365" in console.export_text()
    assert "--warmup-days 365" in horizon_notes([small_court()], 1.0)[0]  # simulate's own option
