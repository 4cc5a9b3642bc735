"""Staffing several roles at once: the staff of each role that together meet the target — "how many 承办法官 *and*
书记员 to ask for" — when one role's shortage can hide the other's (sizing the judges with too few clerks never meets
the target, however many judges).

The search is marginal allocation (greedy), the classic method for staffing a network of queues (Fox 1966, "Discrete
optimization via marginal analysis"; for multi-station call centres, e.g. Koole & Pot 2011): start every role at its
lowest level; while the target is not met, add one person to the role whose addition brings the KPIs closest to the
target (the shortfall of each target's 95% bound, relative to its threshold, summed; ties: the means, then the order
the roles were given); once met, take away one person from any role whose removal keeps the target met (not below
its lowest level), until none can be removed. The answer meets the target with confidence, and no single person can
be spared from it — a local minimum, not a proof that no smaller total exists (a whole grid would say that, at many
times the runs).

Every evaluated staffing runs the same replications with the same seeds (common random numbers), so the choice
between roles at each step compares staffing, not dice. Evaluations are remembered: a staffing is never run twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from sim.planner import Goal, Target, as_goal, evaluate, judged, preflight, staff_bounds
from sim.profile import CourtProfile
from sim.replicate import calendar_used


def shortfall(goal: Goal, kpi: dict[str, dict[str, float]], *, on: str = "bound") -> float:
    """How far the KPIs are from meeting every target, relative to each threshold (0: all met). ``on="bound"``: the
    95% bound the target is judged on; ``on="mean"``: the means, signed (slack counts below zero) — the tie-break."""
    total = 0.0
    for t in goal.targets:
        ci = kpi[t.kpi]
        upward = t.op in (">=", ">")
        value = ci["mean"] if on == "mean" else (ci["low"] if upward else ci["high"])
        if value != value:  # no interval (a KPI with a single value): as far as can be
            return math.inf
        gap = (t.threshold - value) if upward else (value - t.threshold)
        scale = max(abs(t.threshold), 1e-9)
        total += gap / scale if on == "mean" else max(0.0, gap) / scale
    return total


def plan_roles(profile: CourtProfile, target: Goal | Target, roles: list[str], *, years: float = 1.0,
               replications: int = 5, seed: int = 2025, backend: str = "process", workers: int = 1,
               low: int | None = None, high: int | None = None, most: int | None = None,
               progress: Callable[[str, float], None] | None = None) -> dict[str, Any]:
    """Marginal allocation over ``roles`` (see the module). ``low`` / ``high``: every role's bounds (default: each
    role's current headcount − 2 / + 4, at least 1 and 6 levels wide). Returns every staffing evaluated, in the
    order run, the path the search took and the answer (None when the bounds are reached first)."""
    goal = as_goal(target)
    lo, hi = staff_bounds(profile, roles, low, high)
    preflight(profile, years=years, replications=replications, seed=seed, backend=backend, workers=workers, most=most)

    seen: dict[tuple[int, ...], dict[str, Any]] = {}
    points: list[dict[str, Any]] = []

    def run(levels: tuple[int, ...]) -> dict[str, Any]:
        if levels in seen:
            return seen[levels]
        staff = dict(zip(roles, levels, strict=True))
        name = ", ".join(f"{r}={n}" for r, n in staff.items())
        data = evaluate(profile.with_staff(**staff), years=years, replications=replications, seed=seed,
                        backend=backend, workers=workers, goal=goal, most=most,
                        progress=None if progress is None else (lambda f: progress(name, f)))
        point = {"staff": staff, **judged(goal, data), "shortfall": shortfall(goal, data.get("decision", data["kpi"]))}
        seen[levels] = point
        points.append(point)
        return point

    levels = tuple(lo[r] for r in roles)
    path = [levels]
    here = run(levels)
    while not here["met"]:  # add the person who helps most
        steps = [tuple(n + (i == j) for j, n in enumerate(levels)) for i, r in enumerate(roles) if levels[i] < hi[r]]
        if not steps:
            break
        tried = [(run(s), s) for s in steps]
        best = min(tried, key=lambda ps: (not ps[0]["met"], ps[0]["shortfall"],
                                          shortfall(goal, ps[0]["kpi"], on="mean"), steps.index(ps[1])))
        here, levels = best
        path.append(levels)
    if here["met"]:  # spare whoever can be spared
        spared = True
        while spared:
            spared = False
            for i, r in enumerate(roles):
                if levels[i] <= lo[r]:
                    continue
                fewer = tuple(n - (i == j) for j, n in enumerate(levels))
                if run(fewer)["met"]:
                    levels, here, spared = fewer, seen[fewer], True
                    path.append(levels)
                    break
    for levels_run, point in seen.items():  # where each staffing run stands on the path (None: tried only)
        point["step"] = path.index(levels_run) + 1 if levels_run in path else None
    answer = dict(zip(roles, levels, strict=True)) if here["met"] else None
    return {"roles": roles, "target": goal.text, "targets": [t.text for t in goal.targets], "kpis": goal.kpis,
            "answer": answer,
            "points": points, "path": [dict(zip(roles, p, strict=True)) for p in path],
            "replications": replications, "most": most or replications, "seed": seed, "years": years,
            "calendar": calendar_used(points),
            "show": list(dict.fromkeys(goal.kpis + [f"utilisation.{r}" for r in roles] + ["compliance"]))}
