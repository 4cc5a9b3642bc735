"""pytest plugin (entry point ``pytest11``): collects ``*.scenario.yaml`` files, one item per scenario document.

A file with schema errors fails at collection (file:line and key of every problem), before anything runs.
A failing scenario names its file and step, shows expected vs actual and the case's timeline to that point.
``--agencies-url URL`` runs every scenario against a running mock agencies server (checked once at start-up:
a bad or unreachable address is a usage error) instead of in-process agencies. ``--strict-calendar`` (or
``ZHIXING_CALENDAR_STRICT=1``) makes the engine refuse deadlines in years without an official holiday notice.
``--show-exchanges`` adds the 查控 exchanges (masked) to a failure's report. Every item's JUnit properties carry
its file and line (``scenario_file``, ``scenario_line``; pytest's default xunit2 drops the ``file``/``line``
attributes), its tags and the failed step's ``file:line``.
A scenario whose deadlines depended on a provisional calendar year passes with a ``ProvisionalCalendarWarning``
(pytest's warnings summary) and JUnit properties ``calendar_provisional`` / ``calendar_warning``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar import ProvisionalCalendarWarning
from scenarios.loader import SUFFIX, ScenarioFileError, parse_file
from scenarios.model import Scenario
from scenarios.report import calendar_properties, console_steps, scenario_properties
from scenarios.runner import run_scenario

_FACTORY = pytest.StashKey[Any]()
_STRICT = pytest.StashKey[Any]()
_EXCHANGES = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("zhixing-scenarios", "zhixing 场景文件 / scenario suites")
    group.addoption("--agencies-url", dest="zhixing_agencies_url", default=None, metavar="URL",
                    help="在外部模拟机构服务上运行场景（zhixing agencies serve）/ run scenarios against a running "
                         "mock agencies server instead of in-process agencies")
    group.addoption("--strict-calendar", dest="zhixing_strict_calendar", action="store_true", default=False,
                    help="严格日历：没有国务院通知的年份不用暂定日历，引擎拒绝（CALENDAR_RANGE）/ strict calendar: no "
                         "provisional years, the engine refuses (or ZHIXING_CALENDAR_STRICT=1)")
    group.addoption("--show-exchanges", dest="zhixing_show_exchanges", action="store_true", default=False,
                    help="失败报告中显示查控往来（脱敏）/ show the 查控 exchanges (masked) in a failure's report")


def pytest_configure(config: pytest.Config) -> None:
    strict = True if config.getoption("zhixing_strict_calendar", False) else None
    config.stash[_STRICT] = strict
    config.stash[_EXCHANGES] = bool(config.getoption("zhixing_show_exchanges", False))
    url = config.getoption("zhixing_agencies_url", None)
    if url:
        from scenarios.remote import check_server, court_factory

        try:
            config.stash[_FACTORY] = court_factory(check_server(url), strict_calendar=strict)
        except UserError as err:
            raise pytest.UsageError(f"错误 / error: {err.message}") from None


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(SUFFIX):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Any:
        found, problems = parse_file(self.path)
        if problems:
            raise ScenarioFileError(problems)
        for sc in found:
            yield ScenarioItem.from_parent(self, name=sc.name, scenario=sc)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFileError):
            return excinfo.value.zh + "\n" + excinfo.value.en
        return super().repr_failure(excinfo)


class ScenarioFailed(Exception):
    def __init__(self, result: Any) -> None:
        self.result = result
        super().__init__(result.explain())


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        for tag in scenario.tags:
            if tag.isidentifier():
                self.config.addinivalue_line("markers", f"{tag}: scenario tag (scenarios/README.md)")
                self.add_marker(tag)

    def runtest(self) -> None:
        result = run_scenario(self.scenario, self.config.stash.get(_FACTORY, None),
                              strict_calendar=self.config.stash.get(_STRICT, None))
        for name, value in [*scenario_properties(result), *calendar_properties(result)]:
            self.user_properties.append((name, value))  # JUnit <property> (pytest --junitxml; xunit2 keeps them)
        if result.provisional_years:
            warnings.warn(f"{self.scenario.where}: {result.provisional_note()}", ProvisionalCalendarWarning,
                          stacklevel=1)
        if not result.passed:
            raise ScenarioFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailed):
            result = excinfo.value.result
            text = "\n".join([*console_steps(result), "", result.explain()])
            if self.config.stash.get(_EXCHANGES, False):
                text += f"\n\n查控往来 exchanges ({len(result.exchanges)}):\n" + "\n".join(
                    f"  {line}" for line in result.exchanges)
            return text
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.scenario.line - 1, f"scenario: {self.scenario.name}"
