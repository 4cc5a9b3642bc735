"""What a run's horizon leaves out, said where the planner reads the figures (terminal, report, staffing search).

A run from an empty court has no 终本 register yet: its 6-monthly sweeps, the reviews of what they find (节点46) and
the resumptions grow year by year (README: the default court's judges 0.78 → 0.92 → 0.99 of their time over three
years) — the first year's staff figures are too low for the steady state. A counted period under a year holds only
the cases that close quickly: the cycle times read short (censored), the 6-month limit barely reached. Neither is
wrong, but a planner acting on it must know (a guess always visible, never silent)."""

from __future__ import annotations

from collections.abc import Sequence

from sim.profile import CourtProfile

YEAR_DAYS = 365.0


def horizon_notes(courts: Sequence[CourtProfile], years: float, *, warmup_option: bool = True) -> list[str]:
    """The notes for ``courts`` simulated ``years`` (each court's warm-up and start state its own).
    ``warmup_option``: the command takes ``--warmup-days`` (``zhixing simulate``); otherwise (``zhixing plan``) the
    advice is the profile's ``warmup_days`` — a command a planner cannot run is no advice."""
    notes = []
    empty = [p for p in courts if not p.start_state and p.warmup_days < YEAR_DAYS]
    if empty:
        which = "" if len(courts) == 1 else f"（{len(empty)} 个法院 / {len(empty)} of the courts）"
        warm_zh, warm_en = (("--warmup-days 365，--years 2", "--warmup-days 365, --years 2") if warmup_option else
                            ("画像中写 warmup_days: 365，--years 2", "warmup_days: 365 in the profile, --years 2"))
        notes.append(
            f"⚠ 从空终本库开始{which}：无起始状态、预热期不足一年，终本库的统查、审查与恢复执行逐年增加，所得人员负荷"
            f"低于稳态；测算稳态人员请给出本院起始状态（start_state）或以第一年为预热期（{warm_zh}）"
            f" / starting from an empty 终本 register{which}: no start state and under a year's warm-up, so the "
            "register's sweeps, reviews and resumptions are still growing and the staff load reads below the steady "
            f"state; for steady-state staffing give the court's start state or warm up a year ({warm_en})")
    counted = min(years * YEAR_DAYS - p.warmup_days for p in courts) if courts else years * YEAR_DAYS
    if counted < YEAR_DAYS:
        notes.append(
            f"⚠ 计入指标的时段只有 {counted:.0f} 天（不足一年）：结案周期只含期内已结的较快案件而偏短，6个月内结案比例"
            f"与季节性未完整反映；规划请用 --years 1 以上 / only {counted:.0f} days are counted (under a year): cycle "
            "times hold only the cases that closed within it, the quicker ones, and read short; the 6-month limit and "
            "the seasons are not fully seen; plan with --years 1 or more")
    return notes
