"""Staffing search: the smallest staff of a role meeting a KPI target with confidence, and the inverse — the
intake a given staff can carry.

Every staffing level (every intake level) runs the same replications with the same seeds: the same arrivals,
the same agencies' behaviour and the same staff minutes per case and action (common random numbers), so the
differences between levels are the staffing's, not the dice's. A target is met "with confidence" when the whole
95% confidence interval is on the right side of the threshold (``compliance>=0.95``: the interval's low end is at
least 0.95). Several targets (``compliance>=95%, utilisation.承办法官<=85%``) must all be met. With ``most`` above
the replications, a level whose interval straddles the target gets more (``sim.sequential``). The time to sale
(``sale_days_km_p50``) is judged on the pooled Kaplan–Meier median and its interval, as the tables show it, not on a
mean of each replication's median.

Options, the target and the start state are checked before the first level runs. With a start state (today's
caseload), a level below today's 承办法官 headcount shares the cases of the judges it lacks among those it has, round
robin in file order (``sim.start_state``): the caseload is the court's, whoever is left to carry it."""

from __future__ import annotations

import difflib
import math
import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from core_flow.errors import UserError
from sim.kpi import is_share
from sim.profile import ROLE_ALIASES, ROLES, CourtProfile, canonical_role, unknown_role
from sim.replicate import aggregate, calendar_used, check_backend, make_units, run_units
from sim.report import KPI_LABELS
from sim.sequential import confidence, decision_kpis, looks_between, undefined_missed

_OPS: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, ">": operator.gt, "<=": operator.le,
                                                    "<": operator.lt}


@dataclass(frozen=True)
class Target:
    kpi: str
    op: str
    threshold: float
    text: str

    def met(self, ci: dict[str, float]) -> bool:
        """Met with confidence: the interval's worst end satisfies the target."""
        bound = ci["low"] if self.op in (">=", ">") else ci["high"]
        return bound == bound and _OPS[self.op](bound, self.threshold)

    def clearly_missed(self, ci: dict[str, float]) -> bool:
        """The interval's best end fails the target."""
        bound = ci["high"] if self.op in (">=", ">") else ci["low"]
        if bound != bound:  # a time to sale whose pooled median is undefined, past the target (review R28 F8)
            return undefined_missed(ci, self.op, self.threshold)
        return not _OPS[self.op](bound, self.threshold)


# after NFKC (＜＝ is <=, ％ is %, ９５ is 95): the signs it keeps, as Chinese and Japanese input methods give them
_OP_ALIASES = {"≥": ">=", "≤": "<=", "≧": ">=", "≦": "<=", "⩾": ">=", "⩽": "<="}
_SPLIT = re.compile(r"\s*(?:[,，;；]|\band\b|且)\s*")
_ONE = re.compile(r"\s*([\w\u4e00-\u9fff][\w.\u4e00-\u9fff（）()/]*)\s*(>=|<=|>|<)\s*(-?[\d.]+)\s*(%?)\s*")
# KPIs by their Chinese names: the report's labels, with or without their parenthesis, and shorter everyday words
_KPI_WORDS = {"遵守率": "compliance", "期限遵守率": "compliance", "利用率": "utilisation", "人员利用率": "utilisation",
              "加班": "overtime_hours", "所需加班": "overtime_hours", "所需加班（小时）": "overtime_hours",
              "结案周期中位数": "cycle_p50_days", "结案周期90分位": "cycle_p90_days"}


@cache
def _kpi_names() -> dict[str, str]:
    names = dict(_KPI_WORDS)
    for key, (zh, _en) in KPI_LABELS.items():
        names.setdefault(zh, key)
        names.setdefault(re.sub(r"[（(].*?[）)]", "", zh), key)
    return {**names, **{unicodedata.normalize("NFKC", k): v for k, v in names.items()}}  # 所需加班(小时) too


def canonical_kpi(name: str) -> str:
    """A KPI by its key or its Chinese name as the report and the terminal print it (期限遵守率, 人均年收案,
    审限内结案占比), with its part by its Chinese name too: 利用率.法官 (utilisation.承办法官), 遵守率.节点17
    (compliance.node17), 结案周期中位数.终本 (cycle_p50_days.zhongben). Anything else as given (checked later)."""
    name = unicodedata.normalize("NFKC", name).strip()
    names = _kpi_names()
    if name in names:
        return names[name]
    head, dot, tail = name.partition(".")
    head = names.get(head, head)
    if not dot:
        return head
    if head in ("utilisation", "overtime_hours"):
        tail = canonical_role(tail)
    elif head == "compliance":  # a node as the process reads it: node17, 17, 节点十七, 查封扣押冻结
        from core_flow.process_loader import default_process

        try:
            tail = f"node{default_process().node(tail.removeprefix('node')).no}"
        except UserError:
            pass  # said by check_target, with the names it takes
    elif head in ("cycle_p50_days", "cycle_p90_days"):
        from core_flow.process_loader import default_process

        manner = default_process().manners.get(tail)
        tail = manner.code if manner is not None else tail
    return f"{head}.{tail}"


@dataclass(frozen=True)
class Goal:
    """One or more targets, all to be met (``compliance>=0.95, utilisation.承办法官<=0.85``)."""

    targets: tuple[Target, ...]
    text: str

    @property
    def kpis(self) -> list[str]:
        return list(dict.fromkeys(t.kpi for t in self.targets))

    def met(self, kpi: dict[str, dict[str, float]]) -> bool:
        return all(t.met(kpi[t.kpi]) for t in self.targets)

    def missed(self, kpi: dict[str, dict[str, float]]) -> list[str]:
        """The targets not met with confidence at one level."""
        return [t.text for t in self.targets if not t.met(kpi[t.kpi])]

    def clearly_missed(self, kpi: dict[str, dict[str, float]]) -> bool:
        """Some target's whole interval is on the wrong side of its threshold: more replications will not meet it."""
        return any(t.clearly_missed(kpi[t.kpi]) for t in self.targets)


def parse_target(text: str) -> Goal:
    """``KPI op number`` (op ``>= > <= <``, also ``≥ ≤``; a share or a utilisation may be a percentage, ``95%``),
    several joined by ``,`` ``;`` ``and`` or ``且``: all must be met."""
    # full-width ＜＝ ％ ９５ ，as a Chinese input method types them; a label's （） kept, as the report writes it
    norm = "".join(ch if ch in "（）" else unicodedata.normalize("NFKC", ch) for ch in text or "")
    for alias, op in sorted(_OP_ALIASES.items(), key=lambda kv: -len(kv[0])):
        norm = norm.replace(alias, op)
    parts = [p for p in _SPLIT.split(norm.strip()) if p]
    if not parts:
        parts = [""]
    targets = tuple(_parse_one(part, text) for part in parts)
    return Goal(targets, ", ".join(t.text for t in targets))


def _parse_one(part: str, whole: str) -> Target:
    m = _ONE.fullmatch(part)
    if not m:
        shown = part if part != whole.strip() else whole
        raise UserError(f"目标格式应为 指标>=数值（如 compliance>=0.95、期限遵守率>=95%；多个目标以逗号分隔），"
                        f"收到 {shown!r}",
                        f"a target reads KPI>=number (e.g. compliance>=0.95, 期限遵守率>=95%; several separated "
                        f"by commas), got {shown!r}", where="--target")
    try:
        value = float(m.group(3))
    except ValueError:
        raise UserError(f"目标阈值不是数字：{m.group(3)!r}", f"the threshold is not a number: {m.group(3)!r}",
                        where="--target") from None
    kpi, op, percent = canonical_kpi(m.group(1)), m.group(2), m.group(4)  # utilisation.法官助理 is the 书记员's
    if percent:
        _check_known(kpi)  # a misspelt KPI said as such, not as "not a share"
        if not is_share(kpi):
            raise UserError(f"{kpi} 不是比例，阈值不能写百分数：{part.strip()!r}",
                            f"{kpi} is not a share: its threshold cannot be a percentage: {part.strip()!r}",
                            where="--target")
        value /= 100
    text = f"{kpi}{op}{value:.10g}"
    if (written := m.group(1).strip()) != kpi:  # said as written, then as read: 期限遵守率>=95%（compliance>=0.95）
        text = f"{written}{op}{m.group(3)}{percent}（{text}）"
    target = Target(kpi, op, value, text)
    try:
        check_target(target)
    except UserError as err:
        if percent or not is_share(kpi) or not 1 < value <= 100:
            raise
        # compliance>=95: a percentage meant, its sign left out
        raise UserError(f"{err.zh}；若指百分比，请写 {value:g}% 或 {value / 100:g}",
                        f"{err.en}; if a percentage is meant, write {value:g}% or {value / 100:g}",
                        where=err.where) from None
    return target


def check_target(target: Target) -> None:
    """Before anything runs: the KPI is one the simulation reports, and the threshold can be met (every KPI is
    ≥ 0; a share is at most 1). A KPI absent from a particular run (a node no case reached) is caught after it."""
    name = target.kpi
    _check_known(name)
    lo, hi = 0.0, (1.0 if is_share(name) else math.inf)
    t, op = target.threshold, target.op
    if (op == ">=" and t > hi) or (op == ">" and t >= hi) or (op == "<=" and t < lo) or (op == "<" and t <= lo):
        span = f"[{lo:g}, {hi:g}]" if hi < math.inf else f"≥ {lo:g}"
        raise UserError(f"目标不可能达到：{name} 的取值范围为 {span}",
                        f"the target can never be met: {name} lies in {span}", where="--target")


def _check_known(name: str) -> None:
    """``name`` is a KPI the simulation reports (or of a known form); else a ``UserError`` listing them, the closest
    first."""
    head, dot, tail = name.partition(".")
    known = (name in KPI_LABELS or (head == "compliance" and re.fullmatch(r"node\d+", tail) is not None)
             or (head in ("utilisation", "overtime_hours") and tail in ROLES)
             or (head in ("cycle_p50_days", "cycle_p90_days") and bool(tail)))
    if not known:
        names = ", ".join(list(KPI_LABELS) + ["compliance.nodeN", "utilisation.<角色 role>",
                                              "overtime_hours.<角色 role>", "cycle_p50_days.<manner>"])
        zh = "、".join([re.sub(r"[（(].*?[）)]", "", z) for z, _ in KPI_LABELS.values()] + [
            "遵守率.节点N", "利用率.<角色>", "加班.<角色>", "结案周期中位数.<结案方式>"])
        near = _near_kpis(name)
        zh_near, en_near = ((f"；是否想写：{'、'.join(near)}", f"; did you mean: {', '.join(near)}") if near
                            else ("", ""))
        raise UserError(f"未知指标 {name!r}{zh_near}；可用：{zh}", f"unknown KPI {name!r}{en_near}; known: {names}",
                        where="--target")


def _near_kpis(name: str) -> list[str]:
    """The KPIs a misspelt ``name`` may have meant (difflib over the keys and the Chinese names; a part after the dot
    over the roles, or kept: ``complience.node17`` → ``compliance.node17``, ``utilisation.书计员`` →
    ``utilisation.书记员``)."""
    names = _kpi_names()
    head, dot, tail = name.partition(".")
    if not dot:
        return difflib.get_close_matches(name, list(dict.fromkeys([*KPI_LABELS, *names])), n=3, cutoff=0.6)
    parted = ("compliance", "utilisation", "overtime_hours", "cycle_p50_days", "cycle_p90_days")
    if head not in parted:  # the KPI misspelt (English or Chinese), its part kept
        heads = [*parted, *(k for k, v in names.items() if v in parted)]
        return list(dict.fromkeys(f"{names.get(h, h)}.{canonical_kpi(f'{names.get(h, h)}.{tail}').partition('.')[2]}"
                                  for h in difflib.get_close_matches(head, heads, n=3, cutoff=0.6)))
    if head in ("utilisation", "overtime_hours"):  # the role misspelt
        return [f"{head}.{r}" for r in difflib.get_close_matches(tail, [*ROLES, *ROLE_ALIASES], n=2, cutoff=0.5)]
    return []


def evaluate(profile: CourtProfile, *, years: float, replications: int, seed: int, backend: str, workers: int,
             progress: Callable[[float], None] | None, goal: Goal | None = None,
             most: int | None = None) -> dict[str, Any]:
    """The level's KPIs (mean and 95% interval) over ``replications``; with ``goal``, also ``decision``: what the goal
    is judged on. ``most`` above ``replications``: sequential replications (``sim.sequential``) — while the goal is
    neither met nor clearly missed, twice as many, up to ``most``, each look judged on its Bonferroni interval."""
    looks = looks_between(replications, max(replications, most or replications))
    runs: list[dict[str, Any]] = []
    for n in looks:
        units = make_units([(profile.name, profile)], years=years, replications=n, seed=seed,
                           reassign_handlers=True)[len(runs):]  # the first ones kept: the same seeds
        runs += run_units(units, backend=backend, workers=workers, progress=progress)
        agg = aggregate(runs, seed=seed)
        data = {**next(iter(agg["courts"].values())), "calendar": agg["calendar"], "looks": len(looks)}
        if goal is None:
            return data
        check_kpis(goal, data["kpi"])
        # one look: the table's 95% intervals (the time to sale's already the pooled median's: ``aggregate``); more:
        # each KPI at the look's level, the time to sale on its pooled median too (``decision_kpis``)
        data["decision"] = data["kpi"] if len(looks) == 1 else decision_kpis(goal.kpis, runs, len(looks), seed)
        if goal.met(data["decision"]) or goal.clearly_missed(data["decision"]):
            break
    return data


def preflight(profile: CourtProfile, *, years: float, replications: int, seed: int, backend: str,
              workers: int, most: int | None = None) -> None:
    """Every option and the start state (handlers against today's staff) checked before the first level runs."""
    check_backend(backend, workers)
    if most is not None and most < replications:
        raise UserError(f"最多重复次数（{most}）不得少于重复次数（{replications}）",
                        f"the most replications ({most}) must not be fewer than the replications ({replications})",
                        where="--max-replications")
    if replications < 2:  # one replication has no interval to judge the target with
        raise UserError(f"按置信区间判断目标至少需要 2 次重复，收到 {replications}",
                        f"judging a target with 95% confidence needs at least 2 replications, got {replications}",
                        where="--replications")
    make_units([(profile.name, profile)], years=years, replications=replications, seed=seed)


def check_kpis(goal: Goal, kpi: dict[str, Any]) -> None:
    for name in goal.kpis:
        if name not in kpi:
            known = ", ".join(k for k in sorted(kpi)
                              if "." not in k or k.startswith(("utilisation.", "compliance.node")))
            raise UserError(f"未知指标 {name!r}", f"unknown KPI {name!r}; known: {known}", where="--target")


def staff_bounds(profile: CourtProfile, roles: list[str], low: int | None,
                 high: int | None) -> tuple[dict[str, int], dict[str, int]]:
    """Each role known and given once, and the levels searched for it: from ``low`` (default today's headcount − 2,
    at least 1) to ``high`` (default + 4, at least 6 levels)."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        bad = unknown[0] if unknown else ""
        raise UserError(*unknown_role(bad), where="--role")
    twice = next((r for i, r in enumerate(roles) if r in roles[:i]), None)
    if twice is not None:
        raise UserError(f"角色 {twice} 给了两次", f"the role {twice} is given twice", where="--role")
    current = {r: profile.staff[r].count if r in profile.staff else 1 for r in roles}
    lo = {r: max(1, low if low is not None else current[r] - 2) for r in roles}
    hi = {r: high if high is not None else max(lo[r] + 6, current[r] + 4) for r in roles}
    if any(hi[r] < lo[r] for r in roles):
        raise UserError("人数上限小于下限", "the staff maximum is below the minimum", where="--max")
    return lo, hi


def as_goal(target: Goal | Target) -> Goal:
    return target if isinstance(target, Goal) else Goal((target,), target.text)


def judged(goal: Goal, data: dict[str, Any]) -> dict[str, Any]:
    """A level's point on the curve: met or not (on what ``evaluate`` judged it), the targets missed, its KPIs and
    calendar, and the replications it took. With sequential replications (more than one look) also what it was
    judged on — ``decision``: each target KPI's estimate and interval at the look's ``level`` (``sim.sequential``),
    wider than the table's 95% one — so what is said of a ✗ level (``zhixing.cmd_plan.bound_note``) reads the
    bound that decided it, not the table's."""
    decision = data.get("decision", data["kpi"])
    out = {"met": goal.met(decision), "missed": goal.missed(decision), "kpi": data["kpi"],
           "calendar": data["calendar"], "replications": data.get("replications", 0), "looks": data.get("looks", 1)}
    if out["looks"] > 1 and "decision" in data:
        out["level"] = confidence(out["looks"])
        out["decision"] = {k: {part: v for part in ("mean", "low", "high", "n", "high_open")
                               if (v := decision[k].get(part)) is not None}
                           for k in goal.kpis if k in decision}
    return out


def plan_staffing(profile: CourtProfile, target: Goal | Target, *, role: str = "承办法官", years: float = 1.0,
                  replications: int = 5, seed: int = 2025, backend: str = "process", workers: int = 1,
                  low: int | None = None, high: int | None = None, most: int | None = None,
                  progress: Callable[[str, float], None] | None = None) -> dict[str, Any]:
    """Scan staff levels of ``role`` upward from ``low`` until the target is met (then one more level, for the
    curve), at most ``high``. Returns the service-level curve and the answer (None when ``high`` is not enough).
    Several targets: the smallest staff meeting them all."""
    goal = as_goal(target)
    given_low = low
    lows, highs = staff_bounds(profile, [role], low, high)
    low, high = lows[role], highs[role]
    preflight(profile, years=years, replications=replications, seed=seed, backend=backend, workers=workers, most=most)

    def level(n: int) -> dict[str, Any]:
        data = evaluate(profile.with_staff(**{role: n}), years=years, replications=replications, seed=seed,
                        backend=backend, workers=workers, goal=goal, most=most,
                        progress=None if progress is None else (lambda f: progress(f"{role}={n}", f)))
        return {"staff": n, **judged(goal, data)}

    points, answer = [], None
    for n in range(low, high + 1):
        points.append(level(n))
        ok = points[-1]["met"]
        if ok and answer is None:
            answer = n
        elif answer is not None:
            break
    at_low = False
    if answer == low:
        # the first level tried already meets the target: the smallest may be lower — run downward to the first
        # level missing it (or 1), unless the user set --min: then the answer is "at most" (``at_low``)
        n = low - 1
        while n >= 1 and given_low is None:
            point = level(n)
            points.insert(0, point)
            if not point["met"]:
                break
            answer, n = n, n - 1
        at_low = given_low is not None and low > 1
    single = len(goal.targets) == 1
    return {"role": role, "target": goal.text, "targets": [t.text for t in goal.targets], "kpi": goal.kpis[0],
            "kpis": goal.kpis,
            "threshold": goal.targets[0].threshold if single else None, "answer": answer, "at_low": at_low,
            "busy": busy_roles(points, answer, role), "points": points, "replications": replications,
            "most": most or replications, "seed": seed, "years": years, "calendar": calendar_used(points),
            "show": list(dict.fromkeys(goal.kpis + [f"utilisation.{role}", "within_limit_share", "compliance"]))}


BUSY = 0.9  # another role this busy at the answer may be what limits the court (size the roles together)


def busy_roles(points: list[dict[str, Any]], answer: int | None, role: str) -> dict[str, float]:
    """Roles other than ``role`` at least ``BUSY`` utilised (mean) at the answer's level: sizing one role alone
    leaves them saturated (a 书记员 at 0.96 while the 承办法官 are sized)."""
    at = next((p for p in points if p["staff"] == answer), None)
    if at is None:
        return {}
    return {k.removeprefix("utilisation."): v["mean"] for k, v in at["kpi"].items()
            if k.startswith("utilisation.") and k != f"utilisation.{role}" and "." not in k.removeprefix("utilisation.")
            and v["mean"] >= BUSY}


def plan_intake(profile: CourtProfile, target: Goal | Target, *, years: float = 1.0, replications: int = 5,
                seed: int = 2025, backend: str = "process", workers: int = 1, low: float = 100.0,
                high: float | None = None, steps: int = 6, most: int | None = None,
                progress: Callable[[str, float], None] | None = None) -> dict[str, Any]:
    """The largest yearly intake the profile's staff carries while meeting the target — every one of several —
    (bisection on the intake)."""
    goal = as_goal(target)
    hi = high if high is not None else profile.intake.yearly * 2
    if not 0 < low < hi:
        raise UserError("收案区间无效", "the intake range is empty", where="--low/--high")
    preflight(profile.with_intake(hi, where="--high"), years=years, replications=replications, seed=seed,
              backend=backend, workers=workers, most=most)
    points = []

    def ok(intake: float) -> bool:
        data = evaluate(profile.with_intake(intake), years=years, replications=replications, seed=seed,
                        backend=backend, workers=workers, goal=goal, most=most,
                        progress=None if progress is None else (lambda f: progress(f"intake={intake:.0f}", f)))
        points.append({"intake": intake, **judged(goal, data)})
        return bool(points[-1]["met"])

    lo = low
    if not ok(lo):
        return {"target": goal.text, "targets": [t.text for t in goal.targets], "kpis": goal.kpis, "answer": None,
                "points": points, "replications": replications, "most": most or replications,
                "calendar": calendar_used(points)}
    top, failed = hi, False
    for _ in range(steps):
        mid = (lo + hi) / 2
        if ok(mid):
            lo = mid
        else:
            hi, failed = mid, True
    # every level met: the answer may lie above the range, so the range's top is tried too — said as "at least"
    # when met (the bisection alone answered just below it, as though the staff could carry no more)
    at_high = not failed and ok(top)
    if at_high:
        lo = top
    points.sort(key=lambda p: p["intake"])
    return {"target": goal.text, "targets": [t.text for t in goal.targets], "kpis": goal.kpis, "answer": round(lo),
            "at_high": at_high, "high": round(top), "points": points, "replications": replications,
            "most": most or replications, "seed": seed, "years": years, "calendar": calendar_used(points)}
