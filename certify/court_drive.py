"""Driving a court through the kit's script of cases (``certify/court_cases.scenario.yaml``) while the kit's lab
records its traffic: the scenario runner files each case, takes its steps and advances the court's clock (virtual
time), through the court driver interface — zhixing's engine with ``--agencies-url``, or any court serving the
driver's HTTP form (``zhixing certify court --driver URL``: ``zhixing court serve`` or a vendor's adapter).

What the wire does not show — when a case reached 执行完毕 / 终结 (controls to release) or 终本 (sweeps to come) — is
read from the court's own events through the driver (``closed``: its manner and ``release_controls``): the *case
facts* the grader needs for CT-009, CT-010 and CT-012.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CASES = Path(__file__).with_name("court_cases.scenario.yaml")
CaseFacts = dict[str, dict[str, str]]


def facts_from_events(events: list[dict[str, Any]], facts: CaseFacts) -> None:
    """Fold a case's ``closed`` events into ``facts``: ``completed`` when the closing releases the controls
    (执行完毕, 终结, 销案, 不予执行, 驳回申请 — whatever manner says ``release_controls``; not the 保全 manners, which
    keep them), ``zhongben`` for 终本."""
    for e in events if isinstance(events, list) else ():  # a court's garbage is not a fact
        if not isinstance(e, dict) or e.get("kind") != "closed":
            continue
        data = e.get("data") if isinstance(e.get("data"), dict) else {}
        mine = facts.setdefault(str(e.get("case_id")), {})
        if data.get("manner") == "zhongben":
            mine["zhongben"] = str(e.get("at"))
        elif data.get("release_controls"):
            mine["completed"] = str(e.get("at"))


class _Watched:
    """The court driver, its events read on the way (every other call passed through unchanged)."""

    def __init__(self, driver: Any, facts: CaseFacts) -> None:
        self._driver = driver
        self._facts = facts

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)

    def events(self, case_id: str) -> list[dict[str, Any]]:
        out = self._driver.events(case_id)
        facts_from_events(out, self._facts)
        return out


@dataclass
class DriveResult:
    passed: int = 0
    failed: list[str] = field(default_factory=list)  # the names of the cases whose steps did not all pass
    facts: CaseFacts = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)  # a failed case's name → what stopped it (for the evidence)
    interrupted: bool = False  # Ctrl-C: the case under way ended (its court run closed), the rest not run


def failure_reason(run: Any) -> str:
    """What stopped a case, in one line: the court's error (the last line of a traceback: the court answered
    garbage, or went away) or the first step that did not pass, with what was expected and what happened."""
    if run.error:
        lines = [line for line in str(run.error).strip().splitlines() if line.strip()]
        return (lines[-1] if lines else str(run.error))[:500]
    step = next((s for s in run.steps if s.status not in ("passed", "skipped")), None)
    if step is None:
        return ""
    return f"{step.key} @ {step.at}: {step.status}; expected {step.expected!s:.200}; actual {step.actual!s:.200}"


def drive_cases(factory: Callable[[Any, Any], Any] | None, paths: list[Path] | None = None) -> DriveResult:
    """Run the kit's cases on the court ``factory`` builds (``scenarios.target``); the case facts its events gave."""
    from scenarios.loader import load_paths
    from scenarios.runner import Interrupted, build_court, run_scenario
    from scenarios.target import as_target

    result = DriveResult()

    def watched(sc: Any, court: Any) -> Any:
        target = as_target((factory or build_court)(sc, court))
        target.driver = _Watched(target.driver, result.facts)  # type: ignore[assignment]
        return target

    for sc in load_paths(paths or [CASES]):
        try:
            run = run_scenario(sc, watched)
        except Interrupted as stop:  # Ctrl-C: graded on the traffic so far, the evidence written, exit 1
            result.interrupted = True
            result.failed.append(sc.name)
            result.why[sc.name] = failure_reason(stop.result)
            break
        if run.passed:
            result.passed += 1
        else:
            result.failed.append(sc.name)
            result.why[sc.name] = failure_reason(run)
    return result
