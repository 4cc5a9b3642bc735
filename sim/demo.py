"""The end-to-end demo (`zhixing demo`, `make run`): a batch of cases through the live mock agencies.

Mock agencies on loopback (uvicorn, ``realistic`` profile: latency, business hours, faults), the platform over
HTTP with callbacks, a simulated staff; compressed time. Cases, filed on the hour in the court's working hours
(``_filing_slots``), get their 集约查询, freezes, deductions and payouts; those with nothing to take close by 终本
after three months. After 终本 one debtor receives new money,
found by the next 6-monthly sweep, frozen from 终本管理 and resumed; another case is resumed from an
applicant's clue. Two debtors own only a flat and a car: the clerk finds them at the registries, seals them, has
them priced and auctioned (again, if no one bids), and pays the buyer's money out — the claim to the applicant, the
surplus back to the debtor — and transfers them. The summary reconciles every case to the cent against the court
account and checks that the agencies' ledgers created or destroyed no money. (The pricing and auction platforms are
reached in process, on the served session; the seals and the 过户 go over HTTP through the gateway.)
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from core_flow.agency_directory import inquiry_scope
from core_flow.engine import Event, EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.engine.spc import open_duban
from core_flow.errors import UserError
from core_flow.eventlog import EventLog
from core_flow.legal_calendar import CST
from core_flow.protocol import AssetKind, Holding, Measure
from mock_agencies.disposal_port import SessionDisposalPort
from mock_agencies.world import account_number
from sim.live import LiveCourt, live_court
from sim.staff import WorkHours

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)  # a Monday
SLOT = timedelta(hours=1)  # the filings' spacing, in the court's working hours


@dataclass
class DemoResult:
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    events: list[Event]
    duban: list[dict[str, Any]] = field(default_factory=list)


REGISTRIES = {"real_estate_registry": (AssetKind.REAL_ESTATE, "住宅一套 / a flat"),
              "vehicle_registry": (AssetKind.VEHICLE, "小型轿车 / a car")}
PLANTED = {3: ("real_estate_registry", 900_000_00), 6: ("vehicle_registry", 150_000_00)}  # case number → property


def _plant_property(lc: LiveCourt, n: int, debtor_id: str) -> None:
    """What the registries hold for the demo's debtors: nothing, except a flat for one and a car for another (who
    hold nothing elsewhere, so that it is the property that pays)."""
    world = lc.session.world
    for registry in REGISTRIES:
        world.pin(debtor_id, registry, [])
    if n not in PLANTED:
        return
    registry, value = PLANTED[n]
    kind, description = REGISTRIES[registry]
    kind_of = lc.platform.subjects[debtor_id].kind if debtor_id in lc.platform.subjects else None
    for agency in inquiry_scope(lc.platform.directory, debtor_id, lc.platform.court.region, kind_of):
        world.pin(debtor_id, agency.code, [])
    world.pin(debtor_id, registry, [Holding(account_no=account_number(registry, kind, debtor_id, 1), kind=kind,
                                            description=description, balance_cents=value, available_cents=value)])


def _pin_new_money(lc: LiveCourt, debtor_id: str, agency: str, cents: int) -> None:
    """New money appears in a debtor's account after 终本 (what a sweep or a clue will find)."""
    number = account_number(agency, AssetKind.DEPOSIT, debtor_id, 90)
    lc.session.world.unpin(debtor_id, agency)
    lc.session.world.pin(debtor_id, agency, [Holding(account_no=number, kind=AssetKind.DEPOSIT,
                                                     balance_cents=cents, available_cents=cents)])


def _warm_calendar(lc: LiveCourt, origin: datetime, days: int) -> None:
    """Compute the holiday years the run reaches before its clock runs: a provisional year is computed on first use
    (the ``holidays`` package imported, ~0.15 s) — in real time 1.7 virtual days lost inside the first filing of a
    ``--start`` in 2026, whose first inquiry then missed its filing day (node 3 frozen). Results are the same either
    way; a year the calendar refuses (strict, or beyond the data) is left for the run to meet, as before."""
    holidays = lc.runtime.engine.calendar.holidays
    for year in range(origin.year, (origin + timedelta(days=days)).year + 2):  # + deadlines set near the end
        try:
            holidays.is_working_day(date(year, 6, 1))
        except UserError:
            return


def _court_hours(lc: LiveCourt, origin: datetime) -> WorkHours:
    """The court's working time: 08:30–12:00 and 14:30–17:30 (the simulated staff's, ``sim.staff.WorkHours``) on the
    working days of the court's own legal calendar (holidays and 调休, a ``--holidays`` file, strict or not)."""
    return WorkHours(origin, calendar=lc.runtime.engine.calendar.holidays)


def _working_from(hours: WorkHours, at: datetime) -> datetime:
    """``at`` if it is in the court's working hours, else the next working instant (the start of a working period)."""
    s = (at - hours.origin).total_seconds()
    return hours.origin + timedelta(seconds=hours.finish(s, 0.0))


def _pinned(lc: LiveCourt, instant: datetime) -> AbstractContextManager[None]:
    """Real time: the clock's ``now()`` held at ``instant`` while the (synchronous) filing is made — the instant the
    demo found in working hours, not the loop's reading some real microseconds later (at 1,000,000× a tenth of a
    millisecond is 100 virtual seconds: a filing found before 12:00 was recorded at 12:01:30). Nothing ran in between
    (no await), so nothing is recorded after it. Virtual time stands still in synchronous code: nothing to hold."""
    at = getattr(lc.clock, "at", None)
    return at(instant) if at is not None else nullcontext()


def _filing_slots(hours: WorkHours) -> Iterator[datetime]:
    """When the demo files its cases: on the hour from the origin, at the instants in the court's working hours on its
    working days — from a Monday's 09:00: 09:00, 10:00, 11:00, 15:00, 16:00, 17:00, then the next working day's 09:00
    (six a day). Fixed virtual instants, not "two hours after the previous filing": a busy loop filing one late does
    not move the rest (review R24: at 2 h apart, and later on a busy loop, cases 7–12 were filed at night and one filed
    late in the evening froze node 3, "立案当日未发起首次网络查询", 2–3 freezes a run that were the demo's, not the
    court's). Computed one at a time: a year the calendar refuses (strict) is met by the filing that reaches it."""
    t = 0.0
    step = SLOT.total_seconds()
    while True:
        if hours.finish(t, 0.0) == t:
            yield hours.origin + timedelta(seconds=t)
        t += step


Progress = Callable[[datetime, int, int], None]  # (virtual now, cases closed, cases filed)


async def _wait(lc: LiveCourt, until: datetime, progress: Progress | None,
                done: Callable[[], bool] | None = None) -> None:
    """Let compressed time run to ``until`` — or, given ``done``, until it holds (checked about four times a real
    second) — reporting progress as often."""
    if progress is None and done is None:
        await lc.wait_until(until)
        return
    step = timedelta(seconds=0.25 * lc.clock.scale)
    while lc.clock.now() < until and not (done is not None and done()):
        await lc.wait_until(min(until, lc.clock.now() + step))
        if progress is not None:
            cases = lc.runtime.cases
            progress(lc.clock.now(), sum(1 for s in cases.values() if s.closed_manner), len(cases))


def _all_closed(lc: LiveCourt) -> bool:
    return all(s.closed_manner for s in lc.runtime.cases.values())


async def run_demo(cases: int = 16, *, seed: int = 2025, scale: float = 1_000_000.0, days: int = 420,
                   settle_days: int = 180, profile: str = "realistic", overrides: dict[str, Any] | None = None,
                   strict_calendar: bool | None = None, progress: Progress | None = None,
                   event_log: EventLog | None = None, origin: datetime = ORIGIN) -> DemoResult:
    """``event_log``: written as the events happen (a killed run leaves what it did). ``origin``: when the first case
    is filed (``zhixing demo --start``; the case numbers carry its year) — or, outside the court's working hours, the
    first working hour after it; the others are filed on the hour after it, in working hours (``_filing_slots``).

    The run lasts ``days`` virtual days and then until every case is closed, at most ``settle_days`` more: in real
    time the work lands later on a slower or busier machine (a loaded loop runs every timer late), and a resumed case
    disposing of 股权 closes near day 406 even on virtual time — a fixed end left it open on some runs (review R20,
    2026-12-07).

    The first case is filed at ``origin`` whatever the machine's speed: the court is handed over with its clock
    standing there (no start-up time is virtual time), the debtors' property is pinned and the holiday years are
    computed, and the clock is started as the first case is filed (review R20, H54: it was filed 4–25 virtual days
    late)."""
    t0 = time.perf_counter()
    async with live_court(origin, scale=scale, seed=seed, profile=profile, overrides=overrides, started=False,
                          world_size=100_000, diligence=0.85, strict_calendar=strict_calendar, dispose=True) as lc:
        world, platform = lc.session.world, lc.platform
        if event_log is not None:
            event_log.attach(lc.runtime)
        platform.disposal.port = SessionDisposalPort(lc.session)  # the pricing and auction platforms of the session
        debtors = [world.debtor(i) for i in range(cases)]
        for n, d in enumerate(debtors, 1):
            _plant_property(lc, n, d.id_number)
        before = lc.session.ledger.total_cents()
        _warm_calendar(lc, origin, days + settle_days)
        hours = _court_hours(lc, origin)
        slots = _filing_slots(hours)
        first = next(slots)  # the origin, if in working hours: found before the clock runs, so that it is filed at it
        await lc.start()  # from the origin on
        for n, d in enumerate(debtors, 1):
            await lc.wait_until(first if n == 1 else next(slots))
            # real time: a loop that woke past the working day's end files at the next working instant, not at night
            while (at := _working_from(hours, now := lc.clock.now())) > now:
                await lc.wait_until(at)
            amount = (5 + (n * 7919) % 95) * 1_000_00  # 5,000–99,000 yuan
            case_id = f"({origin.year})豫0811执{n}号"
            with _pinned(lc, now):  # filed at the instant found in working hours
                filed = platform.file(c.FileCase(case_id, debtors=(d.id_number,), amount_cents=amount),
                                      [d.subject()])
            if not filed.accepted:  # e.g. --strict-calendar and a deadline in a year without official holiday data:
                # said at once, not a run of idle virtual days ending in a traceback (review R24)
                raise UserError(filed.refusal.zh, filed.refusal.en, where=case_id)
        # wait for the 终本 closings (more than 3 months after filing), then plant money for the sweep and a clue
        await _wait(lc, origin + timedelta(days=160), progress)
        zhongben = [k for k, s in lc.runtime.cases.items() if s.closed_manner == "zhongben"]
        planted: dict[str, str] = {}
        if zhongben:
            k = zhongben[0]
            debtor = next(iter(lc.runtime.cases[k].identity))
            _pin_new_money(lc, debtor, "ccb", 66_000_00)
            planted[k] = "统查 sweep"
        if len(zhongben) > 1:
            k = zhongben[1]
            debtor = next(iter(lc.runtime.cases[k].identity))
            _pin_new_money(lc, debtor, "alipay", 12_345_67)
            await _wait(lc, origin + timedelta(days=180), progress)
            platform.enter_clue(k, debtor, "alipay", note="申请执行人提供：支付宝余额 / applicant's clue")
            planted[k] = "线索 clue"
        await _wait(lc, origin + timedelta(days=days), progress)
        await _wait(lc, origin + timedelta(days=days + settle_days), progress, done=lambda: _all_closed(lc))
        rows = _rows(lc, planted)
        totals = _totals(lc, before, time.perf_counter() - t0, origin)
        return DemoResult(rows, totals, list(lc.runtime.events), open_duban(lc.runtime.cases))


def _rows(lc: LiveCourt, planted: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for k, st in lc.runtime.cases.items():
        debtor = next(iter(st.identity), "")
        scope = st.inquiries.get(debtor, {})
        kinds = Counter(e.kind for e in lc.runtime.case_events(k))
        recon = lc.platform.reconcile(k)
        rows.append({
            "case": k, "type": st.case_type, "handler": st.handler or "",
            "debtor": lc.platform.subjects[debtor].name if debtor in lc.platform.subjects else debtor,
            "amount_cents": st.amount_cents,
            "inquiry": f"{sum(1 for v in scope.values() if v == 'answered')}/{len(scope)}" if scope else "—",
            "duban": kinds[EventKind.DUBAN_RAISED], "frozen_nodes": kinds[EventKind.NODE_FROZEN],
            "deducted_cents": st.amounts()["deducted_cents"], "paid_cents": st.amounts()["paid_cents"],
            "returned_cents": st.amounts()["returned_cents"],
            "manner": st.closed_manner or "", "resumed_as": st.resumed_as or "", "planted": planted.get(k, ""),
            "disposal": _disposal(lc, k), "proceeds_cents": st.amounts()["proceeds_cents"],
            "reconciled": recon["ok"], "freezes": _freezes(lc, k), "why_open": _why_open(lc, k),
        })
    return rows


def _freezes(lc: LiveCourt, k: str) -> list[tuple[int, str]]:
    """Which nodes froze, and why (the deadline item that expired, or the kept handler)."""
    out = []
    for e in lc.runtime.case_events(k):
        if e.kind == EventKind.NODE_FROZEN:
            reason = str(e.data.get("reason", ""))
            out.append((e.node, reason.removeprefix("DEADLINE:")))
    return out


def _why_open(lc: LiveCourt, k: str) -> str:
    """Why a case is still open at the demo's end (empty for a closed one)."""
    st = lc.runtime.cases[k]
    if st.closed_manner:
        return ""
    if st.closing_pending:
        return "报结审查中 / 报结 under review"
    # every lot: sealed real estate and vehicles, and frozen 股权 / 证券 disposed of as other property rights
    lots = [lot for (case, _), lot in lc.platform.disposal.lots.items() if case == k]
    if any(lot.stage not in ("handed_over", "unsold") for lot in lots):
        return "财产处置中 / disposal under way"
    if any(r.paid_cents < r.amount_cents and not r.escrowed for r in st.receipts.values()):
        return "案款待发放 / money to pay out"
    held = [a for a in st.assets.values() if a.frozen_cents > a.deducted_cents and a.active]
    if any(lc.platform.can(a.agency, Measure.DEDUCT) for a in held):
        return "已冻结待划拨 / frozen, to deduct"
    if held:  # equity, securities: no online 划拨
        return "已冻结，待线下处置 / frozen, to dispose of offline"
    if st.node(18) is not None:  # 终本约谈, its deadline running or held: nothing more found to take
        return "终本程序中（终本约谈）/ on its way to 终本 (the interview)"
    if st.case_type == "resumed" and st.status(11) != NodeStatus.DONE:  # its inquiries (查控结果分析) not done yet
        return "恢复执行案件新立案，重新查控中 / resumed: a new round of inquiries"
    return "在审限内办理中 / within its time limit"


_STAGES = {"found": "查得 found", "sealing": "查封中 sealing", "sealed": "已查封 sealed", "pricing": "询价中 pricing",
           "reported": "报告已出 reported", "fixed": "参考价已定 priced", "listed": "一拍 1st auction",
           "unsold1": "一拍流拍 unsold", "relisted": "二拍 2nd auction", "unsold2": "二拍流拍 unsold",
           "in_kind": "以物抵债 in kind", "declined": "拒绝抵债 refused", "sale": "变卖 sale", "sold": "成交 sold",
           "paid": "价款到账 paid", "confirmed": "成交确认 confirmed", "transferred": "过户 transferred",
           "handed_over": "已交付 handed over", "unsold": "变卖不成 unsold", "withdrawn": "已撤回拍卖 withdrawn",
           "defaulted": "悔拍 buyer defaulted", "moved": "移交恢复执行 moved to the resumed case"}
_KIND = {"real_estate": "不动产", "vehicle": "车辆", "equity": "股权", "securities": "证券", "other": "其他财产"}


def _disposal(lc: LiveCourt, k: str) -> str:
    """The case's disposals: what, how far, and the price (成交价)."""
    out = []
    for (case, _), lot in lc.platform.disposal.lots.items():
        if case != k:
            continue
        text = _KIND.get(lot.kind, lot.kind)
        if lot.sold_price_cents is not None:
            rounds = {"first": "一拍", "second": "二拍", "sale": "变卖"}.get(lot.round, lot.round)
            text += f" {rounds}成交 ¥{lot.sold_price_cents / 100:,.2f}"
        text += f" {_STAGES.get(lot.stage, lot.stage)}"
        out.append(text)
    return "；".join(out)


def _totals(lc: LiveCourt, ledger_before: int, elapsed: float, origin: datetime) -> dict[str, Any]:
    stats = lc.gateway.stats()
    kinds = Counter(e.kind for e in lc.runtime.events)
    exchanges = Counter(e.data.get("kind") for e in lc.runtime.events if e.kind == EventKind.EXCHANGE)
    expected_scope = {k: len(inquiry_scope(lc.platform.directory, d, lc.platform.court.region,
                                           lc.platform.subjects[d].kind))
                      for k, st in lc.runtime.cases.items() for d in st.inquiries}
    answered = {k: sum(1 for v in st.inquiries[d].values() if v == "answered")
                for k, st in lc.runtime.cases.items() for d in st.inquiries}
    return {
        "cases": len(lc.runtime.cases), "requests": stats["requests"], "answered": stats["answered"],
        "retries": exchanges.get("retry_scheduled", 0), "duplicate_answers": exchanges.get("duplicate_answer", 0),
        "failed": len(stats["failed"]),
        "inquiries_complete": all(answered[k] == n for k, n in expected_scope.items()),
        "warnings": kinds[EventKind.WARNING], "node_freezes": kinds[EventKind.NODE_FROZEN],
        "duban_raised": kinds[EventKind.DUBAN_RAISED], "duban_open": len(open_duban(lc.runtime.cases)),
        "sweeps": kinds[EventKind.SWEEP_DUE], "resumptions": kinds[EventKind.RESUMPTION_FILED],
        "ledger_conserved": lc.session.ledger.total_cents() - ledger_before
        == lc.session.ledger.origin_cents() - ledger_before,
        "court_account_paid_cents": lc.session.ledger.court_accounts.paid_out_cents,
        "paid_cents": sum(s.amounts()["paid_cents"] for s in lc.runtime.cases.values()),
        "returned_cents": sum(s.amounts()["returned_cents"] for s in lc.runtime.cases.values()),
        "sold": sum(1 for lot in lc.platform.disposal.lots.values() if lot.sold_price_cents is not None),
        "proceeds_cents": sum(s.amounts()["proceeds_cents"] for s in lc.runtime.cases.values()),
        "virtual_days": (lc.clock.now() - origin).days, "elapsed_s": elapsed, "scale": lc.clock.scale,
    }
