"""Checks while simulating: a year-scale run doubles as a rule check over every case.

``Checker`` listens to the engine's events (keeping a compact per-case timeline) and, at the end of the run,
asserts:

* every node frozen for a deadline had that deadline expire first, and every unfreeze went through its request
  and, where the rule reports up (层报), through each level before the approver (no approval skipped);
* every deadline that came due was either met in time or reported missed (no timer lost) — a closed case's too where
  it outlives the closing (money still held: process.yaml ``outlives_closing``);
* each 终本 case is swept as the run's process says (node 45's ``sweep``: every 6 months, 10 times in 5 years in the
  bundled process; a court's own file or ``process:`` may say otherwise) — exactly that many unless resumed (fewer
  only as far as the run did not reach);
* every resumption had its request, its approval and its push before the 恢复执行 case was filed;
* money reconciles to the cent: per case, paid ≤ deducted and the 一案一账号 balance is deducted − paid; what left
  the account is what was paid to the payees (the applicant, a surplus to the debtor) plus the 执行申请费 settled
  (process.yaml ``fees``, a profile's ``process:``; nothing where the court does not charge it); the agencies'
  ledger created or destroyed no money; all payouts left through the court account.

A violation names the case and shows its timeline; ``SimulationCheckFailed`` (a ``UserError``) fails the run."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta
from typing import Any

from core_flow.engine import Event, EventKind
from core_flow.engine.events import EVENT_KIND
from core_flow.errors import UserError

SWEEP_PERIOD_DAYS = 365.25 / 2  # the bundled process's: node 45 ``sweep: {every: 6m, count: 10}``
_UNIT_DAYS = {"h": 1 / 24, "d": 1.0, "wd": 7 / 5, "m": 365.25 / 12, "y": 365.25, "same_day": 0.0}
_UNIT_NAMES = {"h": ("小时", "hours"), "d": ("日", "days"), "wd": ("个工作日", "working days"), "m": ("个月", "months"),
               "y": ("年", "years")}


def sweep_rule(process: Any) -> tuple[float, int, str, str]:
    """The 终本 sweep the run's process sets (the node with a ``sweep``): its period in days (months and years at
    their mean length: the check allows one sweep either way), its count, and the rule in Chinese and English — the
    checks once held every court to the bundled every 6 months, 10 times, and failed a court whose file says
    otherwise. No sweep node: the bundled rule."""
    sweep = next((n.sweep for n in process.nodes if getattr(n, "sweep", None) is not None), None)
    if sweep is None:
        return SWEEP_PERIOD_DAYS, 10, "每6个月，5年共10次", "every 6 months, 10 in 5 years"
    every, count = sweep.every, sweep.count
    unit = getattr(every.unit, "value", every.unit)
    days = every.amount * _UNIT_DAYS.get(unit, 1.0) or SWEEP_PERIOD_DAYS
    zh, en = _UNIT_NAMES.get(unit, (unit, unit))
    return days, count, f"每{every.amount}{zh}，共{count}次", f"every {every.amount} {en}, {count} in all"
KINDS = {EventKind.FILED, EventKind.DEADLINE_SET, EventKind.DEADLINE_MISSED, EventKind.DEADLINE_WITHDRAWN,
         EventKind.NODE_FROZEN,
         EventKind.UNFREEZE_REQUESTED, EventKind.UNFREEZE_FORWARDED, EventKind.UNFREEZE_APPROVED,
         EventKind.ITEM_DONE, EventKind.CLOSED, EventKind.SWEEP_DUE, EventKind.RESUMPTION_REQUESTED,
         EventKind.RESUMPTION_APPROVED, EventKind.RESUMPTION_FILED, EventKind.FUNDS_ARRIVED, EventKind.PAID_OUT,
         EventKind.LIMIT_EXTENDED}


class SimulationCheckFailed(UserError):
    def __init__(self, violations: list[dict[str, Any]], timeline: str) -> None:
        first = violations[0]
        super().__init__(
            f"仿真规则核查失败：{len(violations)} 处违规，首个为案件 {first['case']}：{first['zh']}\n{timeline}",
            f"simulation rule check failed: {len(violations)} violations; first, case {first['case']}: {first['en']}",
            where=f"案件 case {first['case']}", code="invariant")
        self.violations = violations


class Checker:
    def __init__(self, process: Any) -> None:
        self.via = {n.no: tuple(getattr(n, "unfreeze_via", ()) or ()) for n in process.nodes}
        # nodes whose deadlines outlive the closing (money still held: 到账登记, 案款发放): checked after it too
        self.outlive = frozenset(n.no for n in process.nodes if getattr(n, "outlives_closing", False))
        self.sweep_days, self.sweep_count, *self.sweep_said = sweep_rule(process)  # the run's, not the bundled one
        # the last events of each case, for the report of a violation (bounded: a court-year stays small)
        self.timeline: dict[str, deque[tuple[datetime, EventKind, int | None, str, str | None]]] = defaultdict(
            lambda: deque(maxlen=40))  # what ``timeline_of`` shows
        self.violations: list[dict[str, Any]] = []
        self._missed: set[tuple[str, int, str]] = set()
        self._requested: dict[tuple[str, int, str], int] = defaultdict(int)
        self._forwarded: dict[tuple[str, int, str], int] = defaultdict(int)
        self._due: dict[str, dict[tuple[int, str, str], datetime]] = defaultdict(dict)  # case → open deadlines
        self._closed: dict[str, tuple[datetime, str]] = {}
        self._sweeps: dict[str, int] = defaultdict(int)
        self._resumption: dict[str, list[str]] = defaultdict(list)
        self._pushed: set[str] = set()
        self._paid_out: dict[str, int] = defaultdict(int)  # case → the payees' money its payouts said (PAID_OUT)

    def _bad(self, case: str, zh: str, en: str) -> None:
        self.violations.append({"case": case, "zh": zh, "en": en})

    def filing_refused(self, case: str, code: str, zh: str, en: str) -> None:
        """A case the run generated was refused at filing: it never enters the run, and its intake would be silently
        short (a duplicate number once lost 60 of 203 new cases)."""
        self._bad(case, f"新收案件立案被拒（{code}）：{zh}", f"a new case's filing was refused ({code}): {en}")

    def __call__(self, e: Event) -> None:
        kind = e.kind
        if kind not in KINDS:
            return
        k = e.case_id
        self.timeline[k].append((e.at, kind, e.node, e.instance, e.item))
        # the most frequent kinds first (a court-year: ~105,000 deadlines set, ~100,000 items done)
        if kind == EVENT_KIND.DEADLINE_SET:
            self._due[k][(e.node, e.instance, e.item)] = e.data["due"]
            return
        if kind == EVENT_KIND.ITEM_DONE or kind == EVENT_KIND.DEADLINE_WITHDRAWN:  # done, or moot (no timer is owed)
            self._due[k].pop((e.node, e.instance, e.item), None)
            return
        key = (k, e.node, e.instance)
        if kind == EVENT_KIND.DEADLINE_MISSED:
            self._missed.add(key)
            self._due[k].pop((e.node, e.instance, e.item), None)
        elif kind == EVENT_KIND.NODE_FROZEN:
            if (e.data or {}).get("reason", "").startswith("DEADLINE") and key not in self._missed:
                self._bad(k, f"节点{e.node}被冻结，但其期限未届满",
                          f"node {e.node} frozen without its deadline expiring")
            self._forwarded[key] = 0
        elif kind == EVENT_KIND.UNFREEZE_REQUESTED:
            self._requested[key] += 1
        elif kind == EVENT_KIND.UNFREEZE_FORWARDED:
            self._forwarded[key] += 1
        elif kind == EVENT_KIND.UNFREEZE_APPROVED:
            if self._requested[key] < 1:
                self._bad(k, f"节点{e.node}未经申请即解冻", f"node {e.node} unfrozen without a request")
            self._requested[key] = max(0, self._requested[key] - 1)
            if self._forwarded[key] < len(self.via.get(e.node, ())):
                self._bad(k, f"节点{e.node}解冻未经层报", f"node {e.node} unfrozen without reporting up (层报)")
        elif kind == EVENT_KIND.CLOSED:
            d = e.data or {}
            self._closed[k] = (d.get("closed_at", e.at), d.get("manner", ""))  # a closing entered after the fact
            self._sweeps[k] += d.get("sweeps_before", 0)  # counts from its real day, with the sweeps before the run
            # a closed case's remaining deadlines end with it, but those of money still held (the event's ``running``)
            open_ = self._due.pop(k, {})
            running = {tuple(r) for r in d.get("running", ())}
            if running:
                self._due[k] = {key: due for key, due in open_.items() if key in running}
        elif kind == EVENT_KIND.SWEEP_DUE:
            self._sweeps[k] += 1
        elif kind == EVENT_KIND.PAID_OUT:
            self._paid_out[k] += (e.data or {}).get("amount_cents", 0)
        elif kind in (EVENT_KIND.RESUMPTION_REQUESTED, EVENT_KIND.RESUMPTION_APPROVED):
            self._resumption[k].append(kind.value)
        elif kind == EVENT_KIND.RESUMPTION_FILED:
            self._resumption[k].append(kind.value)

    def finish(self, court: Any, end: datetime, ledger_before: tuple[int, int] | None = None) -> dict[str, Any]:
        runtime, platform = court.runtime, court.platform
        grace = timedelta(hours=1)
        for k, (node, inst, item), due in ((k, key, due) for k, open_ in self._due.items()
                                           for key, due in open_.items()):
            if due + grace < end and (k not in self._closed or node in self.outlive):
                self._bad(k, f"节点{node}{'/' + inst if inst else ''}的期限（{item}）已届满但未报超期（计时器丢失）",
                          f"node {node} deadline {item} came due without a miss reported (timer lost)")
        for k, (closed_at, manner) in self._closed.items():
            state = runtime.cases.get(k)
            if manner != "zhongben" or state is None or state.resumption is not None or state.closed_manner != \
                    "zhongben":
                continue
            elapsed = (end - closed_at).total_seconds() / 86400
            every, most = self.sweep_days, self.sweep_count
            reach = min(most, int(elapsed // every))
            n = self._sweeps.get(k, 0)
            if n > most or not reach - 1 <= n <= reach + 1 or (elapsed > most * every + 15 and n != most):
                self._bad(k, f"终本后统查 {n} 次，应为 {reach} 次（{self.sweep_said[0]}）",
                          f"{n} sweeps after 终本, expected {reach} ({self.sweep_said[1]})")
        for k, state in runtime.cases.items():
            steps = self._resumption.get(k, [])
            if state.resumed_as is not None or "resumption_filed" in steps:
                if steps[:2] != ["resumption_requested", "resumption_approved"]:
                    self._bad(k, "恢复执行缺少申请或审批", "a resumption without its request and approval")
                if not any(p.get("case_id") == k and p.get("new_case") for p in platform.pushes):
                    self._bad(k, "恢复执行未推送至立案系统", "a resumption filed without a push to the filing system")
            amounts = state.amounts()
            if amounts["paid_cents"] > amounts["deducted_cents"] + amounts["proceeds_cents"] or \
                    amounts["account_cents"] < 0:
                self._bad(k, "发放金额超过到账金额（划拨与变价款）", "more paid out than deducted and sold")
            if amounts.get("fee_settled_cents", 0) > amounts.get("fee_cents", 0):  # process.yaml ``fees`` (off)
                self._bad(k, f"结算的执行申请费 {amounts['fee_settled_cents']} 分超过应收 {amounts['fee_cents']} 分",
                          f"application fee settled {amounts['fee_settled_cents']} > due {amounts['fee_cents']} cents")
            fee, payees = amounts.get("fee_settled_cents", 0), self._paid_out.get(k, 0)
            if k in self.timeline and payees + fee != amounts["paid_cents"]:  # a case whose events it heard
                self._bad(k, f"发放给申请执行人与退还的 {payees} 分加结算的执行申请费 {fee} 分，不等于案款支出 "
                          f"{amounts['paid_cents']} 分",
                          f"payouts {payees} + application fee settled {fee} ≠ money paid out of the case account "
                          f"{amounts['paid_cents']} cents")
            recon = platform.reconcile(k)
            if not recon["ok"]:
                held = recon.get("court_account_cents")
                self._bad(k, f"一案一账号余额 {held} 分与台账 {amounts['account_cents']} 分不符",
                          f"case account {held} ≠ ledger {amounts['account_cents']} cents")
        ledger = court.session.ledger
        conserved = ledger_before is None or (ledger.total_cents() - ledger_before[0]
                                              == ledger.origin_cents() - ledger_before[1])
        if not conserved:
            self._bad("—", "机构台账不守恒（资金被创造或消灭）", "the agencies' ledger created or destroyed money")
        paid = sum(s.amounts()["paid_cents"] for s in runtime.cases.values())
        if paid != ledger.court_accounts.paid_out_cents:
            self._bad("—", f"发放合计 {paid} 分与法院账户支出 {ledger.court_accounts.paid_out_cents} 分不符",
                      f"payouts {paid} ≠ court account outflow {ledger.court_accounts.paid_out_cents} cents")
        return {"cases": len(runtime.cases), "violations": self.violations, "ledger_conserved": conserved,
                "sweeps_checked": sum(1 for _, m in self._closed.values() if m == "zhongben")}

    def timeline_of(self, case: str, last: int = 40) -> str:
        rows = list(self.timeline.get(case, ()))[-last:]
        return "\n".join(f"  {at:%Y-%m-%d %H:%M} {kind} {node or ''}{'/' + inst if inst else ''} {item or ''}"
                         for at, kind, node, inst, item in rows)

    def raise_if_violated(self) -> None:
        if self.violations:
            raise SimulationCheckFailed(self.violations, self.timeline_of(self.violations[0]["case"]))

