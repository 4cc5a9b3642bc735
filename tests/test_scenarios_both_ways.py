"""The same scenarios against either system give the same verdicts: zhixing's engine with in-process agencies, the
engine with a live mock agencies server (``--agencies-url``), and a court system behind the driver interface's HTTP
form (``--court-url``, ``zhixing court serve``) on that server. The set covers what only worked in process before:
a 轮候 freeze taking effect at the very instant another court releases (the notice over HTTP is collected at that
instant, not at the next collect), two courts in one scenario (the other court beside the court under test, on the
same namespace), and disposal (pricing, auction with a ``bid`` step) on the served platforms. Virtual time only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core_flow.net import free_port
from mock_agencies.settings import Settings
from scenarios.loader import load_paths, parse_text
from scenarios.remote import court_factory
from scenarios.runner import run_scenario
from scenarios.target import court_url_factory
from tests.test_agencies_live import LiveServer
from zhixing.cmd_court import _reference_app

SUITE = Path(__file__).resolve().parent.parent / "scenarios" / "suite"
CHOSEN = {  # file → first lines of the scenarios taken from it
    "fidelity/queued.scenario.yaml": {4, 30, 53},  # 轮候 takes effect at the other court's release, or at the
    # lapse of its freeze (no request: the port is due at the namespace's next lapse); and not before
    "courts/two_courts.scenario.yaml": {6},  # two courts on one account: this court's release, the other's 轮候
    "disposal/auction.scenario.yaml": {122},  # first auction sold (a bid over HTTP), confirmation, transfer
    "disposal/seal_price.scenario.yaml": {71},  # network inquiry, report, service, objection period
}


def _chosen() -> list[Any]:
    scenarios = load_paths([SUITE / name for name in CHOSEN])
    chosen = [sc for sc in scenarios
              if int(sc.where.rsplit(":", 1)[1]) in CHOSEN[sc.where.split("/suite/", 1)[1].rsplit(":", 1)[0]]]
    assert len(chosen) == sum(len(lines) for lines in CHOSEN.values())
    return chosen


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    """(agencies URL, court URL): ``zhixing agencies serve`` and ``zhixing court serve`` on loopback."""
    with LiveServer(Settings(port=free_port(), profile="fast")) as agencies, \
            LiveServer(app=_reference_app(None), port=free_port()) as court:
        yield agencies.url, court.url


def _verdict(result: Any) -> tuple:
    return result.passed, [(s.index, s.key, s.status) for s in result.steps], result.error


def test_queued_two_courts_and_disposal_scenarios_agree_all_three_ways(servers: tuple[str, str]) -> None:
    agencies, court = servers
    remote_agencies, remote_court = court_factory(agencies), court_url_factory(court, agencies)
    for sc in _chosen():
        here = run_scenario(sc)
        assert here.passed, here.explain()
        for name, factory in (("--agencies-url", remote_agencies), ("--court-url", remote_court)):
            there = run_scenario(sc, factory)
            assert _verdict(there) == _verdict(here), (name, sc.where, there.explain())
            assert there.timeline == here.timeline, (name, sc.where)


def test_the_queued_notice_over_http_is_at_the_release_instant_not_later(servers: tuple[str, str]) -> None:
    """Moving the release an hour earlier moves the notice with it: the instant comes from the run, not a constant."""
    agencies, _ = servers
    sc = next(s for s in _chosen() if s.where.endswith("queued.scenario.yaml:4"))
    text = Path(sc.where.rsplit(":", 1)[0]).read_text(encoding="utf-8")
    assert text.count("2026-03-05 10:00") == 2
    moved, problems = parse_text(text.split("\n---", 1)[0].replace("2026-03-05 10:00", "2026-03-05 09:00"),
                                 "moved.scenario.yaml")
    assert not problems and len(moved) == 1
    result = run_scenario(moved[0], court_factory(agencies))
    assert result.passed, result.explain()
    late, _ = parse_text(text.split("\n---", 1)[0].replace("time: 2026-03-05 10:00", "time: 2026-03-05 11:00"),
                         "late.scenario.yaml")
    result = run_scenario(late[0], court_factory(agencies))
    assert not result.passed  # expecting the notice an hour after the release fails: it came at the release
