"""Issue 16 point 6, measured: every case of an event log recorded as a scenario and replayed
(``scenarios.record_check``).

* a short ``zhixing simulate`` run (its per-event CSV, masked), in the ``fast`` and the ``realistic`` agency
  profiles: every case replays green;
* a live ``zhixing demo --cases 8`` log (real-time clock, 1,000,000×, mock agencies over HTTP — shipped as
  ``tests/data/demo8.events.jsonl.gz``, masked): every case, with the resumed ones, the flat and the car sold at
  auction, replays green. (The log of 2026-12-07 15:34 UTC, on H42's release gate, 2883170: the flat and the
  car close 执行完毕 after their 过户; the log shipped before closed the car before it, a closing the replay now
  refuses RELEASE_GATE.)

* a virtual court whose clerk disposes of flats and cars (sealed, priced, auctioned, relisted, 以物抵债 or 变卖,
  sold, paid out, transferred), with and without bidders: every case replays green.

The bigger measurement (longer simulations, a fresh demo log) is ``make record-check`` (scenarios/README.md).
"""

from __future__ import annotations

import gzip
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core_flow.agency_directory import inquiry_scope
from core_flow.engine import commands as c
from core_flow.eventlog import EventLog
from core_flow.legal_calendar import CST
from core_flow.process_options import BaseProcess, load_base
from core_flow.protocol import AssetKind, Holding
from mock_agencies.auction import BidderModel
from mock_agencies.world import account_number
from scenarios.record import read_log
from scenarios.record_check import CaseCheck, check_case, check_log
from sim.assembly import build_virtual_court
from sim.profile import load_profile
from sim.replicate import make_units
from sim.run import run_unit

DEMO = Path(__file__).parent / "data" / "demo8.events.jsonl.gz"
# the car's case of another live demo log (2026-12-05, make record-check): the closing asked the registry to lift
# the seal and the log has no answer to it (the run ended first)
CAR_RELEASE_LATE = Path(__file__).parent / "data" / "demo-case6-live.events.jsonl.gz"
# a case and its 恢复执行 case of another live demo log (2026-12-05 20:16 UTC, make record-check): the resumed case kept
# its handler, its 立案 node froze, and its node 3 — past its deadline, whose timer had fired without freezing it — was
# done only after the unfreeze
HANDLER_KEPT = Path(__file__).parent / "data" / "demo-case5-handler-live.events.jsonl.gz"
# a case and its 恢复执行 case of a live demo log (2026-12-05 22:34 UTC, make record-check): the resumed case deducted,
# and its 到账登记 (node 32) of that receipt was frozen
RESUMED_RECEIPT = Path(__file__).parent / "data" / "demo-case2-resumed-receipt-live.events.jsonl.gz"
ANSWER_LATE = Path(__file__).parent / "data" / "demo-case2-resumed-answer-late-live.events.jsonl.gz"
RECEIPT_BEFORE_TIMER = Path(__file__).parent / "data" / "demo-case1-receipt-before-late-timer-live.events.jsonl.gz"
# a car sold, transferred and paid out in a live demo log (2026-12-05 23:21 UTC, make record-check): the registry's
# seal was lifted after the transfer ruling, the live platform asking 8 minutes after it
TRANSFER_RELEASE = Path(__file__).parent / "data" / "demo-case6-transfer-release-live.events.jsonl.gz"
# the handler's two own queries of registries in a live demo log (2026-12-07 11:26 UTC, make record-check: 437/438):
# the live gateway sent the vehicle registry's (asked 08:40) at 08:42 and the real-estate registry's (asked 07:39) at
# 09:20, after it
MANUAL_QUERIES = Path(__file__).parent / "data" / "demo-case6-manual-queries-live.events.jsonl.gz"
# a flat sold in a live demo log (2026-12-06 00:40 UTC, make record-check beside two court-years): the registry took
# the 过户 document 4.4 days after the ruling, and the seal's release it then sent another 34 hours
TRANSFER_DOCUMENT = Path(__file__).parent / "data" / "demo-case3-transfer-document-live.events.jsonl.gz"
# a car sold in its 变卖 in a live demo log (2026-12-07 15:42 UTC, `zhixing demo --cases 8 --events-out` on H42's
# release gate, 2883170): the sale period ended 07-21 10:00, the platform's "sold" was polled at 10:12. (The log shipped
# before, of 2026-12-06 01:14 UTC — ended 07-28 10:00, polled 10:20 — closed the case 执行完毕 before the car's 过户,
# a closing the replay now refuses, RELEASE_GATE.)
SALE_POLLED_LATE = Path(__file__).parent / "data" / "demo-case6-sale-polled-late-live.events.jsonl.gz"



def _unpacked(tmp_path: Path, shipped: Path, name: str) -> Path:
    """A shipped gzip'd event log, unpacked into ``tmp_path`` as ``name`` (its suffix tells the reader the format)."""
    log = tmp_path / name
    log.write_bytes(gzip.decompress(shipped.read_bytes()))
    return log


def _simulated_log(tmp_path: Path, agencies: str) -> Path:
    profile = load_profile(None).with_intake(120)
    profile = profile.model_copy(update={"warmup_days": 0.0, "agencies": profile.agencies.model_copy(
        update={"profile": agencies})})
    (unit,) = make_units([(profile.name, profile)], years=0.25, replications=1, seed=7, check=False,
                         events_dir=str(tmp_path))
    run_unit(unit)
    (log,) = tmp_path.glob("events-*.csv")
    return log


@pytest.mark.parametrize("agencies", ["fast", "realistic"])
def test_every_case_of_a_short_simulation_replays_green(tmp_path: Path, agencies: str) -> None:
    checks = check_log(_simulated_log(tmp_path, agencies))
    assert len(checks) >= 15
    failed = {c.case: c.failure for c in checks if not c.passed}
    assert not failed, failed


def test_every_case_of_a_live_demo_log_replays_green(tmp_path: Path) -> None:
    checks = check_log(_unpacked(tmp_path, DEMO, "demo8.events.jsonl"))
    assert len(checks) == 11  # 8 cases and 3 resumed ones
    failed = {c.case: c.failure for c in checks if not c.passed}
    assert not failed, failed
    # disposal is replayed: the car (seal, pricing, two auctions, the buyer's bid, payout, transfer, hand-over)
    car = next(c for c in checks if c.case == "(2025)豫0811执6号")
    assert all(k in car.text for k in ("seal:", "price:", "serve_report:", "notify_parties:", "list_auction:",
                                       "relist:", "bid:", "confirm_sale:", "transfer:", "hand_over:"))
    # the flat: under the default seed the replay's pricing platform would report days after the logged serving;
    # the recording picks a seed under which it reports in time (said in the file)
    flat = next(c for c in checks if c.case == "(2025)豫0811执3号")
    assert "\nseed: " in flat.text and "模拟询价平台在此种子下" in flat.text and "bid:" in flat.text


def _before_the_release_gate(tmp_path: Path) -> BaseProcess:
    """The process the court of a live log made before H42's release gate (2883170) ran: the bundled one without
    ``release_gate``. Its case closed 执行完毕 after the sale's payout, before the lot's 过户 (node 30) — a closing the
    bundled process refuses now (RELEASE_GATE), and fresh demo logs, whose cases close after the 过户, have not shown
    what these tests are about (H44: eleven fresh logs). Recorded with the process its court ran (``--process``, the
    scenario's ``process:`` saying ``release_gate: []``), the log replays green, whole, as before the gate."""
    text = (Path(__file__).parent.parent / "core_flow" / "data" / "process.yaml").read_text(encoding="utf-8")
    start, end = text.index("\nrelease_gate:"), text.index("\n# The node numbers the engine's built-in rules act on")
    path = tmp_path / "process-before-release-gate.yaml"
    path.write_text(text[:start] + "\nrelease_gate: []\n" + text[end:], encoding="utf-8")
    return load_base(path)


def test_a_closing_whose_release_the_log_does_not_answer_replays_green(tmp_path: Path) -> None:
    """The amount frozen at the closing depends on when the closing's releases are answered: in this live log the
    registry had not answered by the end, the replay's registry answers at once. The recording does not assert the
    amount frozen at the closing then (it asserted the seal's 150,000 and the replay found 0) and says why."""
    (check,) = check_log(_unpacked(tmp_path, CAR_RELEASE_LATE, "car.events.jsonl"),
                         base=_before_the_release_gate(tmp_path))
    assert check.passed, check.failure
    assert "不断言结案时的冻结金额" in check.text and "paid: 104430.39元" in check.text


def test_a_registrys_delay_is_pinned_before_the_handlers_own_query_of_it(tmp_path: Path) -> None:
    """The handler queried two registries himself (自行查询), 07:39 and 08:40; the live gateway sent them out of order
    and late. Each request's latency pin went to the last step before its live send — both after the 08:40 query, the
    vehicle registry's after its own query: the replay's vehicle registry answered at once, node 17's 48 hours ran
    from 03-16 08:40 and the node froze before the seal took effect (investigate refused NODE_FROZEN). Each pin now
    stands just before the handler's query it answers, the delay measured from it. (The case closed 执行完毕 on 05-22
    before its car's 过户: recorded with its court's process, _before_the_release_gate.)"""
    (check,) = check_log(_unpacked(tmp_path, MANUAL_QUERIES, "manual.events.jsonl"),
                         base=_before_the_release_gate(tmp_path))
    assert check.passed, check.failure
    steps = check.text[check.text.index("steps:"):]
    vehicle = steps.index("manual_query: {agency: vehicle_registry")
    pin = steps.index("query: {dist: fixed, min_seconds: 129084}")  # the registry's delay after the 08:40 query
    assert pin < vehicle, steps[pin - 300: vehicle + 100]


def test_the_seal_lifted_after_a_transfer_is_asked_for_at_the_ruling_in_the_replay(tmp_path: Path) -> None:
    """The live platform asked the registry to lift the seal 8 minutes after the transfer ruling; the replay's platform
    asks at the ruling. The registry's delay was measured from the live request, so the replay's answer came 8 minutes
    early — or, the latency override placed at the live request's instant (after the ruling's step), the release went
    out with the registry's previous delay and the seal outlived the closing that followed (expected frozen 0, found
    150,000; make record-check 156/157). The delay is measured from the ruling's step."""
    (check,) = check_log(_unpacked(tmp_path, TRANSFER_RELEASE, "car.events.jsonl"),
                         base=_before_the_release_gate(tmp_path))
    assert check.passed, check.failure
    assert "expect_amounts: {frozen: 0.00元" in check.text


def test_the_seal_lifted_after_the_registry_answers_the_transfer_document_is_timed_from_that_answer(
        tmp_path: Path) -> None:
    """A registry that takes the 过户 document answers it (4.4 days here) and the platform then asks it to lift the
    seal (34 hours). The document's delay was taken to the seal's release, not to its own answer, and the release was
    timed from the ruling: in the replay the document took 5.8 days and the release as long again, and the seal
    outlived the closing (expected frozen 0, found 900,000; make record-check 156/157 on a loaded machine). Now the
    document's delay runs from the ruling's step to its answer, and the release's from that answer — set a second
    before it, as the answer sends the request at once."""
    (check,) = check_log(_unpacked(tmp_path, TRANSFER_DOCUMENT, "flat.events.jsonl"),
                         base=_before_the_release_gate(tmp_path))
    assert check.passed, check.failure
    assert "expect_amounts: {frozen: 0.00元" in check.text
    assert "control: {dist: fixed, min_seconds: 377232}" in check.text  # ruling 05-30 15:05:37 → answer 06-03 23:52:49
    assert "at: '2025-06-03 23:52:48'" in check.text  # the release's delay, set before the answer that sends it


def test_a_sale_polled_after_its_period_ended_is_bought_within_it_in_the_replay(tmp_path: Path) -> None:
    """A 变卖 buyer's payment is replayed a minute before the platform reported the sale; a loaded live run polled
    the "sold" 20 minutes after the sale period ended (07-28 10:00), and the replay's bid at 10:19 was refused
    ("bidding has ended"; make record-check 156/157). The bid stays inside the period. In the log shipped now the
    period ended 07-21 10:00 and the "sold" was polled at 10:12 (the bid at 10:11 refused the same way before)."""
    (check,) = check_log(_unpacked(tmp_path, SALE_POLLED_LATE, "car.events.jsonl"))
    assert check.passed, check.failure
    assert "- at: 2025-07-21 09:59\n  bid:" in check.text


CONTROL_AFTER_INITIATE = Path(__file__).parent / "data" / "demo-control-after-initiate-live.events.jsonl.gz"


def test_a_node_completed_after_a_met_items_deadline_is_not_moved_before_it(tmp_path: Path) -> None:
    """Node 3's same-day 'initiate' was met (23:59:58 on the filing day, under load) and its 48-hour 'control' done
    the next evening: the recorder took the completion for an act after the node's deadline (the met item's) that
    beat its timer, and moved it before that deadline — ahead of the node's own start, refused NODE_DONE in the replay
    (make record-check 155/157 beside two court-years). A met item's deadline is no longer the node's."""
    (check,) = check_log(_unpacked(tmp_path, CONTROL_AFTER_INITIATE, "demo.events.jsonl"), limit=1)
    assert check.case == "(2025)豫0811执1号"
    assert check.passed, check.failure
    assert "- at: '2025-03-10 21:50:20'\n  complete_node: {node: 3}" in check.text  # where it was, not at 23:59


def _case_and_resumed_replay_green(tmp_path: Path, shipped: Path, case: str) -> list:
    """A shipped live log of ``case`` and its 恢复执行 case: both recorded, both replayed green."""
    checks = check_log(_unpacked(tmp_path, shipped, "case.events.jsonl"))
    assert [c.case for c in checks] == [case, f"{case}-恢1"]
    for check in checks:
        assert check.passed, check.failure
    return checks


def test_an_act_after_a_deadline_whose_timer_had_fired_is_not_moved(tmp_path: Path) -> None:
    """A live log's act accepted after its deadline was moved before the deadline (taken for one that beat a late
    timer). Here the timer had fired (its deadline_missed written before the act) and froze nothing, the 立案 node's
    freeze holding the case: moved before it, node 3's completion fell inside that freeze and was refused
    NODE_FROZEN in the replay (make record-check 155/157). It stays where it was."""
    checks = check_log(_unpacked(tmp_path, HANDLER_KEPT, "case.events.jsonl"))
    assert [c.case for c in checks] == ["(2025)豫0811执5号", "(2025)豫0811执5号-恢1"]  # numbered as it was then
    assert "- at: '2025-12-21 20:47:36'\n  case: 恢复案\n  complete_node: {node: 3}\n" in checks[1].text
    # The log predates two rules (2026-12): frozen 股权 is disposed of, not 划拨'd (node 31 — the log froze it on
    # 2025-12-27), and 终本 waits for it. Its replay departs from the log there, days after the act this test is
    # about, and never at it (it was refused NODE_FROZEN on 2025-12-21 when moved).
    for check in checks:
        if not check.passed:
            failed_at = re.search(r"@ (\d{4}-\d{2}-\d{2} \d{2}:\d{2})", check.failure)
            assert failed_at and failed_at[1] >= "2025-12-27", check.failure
            assert "NODE_FROZEN" not in check.failure.split("实际 actual")[-1][:80], check.failure


def test_a_receipt_of_the_resumed_case_is_named_among_that_cases_receipts(tmp_path: Path) -> None:
    """A step of the 恢复执行 case (``case: 恢复案``) naming its receipt (``到账4``, from its own deduction): the name
    was looked up among the original case's receipts, found none, and the node-32 freeze of that receipt did not
    match (make record-check 153/157). It is looked up in the step's case."""
    checks = _case_and_resumed_replay_green(tmp_path, RESUMED_RECEIPT, "(2025)豫0811执2号")
    frozen = "  case: 恢复案\n  expect_event:\n    kind: node_frozen\n    node: 32\n    instance: 到账4\n"
    assert frozen in checks[0].text


def test_a_filing_answer_that_came_late_is_replayed_when_it_came(tmp_path: Path) -> None:
    """Under load the local filing system filed the 恢复执行 case at 23:22 and its answer reached the court at 00:59
    the next day: only then did the 终本 case record the filing and hand its Alipay freeze over, and the new case's
    划拨 deadline (7 days) ran from that day. The replay answered at the filing, the deadline fell a day earlier and
    the deduction on its last day was refused NODE_FROZEN (make record-check 9/11 on this log). The approval now
    says when the answer came (``answered``), the new case works before it (``case: 恢复案``), the deduction is in
    time."""
    checks = _case_and_resumed_replay_green(tmp_path, ANSWER_LATE, "(2025)豫0811执2号")
    step = "approve_resumption: {authority: bureau_head, as: 恢复案, answered: '2025-09-16 00:59:57'}"
    assert step in checks[0].text and "立案系统的答复 2025-09-16 00:59:57 才到达" in checks[0].text


def test_a_receipt_registered_after_its_deadline_before_the_late_timer_is_moved_before_it(tmp_path: Path) -> None:
    """Under load the clerk registered a receipt at 00:22 whose 3-day deadline ended at 00:00: the deadline's timer
    had not run yet, the engine took it on time (late: false). The recorder moved such acts a minute before the
    deadline for nodes and measures, not for 到账登记: the replay registered it at 00:22, after its timer froze node
    32, refused NODE_FROZEN (make record-check 155/157 beside two court-years). Receipts, payouts and 提存 move too."""
    # with case 4, whose late timers show the log is live (case 1's do not)
    checks = check_log(_unpacked(tmp_path, RECEIPT_BEFORE_TIMER, "demo.events.jsonl"))
    assert [c.case for c in checks] == ["(2025)豫0811执1号", "(2025)豫0811执4号", "(2025)豫0811执1号-恢1"]
    for check in checks:
        assert check.passed, check.failure
    assert "- {at: '2025-03-26 23:59', register_receipt: 到账3}" in checks[0].text  # was at 2025-03-27 00:22


# a 终本 case and its 恢复执行 case of a live demo log (2026-12-07 15:45 UTC, `zhixing demo --cases 8 --events-out` on
# H42's release gate): the year-end 终本 sweep (sent at its timer 12-28 00:00) found a new deposit at 建设银行, whose
# part of the sweep came back at 11:15 — the bank's earlier queries had taken 2.9 days
SWEEP_FOUND = Path(__file__).parent / "data" / "demo-case1-sweep-found-live.events.jsonl.gz"


def test_a_sweeps_find_is_answered_when_the_log_found_it(tmp_path: Path) -> None:
    """A 终本 sweep's answers come in parts naming no agency and write no inquiry_answered: the recorder set no
    latency for it, the bank kept its earlier 2.9 days, and the replay's sweep found the deposit on 12-31 — after the
    handler's freeze of 12-29 11:39 (refused PLATFORM_REFUSED: no such property found for the case). A find
    (property_found_after_zhongben) is its agency's answer now, the latency set a minute before the sweep's timer
    (at its instant it came after the sweep went out)."""
    checks = check_log(_unpacked(tmp_path, SWEEP_FOUND, "sweep.events.jsonl"))
    assert [c.case for c in checks] == ["(2025)豫0811执1号", "(2026)豫0811执恢1号"]
    for check in checks:
        assert check.passed, check.failure
    # 12-28 00:00 → 11:15:21, before the sweep's timer (after the find's pin)
    assert ("    - {kind: deposit, amount: 19318.42元, as: 建设银行新存款}\n- agencies:\n    ccb:\n      latency:\n"
            "        query: {dist: fixed, min_seconds: 40521}\n") in checks[0].text


def _disposal_log(path: Path, seed: int, bidders: bool) -> Path:
    """Six debtors, each owning only a flat or a car; the clerk finds them at the registries and disposes of them."""
    origin = datetime(2025, 3, 3, 9, 0, tzinfo=CST)
    court = build_virtual_court(origin, seed=seed, clerk=True, diligence=0.9, dispose=True)
    if not bidders:  # every auction fails: relisted, then 以物抵债 or 变卖
        court.session.auction.model = BidderModel(max_bidders=0)
    log = EventLog(path).attach(court.runtime)
    world = court.session.world
    for n in range(6):
        d = world.debtor(30 + n)
        for agency in inquiry_scope(court.platform.directory, d.id_number, court.platform.court.region, None):
            world.pin(d.id_number, agency.code, [])
        registry, kind, value = (("real_estate_registry", AssetKind.REAL_ESTATE, 50_000_000) if n % 2 == 0 else
                                 ("vehicle_registry", AssetKind.VEHICLE, 8_000_000))
        world.pin(d.id_number, "real_estate_registry", [])
        world.pin(d.id_number, "vehicle_registry", [])
        world.pin(d.id_number, registry, [Holding(account_no=account_number(registry, kind, d.id_number, 1), kind=kind,
                                                  description="住宅" if n % 2 == 0 else "小型轿车",
                                                  balance_cents=value, available_cents=value)])
        court.platform.file(c.FileCase(f"(2025)豫0811执{800 + n}号", debtors=(d.id_number,), amount_cents=value // 2),
                            [d.subject()])
        court.run_until(court.clock.now() + timedelta(hours=3))
    court.run_until(origin + timedelta(days=400))
    log.close()
    return path


def test_every_disposal_replays_green(tmp_path: Path) -> None:
    texts = []
    for seed, bidders in ((1, False), (2, False), (3, True), (8, True)):
        checks = check_log(_disposal_log(tmp_path / f"d{seed}.jsonl", seed, bidders))
        failed = {c.case: c.failure for c in checks if not c.passed}
        assert not failed, (seed, failed)
        texts += [c.text for c in checks]
    steps = "\n".join(texts)
    for key in ("seal:", "investigate:", "price:", "serve_report:", "notify_parties:", "list_auction:", "relist:",
                "bid:", "offer_in_kind:", "accept: true", "start_sale:", "confirm_sale:", "transfer:", "hand_over:"):
        assert key in steps, key


START_STATE = Path(__file__).resolve().parent.parent / "sim" / "data" / "start_state_example.csv"


def _start_state_log(tmp_path: Path) -> Path:
    """A short simulated run that starts from the bundled example start state (open cases at nodes 3–9, 终本 register
    cases closed in 2022 and 2023)."""
    f = tmp_path / "court.yaml"
    f.write_text("name: 起始状态法院\nintake: {yearly: 120}\nwarmup_days: 0\n"
                 "staff: {承办法官: {count: 2}, 书记员: {count: 2}}\n"
                 f"start_state: {START_STATE}\n", encoding="utf-8")
    (unit,) = make_units([("c", load_profile(f))], years=0.2, replications=1, seed=3, check=False,
                         events_dir=str(tmp_path))
    run_unit(unit)
    (log,) = tmp_path.glob("events-*.csv")
    return log


def test_start_state_cases_are_not_recordable_and_the_rest_replay_green(tmp_path: Path, capsys) -> None:
    """Review R14 (H33): a start-state case's history before the run is not in the log, and a scenario cannot start a
    case at a node or closed by 终本 on a date — the recorder refuses it, saying why, and record_check counts it
    apart (never passed, never failed); the cases filed in the run replay green, and are not taken for a live log's
    (the start state's timers that ran out before the run are written at their own, earlier instants)."""
    from scenarios.record import StartStateCase, record
    from scenarios.record_check import main

    log = _start_state_log(tmp_path)
    checks = check_log(log)
    carried = {c.case for c in checks if c.start_state}
    assert {"(2024)豫0811执100号", "(2023)豫0811执900号", "(2022)豫0811执77号"} <= carried
    assert all(not c.passed for c in checks if c.start_state)
    events = read_log(log)
    with pytest.raises(StartStateCase) as refused:
        record(events, "(2023)豫0811执900号", str(log))
    said = refused.value.message
    assert "起始状态" in said and "start state" in said and "2023-07-15" in said and "not in the log" in said
    run = [c for c in checks if not c.start_state]
    assert len(run) >= 10
    failed = {c.case: c.failure for c in run if not c.passed}
    assert not failed, failed
    assert not any("实时日志" in c.text for c in run)  # a virtual-time run, not a live log
    assert main(["--events", str(log)]) == 0
    out = capsys.readouterr().out
    assert "不可录制（起始状态）not recordable (start state)  (2023)豫0811执900号" in out
    assert f"{len(carried)} more from the start state, not recordable" in out
    from zhixing.cli import _register_commands
    from zhixing.cli import main as cli

    _register_commands()
    out_file = tmp_path / "x.scenario.yaml"
    assert cli(["scenarios", "record", "--events", str(log), "--case", "(2024)豫0811执100号", "-o",
                str(out_file)]) != 0
    said = re.sub(r"\s+", "", capsys.readouterr().err)
    assert "来自本次运行的起始状态" in said and "camefromtherun'sstartstate" in said and not out_file.exists()


# cases of a simulated year with disposal (2026-12-07, review R14 / H33: `zhixing simulate` of a 250-case court,
# --dispose 1, a start state; the cases' own events): a debtor's second and third flat at one registry, two cars…
# (cut to the three cases still tested here: 执46号, 执163号, 执183号; its others closed 执行完毕 before a sold lot's
# ruling and transfer, or sold on a closed case — replaced by cases of later court-years below)
SIM_YEAR_DISPOSAL = Path(__file__).parent / "data" / "sim-year-disposal.events.csv.gz"


def _sim_year_case(tmp_path: Path, number: int) -> CaseCheck:
    log = _unpacked(tmp_path, SIM_YEAR_DISPOSAL, "year.events.csv")
    return check_case(read_log(log), f"(2025)豫0812执{number}号", str(log))


# cases of a --seed 5 court-year with disposal (simulated 2026-12-07 15:28 UTC on H42's release gate, 2883170: a
# closing that releases the controls waits for a sold lot's ruling and transfer; the court make record-check simulates
# — 250 cases a year, sim/data/start_state_example.csv — --years 1 --dispose 1 --warmup-days 0): 执23号, three cars at
# one registry, the second and third listed for one instant, the third sold; 执94号, three flats, two sold in rounds
# ending at one instant; 执93号, a car sold and securities listed after; 执126号, securities sold in their 变卖 and a
# car in its second auction the next day. The year simulated before (14:01 UTC on f5274df) closed 执23号 and 执6号
# 执行完毕 right after a sale's money was paid out, before its 成交确认 ruling and 过户 (执23号 03-11, 执6号 02-27):
# the replay now refuses that closing (RELEASE_GATE); 执6号 of the new year closes while two lots' buyers have yet to
# pay, not shipped
ONE_REGISTRY_SOLD = Path(__file__).parent / "data" / "sim-year-seed5-one-registry-sold.events.csv.gz"


def _case_of(tmp_path: Path, shipped: Path, case: str) -> CaseCheck:
    log = _unpacked(tmp_path, shipped, "year.events.csv")
    return check_case(read_log(log), case, str(log))


@pytest.mark.parametrize(("shipped", "case"), [
    pytest.param(ONE_REGISTRY_SOLD, "(2025)豫0811执23号", id="seed5-23"),
    pytest.param(SIM_YEAR_DISPOSAL, "(2025)豫0812执46号", id="46"),
])
def test_a_second_lot_at_one_registry_is_priced_as_the_replay_numbers_it(tmp_path: Path, shipped: Path,
                                                                         case: str) -> None:
    """The replay's world numbers a debtor's holdings at one agency …01, …02, … in the order it pins them; the
    recorder worked the pricing platform's answer out for …01 for every lot, so the seed it chose had the report on a
    second flat (or car) come after its logged serving: serve_report refused DISPOSAL_STAGE (no report yet) — 执23号's
    third car, served 2025-02-06 08:53."""
    check = _case_of(tmp_path, shipped, case)
    assert check.case == case
    assert check.passed, check.failure


@pytest.mark.parametrize(("shipped", "case"), [
    *(pytest.param(ONE_REGISTRY_SOLD, f"(2025)豫0811执{n}号", id=f"seed5-{n}") for n in (94, 93, 126)),
    pytest.param(SIM_YEAR_DISPOSAL, "(2025)豫0812执163号", id="163"),
])
def test_a_sale_is_read_for_the_lot_its_listing_was_for(tmp_path: Path, shipped: Path, case: str) -> None:
    """Two listings of one case ending at one instant (a car unsold, the other sold): the platform's 'sold' answer
    was taken for the lot of the events that followed it, the other's — the buyer's bid replayed on the wrong listing
    (under its current price, PLATFORM_REFUSED: 执94号's bid of 2025-07-28; after its bidding ended, CONFLICT: 执126号's
    of 11-07; or on none, NO_LISTING) or not at all (its proceeds never arrived, NO_RECEIPT: 执93号's car, its proceeds
    registered 2025-07-14); it is now the lot of the request it answers (its request number)."""
    check = _case_of(tmp_path, shipped, case)
    assert check.case == case
    assert check.passed, check.failure


# a case of a --seed 5 court-year with disposal (simulated 2026-12-07 15:28 UTC on H42's release gate, 2883170: a
# closing that releases the controls waits for a sold lot's ruling and transfer; the court make record-check simulates
# — 250 cases a year, sim/data/start_state_example.csv — --years 1 --dispose 1 --warmup-days 0): a car and a flat
# priced one after the other. The same case of the year simulated at 12:57 UTC closed 执行完毕 on 12-23 before the
# car's 成交确认 ruling and 过户, a closing the replay now refuses (RELEASE_GATE); before it, 执78号 of
# SIM_YEAR_DISPOSAL, whose clerk served, notified and listed its lots after the case closed (CASE_CLOSED_DISPOSAL)
OWN_REQUEST = Path(__file__).parent / "data" / "sim-year-seed5-own-request.events.csv.gz"


def test_a_report_is_worked_out_from_its_own_lots_request(tmp_path: Path) -> None:
    """执179号: a car priced by 网络询价, then a flat by appraisal 18 minutes later: when the replay's report on the car
    would come was worked out from the last pricing request before its serving — the flat's appraisal — so the
    recorder moved the car's serving four weeks later (the appraisal's report, 2025-12-15) and its notification, not
    after that serving, was refused DISPOSAL_STAGE (the reference price not fixed yet); with only that fix taken out of
    today's recorder the car's node 20 froze instead (list_auction refused NODE_FROZEN). It is now the car's own
    request: the seed fits, the car's report is served at its logged instant."""
    (check,) = check_log(_unpacked(tmp_path, OWN_REQUEST, "own.events.csv"))
    assert check.case == "(2025)豫0811执179号"
    assert check.passed, check.failure
    assert "送达移至其后1分钟" not in check.text  # the seed fits: nothing moved
    assert "- {at: '2025-11-17 08:44:07', serve_report: 公安部交通管理局车辆}" in check.text  # as logged


def test_a_freeze_on_a_later_reports_node_is_asserted_on_that_report(tmp_path: Path) -> None:
    """An upheld objection: the flat's second price report, node 20 frozen on its instance ``…#2``; the recorder
    read every ``#n`` instance as the asset's own, so the replay expected the freeze on the first report's node (not
    emitted) and the unfreeze asked for it (NOT_FROZEN); the freeze, its unfreeze request and approval now name
    ``房产#2``, as the scenario format writes a later report's node. 执139号 of the --seed 2 year (PRICED_SEED): its
    flat's node 20 frozen on ``…#2`` 2025-09-29 (in 执118号 of SIM_YEAR_DISPOSAL before: it closed 执行完毕 before its
    sold flat's ruling and transfer, a closing the replay now refuses RELEASE_GATE)."""
    check = _case_of(tmp_path, PRICED_SEED, "(2025)豫0811执139号")
    assert check.passed, check.failure
    assert re.search(r"expect_event: \{kind: node_frozen, node: 20, instance: \S+#2", check.text)
    assert re.search(r"request_unfreeze: \{node: 20, instance: \S+#2", check.text)


def test_a_car_found_and_never_sealed_is_found_in_the_replay(tmp_path: Path) -> None:
    """A car the vehicle registry reported, never sealed (the claim paid from a deposit first): its value is not in
    the log, and the recorder set it at 0 — in the replay a holding worth nothing is no property found, so its node 17
    deadline never started and the freeze expected on it never came. It is set at 1 yuan now, and said."""
    check = _sim_year_case(tmp_path, 183)
    assert check.passed, check.failure
    assert "amount: 1.00元, as: 公安部交通管理局车辆" in check.text and "按 1 元设定" in check.text


# a 终本 case and its 恢复执行 case of a simulated year with disposal and a start state (2026-12-07, the year
# `make record-check` runs): the 终本 sweep reported a share the platform knew already, and the clerk froze it
SWEEP_EQUITY = Path(__file__).parent / "data" / "sim-year-sweep-equity.events.csv.gz"


def test_a_freeze_on_what_a_sweep_found_again_is_replayed(tmp_path: Path) -> None:
    """A sweep reporting a holding the platform had noted before writes no property_found_after_zhongben (sweep_review:
    new) — the log's only trace of it is its freeze; the recorder pinned nothing, and the replay's freeze was refused
    PLATFORM_REFUSED (no such property found for the case), the resumed case's too. It is now pinned before the sweep
    that preceded the freeze, as a sweep's find is."""
    checks = check_log(_unpacked(tmp_path, SWEEP_EQUITY, "sweep.events.csv"))
    assert [c.case for c in checks] == ["(2025)豫0811执15号", "(2025)豫0811执恢11号"]
    for check in checks:
        assert check.passed, check.failure
    assert "  pin:" in checks[0].text and "股权登记新股权：终本后查得" in checks[0].text


# a case of the same year: a car, a flat and shares priced at once, no seed had every report before its serving
OBJECTION_SERVED_LATER = Path(__file__).parent / "data" / "sim-year-objection-served-later.events.csv.gz"


def test_an_objection_to_a_report_served_later_in_the_replay_follows_its_serving(tmp_path: Path) -> None:
    """No seed had the replay's report on each of three lots before its logged serving, so the servings moved after
    the replay's reports (a day later) — but the objection to the shares' report, and its review, stayed at their
    logged instants, before the replay served that report: object refused DISPOSAL_STAGE (no report to object to).
    They now come as long after the replay's serving as they came after the log's."""
    (check,) = check_log(_unpacked(tmp_path, OBJECTION_SERVED_LATER, "objection.events.csv"))
    assert check.passed, check.failure
    assert "送达移至其后1分钟" in check.text  # the servings did move


# a 保全 case of the same year: its handler's own query (自行查询 through 总对总) found two accounts at one bank; he
# froze the preserved amount at the first, the second's node 17 ran out
PRESERVATION_MANUAL_FIND = Path(__file__).parent / "data" / "sim-year-preservation-manual-find.events.csv.gz"


def test_what_the_handlers_own_query_found_is_entered_by_him_in_the_replay(tmp_path: Path) -> None:
    """A manual query's answer records nothing itself: the handler enters what it found (property_found_online,
    which starts node 17's 48 hours). The recorder made the finds holdings only, so the replay's platform knew them
    but no control deadline ran: the freeze of node 17 expected on the second account never came. It is now a
    ``record`` step, as he entered it."""
    (check,) = check_log(_unpacked(tmp_path, PRESERVATION_MANUAL_FIND, "preservation.events.csv"))
    assert check.passed, check.failure
    assert re.search(r"record:\s+event: property_found_online\s+instance: 民生银行存款2", check.text)


# a case of a --seed 10 court-year of that court (simulated 2026-12-07 14:18 UTC on f5274df: a closing withdraws the
# rounds whose bidding has not begun): two securities lots, both served later in the replay by the recorder before
# H40 (which priced them at the whole holdings, not the parts frozen). The case shipped before
# (执6号 of a --seed 5 year simulated at 12:57 UTC, before f5274df) closed 执行完毕 on 02-27 with the securities and the
# second flat relisted for a round from 03-09 and sold both after — the replay now refuses that bid (the round
# withdrawn at the closing); no case of the --seed 5 year simulated on f5274df has several lots served later but
# 执135号 (LOTS_PER_LOT below)
LOTS_SERVED_LATER = Path(__file__).parent / "data" / "sim-year-seed10-lots-served-later.events.csv.gz"


def test_lots_served_later_each_have_their_price_fixed_before_their_notification(tmp_path: Path) -> None:
    """执5号: the recorder found no seed with both securities lots' reports before their logged servings, so both
    servings moved after the replay's reports, and what followed the fixing of the price was shifted by the last
    lot's delay only (a day), so the second lot was notified on 01-23 — before the replay fixed its price on 01-27
    (notify_parties refused DISPOSAL_STAGE); each lot's steps after its fixing came to move by its own delay. Both
    lots are securities of which the court froze a part, and the reports were worked out for the whole holdings
    (H40): priced at the frozen parts, as the replay's platform prices them, a seed has both reports in time and
    nothing moves — each lot notified at its logged instant. Lots served later by different delays are
    ``test_the_shift_after_a_lots_later_fixing_moves_that_lots_steps_not_another_lots``'s (执135号: 2 and 5 days)."""
    (check,) = check_log(_unpacked(tmp_path, LOTS_SERVED_LATER, "lots.events.csv"))
    assert check.case == "(2025)豫0811执5号"
    assert check.passed, check.failure
    text = check.text
    assert "送达移至其后1分钟" not in text and "模拟询价平台在此种子下于原送达前答复" in text
    assert "- at: '2025-01-22 08:49:12'\n  notify_parties: {asset: 中国证券登记结算证券, " in text
    assert "- at: '2025-01-22 08:52:32'\n  notify_parties: {asset: 中国证券登记结算证券2, " in text


# a case of that --seed 5 court-year (simulated 2026-12-07 15:28 UTC with H42's release gate): two flats and two
# cars, two of them served later in the replay; its closing (10-20, after the sold flat's transfer) withdraws the two
# rounds announced. The same case of the year simulated at 14:01 UTC on f5274df closed 执行完毕 on 10-15 before the
# flat's 成交确认 ruling and 过户 (refused RELEASE_GATE in the replay now); of the year before f5274df, on 10-10 with
# rounds announced, and sold the flat after
LOTS_PER_LOT = Path(__file__).parent / "data" / "sim-year-seed5-lots-per-lot.events.csv.gz"


def test_the_shift_after_a_lots_later_fixing_moves_that_lots_steps_not_another_lots(tmp_path: Path) -> None:
    """One shift for the whole case moved every step after the first lot's fixing, another lot's too: 执135号's
    first car, whose report came in time, was served 5 days later — past its node 20 deadline (serve_report refused
    NODE_FROZEN), and its node 20 freeze was expected 5 days late. Each lot now moves by its own delay, the case's own
    steps by the longest of the lots under way; and a moved step stays within its node's deadline as the replay's
    legal calendar counts it — the second car's proceeds, arriving two days later within the National Day holiday,
    are due to be registered the same day as in the log (moved two days, the registration was refused NODE_FROZEN).
    The closing, moved with the second flat's hand-over (5 days, to 10-25 16:16), came after the bidding of two rounds
    the log's closing withdrew before they began (the first flat's from 10-25 10:00, the first car's from 10-21): since
    H46's release gate (4732c0e) it was refused RELEASE_GATE; the replay withdraws them at the logged closing."""
    (check,) = check_log(_unpacked(tmp_path, LOTS_PER_LOT, "lots.events.csv"))
    assert check.case == "(2025)豫0811执135号"
    assert check.passed, check.failure
    text = check.text
    assert "- {at: '2025-10-20 16:16:13', withdraw_listing: 不动产登记（自然资源部）不动产}\n" in text
    assert "- {withdraw_listing: 公安部交通管理局车辆}\n" in text and "回放于原结案时刻撤回该轮" in text
    assert "- {at: '2025-09-15 08:57:21', serve_report: 公安部交通管理局车辆}" in text  # as logged
    assert "{kind: node_frozen, node: 20, instance: 公安部交通管理局车辆, time: '2025-09-19 00:00'}" in text
    assert "- {at: '2025-10-09 08:37:07', register_receipt: 价款3}" in text  # within node 32's deadline
    assert "公安部交通管理局车辆2：回放中参考价晚 2 days" in text and "其他标的的步骤不动" in text
    assert "不动产登记（自然资源部）不动产2：回放中参考价晚 5 days" in text  # each lot its own delay


# a case of the same court-year run with --seed 11 (simulated after 3507ea6 too; 267/269 with the recorder of 361718d):
# a 终本 case resumed months after its securities were sold, and its resumed case
LOT_ENDS = Path(__file__).parent / "data" / "sim-year-seed11-lot-ends.events.csv.gz"


def test_a_lots_shift_ends_with_its_disposal(tmp_path: Path) -> None:
    """执33号's securities were served a day later in the replay, sold and handed over in May; in December a sweep
    found them again, they were frozen and the case resumed (执恢15号). The shift moved every later step a day — the
    December freeze, the request and the approval of 恢复执行 after the resumed case's own steps (an unknown case
    恢复案: the recording was invalid). A lot's shift now ends with its disposal."""
    checks = check_log(_unpacked(tmp_path, LOT_ENDS, "lots.events.csv"))
    assert [c.case for c in checks] == ["(2025)豫0811执33号", "(2025)豫0811执恢15号"]
    for check in checks:
        assert check.passed, check.failure
    assert "- {at: '2025-12-11 09:03:37', request_resumption: 统查或线索发现财产 / property found}" in checks[0].text


# a case of a --seed 2 court-year (simulated 2026-12-07 15:28 UTC on H42's release gate, 2883170: a closing that
# releases the controls waits for a sold lot's ruling and transfer): two securities lots and a flat, sold; the same
# case of the year simulated at 13:05 UTC closed 执行完毕 on 11-27 before the flat's 成交确认 ruling and 过户, a closing
# the replay now refuses (RELEASE_GATE)
PRICED_SEED = Path(__file__).parent / "data" / "sim-year-seed2-priced-seed.events.csv.gz"


def test_where_no_seed_reports_in_time_one_is_chosen_whose_prices_the_logged_sales_can_bid(tmp_path: Path) -> None:
    """执139号: no seed had every report before its logged serving, and under seed 0 (the fallback) a securities lot's
    reference price put its logged sale under the floor: the bid was refused (PLATFORM_REFUSED, at least 3,520.55
    yuan). Now the least late seed whose prices the logged sales can bid is taken, and said; the servings and what
    follows move as before."""
    (check,) = check_log(_unpacked(tmp_path, PRICED_SEED, "priced.events.csv"))
    assert check.case == "(2025)豫0811执139号"
    assert check.passed, check.failure
    assert "\nseed: 348\n" in check.text and "（种子 0 下则低于）" in check.text


# a case of that --seed 2 court-year (simulated 2026-12-07 15:28 UTC with H42's release gate): two flats, the debtor
# objecting to each report; the first flat's report served 5½ days later in the replay. The same case of the year
# simulated at 13:04 UTC (241/242 with the recorder of 6e69c10) closed 执行完毕 on 03-25 before the first flat's
# 成交确认 ruling and 过户, a closing the replay now refuses (RELEASE_GATE)
OBJECTION_REVIEWED_LATER = Path(__file__).parent / "data" / "sim-year-seed2-objection-reviewed-later.events.csv.gz"


def test_a_price_fixed_at_an_objections_later_review_shifts_what_follows_from_that_review(tmp_path: Path) -> None:
    """执15号: no seed had both flats' reports in time, and the first flat's was served 5½ days later in the replay
    (02-01 08:01); the debtor's objection to it and its dismissal came as long after that serving as in the log — the
    review on 02-11 08:15, after the replay's 5 days had closed (02-07 00:00). The platform fixes the price at the
    later of the two, but the recorder reckoned the 5 days only: a day's shift, so the notification (02-07 08:45)
    came before the replay fixed the price (notify_parties refused DISPOSAL_STAGE). The lot's steps after its fixing
    now move from the replay's review; the objection, placed after the replay's serving, is not moved again (moved,
    it came after the 5 days: OBJECTION_LATE)."""
    (check,) = check_log(_unpacked(tmp_path, OBJECTION_REVIEWED_LATER, "objection.events.csv"))
    assert check.case == "(2025)豫0811执15号"
    assert check.passed, check.failure
    text = check.text
    assert "- at: '2025-02-06 19:42:29'\n  object: {asset: 不动产登记（自然资源部）不动产, by: 被执行人}" in text
    assert ("- at: '2025-02-11 08:15:32'\n  review_objection: "
            "{asset: 不动产登记（自然资源部）不动产, upheld: false}") in text
    assert "- at: '2025-02-11 17:01:13'\n  notify_parties: {asset: 不动产登记（自然资源部）不动产, " in text  # after it
    assert "不动产登记（自然资源部）不动产：回放中参考价晚 5 days, 8:15:32 确定" in text


# cases of --seed 1 and --seed 3 court-years of that court (simulated 2026-12-07 15:00 UTC on bcb80e5: make
# record-check's court, --years 1 --dispose 1 --warmup-days 0, with --seed 1 / --seed 3), each selling securities of
# which the court froze a part: 执152号 froze 4,517.92 of 179,828.08 yuan, sold for 3,128.27 yuan in the first auction.
# 执45号 is of the --seed 3 year simulated at 15:28 UTC on H42's release gate, 2883170 (a closing that releases the
# controls waits for a sold lot's ruling and transfer): of the year before, it closed 执行完毕 on 05-29 before its sold
# flat's 成交确认 ruling and 过户, a closing the replay now refuses (RELEASE_GATE)
FROZEN_PART = Path(__file__).parent / "data" / "sim-year-seed1-frozen-part.events.csv.gz"
FROZEN_PART_3 = Path(__file__).parent / "data" / "sim-year-seed3-frozen-part.events.csv.gz"


@pytest.mark.parametrize(("shipped", "case"), [
    pytest.param(FROZEN_PART, "(2025)豫0811执152号", id="seed1-152"),
    pytest.param(FROZEN_PART, "(2025)豫0811执162号", id="seed1-162"),
    pytest.param(FROZEN_PART_3, "(2025)豫0811执45号", id="seed3-45"),
])
def test_a_frozen_part_of_securities_is_priced_as_that_part(tmp_path: Path, shipped: Path, case: str) -> None:
    """The pricing platform values frozen securities at what the court's freeze controls (执152号: the log's
    reference price 4,406.01 yuan), but the recorder worked each seed's report out for the whole holding — its price
    and when it comes. 执152号: under every seed the logged sale came under the floor, so the recording fell back on
    seed 0 and the replay's bid was refused (PLATFORM_REFUSED, at least 3,149.57 yuan); 执162号 and 执45号: no seed
    seemed to report before the logged serving, the serving moved later and node 20 froze in the replay (list_auction
    refused NODE_FROZEN). The seeds are worked out for the frozen part now: one reports in time, at a price the
    logged sale can bid."""
    check = _case_of(tmp_path, shipped, case)
    assert check.case == case
    assert check.passed, check.failure
    assert "模拟询价平台在此种子下于原送达前答复" in check.text and "送达移至其后1分钟" not in check.text


def _withdrawn_by_hand_log(path: Path) -> Path:
    """A flat sealed, priced and listed by the simulated clerk; three days after the listing, before its bidding
    begins, the court withdraws the round by hand (撤回拍卖, ``Disposal.withdraw_listing``: a settlement) and a week
    later takes the flat in kind by agreement (``agree_in_kind``); the clerk carries the case on to its closing."""
    origin = datetime(2025, 3, 3, 9, 0, tzinfo=CST)
    court = build_virtual_court(origin, seed=1, clerk=True, diligence=0.9, dispose=True)
    log = EventLog(path).attach(court.runtime)
    listed: list = []
    court.runtime.subscribe(lambda e: listed.append(e) if str(e.kind) == "anchor"
                            and (e.data or {}).get("anchor") == "auction_scheduled" else None)
    world = court.session.world
    d = world.debtor(30)
    for agency in inquiry_scope(court.platform.directory, d.id_number, court.platform.court.region, None):
        world.pin(d.id_number, agency.code, [])
    world.pin(d.id_number, "vehicle_registry", [])
    kind = AssetKind.REAL_ESTATE
    world.pin(d.id_number, "real_estate_registry", [Holding(
        account_no=account_number("real_estate_registry", kind, d.id_number, 1), kind=kind, description="住宅",
        balance_cents=50_000_000, available_cents=50_000_000)])
    case = "(2025)豫0811执800号"
    court.platform.file(c.FileCase(case, debtors=(d.id_number,), amount_cents=25_000_000), [d.subject()])
    while not listed and court.clock.now() < origin + timedelta(days=200):
        court.run_until(court.clock.now() + timedelta(hours=6))
    (scheduled,) = listed
    court.run_until(scheduled.at + timedelta(days=3, hours=1))
    court.platform.disposal.withdraw_listing(case, scheduled.instance)
    court.run_until(scheduled.at + timedelta(days=10, hours=2))
    court.platform.disposal.agree_in_kind(case, scheduled.instance, 25_000_000, applicant_consents=True,
                                          debtor_consents=True)
    court.run_until(origin + timedelta(days=400))
    log.close()
    return path


def test_a_round_withdrawn_by_hand_is_withdrawn_in_the_replay(tmp_path: Path) -> None:
    """撤回拍卖 by hand (H40): the log's withdrawal of a round was not recorded, so the replay's round stayed listed and
    the 以物抵债 by agreement that followed was refused (DISPOSAL_STAGE: the property is listed). The recorder now
    replays it as a ``withdraw_listing`` step at its logged instant, and asserts the round withdrawn; a round the
    platform withdrew at a closing (the same instant as the ``closed`` event) is left to the replay's closing."""
    (check,) = check_log(_withdrawn_by_hand_log(tmp_path / "withdrawn.events.jsonl"))
    assert check.passed, check.failure
    assert "- {at: '2025-03-27 11:34:50', withdraw_listing: 不动产登记（自然资源部）不动产}" in check.text
    assert "data: {anchor: listing_withdrawn, round: first}" in check.text
    assert "agree_in_kind:" in check.text
    # the closing's withdrawal of a --seed 5 court-year's 执94号 (its third flat's second round not begun) is no step
    # (that case's replay: test_a_sale_is_read_for_the_lot_its_listing_was_for)
    from scenarios.record import record

    closing = record(read_log(_unpacked(tmp_path, ONE_REGISTRY_SOLD, "year.events.csv")), "(2025)豫0811执94号")
    assert "list_auction:" in closing and "withdraw_listing" not in closing
    assert any("执94号,exchange" in line and "auction:withdrawn" in line  # withdrawn at its closing, as logged
               for line in gzip.decompress(ONE_REGISTRY_SOLD.read_bytes()).decode().splitlines())


def test_which_withdrawals_of_a_round_are_the_platforms_own() -> None:
    """The log names no actor of a withdrawal (``auction:withdrawn``): the platform's own come on a closed case at the
    closing's instant, at a round's answer taken after it, or at the answer of the closing's lookup of what the
    platform holds (H39: ``auction:lookup``, possibly hours later after the gateway's retries) — the rest are the
    handler's, replayed as ``withdraw_listing``, a retry of one (its request number sent again) no new act."""
    from scenarios.record import _Recorder

    case = "(2025)豫0811执900号"

    def ev(at: str, what: str, **data: object) -> dict:
        return {"at": f"2025-04-{at}+08:00", "case_id": case, "kind": what, "node": None, "instance": "",
                "data": data}

    def sent(at: str, no: str) -> dict:
        return ev(at, "exchange", kind="sent", agency="taobao", request_no=no, measure="auction:withdrawn", attempt=1)

    events = [ev("01T09:00:00", "filed", debtors=[]),
              sent("02T10:00:00", "W1"),  # on the open case: by hand
              ev("03T10:00:00", "closed", manner="completed"),
              sent("03T10:00:00", "W2"),  # at the closing
              ev("03T13:05:00", "exchange", kind="answer", agency="taobao", request_no="L1", measure="auction:lookup"),
              sent("03T13:05:00", "W3"),  # the lookup found a round: withdrawn at once
              sent("04T09:00:00", "W4"),  # on the closed case, at an instant of its own: by hand
              sent("04T10:00:00", "W1")]  # W1 sent again (a retry round): no new act
    r = _Recorder(events)
    by_system = {e["data"]["request_no"] + "@" + e["at"][8:10]: r._withdrawn_by_system(i, e)
                 for i, e in enumerate(events) if e["data"].get("measure") == "auction:withdrawn"}
    assert by_system == {"W1@02": False, "W2@03": True, "W3@03": True, "W4@04": False, "W1@04": True}


# two cases of the `make record-check` court-year simulated with --seed 10 (H44's log, 2026-12-07 15:29 UTC): each
# took a car in kind after its second 流拍 (执72号 at 27,473.58 yuan, 执109号 at 61,788.64 yuan) and paid the claim's
# rest and the surplus out of a flat's price
TAKEN_IN_KIND = Path(__file__).parent / "data" / "sim-year-seed10-taken-in-kind.events.csv.gz"


def test_a_lot_taken_in_kind_after_its_second_round_is_taken_at_the_logged_price(tmp_path: Path) -> None:
    """The creditor takes a lot in kind at the failed round's start; the replay's pricing platform fixed another
    reference price than the log's, so the second round's default start (80% of the first) put another value on the
    taking — 执72号's car 22,235.23 yuan, not 27,473.58 — and the logged pay-out of the surplus was refused
    (CLAIM_OUTSTANDING, 5,256.80 yuan outstanding). The second round is relisted at the logged in-kind price."""
    checks = check_log(_unpacked(tmp_path, TAKEN_IN_KIND, "in_kind.events.csv"))
    assert sorted(c.case for c in checks) == ["(2025)豫0811执109号", "(2025)豫0811执72号"]
    for check in checks:
        assert check.passed, (check.case, check.failure)
    text = {c.case: c.text for c in checks}
    assert "relist: {asset: 公安部交通管理局车辆, starts: '2025-07-09 10:00', start: 27473.58元}" in text[
        "(2025)豫0811执72号"]
    assert "relist: {asset: 公安部交通管理局车辆, starts: '2025-08-20 10:00', start: 61788.64元}" in text[
        "(2025)豫0811执109号"]
