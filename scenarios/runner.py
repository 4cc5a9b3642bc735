"""Run one scenario on a fresh court, through the court driver interface (``core_flow.driver``).

The runner talks to the court only through a :class:`~core_flow.driver.protocol.CourtDriver` — it moves the
court's clock (``advance``), files, sends commands, and reads the case's events, node states, summary, assets,
amounts and lots back — and arranges the agencies' side itself (the debtors' holdings pinned in the mock world
before filing, the agencies' behaviour). Each step: the clock runs to the step's instant (every timer and agency
answer due by then happens at its own instant), the action is taken, or the expectation checked — at the end of
its window when it has one. The first failing step ends the run; the result names it and keeps the case's
timeline up to that point.

By default the court is zhixing's engine (``EngineDriver`` on ``sim.assembly.build_virtual_court`` without a
clerk: the scenario alone acts) with the scenario's seed, profile and agency behaviour. ``court_factory`` builds
another system under test (``scenarios.target``): the agencies on a running mock server
(``scenarios.remote.court_factory``, ``--agencies-url``), or any court serving the driver's HTTP form
(``scenarios.target.court_url_factory``, ``--court-url``). The system under test is closed at the end.

Deadlines that depend on a provisional calendar year (no State Council notice in the holiday data) are
flagged on their events (``calendar_warnings``); the result collects them (``calendar_warnings``,
``provisional_years``) so that the console, pytest, JUnit and HTML reports all show them.
"""

from __future__ import annotations

import time
import traceback
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from core_flow.errors import UserError
from core_flow.legal_calendar import provisional_years_in
from core_flow.masking import mask_text
from scenarios import actions, expectations
from scenarios.context import Run, StepFailure
from scenarios.model import Scenario, StepBase
from scenarios.process_options import names_of
from scenarios.target import as_target
from scenarios.timeline import exchange_lines, render


@dataclass
class StepResult:
    index: int
    line: int
    key: str
    at: datetime
    status: str  # passed | failed | error | skipped
    note: str = ""
    expected: str = ""
    actual: str = ""


@dataclass
class ScenarioResult:
    scenario: Scenario
    steps: list[StepResult] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""  # an unexpected exception (a bug in the harness or the engine), with its traceback
    calendar_warnings: list[str] = field(default_factory=list)  # from the run's events, unique, in order
    exchanges: list[str] = field(default_factory=list)  # the 查控 exchanges, for --show-exchanges
    skipped: str = ""  # why the scenario did not run (bilingual): it is then neither passed nor failed

    @property
    def provisional_years(self) -> list[int]:
        """Provisional calendar years some deadline of the run depended on."""
        return provisional_years_in(self.calendar_warnings)

    def provisional_note(self) -> str:
        """One bilingual line for consoles and reports, or "" when no deadline was provisional."""
        years = self.provisional_years
        if not years:
            return ""
        ys = "、".join(map(str, years))
        return (f"暂定日历 / provisional calendar: 期限依赖 {ys} 年暂定日历（无国务院节假日通知，调休未知）/ deadlines "
                f"depend on the provisional calendar of {', '.join(map(str, years))} (no State Council notice, "
                "make-up days unknown)")

    @property
    def passed(self) -> bool:
        return not self.skipped and not self.error and all(s.status in ("passed", "skipped") for s in self.steps)

    @property
    def failed(self) -> bool:
        """Ran and did not pass (a skipped scenario is neither passed nor failed)."""
        return not self.skipped and not self.passed

    @property
    def failure(self) -> StepResult | None:
        return next((s for s in self.steps if s.status in ("failed", "error")), None)

    def explain(self) -> str:
        """Which file and step failed, expected vs actual, and the case's timeline up to that point."""
        sc = self.scenario
        f = self.failure
        head = [f"场景 scenario: {sc.name}  ({sc.where})"]
        if f is not None:
            which = f"steps[{f.index}] {f.key}" if f.index >= 0 else "自动立案 automatic filing (case.filed)"
            head += [f"失败步骤 failed step: {sc.file}:{f.line}  {which}  @ {f.at:%Y-%m-%d %H:%M}"
                     + (f"  — {f.note}" if f.note else ""),
                     # masked as the step lines and the timeline are (a refusal names an asset by its account)
                     f"  期望 expected: {mask_text(f.expected)}", f"  实际 actual:   {mask_text(f.actual)}"]
        if self.error:
            head += ["异常 error:", self.error]
        return "\n".join(head + ["", "案件时间线 case timeline (至失败时 up to the failure):"]
                         + [f"  {line}" for line in self.timeline])


def build_court(sc: Scenario, run_court_spec, strict_calendar: bool | None = None):  # noqa: ANN001, ANN201
    """The in-process court; ``strict_calendar`` as for ``HolidayCalendar(strict=…)``."""
    from sim.assembly import build_virtual_court

    return build_virtual_court(sc.case.filed, seed=sc.seed, profile=sc.profile, overrides=sc.agencies or None,
                               court=run_court_spec, clerk=False, strict_calendar=strict_calendar,
                               process=sc.court_process)


build_court.takes_process = True  # type: ignore[attr-defined]


def takes_process(factory) -> bool:  # noqa: ANN001
    """Whether the system under test ``factory`` builds runs the scenario's process (``Scenario.court_process``):
    zhixing's engine does, in process, on served agencies or on the real-time clock; a court under test reached by
    its driver (``--court-url``, ``--court-driver``, a conftest's hook) has its own configuration, which the kit
    cannot set."""
    return factory is None or bool(getattr(factory, "takes_process", False))


def process_skip_reason(sc: Scenario) -> str:
    where = f"{sc.file}:{sc.process_line}" if sc.file else "process:"
    return (f"已跳过：场景设置了法院流程选项（{where} process:），而被测法院系统有自己的配置，测试工具无法为其设置 / "
            f"skipped: the scenario sets the court's process options ({where} process:), and a court system under "
            "test has its own configuration, which the kit cannot set")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a scenario, raised once its court and namespace are closed: ``result`` is the scenario as far
    as it ran (pytest stops as on any KeyboardInterrupt; ``zhixing scenarios run`` reports what ran)."""

    def __init__(self, result: ScenarioResult) -> None:
        super().__init__()
        self.result = result


def run_scenario(sc: Scenario, court_factory=None, *, strict_calendar: bool | None = None) -> ScenarioResult:  # noqa: ANN001
    """Run ``sc`` to its end or its first failing step. ``court_factory(sc, court)`` builds the system under test
    (a ``scenarios.target.Target``, or a ``core_flow.assembly.Court`` driven through ``EngineDriver``): the
    in-process court by default, with ``strict_calendar``; a factory carries its own setting."""
    started = time.perf_counter()
    result = ScenarioResult(sc)
    if sc.sets_process and not takes_process(court_factory):  # another system: never run on settings it ignores
        result.skipped = process_skip_reason(sc)
        result.steps = [StepResult(i, s.line, s.key, s.when, "skipped", s.note or "") for i, s in enumerate(sc.steps)]
        return result
    run = Run(sc, None)
    interrupted = False
    try:
        with warnings.catch_warnings(), names_of(sc.court_process):
            warnings.simplefilter("ignore")  # provisional calendar years are flagged on their events
            factory = court_factory or partial(build_court, strict_calendar=strict_calendar)
            run.target = as_target(factory(sc, run.court_spec()))
            run.prepare_debtors()
            run.prepare_cases()
            if not any(s.key == "file" for s in sc.steps):
                run.advance(sc.case.filed)
                refused = actions.perform(run, _FILING)
                if refused is not None:
                    raise StepFailure("立案 / filed", f"拒绝 refused {refused[0]}: {refused[1]}")
            for i, step in enumerate(sc.steps):
                run.file_due(step.when)  # other cases filed by then, each at its own time
                outcome = _step(run, step)
                outcome.index = i
                result.steps.append(outcome)
                if outcome.status != "passed":
                    break
    except KeyboardInterrupt:  # the user stops the run: the court's run and the agencies' namespace still end below
        interrupted = True
        result.error = "运行被中断（Ctrl-C）/ the run was interrupted (Ctrl-C)"
    except StepFailure as failure:  # filing itself failed
        result.steps.append(StepResult(-1, sc.line, "file", sc.case.filed, "failed", "", failure.expected,
                                       failure.actual))
    except UserError as err:  # what the scenario asks cannot be set up (a debtor beyond the world…): said, no trace
        result.error = err.message
    except Exception:  # noqa: BLE001 - reported with the scenario, never swallowed
        result.error = traceback.format_exc(limit=8)
    for step in sc.steps[len(result.steps):]:
        result.steps.append(StepResult(sc.steps.index(step), step.line, step.key, step.when, "skipped",
                                       step.note or ""))
    if run.target is not None:
        try:
            _read_back(run, result)
        except Exception:  # noqa: BLE001 - reported with the scenario
            result.error = result.error or traceback.format_exc(limit=8)
        try:
            for other in run.courts.values():
                other.close()
            run.target.close()  # a court on a server: its run ends, the agencies' namespace is deleted
        except Exception:  # noqa: BLE001 - reported with the scenario
            result.error = result.error or traceback.format_exc(limit=8)
    result.seconds = time.perf_counter() - started
    if interrupted:
        raise Interrupted(result)
    return result


def _read_back(run: Run, result: ScenarioResult) -> None:
    """The case's timeline (and its resumed case's) and the calendar warnings on its events."""
    sc = run.scenario
    run.changed()
    try:
        resumed = run.view().resumed_as
    except StepFailure:  # never filed
        return
    filed = [c.number for c in sc.cases if c not in run.pending_cases]
    events = [e for cid in [sc.case.number, *([resumed] if resumed else []), *filed] for e in run.case_events(cid)]
    events.sort(key=lambda e: e.at)  # stable: each case's own order kept at one instant
    result.timeline = render(events)
    result.exchanges = exchange_lines(events)
    result.calendar_warnings = list(dict.fromkeys(
        w for e in events if e.data for w in e.data.get("calendar_warnings", ())))


class _Filing(StepBase):
    key = "file"
    file: None = None


_FILING = _Filing()


def _step(run: Run, step: StepBase) -> StepResult:
    res = StepResult(0, step.line, step.key, step.when, "passed", step.note or "")
    try:
        run.advance(step.when)
        if step.expectation:
            run.advance(step.until)
            expectations.check(run, step)
        else:
            refused = actions.perform(run, step)
            run.advance()  # reactions at the same instant (answers, pushes, releases)
            _judge(step, refused)
            if refused is not None:  # which refusal actually came (``refused: any`` passes on any)
                res.expected, res.actual = f"拒绝 refused {step.refused}", f"{refused[0]}: {refused[1]}"
    except StepFailure as failure:
        res.status, res.expected, res.actual = "failed", failure.expected, failure.actual
    return res


def _judge(step: StepBase, refused: tuple[str, str] | None) -> None:
    want = step.refused
    if want is None:
        if refused is not None:
            raise StepFailure(f"{step.key} 被受理 / accepted", f"被拒绝 refused {refused[0]}: {refused[1]}")
        return
    if refused is None:
        raise StepFailure(f"{step.key} 被拒绝 / refused ({want})", "被受理 / accepted")
    if want != "any" and refused[0] != want:
        raise StepFailure(f"拒绝代码 refusal code {want}", f"{refused[0]}: {refused[1]}")
