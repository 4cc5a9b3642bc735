"""pytest plugin (entry point ``pytest11``): collects ``*.scenario.yaml`` files, one item per scenario document.

A file with schema errors fails at collection (file:line and key of every problem), before anything runs.
A failing scenario names its file and step, shows expected vs actual and the case's timeline to that point.
``--agencies-url URL`` runs every scenario against a running mock agencies server (checked once at start-up:
a bad or unreachable address is a usage error) instead of in-process agencies. The court under test is zhixing's
engine unless ``--court-url URL`` names a court system serving the court driver interface over HTTP
(``zhixing court serve``, a vendor's adapter; with ``--agencies-url``), ``--court-driver NAME`` a vendor's driver
factory (entry-point group ``zhixing.drivers`` or ``module:attribute``), or a conftest implements the hook
``pytest_zhixing_court_driver(config)`` returning such a factory (``scenarios.target``). ``--realtime --scale X``
runs them on the real-time clock against live agencies on loopback (``scenarios.realtime``). ``--strict-calendar`` (or
``ZHIXING_CALENDAR_STRICT=1``) makes the engine refuse deadlines in years without an official holiday notice.
``--show-exchanges`` adds the 查控 exchanges (masked) to a failure's report. ``--process FILE``: the whole process
file zhixing's court runs (checked at start-up: a bad file is a usage error naming its ``file:line``), each
scenario's ``process:`` merged over it; not with a court system under test (``--court-url``, ``--court-driver``, the
hook), where a scenario with ``process:`` is skipped with the reason. Every item's JUnit properties carry
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
from scenarios.process_options import BaseProcess, load_base
from scenarios.report import calendar_properties, console_steps, scenario_properties
from scenarios.runner import run_scenario
from scenarios.target import check_process_option, system_under_test

_FACTORY = pytest.StashKey[Any]()
_STRICT = pytest.StashKey[Any]()
_EXCHANGES = pytest.StashKey[bool]()
_BASE = pytest.StashKey[BaseProcess]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("zhixing-scenarios", "zhixing 场景文件 / scenario suites")
    group.addoption("--agencies-url", dest="zhixing_agencies_url", default=None, metavar="URL",
                    help="在外部模拟机构服务上运行场景（zhixing agencies serve）/ run scenarios against a running "
                         "mock agencies server instead of in-process agencies")
    group.addoption("--court-url", dest="zhixing_court_url", default=None, metavar="URL",
                    help="被测法院系统（驱动接口的 HTTP 形式），须同时给出 --agencies-url / the court system under "
                         "test (the court driver interface over HTTP: zhixing court serve or a vendor's adapter); "
                         "needs --agencies-url")
    group.addoption("--court-driver", dest="zhixing_court_driver", default=None, metavar="NAME",
                    help="厂商驱动工厂（zhixing.drivers 入口点名或 模块:属性）/ a vendor's driver factory (an entry "
                         "point of zhixing.drivers, or module:attribute)")
    group.addoption("--realtime", dest="zhixing_realtime", action="store_true", default=False,
                    help="在实时时钟上运行场景（本机实时模拟机构服务），须给出 --scale / run scenarios on the "
                         "real-time clock against live agencies on loopback; needs --scale")
    group.addoption("--scale", dest="zhixing_scale", type=float, default=None, metavar="X",
                    help="实时压缩倍数 / virtual seconds per real second (--realtime)")
    group.addoption("--strict-calendar", dest="zhixing_strict_calendar", action="store_true", default=False,
                    help="严格日历：没有国务院通知的年份不用暂定日历，引擎拒绝（CALENDAR_RANGE）/ strict calendar: no "
                         "provisional years, the engine refuses (or ZHIXING_CALENDAR_STRICT=1)")
    group.addoption("--process", dest="zhixing_process", default=None, metavar="FILE",
                    help="整个流程文件（法院自己的配置），场景的 process: 并入其上；不与被测法院系统同用 / a whole "
                         "process file for zhixing's court (a court's own configuration), each scenario's process: "
                         "merged over it; not with a court system under test")
    group.addoption("--show-exchanges", dest="zhixing_show_exchanges", action="store_true", default=False,
                    help="失败报告中显示查控往来（脱敏）/ show the 查控 exchanges (masked) in a failure's report")


class Hooks:
    """Hooks a vendor's conftest or plugin implements to put its court system under test."""

    @pytest.hookspec(firstresult=True)
    def pytest_zhixing_court_driver(self, config: pytest.Config) -> Any:
        """Return ``factory(scenario, court) -> scenarios.target.Target`` (a driver for the vendor's court and the
        agencies it reaches), or None to leave the choice to the options (zhixing's engine by default)."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(Hooks)


def pytest_configure(config: pytest.Config) -> None:
    strict = True if config.getoption("zhixing_strict_calendar", False) else None
    config.stash[_STRICT] = strict
    config.stash[_EXCHANGES] = bool(config.getoption("zhixing_show_exchanges", False))
    try:
        process = config.getoption("zhixing_process", None)
        check_process_option(process, court_url=config.getoption("zhixing_court_url", None),
                             court_driver=config.getoption("zhixing_court_driver", None))
        config.stash[_BASE] = load_base(process)  # a bad file: its file:line, before anything is collected
        factory = config.hook.pytest_zhixing_court_driver(config=config)
        check_process_option(process, hook=factory is not None)
        if factory is None:
            factory = system_under_test(agencies_url=config.getoption("zhixing_agencies_url", None),
                                        court_url=config.getoption("zhixing_court_url", None),
                                        court_driver=config.getoption("zhixing_court_driver", None),
                                        strict_calendar=strict,
                                        realtime=config.getoption("zhixing_realtime", False),
                                        scale=config.getoption("zhixing_scale", None))
    except UserError as err:
        raise pytest.UsageError(f"错误 / error: {err.message}") from None
    if factory is not None:
        config.stash[_FACTORY] = factory


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(SUFFIX):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Any:
        found, problems = parse_file(self.path, self.config.stash.get(_BASE, None))
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
        if result.skipped:  # a court system under test cannot take the scenario's process options
            pytest.skip(result.skipped)
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
