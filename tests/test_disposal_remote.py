"""Disposal scenarios both ways (issue 12): in process, and against a served agencies server (``--agencies-url``,
the pricing and auction platforms over HTTP through the 查控 gateway). A few suite scenarios — a flat from 查封 to
交付 across 春节, a refused listing, 以物抵债, 变卖 — pass both ways, with the same events. Virtual time only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core_flow.engine import EventKind
from mock_agencies.settings import Settings
from scenarios.loader import load_paths
from scenarios.remote import court_factory
from scenarios.runner import build_court, run_scenario
from tests.test_agencies_live import LiveServer, free_port
from zhixing.cli import main

SUITE = Path(__file__).resolve().parent.parent / "scenarios" / "suite" / "disposal"
CHOSEN = ("处置全程", "节点25 违反拍卖规则", "节点29 二拍流拍后10日内询问", "节点28 申请执行人拒绝以物抵债")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with LiveServer(Settings(port=free_port(), profile="fast")) as live:
        yield live.url


def _capturing(factory: Any, seen: dict[str, Any], key: str) -> Any:
    def build(sc: Any, spec: Any) -> Any:
        court = seen[key] = factory(sc, spec)
        return court

    return build


def _events(court: Any) -> list[tuple]:
    """Every engine event with its data — but where a refused field sits (``body.`` on the wire)."""
    return [(e.at, e.case_id, e.kind, e.node, e.instance, e.item,
             sorted((k, repr(v)) for k, v in (e.data or {}).items() if k != "where")) for e in court.runtime.events]


def test_disposal_scenarios_pass_in_process_and_over_http_with_the_same_events(server: str) -> None:
    scenarios = [sc for sc in load_paths([SUITE]) if sc.name.startswith(CHOSEN)]
    assert len(scenarios) == len(CHOSEN)
    remote = court_factory(server)
    for sc in scenarios:
        seen: dict[str, Any] = {}
        a = run_scenario(sc, _capturing(build_court, seen, "local"))
        b = run_scenario(sc, _capturing(remote, seen, "remote"))
        assert a.passed, a.explain()
        assert b.passed, b.explain()
        assert _events(seen["remote"]) == _events(seen["local"]), sc.name
        # the platforms were reached over HTTP, through the gateway: its records are on the case
        sent = [e.data for e in seen["remote"].runtime.events
                if e.kind == EventKind.EXCHANGE and e.data.get("kind") == "sent"]
        assert any(x["agency"] == "pricing_platform" for x in sent), sc.name


def test_the_whole_disposal_suite_runs_against_the_server(server: str, capsys) -> None:
    count = len(load_paths([SUITE]))
    assert count >= 24
    code = main(["scenarios", "run", str(SUITE), "--agencies-url", server])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{count} scenarios, {count} passed, 0 failed" in out
