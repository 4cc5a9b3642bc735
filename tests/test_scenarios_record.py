"""`zhixing scenarios record`: a case of a simulation's (masked) event log becomes a scenario file that replays its
inputs and asserts its outcomes — and passes when run; changing what it asserts makes it fail."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core_flow.agency_directory import inquiry_scope
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.eventlog import EventLog
from core_flow.legal_calendar import CST
from core_flow.protocol import AssetKind, Holding
from mock_agencies.world import account_number
from scenarios.loader import load_file, parse_text
from scenarios.record import read_log, record, record_file
from scenarios.runner import run_scenario
from sim.assembly import build_virtual_court

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


def _logged_court(path: Path, *, seed: int, debtor: int, number: int, count: int, days: int,
                  new_deposit_on: int | None = None, **court: object) -> tuple[list[str], list[str]]:
    """A simulated court with its clerk, ``count`` cases (world debtors from ``debtor``, case numbers from
    ``number``) filed three hours apart, run for ``days`` with its event log (masked) at ``path``: the case numbers
    and the debtors' ID numbers. ``new_deposit_on``: on that day the first debtor gets a deposit at a bank of the
    inquiry scope where it had nothing (money a 终本 sweep finds)."""
    court_ = build_virtual_court(ORIGIN, seed=seed, clerk=True, diligence=0.7, **court)
    log = EventLog(path).attach(court_.runtime)
    world = court_.session.world
    cases, ids = [], []
    for n in range(count):
        d = world.debtor(debtor + n)
        case = f"(2025)豫0811执{number + n}号"
        court_.platform.file(c.FileCase(case, debtors=(d.id_number,), amount_cents=(20 + n * 9) * 1000_00),
                             [d.subject()])
        cases.append(case)
        ids.append(d.id_number)
        court_.run_until(court_.clock.now() + timedelta(hours=3))
    if new_deposit_on is not None:
        court_.run_until(ORIGIN + timedelta(days=new_deposit_on))
        d, p = world.debtor(debtor), court_.platform
        bank = next(a.code for a in inquiry_scope(p.directory, d.id_number, p.court.region, d.kind)
                    if a.code != "csdc" and not world.holdings(d.id_number, a.code))
        world.pin(d.id_number, bank, [Holding(account_no=account_number(bank, AssetKind.DEPOSIT, d.id_number, 7),
                                              kind=AssetKind.DEPOSIT, balance_cents=5_000_00,
                                              available_cents=5_000_00)])
    court_.run_until(ORIGIN + timedelta(days=days))
    log.close()
    return cases, ids


@pytest.fixture(scope="module")
def sim_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str]]:
    """A simulated court with its clerk (late with some feedback: freezes, 督办, unfreezes), four cases, 300 days;
    the event log masked as by default."""
    path = tmp_path_factory.mktemp("rec") / "events.jsonl"
    cases, ids = _logged_court(path, seed=2, debtor=14, number=604, count=4, days=300)  # 15, 17: companies
    return path, cases, ids


def test_every_recorded_case_replays_green_and_names_nothing_internal(sim_log, tmp_path: Path) -> None:
    path, cases, ids = sim_log
    kinds = set()
    for case in cases:
        out = tmp_path / f"{case}.scenario.yaml"
        text = record_file(path, case, out)
        assert not any(i in text for i in ids)  # the log is masked; the file holds generated test identities
        assert "有效测试身份" in text and "valid test identity" in text
        assert not re.search(r"\bR\d{6}\b|TK\d+|F\d{9}", text)  # no receipt, ticket or freeze ids of the platform
        (sc,) = load_file(out)
        kinds |= {s.key for s in sc.steps}
        result = run_scenario(sc)
        assert result.passed, result.explain()
    # what the clerk did is replayed and what came of it asserted
    assert {"assign", "verify_identity", "open_feedback", "freeze", "deduct", "approve_payout", "pay_out", "close",
            "request_unfreeze", "approve_unfreeze", "expect_event", "expect_case", "expect_amounts"} <= kinds


def test_a_recorded_outcome_changed_fails_the_replay(sim_log) -> None:
    path, cases, _ = sim_log
    events = read_log(path)
    case = next(k for k in cases if any(e["case_id"] == k and e["kind"] == "node_frozen" for e in events))
    text = record(events, case, str(path))
    frozen = re.search(r"kind: node_frozen, node: (\d+)", text)
    assert frozen is not None
    wrong = text.replace(frozen.group(0), f"kind: node_frozen, node: {int(frozen.group(1)) % 46 + 1}", 1)
    (sc,), problems = parse_text(wrong, "wrong.scenario.yaml")
    assert not problems
    assert not run_scenario(sc).passed
    closed = next(t for t in (record(events, k, str(path)) for k in cases) if "expect_amounts" in t)
    amounts, n = re.subn(r"(expect_amounts: \{.*paid: )[0-9.]+元", r"\g<1>1.00元", closed)
    assert n == 1
    (sc,), _ = parse_text(amounts, "wrong.scenario.yaml")
    assert not run_scenario(sc).passed


def test_an_unknown_case_and_a_bad_log_are_located_errors(sim_log, tmp_path: Path) -> None:
    path, cases, _ = sim_log
    with pytest.raises(UserError) as err:
        record(read_log(path), cases[0][:-2], str(path))
    assert err.value.where == "--case" and "是否想写" in err.value.zh
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"at": "2025-01-01T00:00:00+08:00", "case_id": "x", "kind": "filed"}\nnot json\n',
                   encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_log(bad)
    assert err.value.where == f"{bad}:2"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("at", "x", "事件字段 at 应为 ISO 8601 时刻：'x'"),  # was a ValueError traceback while recording
    ("data", [], "事件字段 data 应为对象"),
    ("node", "17", "事件字段 node 应为节点编号或空"),
    ("case_id", 7, "事件字段 case_id 应为非空文本"),
])
def test_a_hand_edited_event_is_a_located_error(sim_log, tmp_path: Path, field: str, value: object,
                                               message: str) -> None:
    import json

    path, _, _ = sim_log
    lines = path.read_text(encoding="utf-8").splitlines()
    event = json.loads(lines[2])
    event[field] = value
    lines[2] = json.dumps(event, ensure_ascii=False)
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        read_log(edited)
    assert err.value.where == f"{edited}:3" and message in err.value.zh


def test_events_that_do_not_fit_together_are_refused_not_a_traceback(sim_log) -> None:
    """Each event well formed, but a case's record cut or edited so that they contradict (an answer's data without
    the fields recording reads): a bilingual error naming the case, not a KeyError from deep in the recorder."""
    path, cases, _ = sim_log
    events = read_log(path)
    for e in events:
        if e["case_id"] == cases[0] and e["kind"] != "filed":
            e["data"] = {}
    with pytest.raises(UserError) as err:
        record(events, cases[0], str(path))
    assert err.value.where == "--events" and cases[0] in err.value.zh and "cut short" in err.value.en


def test_the_cli_records_to_a_file(sim_log, tmp_path: Path, capsys) -> None:
    from zhixing.cli import _register_commands, main

    path, cases, _ = sim_log
    _register_commands()
    out = tmp_path / "r.scenario.yaml"
    assert main(["scenarios", "record", "--events", str(path), "--case", cases[0], "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "zhixing scenarios run" in said
    # what the file's comment says (substitutions, what was left out) is listed, Chinese first
    assert "说明 / notes:" in said and "有效测试身份" in said and "valid test identity" in said
    assert load_file(out)[0].name == f"录制：{cases[0]}"


def test_the_shipped_recorded_example_is_what_record_writes_today(sim_log) -> None:
    path, _, _ = sim_log
    shipped = (Path(__file__).parents[1] / "scenarios" / "suite" / "recorded" / "sim_case.scenario.yaml").read_text(
        encoding="utf-8")
    body = shipped.split("\n", 2)[2]  # after the two lines saying where the log came from
    assert record(read_log(path), "(2025)豫0811执605号", "sim-seed2.events.jsonl") == body


def test_a_realistic_runs_agency_delays_are_replayed(tmp_path: Path) -> None:
    """Agencies answering after minutes to days (the realistic profile, virtual time): each answer's delay becomes
    the agency's fixed latency in the recording, so feedback, 48-hour control deadlines and freezes fall as they did."""
    path = tmp_path / "events.jsonl"
    _logged_court(path, seed=1, debtor=10, number=600, count=4, days=200, profile="realistic")
    events = read_log(path)
    texts = [record(events, f"(2025)豫0811执{600 + n}号", str(path)) for n in range(4)]
    assert all("agencies:" in t and "dist: fixed" in t for t in texts)
    results = [run_scenario(parse_text(t, "r.scenario.yaml")[0][0]) for t in texts]
    # every request paired with its own result (request number): all four replay green (2 of 4 before)
    assert all(r.passed for r in results), [r.explain() for r in results if not r.passed]


def test_a_resumed_cases_own_steps_are_replayed(tmp_path: Path) -> None:
    """A case resumed after 终本: its 恢复执行 case's steps follow ``approve_resumption: {as: 恢复案}`` with
    ``case: 恢复案`` and its outcomes are asserted; asking for the resumed case records it from its original."""
    path = tmp_path / "events.jsonl"
    # (the money a sweep finds: before, frozen securities — no money to deduct — left bank accounts of the first
    # round unfrozen for a sweep to find; securities are frozen only where the run disposes of property now)
    _logged_court(path, seed=1, debtor=11, number=700, count=3, days=300, new_deposit_on=200)
    events = read_log(path)
    filed = sorted((e["data"]["new_case"], e["case_id"]) for e in events if e["kind"] == "resumption_filed")
    assert filed, "this seed resumes a case"
    resumed, original = [new for new, _ in filed], filed[0][1]
    text = record(events, original, str(path))
    assert "as: 恢复案" in text and "case: 恢复案" in text
    (sc,), problems = parse_text(text, "r.scenario.yaml")
    assert not problems
    assert run_scenario(sc).passed, run_scenario(sc).explain()
    mine = record(events, resumed[0], str(path))
    assert f"自原案 {original} 起录制" in mine
    assert mine.split("name:", 1)[1].split("\n", 1)[1] == text.split("name:", 1)[1].split("\n", 1)[1]
