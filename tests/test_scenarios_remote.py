"""Scenarios against a live mock agencies server (``--agencies-url``): the real service under uvicorn on
loopback (a background thread, readiness polled with a bounded loop), scenarios of the suite run through the
CLI and through the pytest option, a remote run reproducing the in-process one event for event, and bad
addresses refused with a bilingual error. Virtual time only: nothing here sleeps."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from core_flow.engine import EventKind
from core_flow.errors import UserError
from core_flow.protocol import AssetKind, ControlRequest, Feedback, Holding, Measure
from mock_agencies.accounts_port import SessionAccounts
from mock_agencies.app import create_app
from mock_agencies.clock import CST
from mock_agencies.port import SessionPort
from mock_agencies.profiles import load_profile
from mock_agencies.settings import Settings
from scenarios.loader import load_paths
from scenarios.remote import build_remote_court, court_factory
from scenarios.runner import build_court, run_scenario
from sim.assembly import build_virtual_court, virtual_spec
from sim.counterparts import InProcess
from zhixing.cli import main

pytest_plugins = ["pytester"]

SUITE = Path(__file__).resolve().parent.parent / "scenarios" / "suite"
FILES = [
    SUITE / "nodes" / "start.scenario.yaml",  # 节点7 frozen, unfrozen by the right authority
    SUITE / "spc" / "scope.scenario.yaml",  # 集约查询 to the exact scope, local banks included
    SUITE / "nodes" / "money.scenario.yaml",  # freeze → deduct → payout, expect_amounts to the cent
    SUITE / "spc" / "zhongben.scenario.yaml",  # 终本 sweep → freeze → approval → push → 恢复执行
]

FAULTY = """\
name: 集约查询在故障与时延下完成
seed: 3
agencies:
  "*": {faults: {error_5xx: 0.2, timeout: 0.1, reset: 0.1, rate_limit: 0.1},
        latency: {query: {dist: uniform, min_seconds: 60, max_seconds: 7200}}}
case:
  number: (2025)豫0811执990号
  amount: 56000
  filed: 2025-03-03 10:00
  debtors: [{as: 马某某, world: 6, holdings: [{agency: 工商银行, kind: 存款, amount: 2500, as: 工行存款}]}]
steps:
  - assign: 张法官
  - verify_identity: 通过
  - at: +2d
    expect_event: {kind: inquiry_completed}
  - expect_inquiry: {agencies: scope}
"""


PYTEST_ARGS = ("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``zhixing agencies serve --profile fast`` in a thread: its namespaces' clocks are the scenarios'."""
    port = free_port()
    config = uvicorn.Config(create_app(Settings(port=port, profile="fast")), host="127.0.0.1", port=port,
                            log_level="critical", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(500):  # bounded readiness wait (≤ 10 s)
        if srv.started:
            break
        thread.join(timeout=0.02)
    else:
        raise RuntimeError("uvicorn did not start")
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def namespaces(url: str) -> list[str]:
    return [s["namespace"] for s in httpx.get(f"{url}/admin/sessions", timeout=5).json()]


def test_cli_runs_suite_scenarios_against_the_server(server: str, tmp_path: Path, capsys) -> None:
    count = len(load_paths(FILES))
    junit = tmp_path / "j.xml"
    code = main(["scenarios", "run", *map(str, FILES), "--agencies-url", server + "/", "--junit", str(junit)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{count} scenarios, {count} passed, 0 failed" in out and "✘" not in out
    assert 'failures="0"' in junit.read_text(encoding="utf-8")
    assert not [n for n in namespaces(server) if n.startswith("scenario-")]  # each deleted at its end


def test_a_failing_scenario_fails_remotely_too(server: str, tmp_path: Path, capsys) -> None:
    wrong = (SUITE / "nodes" / "start.scenario.yaml").read_text(encoding="utf-8").replace(
        "state: 已冻结", "state: 已完成", 1)
    assert wrong != (SUITE / "nodes" / "start.scenario.yaml").read_text(encoding="utf-8")
    (tmp_path / "w.scenario.yaml").write_text(wrong, encoding="utf-8")
    assert main(["scenarios", "run", str(tmp_path), "--agencies-url", server]) == 1
    out = capsys.readouterr().out
    assert "✘" in out and "期望 expected" in out and "w.scenario.yaml" in out


def test_pytest_option_runs_them_against_the_server(server: str, pytester: pytest.Pytester) -> None:
    for f in FILES:
        shutil.copy(f, pytester.path / f.name)
    result = pytester.runpytest(*PYTEST_ARGS, "--agencies-url", server)
    result.assert_outcomes(passed=len(load_paths(FILES)))


def _events(court: Any) -> list[tuple]:
    """Every engine event, with its data — but a failed call's reason, which says how it failed on the wire."""
    return [(e.at, e.case_id, e.kind, e.node, e.instance, e.item,
             sorted((k, repr(v)) for k, v in (e.data or {}).items() if k != "reason")) for e in court.runtime.events]


def _capturing(factory: Any, seen: dict[str, Any], key: str) -> Any:
    """``factory`` keeping the court it builds in ``seen[key]`` (a remote one's journal of submits, read just
    before its namespace is deleted, in ``seen["journal"]``)."""

    def build(sc: Any, spec: Any) -> Any:
        court = seen[key] = factory(sc, spec)
        close = getattr(court, "close", None)
        if close is not None and hasattr(court.session, "client"):  # a court on the server

            def read_journal_then_close() -> None:
                client = court.session.client
                seen["journal"] = client.call("GET", f"{client.admin}/journal", params={"kind": "submit"})
                close()

            court.close = read_journal_then_close
        return court

    return build


def test_a_remote_run_reproduces_the_in_process_one_event_for_event(server: str, tmp_path: Path) -> None:
    (tmp_path / "faulty.scenario.yaml").write_text(FAULTY, encoding="utf-8")
    chosen = [*load_paths([SUITE / "spc" / "lock_view.scenario.yaml"])[:1],  # answers 2 h late
              *load_paths([SUITE / "nodes" / "money.scenario.yaml"])[:1],
              *load_paths([tmp_path / "faulty.scenario.yaml"])]  # 5xx, 504, resets, 429, random latency
    remote = court_factory(server)
    for sc in chosen:
        seen: dict[str, Any] = {}
        local, on_server = _capturing(build_court, seen, "local"), _capturing(remote, seen, "remote")
        a, b = run_scenario(sc, local), run_scenario(sc, on_server)
        assert a.passed and b.passed, b.explain()
        assert _events(seen["remote"]) == _events(seen["local"]), sc.name
        # the requests really went to the server: every submit the gateway sent, the server journalled
        sent = sorted(e.data["request_no"] for e in seen["remote"].runtime.events
                      if e.kind == EventKind.EXCHANGE and e.data.get("kind") == "sent")
        journalled = sorted(e["request_no"] for e in seen["journal"]["entries"])
        assert sent and journalled == sent, sc.name
        assert seen["remote"].session.namespace not in namespaces(server)


@pytest.fixture
def not_agencies() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


BAD_URLS = {
    "refused": ("无法连接模拟机构服务", "cannot reach the mock agencies"),
    "malformed": ("模拟机构服务地址无效", "invalid mock agencies address"),
    "not_agencies": ("不是 zhixing 模拟机构服务", "is not a zhixing mock agencies server"),
}


@pytest.mark.parametrize("kind", list(BAD_URLS))
def test_a_bad_url_is_a_bilingual_error_and_exit_2(kind: str, request: pytest.FixtureRequest, capsys) -> None:
    zh, en = BAD_URLS[kind]
    if kind == "refused":
        url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    elif kind == "malformed":
        url = "127.0.0.1:8700"  # no scheme
    else:
        url = request.getfixturevalue("not_agencies")
    assert main(["scenarios", "run", str(FILES[0]), "--agencies-url", url]) == 2
    captured = capsys.readouterr()
    assert "--agencies-url" in captured.err and zh in captured.err and en in captured.err
    assert "✔" not in captured.out and "✘" not in captured.out  # nothing ran


def test_a_bad_url_is_a_usage_error_for_pytest(pytester: pytest.Pytester) -> None:
    shutil.copy(FILES[0], pytester.path / FILES[0].name)
    result = pytester.runpytest(*PYTEST_ARGS, "--agencies-url", f"http://127.0.0.1:{free_port()}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--agencies-url*无法连接模拟机构服务*cannot reach the mock agencies server*"])


def test_the_remote_court_offers_what_steps_touch(server: str) -> None:
    origin = datetime(2025, 3, 3, 10, 0, tzinfo=CST)
    court = build_remote_court(server, origin, seed=5)
    ns, admin = court.session.namespace, f"{server}/admin/sessions/{court.session.namespace}"
    try:
        local = build_virtual_court(origin, seed=5, clerk=False)
        assert court.session.world.debtor(7) == local.session.world.debtor(7)  # the same world
        court.run_until(origin + timedelta(hours=3))
        assert httpx.get(f"{admin}/clock", timeout=5).json()["now"] == (origin + timedelta(hours=3)).isoformat()
        slow = {"bank": {"latency": {"query": {"dist": "fixed", "min_seconds": 60}}}}
        court.session.set_profile(load_profile("fast", slow))
        assert court.session.config.overrides == slow
        behaviour = httpx.get(f"{admin}/behaviour/icbc", timeout=5).json()
        assert behaviour["latency"]["query"]["min_seconds"] == 60
        accounts = court.platform.accounts
        sub = accounts.open("R410811", "(2025)豫0811执1号")
        assert accounts.balance(sub) == 0
        with pytest.raises(UserError) as err:
            accounts.pay_out(sub, 1, "申请执行人")
        assert err.value.code == "insufficient_funds" and "余额" in err.value.zh and "balance" in err.value.en
        assert court.session.ledger.find_freeze("NO-SUCH-FREEZE") is None
    finally:
        court.close()
    assert ns not in namespaces(server)


def _drive_held_unfreeze(port: Any, accounts: Any, world: Any, origin: datetime) -> list[tuple]:
    """Freeze, then a slow deduction and an unfreeze at once: the unfreeze is held until the deduction is
    done. Returns (agency answer instant, measure, ok) of every answer, collected at the instants the port
    names — the way the simulated transport drives it."""
    debtor = next(world.debtor(i) for i in range(50) if world.debtor(i).kind.value == "person")
    world.pin(debtor.id_number, "icbc", [Holding(account_no="PIN0000001", kind=AssetKind.DEPOSIT,
                                                 balance_cents=50_000, available_cents=50_000)])
    sub = accounts.open("R410811", "(2025)豫0811执5号")
    n = iter(range(1, 100))

    def request(measure: str, **fields: Any) -> ControlRequest:
        return ControlRequest(request_no=f"held-{next(n)}", court_code="R410811", case_no="(2025)豫0811执5号",
                              measure=Measure(measure), subject=debtor.subject(), **fields)

    answers: list[Feedback] = []

    def run_to(end: datetime) -> None:
        while (at := port.next_due()) is not None and at <= end:
            answers.extend(port.collect(at))

    port.submit("icbc", request("01", account_no="PIN0000001", amount_cents=50_000), origin)
    run_to(origin + timedelta(minutes=5))
    freeze_id = answers[-1].freeze_id
    t1 = origin + timedelta(minutes=10)
    port.submit("icbc", request("06", freeze_id=freeze_id, amount_cents=20_000, target_account=sub), t1)
    port.submit("icbc", request("04", freeze_id=freeze_id), t1)
    run_to(t1 + timedelta(hours=3))
    return [(f.answered_at, f.measure.value, f.ok) for f in answers]


def test_a_held_answer_comes_at_the_same_instant_as_in_process(server: str) -> None:
    origin = datetime(2025, 3, 3, 10, 0, tzinfo=CST)
    slow = {"*": {"latency": {"deduct": {"dist": "fixed", "min_seconds": 3600},
                              "control": {"dist": "fixed", "min_seconds": 60}}}}
    remote = build_remote_court(server, origin, seed=2, overrides=slow)
    try:
        got = _drive_held_unfreeze(remote.counterpart.last_port, remote.platform.accounts, remote.session.world, origin)
    finally:
        remote.close()
    local = InProcess(virtual_spec(origin, seed=2, overrides=slow, clerk=False))  # agencies on their own time
    want = _drive_held_unfreeze(SessionPort(local.session), SessionAccounts(local.session), local.session.world,
                                origin)
    assert got == want
    (_, deduct_at, _), (_, unfreeze_at, _) = [(m, a, ok) for a, m, ok in got if m in ("06", "04")]
    assert [m for _, m, _ in got] == ["01", "06", "04"] and unfreeze_at >= deduct_at  # held until the deduction
