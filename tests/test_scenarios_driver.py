"""Scenarios through the court driver interface's HTTP form: ``zhixing court serve``'s app under a real uvicorn server
on loopback, its agencies a live mock agencies server, the runner arranging the agencies itself. The same scenarios
give the same verdicts (step by step, and the same case timeline) as zhixing's engine in process; a scenario wrong
on purpose fails at the same step both ways; a court system that does not take an engine-internal command gets the
step named, not a crash. Virtual time only: nothing here sleeps."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core_flow.driver import HttpDriver
from core_flow.errors import UserError
from core_flow.net import free_port
from mock_agencies.settings import Settings
from scenarios.loader import load_paths, parse_text
from scenarios.runner import run_scenario
from scenarios.target import Target, court_url_factory, system_under_test
from tests.test_agencies_live import LiveServer
from zhixing.cli import main
from zhixing.cmd_court import _reference_app

pytest_plugins = ["pytester"]

SUITE = Path(__file__).resolve().parent.parent / "scenarios" / "suite"
# the 25 scenarios of 6 files across the folders: nodes (start, money), 集约查询 and 终本 (spc), holidays
FILES = [SUITE / "nodes" / "start.scenario.yaml", SUITE / "nodes" / "money.scenario.yaml",
         SUITE / "spc" / "zhongben.scenario.yaml", SUITE / "spc" / "clue.scenario.yaml",
         SUITE / "spc" / "lock_view.scenario.yaml", SUITE / "holidays" / "rollover.scenario.yaml"]
PYTEST_ARGS = ("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    """(agencies URL, court URL): ``zhixing agencies serve`` and ``zhixing court serve`` on loopback."""
    agencies_port, court_port = free_port(), free_port()
    with LiveServer(Settings(port=agencies_port, profile="fast")) as agencies, \
            LiveServer(app=_reference_app(None), port=court_port) as court:
        yield agencies.url, court.url


def _verdict(result: Any) -> tuple:
    return result.passed, [(s.index, s.key, s.status) for s in result.steps], result.error


def test_the_same_scenarios_give_the_same_verdicts_through_the_http_driver(servers: tuple[str, str]) -> None:
    agencies, court = servers
    factory = court_url_factory(court, agencies)
    scenarios = load_paths(FILES)
    assert len(scenarios) >= 15
    for sc in scenarios:
        here, there = run_scenario(sc), run_scenario(sc, factory)
        assert _verdict(there) == _verdict(here), (sc.where, there.explain())
        assert there.passed and there.timeline == here.timeline, sc.where
    namespaces = httpx.get(f"{agencies}/admin/sessions", timeout=5).json()
    assert not [n for n in namespaces if n["namespace"].startswith("scenario-")]  # each run's namespace deleted


def test_a_wrong_scenario_fails_at_the_same_step_both_ways(servers: tuple[str, str]) -> None:
    agencies, court = servers
    text = (SUITE / "nodes" / "start.scenario.yaml").read_text(encoding="utf-8")
    text = text.replace("state: 已冻结", "state: 已完成", 1)
    sc = parse_text(text, "wrong.scenario.yaml")[0][1]
    here, there = run_scenario(sc), run_scenario(sc, court_url_factory(court, agencies))
    assert not here.passed and _verdict(there) == _verdict(here)
    assert there.failure.expected == here.failure.expected and there.failure.actual == here.failure.actual


class _VendorDriver:
    """A court system that takes only the published commands (no engine internals)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def command(self, case_id: str, type: str, fields: dict[str, Any]) -> Any:
        from core_flow.driver import COMMANDS

        if type not in COMMANDS:
            raise UserError(f"未知命令 {type}", f"unknown command {type}", where="type", code="unknown_command")
        return self.inner.command(case_id, type, fields)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_an_engine_internal_command_is_refused_naming_the_step(servers: tuple[str, str]) -> None:
    agencies, court = servers
    base = court_url_factory(court, agencies)

    def vendor(sc: Any, identity: Any) -> Target:
        target = base(sc, identity)
        target.driver = _VendorDriver(target.driver)
        return target

    sc = next(s for s in load_paths([SUITE / "fidelity" / "rules.scenario.yaml"])
              if any(st.key == "command" for st in s.steps))
    result = run_scenario(sc, vendor)
    assert not result.passed and not result.error  # a failed step, not a crash
    step = result.failure
    assert step.key == "command" and f"line {step.line}" in step.expected and "driver interface" in step.actual
    assert "驱动接口不提供此命令" in step.actual


def test_cli_runs_against_a_court_url(servers: tuple[str, str], capsys) -> None:
    agencies, court = servers
    count = len(load_paths(FILES[:2]))
    code = main(["scenarios", "run", *map(str, FILES[:2]), "--court-url", court, "--agencies-url", agencies])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{count} scenarios, {count} passed, 0 failed" in out


def test_a_court_url_needs_the_agencies_and_must_answer(servers: tuple[str, str], capsys) -> None:
    agencies, court = servers
    assert main(["scenarios", "run", str(FILES[0]), "--court-url", court]) == 2
    err = capsys.readouterr().err
    assert "--agencies-url" in err and "需同时给出" in err and "needs --agencies-url" in err
    assert main(["scenarios", "run", str(FILES[0]), "--court-url", f"http://127.0.0.1:{free_port()}",
                 "--agencies-url", agencies]) == 2
    err = capsys.readouterr().err
    assert "无法连接被测法院系统" in err and "cannot reach the court system under test" in err


def test_pytest_options_and_the_hook_plug_a_court_in(servers: tuple[str, str], pytester: pytest.Pytester) -> None:
    agencies, court = servers
    shutil.copy(FILES[0], pytester.path / FILES[0].name)
    count = len(load_paths(FILES[:1]))
    pytester.runpytest(*PYTEST_ARGS, "--court-url", court, "--agencies-url", agencies).assert_outcomes(passed=count)
    pytester.makeconftest(f"""
from scenarios.target import court_url_factory

built = []

def pytest_zhixing_court_driver(config):
    base = court_url_factory({court!r}, {agencies!r})

    def factory(sc, identity):
        built.append(sc.name)
        return base(sc, identity)
    return factory

def pytest_sessionfinish(session):
    print(f"VENDOR BUILT {{len(built)}}")
""")
    result = pytester.runpytest(*PYTEST_ARGS, "-s")
    result.assert_outcomes(passed=count)
    result.stdout.fnmatch_lines([f"*VENDOR BUILT {count}*"])


COURT_URL: list[str] = []  # where make_vendor finds the court (set by the test)


def make_vendor(*, agencies_url: str | None, strict_calendar: bool | None) -> Any:
    """A vendor's driver factory as ``--court-driver tests.test_scenarios_driver:make_vendor`` names it."""
    return court_url_factory(COURT_URL[0], agencies_url, strict_calendar)


def test_a_vendor_factory_is_named_by_module_attribute(servers: tuple[str, str], capsys) -> None:
    with pytest.raises(UserError) as err:
        system_under_test(court_driver="no_such_module:make")
    assert err.value.code == "bad_plugin"
    agencies, court = servers
    COURT_URL[:] = [court]
    code = main(["scenarios", "run", str(FILES[0]), "--court-driver", "tests.test_scenarios_driver:make_vendor",
                 "--agencies-url", agencies])
    assert code == 0, capsys.readouterr().out


def test_the_http_driver_reads_back_views(servers: tuple[str, str]) -> None:
    agencies, court = servers
    sc = load_paths([SUITE / "nodes" / "money.scenario.yaml"])[0]
    seen: dict[str, Any] = {}
    base = court_url_factory(court, agencies)

    def keep(s: Any, identity: Any) -> Target:
        target = base(s, identity)
        close = target.closer

        def read_then_close() -> None:
            driver: HttpDriver = target.driver
            cid = s.case.number
            seen.update(case=driver.case(cid), assets=driver.assets(cid), amounts=driver.amounts(cid),
                        nodes=driver.nodes(cid), lots=driver.lots(cid))
            close()
        target.closer = read_then_close
        return target

    assert run_scenario(sc, keep).passed
    assert seen["case"].receipts and seen["amounts"].ok and seen["assets"] and seen["nodes"]
    assert seen["amounts"].paid_cents == sum(r.paid_cents for r in seen["case"].receipts) > 0
