"""``zhixing scenarios record --events FILE --case CASE``: a case of an event log as a scenario file.

The event log (``zhixing demo --events-out``, ``core_flow.eventlog.EventLog`` of a simulation or a live run) holds
events, not commands; each input leaves a trace the recorder reads back as a step:

* the case (``filed``) and its debtors; what the agencies reported (``property_found_*`` anchors) becomes the
  debtors' holdings (found later, after 终本: a ``pin`` step before it was found); nothing elsewhere;
* the staff's acts: assignment, identity checks, opening feedback, own queries, starting and completing nodes and
  items (not those the system did itself: ``process.yaml`` operations, such as a confirmed freeze completing node
  17), freezes, deductions and releases (from the gateway's exchanges), receipts, payout approvals and payouts,
  escrows (提存, with the amount escrowed asserted),
  unfreeze requests and approvals, limit changes, 报结 and its review, 恢复执行 requests and approvals, recorded
  anchor events; the disposal's rounds at the log's prices (each round's opening anchor's terms: ``start:``, so the
  deposit a 悔拍 forfeits is the log's);
* how the agencies answered: each answer's delay after its request becomes the agency's fixed latency (an
  ``agencies`` step before the request, when it changes), so feedback and freezes fall when they did;
* its outcomes as expectations: every node freeze and 督办 at its instant, and at the end the case's closing and
  amounts;
* the court's process options the log shows: a court that charged the application fee (``fees``, off in the bundled
  process: a fee settled or handed over, or recorded at filing) gives the scenario ``process:`` switching it on with
  the settings the log shows (``_Recorder.fee_options``: on the claim, after the applicant, ``resumed: none``,
  ``settle_before_escrow: false``), so the replay runs on the same options; each fee a payout or an escrow settled
  is asserted (``expect_event: fee_settled``).

Masked logs (the default) hide ID and account numbers: each debtor gets a valid generated test identity with the
same region (the file's comment says so), holdings get aliases, receipts are named after their deduction; nothing
refers to the platform's internal numbers. What the recorder cannot replay (refused commands, disposal, a resumed
case's own steps) is listed in the file's comment.

A case of a simulation's start state (``sim.start_state``: filed before the run, entered at a node or closed by 终本
before it) is refused, ``StartStateCase``: its history before the run is not in the log, and a scenario's ``case:``
cannot be entered at a node or closed after the fact.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from core_flow.case_number import NUMBER as CASE_NUMBER
from core_flow.case_number import CaseNumbers
from core_flow.errors import UserError, read_utf8
from core_flow.os_text import os_reason
from core_flow.platform.disposal import SALE_PERIOD_DAYS
from core_flow.protocol import AssetKind
from scenarios.process_options import BaseProcess, InvalidOverrides, bundled, load_base, names_of

_MANUAL_ANCHORS = frozenset({"no_property_found", "clue_received", "clue_urgent", "debtor_report_received",
                             "written_application", "order_application", "goods_seized", "shixin_error_found"})
_KIND_WORDS = {"deposit": "存款", "wealth_product": "理财", "balance": "余额", "securities": "证券",
               "real_estate": "不动产", "vehicle": "车辆", "equity": "股权", "other": "财产"}
_CONTROL = frozenset({"freeze", "unfreeze", "renew", "seal", "unseal", "transfer"})
_REQUESTS = frozenset({"freeze", "deduct", "release", "seal"})
_ON_A_NODE = frozenset({"start_node", "complete_node", "complete_item", "request_unfreeze", "freeze", "deduct", "seal",
                        "release", "register_receipt", "pay_out", "escrow"})
_NOT_REPLAYED = frozenset({"seal_requested"})
_REGISTRY_KINDS = {"real_estate_registry": "real_estate", "vehicle_registry": "vehicle"}
_OPENINGS = frozenset({"auction_scheduled", "second_auction_scheduled", "sale_period_scheduled"})
_LOT_EVENTS = frozenset({"anchor", "proceeds_arrived", "satisfied_in_kind"})
_DISPOSAL_NODES = frozenset(range(19, 31))  # 19–30: done by the disposal component (its commands are replayed)
_DISPOSAL_DONE = {19: "investigate", 21: "serve_report", 27: "confirm_sale"}  # node completed → the staff's act


@dataclass
class Recording:
    case: str
    events: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)  # what the file's comment says (not replayed, substituted)


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """The events of a JSON-lines event log; a bad line is a located error."""
    p = Path(path)
    try:
        text = read_utf8(p, ("事件日志", "event log"), "bad_event_log")
        lines = text.splitlines()
    except OSError as err:
        why_zh, why_en = os_reason(err)
        raise UserError(f"无法读取事件日志：{why_zh}", f"cannot read the event log: {why_en}",
                        where=str(p), code="bad_event_log") from None
    if lines and lines[0].strip() == _CSV_HEADER:
        return _read_csv(p, text)
    events = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            e = json.loads(line)
            if not isinstance(e, dict) or not {"at", "case_id", "kind"} <= set(e):
                raise ValueError
        except ValueError:
            raise UserError(f"第 {n} 行不是事件（JSON：at、case_id、kind…）", f"line {n} is not an event (JSON with "
                            "at, case_id, kind…)", where=f"{p}:{n}", code="bad_event_log") from None
        events.append(_checked(e, f"{p}:{n}"))
    return events


def _checked(e: dict[str, Any], where: str) -> dict[str, Any]:
    """An event's fields of the right kinds (a hand-edited log): ``at`` an ISO 8601 instant, ``case_id`` and ``kind``
    text, ``node`` a number or none, ``data`` an object."""
    problem = None
    if not isinstance(e["case_id"], str) or not e["case_id"]:
        problem = ("case_id", "应为非空文本", "must be non-empty text")
    elif not isinstance(e["kind"], str):
        problem = ("kind", "应为文本", "must be text")
    elif not isinstance(e.get("node"), int | None) or isinstance(e.get("node"), bool):
        problem = ("node", "应为节点编号或空", "must be a node number or null")
    elif not isinstance(e.get("data", {}), dict):
        problem = ("data", "应为对象", "must be an object")
    else:
        try:
            _t(e["at"])
        except (TypeError, ValueError):
            problem = ("at", f"应为 ISO 8601 时刻：{e['at']!r}", f"must be an ISO 8601 instant: {e['at']!r}")
    if problem is not None:
        field, zh, en = problem
        raise UserError(f"事件字段 {field} {zh}", f"the event's {field} {en}", where=where, code="bad_event_log")
    return e


_CSV_HEADER = "at,case,kind,node,instance,item,data"


def _csv_data(text: str) -> dict[str, Any]:
    """An event's data from the table: JSON, except that the table's masking may have starred the digits of a bare
    number (``"delay_seconds": 1.3790********3689``); such a number is read with zeros for the stars."""

    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(re.sub(r"(:\s*-?[\d.]+)(\*+)(?=\d)", lambda m: m.group(1) + "0" * len(m.group(2)), text))


def _read_csv(p: Path, text: str) -> list[dict[str, Any]]:
    """``zhixing simulate --events``' per-event table (CSV, masked): the same events as a JSON-lines log."""
    import csv
    import io

    events = []
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    for row in reader:
        n = reader.line_num
        if not row:
            continue
        try:
            at, case, kind, node, inst, item, data = row
            event = {"at": at, "case_id": case, "kind": kind, "node": int(node) if node else None,
                     "instance": inst or None, "item": item or None, "data": _csv_data(data)}
        except ValueError:
            raise UserError(f"第 {n} 行不是事件（CSV：at,case,kind,node,instance,item,data）", f"line {n} is not an "
                            "event (CSV: at,case,kind,node,instance,item,data)", where=f"{p}:{n}",
                            code="bad_event_log") from None
        events.append(_checked(event, f"{p}:{n}"))
    return events


def pick_case(events: list[dict[str, Any]], case: str) -> list[dict[str, Any]]:
    cases = list(dict.fromkeys(e["case_id"] for e in events))
    if case not in cases:
        from scenarios.refs import did_you_mean

        zh, en = did_you_mean(case, cases)
        listed = "、".join(cases[:10]) + ("…" if len(cases) > 10 else "")
        raise UserError(f"事件日志中没有案件 {case}{zh}（已有：{listed}）",
                        f"no case {case} in the event log{en} (it has: {listed.replace('、', ', ')})",
                        where="--case", code="no_such_case")
    mine = [e for e in events if e["case_id"] == case]
    if not any(e["kind"] == "filed" for e in mine):
        raise UserError(f"事件日志中没有案件 {case} 的立案事件（日志不完整）", f"the log has no filing of {case} "
                        "(an incomplete log)", where="--case", code="no_filing")
    return mine


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(microsecond=0)


def _yuan(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}元"


def _order(steps: list[tuple[datetime, dict[str, Any]]], j: int, s: tuple[datetime, dict[str, Any]]) -> tuple:
    """Sort key of step ``j``: by instant; within one, a ``_before`` step first (a pin: before the whole instant), a
    ``_before: next`` one just before the step appended after it when that is at the same instant; the rest as
    appended."""
    at, step = s
    before = step.get("_before", False)
    if before == "next" and j + 1 < len(steps) and steps[j + 1][0] == at:
        return (at, j + 1, 0, j)
    return (at, -1, 0, j) if before else (at, j, 1, j)


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S" if at.second else "%Y-%m-%d %H:%M")


def _test_identity(masked: str, n: int) -> tuple[str, bool]:
    """A valid ID number (or credit code) standing in for a masked one: same region; (id, substituted)."""
    from mock_agencies.identity import (
        is_valid_id_number,
        is_valid_uscc,
        make_id_number,
        make_uscc,
        province_codes,
    )

    if "*" not in masked and (is_valid_id_number(masked) or is_valid_uscc(masked)):
        return masked, False
    if masked[:6].isdigit() and masked[:2] in province_codes():  # a person: a region code first
        return make_id_number(masked[:6], date(1980, 1, 1), 100 + n), True
    # a company: its region (masked: the visible province and city, padded) decides its 集约查询 scope
    region = next((masked[2:n] + "0" * (8 - n) for n in (8, 6, 4) if masked[2:n].isdigit()), "410811")
    return make_uscc(region, f"MA{n:06d}"), True


_ROUND = re.compile(r"^(.+:.+)#\d+(?:/\d+)?$")


def _report_asset(e: dict[str, Any]) -> dict[str, Any]:
    """An event on a later price report's instance (``<asset>#2``…: its service, node 21, and the review of an objection
    to it, node 22 — core_flow.platform.disposal ``report_instance``; a further objection to one report,
    ``<asset>#n/k``: ``objection_instance``) read as the asset's: the replay's acts name the asset
    (``serve_report: 房产``; ``review_objection`` reviews the earliest pending) and the disposal component times them
    under the report and objection it has then."""
    m = _ROUND.match(e.get("instance") or "")
    return {**e, "instance": m.group(1), "round": e["instance"][len(m.group(1)):]} if m else e


class _Recorder:
    def __init__(self, events: list[dict[str, Any]]) -> None:
        from scenarios import refs

        self.events = [_report_asset(e) for e in events]
        self.refs = refs
        self.notes: list[str] = []
        self.steps: list[tuple[datetime, dict[str, Any]]] = []
        self.debtors: dict[str, str] = {}  # masked id → alias
        self.assets: dict[str, str] = {}  # instance (agency:account, masked) → alias
        self.receipts: dict[str, str] = {}  # R000001 → name (a sale's proceeds: the replay's number)
        self.deposits: dict[str, int] = {}  # a forfeited deposit's logged receipt → its amount (悔拍, H56)
        self.defaults = 0  # bids replayed for buyers who defaulted (悔拍): each its own bidder
        self.balance_counts: list[str] = []  # how each logged default's term was counted (balance_due_count)
        self.latency: dict[str, dict[str, int]] = {}  # agency → the fixed latency per category so far
        self.manual_sent: dict[str, int] = {}  # agency → the handler's queries of it given their request so far
        self.seed = 0  # the scenario's seed (chosen for the replay's pricing platform: choose_seed)
        # the rounds listed at the log's starting prices (their ``*_scheduled`` anchors' terms, review R26 F4), so the
        # replay's deposits are the log's: False where no seed's reference prices admit them (``choose_seed``)
        self.exact_starts = True
        # lot → (its logged fixing of the price, by): the replay fixes that lot's price later (its report served later)
        self.shifts: dict[str, tuple[datetime, timedelta]] = {}
        self.served_later: dict[str, tuple[datetime, datetime]] = {}  # lot → (logged serving, the replay's, later)
        self.placed: set[int] = set()  # id() of the steps placed at the replay's serving (never shifted again)
        self.clues: dict[str, str] = {}  # clue-N → the name its provide_clue step gives it
        self.idents: dict[str, str] = {}  # debtor alias → the ID number the replay uses
        self.replay_ids: dict[str, tuple[str, str, int]] = {}  # instance → (owner ID, kind, value) in the replay
        # each holding the replay's world numbers, in the order it pins them (the case's holdings, then the pins by
        # time): (0 declared / 1 pinned, when, agency, instance) — its number's sequence per agency and owner
        self.replay_order: list[tuple[int, datetime, str, str]] = []
        # the assets disposed of: a registry's (sealed), or any other with a disposal node (frozen 股权, 证券)
        self._disposed = {x.get("instance") for x in self.events if x.get("node") in _DISPOSAL_NODES}
        # the court's own freezes and releases (shared by a chain's recorders: a resumed case takes the original's
        # freezes over): what a freeze on a disposed-of holding controls is what the pricing platform values
        # (``_priced_value``)
        self.controls = [x for x in self.events if x["kind"] in ("funds_frozen", "freeze_released")]
        ops = refs.process().operations
        self.system = {(op.event, op.complete or op.start) for op in ops}
        self.is_live = self.live()
        self.alias: str | None = None  # a resumed case's name (case: 恢复案), None for the recorded case
        self.claim_unknown = False  # the log has no claim (older logs): the amount is inferred (_CLAIM_NOTE)
        self.resumed_alias: str | None = None  # the name given to the resumed case, when its steps are replayed
        # a resumed case's number in the replay: the replay's court numbers its 执恢 cases from 1 each year (the log's
        # court counted others'); it names a sale's proceeds (S000001-<case>)
        self.replay_case: str | None = None
        self.origin: dict[int, tuple[int | None, str]] = {}  # id(step) → the node and instance of its event
        self.source: dict[int, int] = {}  # id(step) → id() of the event it was read from
        # the application fee (process.yaml ``fees``, off in the bundled process) as the log shows the court charged
        # it: the scenario's ``process:`` options (shared by a chain's recorders)
        self.fee: dict[str, Any] = {}
        # what the log's 恢复执行 filings and escrows show of ``resumed`` and ``settle_before_escrow`` (shared too):
        # True where a fee was carried / settled first, False where not (``fee_options`` judges them)
        self.fee_resumed: set[bool] = set()
        self.fee_at_escrow: set[bool] = set()

    # ── names ────────────────────────────────────────────────────────────────────────────────────
    def debtor(self, masked: str | None) -> str | None:
        return self.debtors.get(masked or "", None)

    def instance(self, inst: str | None) -> Any:
        if not inst:
            return ""
        if inst in self.assets:
            return self.assets[inst]
        if inst in self.receipts:
            return self.receipts[inst]
        if inst in self.clues:
            return self.clues[inst]
        return inst

    def _same_instant(self, e: dict[str, Any]) -> list[dict[str, Any]]:
        """Events of the same instant (to the second: a live log's events of one command are microseconds apart)."""
        at = e["at"][:19]
        return [x for x in self.events if x["at"][:19] == at]

    def _while_filing(self, e: dict[str, Any]) -> bool:
        """Between a 恢复执行's approval and its filing (a live run pushes it to the local filing system; the replay
        files it at once, and the filing completes node 46's reviews)."""
        at = _t(e["at"])
        approved = [_t(x["at"]) for x in self.events if x["kind"] == "resumption_approved" and _t(x["at"]) <= at]
        return bool(approved) and any(x["kind"] == "resumption_filed" and max(approved) <= _t(x["at"])
                                      and _t(x["at"]) >= at for x in self.events)

    def _by_system(self, e: dict[str, Any], node: int) -> bool:
        """Did the system do this (an operation's event, on the same node and instance, at the same instant; or node
        46's reviews closed by the approval of 恢复执行 at its instant)?"""
        if node == 46 and self._while_filing(e):
            return True
        for x in self._same_instant(e):
            if node == 46 and x["kind"] in ("resumption_approved", "resumption_filed"):
                return True
            if (x["kind"], node) in self.system and (x.get("instance") == e.get("instance")
                                                      or x["kind"] == "inquiry_started"):
                return True
        return False

    def _kind_at(self, agency: str) -> str:
        """The kind of what ``agency`` holds where the log does not say (logs before the freeze named its kind): 股权
        at the equity registry, 证券 at a securities company, other property at the other registries, else a
        deposit (a bank's; a payment provider's balance is taken as one, deducted alike)."""
        entry = self.refs.catalogue().get(agency)
        group = str(getattr(getattr(entry, "group", None), "value", ""))
        return {"equity": "equity", "securities": "securities", "other": "other"}.get(group, "deposit")

    # ── the case ─────────────────────────────────────────────────────────────────────────────────
    def case(self) -> dict[str, Any]:
        filed = next(e for e in self.events if e["kind"] == "filed")
        d = filed["data"]
        debtors = []
        for n, masked in enumerate(d.get("debtors", []), 1):
            alias = f"被执行人{n}"
            self.debtors[masked] = alias
            ident, substituted = _test_identity(masked, n)
            if substituted:
                same = ident[:6] == masked[:6]
                region = "同地区的" if same else ""
                self.notes.append(f"{alias}：日志中证件号码已脱敏（{masked}），以{region}有效测试身份 {ident} 代替 / "
                                  "the masked ID number is replaced by a valid test identity"
                                  f"{' of the same region' if same else ''}")
            self.idents[alias] = ident
            debtors.append({"as": alias, "name": alias, "id": ident, "holdings": []})
        if d.get("amount_cents") is not None:  # the claim as filed (logs since the claim was put in the event)
            amount = int(d["amount_cents"])
        else:
            self.claim_unknown = True
            got, deducted, manner = _got(self.events)
            amount = max(got, deducted)
            if manner == "zhongben":  # 终本 leaves part of the claim unsatisfied (paid in full is 执行完毕, never 终本)
                amount = got + 100
            self.notes.append(_CLAIM_NOTE)
        case = {"number": filed["case_id"], "type": d.get("case_type", "first"), "money": d.get("money", True),
                "nonlitigation": d.get("nonlitigation", False), "amount": _yuan(amount),
                "filed": _when(_t(filed["at"])), "debtors": debtors}
        if d.get("previous_case"):
            case["previous_case"] = d["previous_case"]
        self._holdings(case)
        return case

    def _holdings(self, case: dict[str, Any], pin_at: datetime | None = None) -> None:
        """What the agencies reported: the debtors' holdings (found later: pinned; ``pin_at``: everything pinned
        then — a resumed case's finds, pinned at its filing)."""
        by_alias = {d["as"]: d for d in case["debtors"]}
        first_done = min((_t(e["at"]) for e in self.events if e["kind"] == "inquiry_completed"), default=None)
        count: dict[str, int] = defaultdict(int)
        for e in self.events:
            d = e.get("data") or {}
            if e["kind"] != "anchor" or not str(d.get("anchor", "")).startswith("property_found"):
                continue
            if d.get("anchor") == "property_found_after_zhongben" and not d.get("agency"):
                self._found_by_sweep(e)
                continue
            inst = e.get("instance") or f"{d.get('agency')}:{d.get('account_no')}"
            if not d.get("agency") and inst.split(":")[0] in _REGISTRY_KINDS:
                d = self._registry_find(e, inst)
            alias = self.debtor(d.get("debtor"))
            if inst in self.assets or alias is None:
                continue
            agency = d["agency"]
            name = self.refs.catalogue().get(agency).name if self.refs.catalogue().get(agency) else agency
            count[name + _KIND_WORDS.get(d.get("kind", ""), "财产")] += 1
            label = name + _KIND_WORDS.get(d.get("kind", ""), "财产")
            self.assets[inst] = f"{label}{count[label]}" if count[label] > 1 else label
            kind = d.get("kind") or self._kind_at(agency)
            if d.get("value_unknown"):  # a holding worth nothing is no property found (its node 17 never starts)
                self.notes.append(f"{self.assets[inst]}：登记机关查得而未查封，日志中无其价值，按 1 元设定（价值为零的"
                                  "财产回放中不算查得，其节点17期限不起算）/ found at the registry and never sealed, "
                                  "its value is not in the log: set at 1 yuan (one worth nothing is not found in the "
                                  "replay, and its node 17 deadline would never start)")
            self.replay_ids[inst] = (self.idents.get(alias, ""), kind, d.get("balance_cents", 0))
            holding = {"agency": agency, "kind": kind, "amount": _yuan(d.get('balance_cents', 0)),
                       "as": self.assets[inst], "online": d["anchor"] != "property_found_offline"}
            found = pin_at or _t(e["at"])
            asked = agency in _REGISTRY_KINDS and any(  # a registry's holding, found by a query sent before
                x["kind"] == "manual_query" and (x.get("data") or {}).get("agency") == agency for x in self.events)
            declared = pin_at is None and (first_done is None or found <= first_done or asked)
            self.replay_order.append((0 if declared else 1, found, agency, inst))
            if declared:
                by_alias[alias]["holdings"].append(holding)
            else:  # it appeared later (终本统查, a clue): pinned just before it was found
                self.steps.append((found, {"pin": {"agency": agency, "debtor": alias, "holdings": [
                    {k: v for k, v in holding.items() if k != "agency"}]}, "_before": True}))
        if pin_at is None:
            self._known_before_sweep()
        if any("*" in inst for inst in self.assets):
            self.notes.append("日志中账号已脱敏：财产以别名记录，回放时由模拟世界生成账号 / "
                              "masked account numbers: the holdings carry aliases; the replay's world numbers "
                              "them itself")

    def _registry_find(self, e: dict[str, Any], inst: str) -> dict[str, Any]:
        """A registry's finding (real estate, a vehicle): the log names the asset only; the debtor is the one its
        查询 was sent for (else the only one), the value what its seal controlled."""
        agency = inst.split(":")[0]
        asked = [x for x in self.events if x["kind"] == "manual_query" and (x.get("data") or {}).get("agency") == agency
                 and _t(x["at"]) <= _t(e["at"])]
        debtor = (asked[-1]["data"].get("debtor") if asked else None) or (
            next(iter(self.debtors)) if len(self.debtors) == 1 else None)
        sealed = next((x for x in self.events if x["kind"] in ("funds_frozen", "freeze_queued")
                       and x.get("instance") == inst), None)
        value = ((sealed or {}).get("data") or {}).get("frozen_cents") or ((sealed or {}).get("data") or {}).get(
            "amount_cents", 0)
        return {"anchor": e["data"]["anchor"], "agency": agency, "debtor": debtor, "kind": _REGISTRY_KINDS[agency],
                "balance_cents": value or 100, "value_unknown": not value}  # never sealed: see _holdings

    def _known_before_sweep(self) -> None:
        """A 终本 case's freeze on property no event of the log says was found: a sweep reported a holding the
        platform knew already (found by the investigation, ``Platform.note_found``, which the log does not show), so
        it wrote no ``property_found_after_zhongben`` (``resumption.sweep_review: new``) — yet the staff froze it.
        Read as found by the last sweep before the freeze (pinned a minute before that sweep), as a sweep's find is."""
        for x in self.events:
            inst = x.get("instance") or ""
            if x["kind"] not in ("funds_frozen", "freeze_queued") or not inst or inst in self.assets:
                continue
            if not any(y["kind"] == "sweep_due" and _t(y["at"]) <= _t(x["at"]) for y in self.events):
                continue
            self._found_by_sweep({"kind": "anchor", "at": x["at"], "case_id": x["case_id"],
                                  "instance": f"sweep:{inst.split(':')[0]}",
                                  "data": {"anchor": "property_found_after_zhongben"}})

    def _entered_by_hand(self, e: dict[str, Any]) -> bool:
        """A property found by the handler's own query (自行查询) and entered by him (``Record``, the simulated
        staff's ``_record_found``): the answer of a manual query records nothing itself — a 集约查询's answer is
        entered by the system (``InquiryAnswers``, with its ``inquiry_answered``), a registry's finding by the
        disposal component. Without it the replay found the holding but never started its control deadline (node 17),
        and the freeze expected when it ran out never came."""
        d = e.get("data") or {}
        agency, inst = d.get("agency"), e.get("instance") or ""
        if d.get("anchor") not in ("property_found_online", "property_found_offline") or not agency \
                or agency in _REGISTRY_KINDS or inst not in self.assets:
            return False
        at = _t(e["at"])
        if any(x["kind"] == "inquiry_answered" and (x.get("data") or {}).get("agency") == agency
               for x in self._same_instant(e)):
            return False
        return any(x["kind"] == "manual_query" and (x.get("data") or {}).get("agency") == agency
                   and _t(x["at"]) <= at for x in self.events)

    def _clue_agency(self, e: dict[str, Any]) -> str | None:
        """The agency of an applicant's clue (``clue-N``): the one its query went to (through 总对总: its scope)."""
        inst = e.get("instance") or ""
        if not inst.startswith("clue-"):
            return None
        i = self.events.index(e)
        sent = next((x for x in self.events[i:] if x["kind"] == "exchange" and (x.get("data") or {}).get("measure")
                     == "clue" and x["data"].get("kind") == "sent"), None)
        if sent is None:
            return None
        scope = sent["data"].get("scope") or [sent["data"].get("agency")]
        return scope[0] if len(scope) == 1 else None

    def _found_by_sweep(self, e: dict[str, Any]) -> None:
        """终本统查 (or a clue) found something at an agency: the log names only the agency; what was there is read
        from the freeze that followed, and pinned a minute before the sweep that found it."""
        agency = (e.get("instance") or "").split(":")[-1]
        found = _t(e["at"])
        clue = self._clue_agency(e)
        if clue is not None:  # the applicant's clue: its query named the agency
            agency = clue
        after = next((x for x in self.events if _t(x["at"]) >= found and x["kind"] in ("funds_frozen", "freeze_queued")
                      and (x.get("instance") or "").startswith(f"{agency}:")), None)
        debtors = list(self.debtors.values())
        if after is not None and after["instance"] in self.assets:
            return  # found before too: already among the holdings
        if after is None or len(debtors) != 1:
            self.notes.append(f"{_when(found)} 终本后在 {agency} 查得财产，日志中无其详情，未设定 / property found at "
                              f"{agency} after 终本 without details in the log: not pinned")
            return
        xd = after.get("data") or {}
        entry = self.refs.catalogue().get(agency)
        kind = xd.get("kind") or self._kind_at(agency)  # the freeze's event names the kind (股权, 证券: disposed of)
        alias = f"{entry.name if entry else agency}新{_KIND_WORDS.get(kind, '财产')}"
        self.assets[after["instance"]] = alias
        amount = xd.get("frozen_cents") or xd.get("amount_cents", 0)
        self.replay_ids[after["instance"]] = (self.idents.get(debtors[0], ""), kind, amount)  # priced if disposed of
        sweep = found if clue is not None else max(
            (_t(x["at"]) for x in self.events if x["kind"] == "sweep_due" and _t(x["at"]) <= found), default=found)
        self.replay_order.append((1, sweep - timedelta(minutes=1), agency, after["instance"]))
        self.steps.append((sweep - timedelta(minutes=1), {"pin": {"agency": agency, "debtor": debtors[0], "holdings": [
            {"kind": kind, "amount": _yuan(xd.get("frozen_cents") or xd.get("amount_cents", 0)), "as": alias}]},
            "_before": True}))
        self.notes.append(f"{alias}：终本后查得，日志只有其冻结额，按冻结额设定 / found after 终本; the log gives only "
                          "the amount frozen, pinned as that")

    # ── steps ────────────────────────────────────────────────────────────────────────────────────
    def add(self, e: dict[str, Any], step: dict[str, Any], on: dict[str, Any] | None = None) -> None:
        """A step at ``e``'s instant, on ``e``'s node and instance (or those of ``on``: a request's result)."""
        self.steps.append((_t(e["at"]), step))
        self.origin[id(step)] = ((on or e).get("node"), (on or e).get("instance") or "")
        self.source[id(step)] = id(e)

    # ── live (real-time) logs ────────────────────────────────────────────────────────────────────
    def live(self) -> bool:
        """A real-time log (``make run``'s demo, a live run): its timers fire late (a node froze minutes of virtual
        time after its deadline, or a timer's event, stamped with its due instant, written after commands of later
        instants), where a virtual-time log's fire on the instant, in order."""
        latest = None
        for e in self.events:
            at = _t(e["at"])
            if latest is not None and latest - at > timedelta(minutes=1):
                return True
            latest = max(latest or at, at)
        for e in self.events:
            if e["kind"] == "node_frozen":
                at = _t(e["at"])
                due = self._due(e.get("node"), e.get("instance") or "", at, e.get("item"))
                if due is not None and at - due > timedelta(minutes=1):
                    return True
        return False

    def _due(self, node: int | None, inst: str, before: datetime, item: str | None = None) -> datetime | None:
        """The earliest deadline of the node (item, instance) due by ``before``: each item's latest one set by then,
        unless the item was met — done by its due (node 3's same-day 'initiate' met, its 48-hour 'control' not yet
        due: a completion the next evening is on time). An item done after its due is still late."""
        latest: dict[str, datetime] = {}
        done: set[str] = set()  # items met: done by their due
        for x in self.events:
            if (x.get("node") != node or (x.get("instance") or "") != inst or _t(x["at"]) > before
                    or (item is not None and x.get("item") != item)):
                continue
            if x["kind"] == "deadline_set" and "due" in (x.get("data") or {}):
                latest[str(x.get("item"))] = _t(x["data"]["due"])
                done.discard(str(x.get("item")))
            elif x["kind"] == "item_done" and _t(x["at"]) <= latest.get(str(x.get("item")), _t(x["at"])):
                done.add(str(x.get("item")))
        due = [t for key, t in latest.items() if t <= before and key not in done]
        return min(due) if due else None

    def tolerate(self) -> None:
        """A live log's acts that came after their node's deadline, before its timer fired (the engine accepted them
        then): moved to a minute before the deadline, so the replay's exact timers see them in the same order; each
        move is listed in the file's comment."""
        moved = 0
        written = {id(x): i for i, x in enumerate(self.events)}  # each event's place in the log (the order written)
        for n, (at, step) in enumerate(self.steps):
            node, inst = self.origin.get(id(step), (None, ""))
            if node is None or not (_ON_A_NODE & set(step)):
                continue
            due = self._due(node, inst, at)
            frozen_before = any(x["kind"] == "node_frozen" and x.get("node") == node and (x.get("instance") or "")
                                == inst and _t(x["at"]) <= at for x in self.events)
            # the deadline's timer had fired when the act was accepted (written before it): not late, the engine
            # took the act after a missed deadline that froze nothing (another node's freeze held the case)
            place = written.get(self.source.get(id(step), -1))
            fired = place is not None and any(
                x["kind"] == "deadline_missed" and x.get("node") == node and (x.get("instance") or "") == inst
                for x in self.events[:place])
            if due is not None and not frozen_before and not fired:
                self.steps[n] = (due - timedelta(minutes=1), step)
                moved += 1
                if _REQUESTS & set(step):  # the agencies' answer delays set for its request move with it
                    for m, (when, other) in enumerate(self.steps):
                        if when == at and "agencies" in other:
                            self.steps[m] = (due - timedelta(minutes=1), other)
        if moved:
            self.notes.append(f"实时日志：{moved} 个动作晚于其节点期限、早于定时器触发（原运行中被受理），"
                              f"回放时移至期限前1分钟 / a live log: {moved} acts came after their deadline but "
                              "before its timer fired (accepted then); replayed a minute before the deadline")

    def file_when_filed(self, sub: _Recorder) -> None:
        """A live run files the resumed case some time after the approval (the push to the local filing system);
        the replay files it at the approval: the approval is replayed when the resumed case was filed, so its
        deadlines run from the same instant (said in the file's comment)."""
        filing = next(e for e in sub.events if e["kind"] == "filed")
        filed = _t(filing["at"])
        answered = next((_t(e["at"]) for e in self.events if e["kind"] == "resumption_filed"
                         and (e.get("data") or {}).get("new_case") == filing["case_id"]), None)
        for n, (at, step) in enumerate(self.steps):
            if "approve_resumption" not in step:
                continue
            if timedelta(minutes=1) < filed - at < timedelta(days=1):
                self.steps[n] = (filed, step)
                self.notes.append(f"恢复执行于 {_when(at)} 批准，新案 {_when(filed)} 立案：回放中批准即立案，"
                                  "批准移至立案时刻 / the resumed case was filed after its approval: the approval is "
                                  "replayed then")
            args = step["approve_resumption"]
            if answered is not None and isinstance(args, dict) and answered - max(at, filed) > timedelta(minutes=1):
                args["answered"] = _when(answered)
                self.notes.append(f"立案系统的答复 {_when(answered)} 才到达（新案 {_when(filed)} 立案）：原案记立案、"
                                  "移交冻结查封于答复时，回放同 / the filing system's answer arrived after the filing: "
                                  "the 终本 case recorded it and handed its measures over then, as in the replay")

    def walk(self) -> None:
        pending_close = False
        skipped: dict[str, int] = defaultdict(int)
        for i, e in enumerate(self.events):
            k, d, node, inst = e["kind"], e.get("data") or {}, e.get("node"), e.get("instance") or ""
            alias = self.debtor(d.get("debtor"))
            self._fee_seen(k, d)
            if node in _DISPOSAL_NODES and k in ("node_started", "node_done", "item_done") and inst in self.assets:
                self._disposal_node(e)
                continue
            if k == "anchor" and d.get("anchor") == "objection_received" and inst in self.assets:
                self._after_serving(e, inst, {"object": {"asset": self.instance(inst), "by": d.get("by", "被执行人")}})
                continue
            if k == "anchor" and d.get("anchor") == "sale_confirmed" and d.get("by_agreement") and inst in self.assets:
                self.add(e, {"agree_in_kind": {  # 以物抵债 by agreement (node 29 第2项): both parties consented
                    "asset": self.instance(inst), "price": _yuan(d["in_kind_price_cents"]), "applicant_consents": True,
                    "debtor_consents": True, **({"others_consent": True} if d.get("others_consent") else {})}})
                continue
            if k == "assigned":
                self.add(e, {"assign": d["handler"]})
            elif k in ("identity_verified", "identity_failed"):
                self.add(e, {"verify_identity": {"debtor": alias, "passed": k == "identity_verified"}})
            elif k == "identity_corrected":
                self.add(e, {"correct_identity": {"debtor": alias}})
            elif k == "feedback_opened":
                self.add(e, {"open_feedback": {"agency": d["agency"], "debtor": alias}})
            elif k == "manual_query":
                self.add(e, {"manual_query": {"agency": d["agency"], "debtor": alias}})
            elif k == "node_started" and not self._by_system(e, node):
                self.add(e, {"start_node": self._node(node, inst)})
            elif k == "node_done" and not self._by_system(e, node):
                step = self._node(node, inst, d.get("authority") or d.get("by"))
                step.update({k: d[k] for k in ("ground", "extension_years") if d.get(k) is not None})  # 失信's ground
                self.add(e, {"complete_node": step})
            elif k == "item_done" and not self._item_by_other(e):
                self.add(e, {"complete_item": {**self._node(node, inst), "item": e["item"]}})
            elif k == "exchange" and d.get("kind") == "sent" and d.get("attempt", 1) == 1:
                self._latency(i, e)
                if d.get("measure") in ("freeze", "deduct", "unfreeze", "seal"):
                    self._measure(i, e)
                else:
                    self._platform_call(i, e)
            elif k == "exchange" and d.get("kind") == "answer" and d.get("status") == "sold":
                self._sold(i, e)
            elif k == "proceeds_arrived" and d.get("receipt") and d["receipt"] not in self.receipts:
                if d.get("source") == "deposit_forfeited":  # 悔拍 (H56): no step of its own — the replay's court
                    # remits it when the lot's later fate settles, as the log's did, numbering a case's D000001-<case>,
                    # D000002-… in order; its registration and payout steps name it
                    n = sum(1 for v in self.receipts.values() if str(v).startswith("D")) + 1
                    self.receipts[d["receipt"]] = f"D{n:06d}-{self.replay_case or e['case_id']}"[:64]
                    self.deposits[d["receipt"]] = int(d.get("amount_cents") or 0)
                else:  # a sale's proceeds no replayed bid named: the replay's court numbers them S000001-<case>,
                    # S000002-… in order (one court per scenario); the log's court counted others'
                    n = sum(1 for v in self.receipts.values() if str(v).startswith("S")) + 1
                    self.receipts[d["receipt"]] = f"S{n:06d}-{self.replay_case or e['case_id']}"[:64]
            elif k == "receipt_registered":
                self.add(e, {"register_receipt": self.instance(inst)})
            elif k == "payout_approved":
                self.add(e, {"approve_payout": {"authority": d["authority"], "receipt": self.instance(inst)}})
            elif k == "paid_out":
                pay = {"receipt": self.instance(inst), "amount": _yuan(d['amount_cents'])}
                if inst in self.deposits and d.get("paid_cents") == self.deposits[inst] and not self.same_deposits:
                    # a forfeited deposit's last payout: the rest of it — the replay's deposit is a share of its own
                    # listing's start (the replay's reference price), not the log's; the applicant's part is the
                    # claim's, the same (an older log, whose rounds' anchors have no terms: ``same_deposits``)
                    pay = {"receipt": self.instance(inst)}
                self.add(e, {"pay_out": {**pay, "surplus": True} if d.get("surplus") else pay})
                for x, amount in self._fees_of(e, i):  # the fee this payout settled (before or after the payee)
                    if any(y is x for y in self.events[i + 1:]):  # after the payee: only ``after_applicant``
                        self.fee["settle"] = "after_applicant"
                    self.add(x, {"expect_event": {"kind": "fee_settled", **self._inst(inst),
                                                  "data": {"amount_cents": amount}}})
            elif k == "escrowed":  # 提存 (node 34): before, left out without a word — the replay held the money
                fees = self._fees_of(e, i)  # the fee this escrow settled first (``settle_before_escrow``)
                self.fee_at_escrow.add(bool(fees))
                self.add(e, {"escrow": {"receipt": self.instance(inst), "authority": d["authority"],
                                        "reason": d.get("reason", "")}})
                for x, amount in fees:
                    self.add(x, {"expect_event": {"kind": "fee_settled", **self._inst(inst),
                                                  "data": {"amount_cents": amount}}})
                self.add(e, {"expect_event": {"kind": "escrowed", **self._inst(inst),
                                              "data": {"amount_cents": d.get("amount_cents")}}})
            elif k == "unfreeze_requested":
                self.add(e, {"request_unfreeze": {**self._node(node, inst, e=e), "by": d.get("by", ""),
                                                  "reason": d.get("reason", "")}})
            elif k in ("unfreeze_approved", "unfreeze_forwarded"):
                self.add(e, {"approve_unfreeze": {**self._node(node, inst, e=e), "authority": d["authority"]}})
            elif k == "unfreeze_rejected":
                self.add(e, {"reject_unfreeze": {**self._node(node, inst, e=e), "authority": d["authority"]}})
            elif k == "limit_change_requested":
                key = "request_suspension" if d.get("change") == "suspend" or d.get("kind") == "suspend" \
                    else "request_extension"
                self.add(e, {key: d.get("reason", "")})
            elif k in ("limit_extended", "limit_suspended") and d.get("authority"):
                self.add(e, {"approve_limit_change": d["authority"]})
            elif k == "limit_resumed":
                self.add(e, {"lift_suspension": True})
            elif k == "closing_requested":
                pending_close = True
                self.add(e, {"close": {"manner": d.get("manner"), "await_review": True}})
            elif k == "closing_returned":
                pending_close = False
                self.add(e, {"return_closing": {"authority": d.get("authority") or d.get("by"),
                                                "reason": d.get("reason", "")}})
            elif k == "closed":
                if pending_close:
                    self.add(e, {"approve_closing": d.get("reviewed_by") or "trial_management"})
                else:
                    self.add(e, {"close": {"manner": d["manner"],
                                           "reviewed_by": d.get("reviewed_by") or "trial_management"}})
                self.add(e, {"expect_case": {"closed": d["manner"]}})
                money = d.get("money") or {}
                at_once = {x.get("instance") for x in self._same_instant(e) if x["kind"] == "freeze_released"}
                releases = [r for r in d.get("release") or [] if r.get("asset")]
                released = sum(int(r.get("amount_cents") or 0) for r in releases if r["asset"] in at_once)
                # the closing's own releases answered at once: the log's amounts are taken before them, the
                # replay's (checked after the closing's instant) after
                amounts = {"frozen": _yuan(max(0, money.get('frozen_cents', 0) - released)),
                           "deducted": _yuan(money.get('deducted_cents', 0)),
                           "paid": _yuan(money.get('paid_cents', 0))}
                if any(r["asset"] not in at_once for r in releases):
                    # a release the closing asked for was answered later in the log (or not at all): the replay's
                    # agency may answer it by the check, so what stays frozen at the closing is not asserted
                    del amounts["frozen"]
                    self.notes.append(f"{_when(_t(e['at']))} 结案时的解除未在同一时刻答复：不断言结案时的冻结金额"
                                      " / the closing's releases were not answered at its instant: the amount frozen"
                                      " at the closing is not asserted")
                if self.deposits and not self.same_deposits:  # 悔拍 (H56): a forfeited deposit in the case — the
                    # replay's is a share of its own listing's start, another amount: what was paid out is not asserted
                    del amounts["paid"]
                    self.notes.append(f"{_when(_t(e['at']))} 案中有悔拍保证金（回放的保证金按回放的起拍价计，金额"
                                      "不同）：不断言结案时的已发放金额 / a forfeited deposit reached the case "
                                      "(the replay's is a share of its own starting price, another amount): the "
                                      "amount paid out at the closing is not asserted")
                self.add(e, {"expect_amounts": amounts})
            elif k == "resumption_requested":
                self.add(e, {"request_resumption": d.get("reason", "")})
            elif k == "resumption_approved":
                new = next((x["data"].get("new_case") for x in self.events[i:]
                            if x["kind"] == "resumption_filed"), None)
                if new and self.resumed_alias:
                    self.add(e, {"approve_resumption": {"authority": d["authority"], "as": self.resumed_alias}})
                else:
                    self.add(e, {"approve_resumption": d["authority"]})
            elif k == "anchor" and d.get("anchor") == "property_found_after_zhongben" and inst.startswith("clue-"):
                agency = self._clue_agency(e)
                if agency is None:
                    self.notes.append(f"{_when(_t(e['at']))} 线索 {inst} 的机构不在日志中，未回放 / the clue's agency "
                                      "is not in the log: not replayed")
                    continue
                name = self.clues.setdefault(inst, f"线索{len(self.clues) + 1}")
                note = str(d.get("note", "")).split(" / ")[0].removeprefix("申请执行人提供：")
                self.add(e, {"provide_clue": {"agency": agency, "debtor": next(iter(self.debtors.values())),
                                              "note": note, "as": name}})
            elif k == "anchor" and d.get("anchor") in _MANUAL_ANCHORS:
                self.add(e, {"record": {"event": d["anchor"], "instance": self.instance(inst)}})
            elif k == "anchor" and self._entered_by_hand(e):  # what the handler's own query found: he enters it
                self.add(e, {"record": {"event": d["anchor"], "instance": self.instance(inst), "attrs": {
                    key: d[key] for key in ("amount_cents", "agency", "kind", "balance_cents", "available_cents",
                                            "held_by_others") if key in d}}})
            elif k == "node_frozen" and inst and self.instance(inst) == inst and "*" in inst:
                skipped["未断言 not asserted: node_frozen（财产未知 unknown asset）"] += 1
            elif k == "node_frozen":
                self.add(e, {"expect_event": {"kind": "node_frozen", "node": node, **self._inst(inst, e),
                                              **self._window(e, node, inst, e.get("item"))}})
            elif k == "duban_raised":
                self.add(e, {"expect_event": {"kind": "duban_raised", "agency": d.get("agency"),
                                              **self._window(e, None, None, None)}})
            elif k == "refused" and d.get("command") == "CompleteNode" and node in _DISPOSAL_DONE \
                    and inst in self.assets:  # a disposal act the engine refused (the platform's side went on)
                self.add(e, {_DISPOSAL_DONE[node]: self.instance(inst), "refused": d.get("code") or "any"})
            elif k == "refused":
                skipped[f"被拒绝的命令 refused {d.get('command')} ({d.get('code')})"] += 1
            elif k in _NOT_REPLAYED or k.startswith(("disposal", "auction", "sale", "seal")):
                skipped[f"未回放 not replayed: {k}"] += 1
        for what, n in skipped.items():
            self.notes.append(f"{what} ×{n}：未写入场景 / left out of the scenario")

    def fee_options(self) -> dict[str, Any] | None:
        """The scenario's ``process:`` for the court the log shows charging the application fee (None: no sign of
        it — a court with the fee off, or one that never had a fee to show). What the log shows, beside ``enabled``:
        ``basis: claim`` (the filing records the fee), ``settle: after_applicant`` (a fee settled after the payee),
        ``resumed: none`` (a 恢复执行 case filed with nothing carried), ``settle_before_escrow: false`` (no escrow
        settled a fee first: where nothing was due either way gives the same replay)."""
        if not self.fee.get("enabled"):
            return None
        rule = {"enabled": True, **self.fee}
        if False in self.fee_resumed and True not in self.fee_resumed:  # one carried: carry_over, whatever else
            rule["resumed"] = "none"
        if False in self.fee_at_escrow and True not in self.fee_at_escrow:
            rule["settle_before_escrow"] = False
        return {"fees": {"application_fee": rule}}

    def _fees_of(self, e: dict[str, Any], i: int) -> list[tuple[dict[str, Any], Any]]:
        """The application fee settled by the payout or escrow ``e`` (the ``i``-th event): each ``fee_settled`` of
        its receipt and case at its instant, the nearest in the log's order (a receipt settles once per act), with
        its amount."""
        found = [x for x in self._same_instant(e) if x["kind"] == "fee_settled"
                 and x.get("instance") == e.get("instance") and x.get("case_id") == e.get("case_id")]
        return [(x, (x.get("data") or {}).get("amount_cents")) for x in found]

    def _fee_seen(self, kind: str, data: dict[str, Any]) -> None:
        """The log's court charged the application fee (``fees.application_fee``, off in the bundled process): a fee
        settled or handed over, or a filing that records it (``application_fee_cents`` only where the fee is on the
        claim, ``basis: claim``). A 恢复执行 case filed without ``fee_carried`` by a fee-charging court: its court
        carries nothing over (``resumed: none``; with ``carry_over`` the filing of an approved resumption of a case
        with a fee always carries it, ``Platform.file_resumed``)."""
        if kind in ("fee_settled", "fee_handed_over") or (kind == "filed" and ("application_fee_cents" in data
                                                                                 or "fee_carried" in data)):
            self.fee["enabled"] = True
        if kind == "filed" and "application_fee_cents" in data:
            self.fee["basis"] = "claim"
        if kind == "filed" and data.get("previous_case") and data.get("money", True):
            self.fee_resumed.add("fee_carried" in data)

    # ── disposal (nodes 19–30): the handler's acts on a sealed asset, the platforms' calls, a buyer's bid ─────────
    def _disposal_node(self, e: dict[str, Any]) -> None:
        """A disposal node's progress is the disposal component's doing; the acts behind it are replayed: 调查 (19),
        送达 (21), 异议审查 (22), 拍卖通知 (24), 成交确认 (27), 裁定与交付 (30's items)."""
        k, node, inst = e["kind"], e.get("node"), e.get("instance") or ""
        asset = self.instance(inst)
        if k == "node_done" and node in _DISPOSAL_DONE:
            if node == 27 and self._in_kind(inst, _t(e["at"])):
                return  # 以物抵债 confirmed it (the platform's answer)
            step = {_DISPOSAL_DONE[node]: asset}
            if node == 21 and (due := self._report_due(e, inst)) is not None and due > _t(e["at"]):
                self.steps.append((due + timedelta(minutes=1), step))
                self.placed.add(id(step))  # at the replay's report: not moved again by the shift
                self.served_later[inst] = (_t(e["at"]), due + timedelta(minutes=1))
                self._shift_after_fixing(e, inst, due + timedelta(minutes=1))
                self.notes.append(f"{asset}：报告原于 {_when(_t(e['at']))} 送达；回放中模拟询价平台按其自身规则于 "
                                  f"{_when(due)} 答复，送达移至其后1分钟 / the replay's pricing platform answers at "
                                  "its own time: the report is served a minute after it")
                return
            self.add(e, step)
        elif k == "node_done" and node == 22:
            upheld = any(x["kind"] == "exchange" and (x.get("data") or {}).get("agency") == "pricing_platform"
                         and (x.get("data") or {}).get("kind") == "sent" for x in self._same_instant(e))
            self._after_serving(e, inst, {"review_objection": {"asset": asset, "upheld": upheld}})
        elif k == "node_done" and node == 24:
            # the round's own notice (node 24 under <asset>#n for a later auction round: ``Disposal.notice_instance``,
            # H71) — the anchor of the same round, not the first auction's
            planned = next((x for x in reversed(self.events) if x["kind"] == "anchor" and x.get("instance") == inst
                            and x.get("round", "") == e.get("round", "")
                            and (x.get("data") or {}).get("anchor") == "announcement_scheduled"
                            and _t(x["at"]) <= _t(e["at"])), None)
            if planned is not None and planned["data"].get("planned"):
                return  # the platform's own: a round listed before its notice's planned date (Disposal._announced)
            args: dict[str, Any] = {"asset": asset}
            if planned is not None and planned["data"].get("at"):
                args["announce"] = _when(_t(planned["data"]["at"]))
            # a notice planned less than 3 days ahead is completed a second after it was given (late: the engine's
            # expiry first, ``Disposal._give_late``): the handler's act is at the anchor's instant
            self.add(planned if planned is not None and planned["data"].get("notice_late") else e,
                     {"notify_parties": args}, on=e)
        elif k == "item_done" and node == 30:
            self.add(e, {"transfer" if e.get("item") == "ruling" else "hand_over": asset})

    def _after_serving(self, e: dict[str, Any], inst: str, step: dict[str, Any]) -> None:
        """An objection to a lot's report, or its review: where the replay serves the report later (no seed had its
        report before the logged serving), as long after the replay's serving as after the log's — at the logged
        instant it came before the replay's serving (DISPOSAL_STAGE: no report to object to). Until the logged
        fixing of the price; what follows it moves with ``apply_shift``."""
        at = _t(e["at"])
        logged, served = self.served_later.get(inst, (at, at))
        fixed = next((_t((x.get("data") or {}).get("at") or x["at"]) for x in self.events if x["kind"] == "anchor"
                      and x.get("instance") == inst and (x.get("data") or {}).get("anchor") == "reference_price_fixed"
                      ), None)
        if served > logged and logged <= at and (fixed is None or at < fixed):
            self.steps.append((at + (served - logged), step))
            self.placed.add(id(step))
            self.origin[id(step)] = (e.get("node"), inst)
            self.source[id(step)] = id(e)
        else:
            self.add(e, step)

    def _shift_after_fixing(self, served: dict[str, Any], inst: str, now_served: datetime) -> None:
        """The report served later in the replay fixes the reference price later (5 days' objection period on the
        legal calendar; an objection dismissed before the log's fixing, at its review if that comes after — the
        platform fixes the price at the later of the two, and the replay reviews it as long after its serving as the
        log did, ``_after_serving``): what the log did after the price was fixed is replayed that much later."""
        from core_flow.legal_calendar import Period, default_calendar

        fixed = next((x for x in self.events if x["kind"] == "anchor" and x.get("instance") == inst
                      and (x.get("data") or {}).get("anchor") == "reference_price_fixed"), None)
        if fixed is None:
            return
        logged = _t((fixed.get("data") or {}).get("at") or fixed["at"])
        replay = _t(default_calendar().deadline(now_served, Period.parse("5d")).due.isoformat())
        at = _t(served["at"])
        for x in self.events:  # the objections dismissed (an upheld one asks a new price: fixed after its report)
            if (x["kind"] == "node_done" and x.get("node") == 22 and (x.get("instance") or "") == inst
                    and at <= _t(x["at"]) <= logged and not any(
                        (y.get("data") or {}).get("anchor") == "objection_upheld" and y.get("instance") == inst
                        for y in self._same_instant(x))):
                replay = max(replay, _t(x["at"]) + (now_served - at))
        if replay > logged:  # per lot: only that lot's acts after its own fixing come later in the replay (one shift
            # for the whole case moved another lot's serving past its own node 20/21 deadline: NODE_FROZEN)
            after, delta = self.shifts.get(inst, (logged, replay - logged))
            self.shifts[inst] = (min(after, logged), max(delta, replay - logged))

    def _step_lot(self, n: int, lots: dict[str, str]) -> str | None:
        """The lot step ``n`` is about (None: the case's): its event's instance or the asset it names (``房产``,
        ``房产#2``), or — an agencies step placed just before the next (``_before: next``) — that step's lot. A
        receipt's steps are the case's: the payouts of several lots' proceeds meet one claim, in the log's order."""
        at, step = self.steps[n]
        inst = self.origin.get(id(step), (None, ""))[1]
        if inst in lots.values():
            return inst
        for args in step.values():
            for name in (args.values() if isinstance(args, dict) else [args]):
                if isinstance(name, str) and (lot := lots.get(name.split("#")[0])):
                    return lot
        if step.get("_before") == "next" and n + 1 < len(self.steps) and self.steps[n + 1][0] == at:
            return self._step_lot(n + 1, lots)
        return None

    def apply_shift(self) -> None:
        """Move each served-later lot's steps after its logged fixing of the price (and the instants they name) by
        its own delay, up to the end of its disposal (its last disposal event: a later freeze of the same holding, a
        sweep's find in a 终本 case, is not the disposal's); the case's steps (no lot's: payouts, the closing…) by the
        longest delay of the lots whose disposal is under way then, so they stay after those lots' acts — a step
        after a lot's disposal only as far as its last moved act (the order kept), nothing after that; another lot's
        steps are not moved."""
        if not self.shifts:
            return
        lots = {alias: inst for inst, alias in self.assets.items() if self._is_lot(inst)}
        closed = min((_t(x["at"]) for x in self.events if x["kind"] == "closed"), default=None)
        receipts = {x["data"]["receipt"]: x["instance"] for x in self.events  # a sale's proceeds → its lot (the
                    if x["kind"] == "proceeds_arrived" and (x.get("data") or {}).get("receipt")  # deadlines to
                    and (x.get("instance") or "") in lots.values()  # register them run from their arrival)
                    # 悔拍 (H56, review R26): a forfeited deposit remitted at (or after) the closing came with it —
                    # the case's, moved as the closing is, not with its lot
                    and not (x["data"]["receipt"] in self.deposits and closed is not None and _t(x["at"]) >= closed)}
        end = {lot: max((_t(x["at"]) for x in self.events if (x.get("instance") or "") == lot and (
            x.get("node") in _DISPOSAL_NODES or x["kind"] == "proceeds_arrived" or (
                x["kind"] == "anchor" and not str((x.get("data") or {}).get("anchor", "")).startswith("property_found")
            ))), default=after) for lot, (after, _) in self.shifts.items()}

        def moved_to(at: datetime, lot: str) -> datetime:  # where the replay does what the lot's disposal did at ``at``
            after, delta = self.shifts[lot]
            return at if at < after else at + delta if at <= end[lot] else max(at, end[lot] + delta)

        def delay(at: datetime, lot: str | None) -> timedelta:  # how much later the replay does what was at ``at``
            if lot is not None:
                return moved_to(at, lot) - at if lot in self.shifts else timedelta(0)
            return max(moved_to(at, other) - at for other in self.shifts)

        def event_lot(x: dict[str, Any]) -> str | None:
            inst = x.get("instance") or ""
            return inst if inst in lots.values() else receipts.get(inst)

        for n in range(len(self.steps)):
            at, step = self.steps[n]
            if id(step) in self.placed or not (delta := delay(at, self._step_lot(n, lots))):
                continue
            delta = self._kept_in_time(at, step, delta, lambda x: delay(_t(x["at"]), event_lot(x)))

            def later(text: str, tz: Any = at.tzinfo, delta: timedelta = delta) -> str:
                return _when(datetime.fromisoformat(text).replace(tzinfo=tz) + delta)

            for args in (a for a in step.values() if isinstance(a, dict)):
                for key in ("starts", "announce", "time"):
                    if key in args:
                        args[key] = later(args[key])
                if "between" in args:
                    args["between"] = [later(t) for t in args["between"]]
            self.steps[n] = (at + delta, step)
            if "close" in step:
                self._withdraw_before_moved_closing(at, at + delta, moved_to)
        for lot, (after, delta) in sorted(self.shifts.items(), key=lambda kv: kv[1][0]):
            self.notes.append(f"{self.instance(lot)}：回放中参考价晚 {delta} 确定：此标的自原 {_when(after)} "
                              f"至其处置结束（{_when(end[lot])}）的步骤与期望一并顺延，案件自身的步骤在此期间亦然，"
                              "其他标的的步骤不动"
                              f" / the reference price is fixed {delta} later in the replay: this lot's steps and "
                              "expectations from then to the end of its disposal move with it, and the case's own "
                              "meanwhile, not another lot's")

    def _withdraw_before_moved_closing(self, logged: datetime, replay: datetime,
                                       moved_to: Callable[[datetime, str], datetime]) -> None:
        """A closing moved later (``logged`` → ``replay``) by a lot's shift: a round the log's closing withdrew
        before its bidding began (``Disposal._withdraw_at_closing``) may have begun by the replay's closing, which is
        then refused (RELEASE_GATE: a round begun is not withdrawn, the closing waits for its end). Such a round —
        another lot's, not moved — is withdrawn in the replay at the log's closing instant, as by hand
        (``withdraw_listing``: the case still open then), and said."""
        schedules = ("auction_scheduled", "second_auction_scheduled", "sale_period_scheduled")
        for i, e in enumerate(self.events):
            d = e.get("data") or {}
            if not (e["kind"] == "exchange" and d.get("kind") == "sent" and d.get("measure") == "auction:withdrawn"
                    and _t(e["at"]) == logged and self._withdrawn_by_system(i, e)):
                continue
            lot = self._lot_after(i)
            starts = max((_t(x["data"]["at"]) for x in self.events[:i] if x["kind"] == "anchor"
                          and x.get("instance") == lot and (x.get("data") or {}).get("anchor") in schedules
                          and x["data"].get("at")), default=None)
            if lot is None or starts is None:
                continue
            if lot in self.shifts:
                starts = moved_to(starts, lot)
            if logged < starts <= replay:
                step = {"withdraw_listing": self.instance(lot)}
                self.steps.append((logged, step))
                self.origin[id(step)] = (None, lot)
                self.placed.add(id(step))
                self.notes.append(f"{_when(logged)} 结案在回放中顺延至 {_when(replay)}，其时 {self.instance(lot)} "
                                  f"的一轮已于 {_when(starts)} 开始竞价：回放于原结案时刻撤回该轮 / the closing "
                                  f"moves to {_when(replay)} in the replay, after that round's bidding began "
                                  f"({_when(starts)}): "
                                  "the replay withdraws the round at the logged closing's instant")

    def _kept_in_time(self, at: datetime, step: dict[str, Any], delta: timedelta,
                      delay: Callable[[dict[str, Any]], timedelta]) -> timedelta:
        """The shift of a step at ``at`` on its event's node and instance, kept within that node's deadline: a
        deadline the log's act met (its item not done before) is due in the replay when its start, moved by
        ``delay(its deadline_set event)``, makes it on the legal calendar — the same days later only without a
        holiday in between (a sale's proceeds arriving two days later in the National Day holiday are due to be
        registered the same day as in the log: the registration moved two days was refused NODE_FROZEN). Past that
        due, the step keeps the margin it had in the log; a node freeze expected at a deadline comes at the
        replay's due."""
        node, inst = self.origin.get(id(step), (None, ""))
        if node is None:
            return delta
        latest: dict[str, dict[str, Any]] = {}
        for x in self.events:
            if x.get("node") != node or (x.get("instance") or "") != inst or _t(x["at"]) > at:
                continue
            if x["kind"] == "deadline_set" and "due" in (x.get("data") or {}):
                latest[str(x.get("item"))] = x
            elif x["kind"] == "item_done" and _t(x["at"]) < at:
                latest.pop(str(x.get("item")), None)
        frozen = (step.get("expect_event") or {}).get("kind") == "node_frozen"
        for x in latest.values():
            due = _t(x["data"]["due"])
            if at > due or (frozen and at != due):
                continue
            replay = self._replay_due(x, delay(x))
            if replay is None:
                continue
            if frozen:
                return replay - due
            if at + delta >= replay:
                delta = max(timedelta(0), min(delta, replay - due))
        return delta

    def _replay_due(self, x: dict[str, Any], moved: timedelta) -> datetime | None:
        """When the deadline the ``deadline_set`` event ``x`` set is due in the replay, its start ``moved`` later:
        worked out by the legal calendar under its work item's policy (None: not found in the process)."""
        from core_flow.legal_calendar import Period, default_calendar
        from core_flow.model import Direction

        due = _t(x["data"]["due"])
        if not moved:
            return due
        node = next((n for n in self.refs.process().nodes if n.no == x.get("node")), None)
        item = next((i for i in getattr(node, "items", ()) if i.key == x.get("item")), None)
        if item is None or item.direction is Direction.BEFORE or not x["data"].get("period"):
            return None
        start = datetime.fromisoformat(x["at"]) + moved
        try:
            got = default_calendar().deadline(start, Period.parse(str(x["data"]["period"])), item.policy).due
        except (ValueError, KeyError, UserError):
            return None
        return _t(got.isoformat())

    def _report_due(self, served: dict[str, Any], inst: str) -> datetime | None:
        """When the replay's pricing platform reports on the request before ``served`` (see ``_replay_pricing``)."""
        asked = [x for j, x in enumerate(self.events) if x["kind"] == "exchange"
                 and (x.get("data") or {}).get("kind") == "sent" and x["data"].get("agency") == "pricing_platform"
                 and x["data"].get("attempt", 1) == 1 and _t(x["at"]) <= _t(served["at"])
                 and self._lot_after(j) == inst]  # this lot's request, not the last of any lot's (another's appraisal)
        if not asked or inst not in self.replay_ids:
            return None
        return self._replay_pricing(self.seed, inst, asked[-1])[0]

    def _replay_pricing(self, seed: int, inst: str, sent: dict[str, Any]) -> tuple[datetime | None, int]:
        """When the replay's pricing platform completes a request, and its reference price: the mock platform is
        deterministic (the scenario's seed, the asset's number in the replay, its value, the request's instant),
        so its answers are worked out here; the log's platform (another asset number) answered at other times."""
        from mock_agencies.pricing import PricingMethod, PricingPlatform
        from mock_agencies.world import account_number

        owner, kind, value = self.replay_ids[inst]
        value = self._priced_value(inst, _t(sent["at"]), value)
        agency = inst.split(":")[0]
        asset_id = f"{agency}:{account_number(agency, AssetKind(kind), owner, self._replay_seq(inst))}"
        platform = PricingPlatform(seed)
        view = platform.submit(PricingMethod(sent["data"].get("measure", "network_inquiry")), request_no="r",
                               court_code="c", case_no="c", asset_id=asset_id, asset_kind=AssetKind(kind),
                               market_value_cents=value or None, now=_t(sent["at"]))
        for _ in range(20):
            nxt = platform.next_due()
            if nxt is None:
                break
            platform.advance(nxt)
        done = platform.get(view.pricing_id)
        return (_t(done.completed_at.isoformat()) if done.completed_at else None), int(done.reference_price_cents or 0)

    def _priced_value(self, inst: str, at: datetime, whole: int) -> int:
        """The value the replay's pricing platform prices ``inst`` at, asked at ``at``: what the court's live freeze
        (01, not a seal) on it controls where that is part of the holding (``mock_agencies.asset_value``: a court
        sells of frozen securities or equity what its freeze controls), else the whole holding (a seal takes the
        whole asset). The recorder priced every lot at its whole holding: a --seed 1 court-year's 执152号 froze
        4,517.92 yuan of 179,828.08 yuan of securities, the log's platform priced that part (440,601 cents) and the
        recorder worked the seeds out for the whole, under which no seed let the logged sale (3,128.27 yuan) bid:
        seed 0, whose floor the bid was under (PLATFORM_REFUSED)."""
        part = 0
        for x in sorted(self.controls, key=lambda x: _t(x["at"])):
            if (x.get("instance") or "") != inst or _t(x["at"]) > at:
                continue
            d = x.get("data") or {}
            if x["kind"] == "freeze_released":
                part = 0
            elif d.get("measure", "freeze") == "freeze":
                part = int(d.get("frozen_cents") or d.get("amount_cents") or 0)
            else:  # a seal: the whole asset
                part = 0
        return part if 0 < part < whole else whole

    def _replay_seq(self, inst: str) -> int:
        """The sequence number the replay's world gives ``inst`` in its account number: the scenario context numbers
        each owner's holdings per agency in the order it pins them — the case's holdings first, then each ``pin`` as
        the timeline reaches it (a second flat at one registry is ``…02``, not ``…01``)."""
        owner = self.replay_ids[inst][0]
        mine = [(phase, at, n, i) for n, (phase, at, agency, i) in enumerate(self.replay_order)
                if agency == inst.split(":")[0] and self.replay_ids.get(i, ("",))[0] == owner]
        order = [i for *_, i in sorted(mine)]
        return order.index(inst) + 1 if inst in order else 1

    def choose_seed(self, resumed: list[_Recorder] | None = None) -> None:
        """A scenario seed under which the replay's pricing platform reports on each asset between three days
        before the report was served and its serving (as the log's did), at a reference price under which the
        logged sale price is a valid bid; the file's comment says so. None found: seed 0, and later steps move.
        ``resumed``: the recorders of the case's 恢复执行 cases, replayed in the same scenario (their lots too)."""
        from core_flow.legal_calendar import Period, default_calendar

        lots = []
        for rec in [self, *(resumed or ())]:
            for i, x in enumerate(rec.events):
                d = x.get("data") or {}
                if not (x["kind"] == "exchange" and d.get("kind") == "sent" and d.get("agency") == "pricing_platform"
                        and d.get("attempt", 1) == 1):
                    continue
                inst = rec._lot_after(i)
                served = next((y for y in rec.events[i:] if y["kind"] == "node_done" and y.get("node") == 21
                               and y.get("instance") == inst), None)
                if inst is None or served is None or inst not in self.replay_ids:
                    continue
                sold = next((y["data"].get("price_cents") for y in rec.events[i:] if y.get("instance") == inst
                             and y["kind"] == "anchor" and y["data"].get("anchor") == "sale_paid"), None)
                first = not any(y["kind"] == "anchor" and y.get("instance") == inst and y["data"].get("anchor")
                                == "first_unsold" for y in rec.events[i:])
                lots.append((inst, x, _t(served["at"]), sold, first, rec._listed_terms(i, inst)))
        if not lots:
            return
        three_days = Period.parse("3d")

        def late(seed: int, exact: bool) -> timedelta | None:
            """How late the seed's reports come after their logged servings at most (0: each in time), None where
            its reference price refuses a round: ``exact``, the logged first start under 70% of it or the logged
            变卖 price under half of it (the platform's floors: the rounds are listed at the log's prices), else a
            logged sale price under the floor of the starts it implies (the bid would be refused)."""
            worst = timedelta(0)
            for inst, sent, served, sold, first, (start, sale) in lots:
                done, ref = self._replay_pricing(seed, inst, sent)
                floor = -(-ref * 70 // 100)  # the first auction's start (70%), rounded up as the platform lists it
                if exact and start is not None:
                    if floor > start:
                        return None
                else:
                    if not first:
                        floor = -(-floor * 80 // 100)  # the second's: a 20% cut of the first's start
                    if sold and floor > sold:
                        return None
                if exact and sale is not None and -(-ref * 50 // 100) > sale:
                    return None
                if done is None:
                    worst = timedelta.max
                elif done > served - timedelta(minutes=1):
                    worst = max(worst, done - served + timedelta(minutes=1))
                elif default_calendar().deadline(done, three_days).due <= served:
                    worst = max(worst, timedelta(minutes=1))  # node 21 would freeze before the report is served
            return worst

        def least_late(exact: bool) -> tuple[timedelta, int] | None:  # the least late seed whose prices fit
            priced: tuple[timedelta, int] | None = None
            for seed in range(400):
                if (lag := late(seed, exact)) is not None and (priced is None or lag < priced[0]):
                    priced = (lag, seed)
                if lag == timedelta(0):
                    break
            return priced

        # the rounds at the log's prices (review R26 F4): a seed under whose reference prices the platform takes them
        priced = least_late(True) if any(t != (None, None) for *_, t in lots) else None
        if priced is None:
            self.exact_starts = False
            if any(t != (None, None) for *_, t in lots):
                self.notes.append("没有种子使回放的参考价容得下日志中各轮的起拍价：各轮按缺省比例上拍（起拍价、保证金"
                                  "可能与日志不同）/ under no seed does the replay's reference price admit the log's "
                                  "starting prices: the rounds are listed at the default shares (their starting "
                                  "prices and deposits may differ from the log's)")
            priced = least_late(False)
        self.seed = 0 if priced is None or (priced[0] and late(0, self.exact_starts) is not None) else priced[1]
        if priced is not None and not priced[0]:
            if self.seed:
                self.notes.append(f"seed: {self.seed}：模拟询价平台在此种子下于原送达前答复（与日志一致），"
                                  "参考价不致使成交价低于起拍价 / under this seed the replay's pricing platform "
                                  "reports before the report was served, as in the log, at a price the logged sale "
                                  "price can bid")
        elif self.seed:
            self.notes.append(f"seed: {self.seed}：没有种子使模拟询价平台在原送达前答复；此种子下参考价不致使成交价低于"
                              "起拍价（种子 0 下则低于），答复最晚者迟送达最少：送达及其后步骤顺延 / no seed has the "
                              "replay's pricing answer before the report was served; under this seed the logged sale "
                              "price can bid (under seed 0 it cannot), its reports the least late: the serving and "
                              "the later steps move")
        else:
            self.notes.append("没有种子使模拟询价平台在原送达前答复：送达及其后步骤顺延 / no seed has the "
                              "replay's pricing answer before the report was served: it and the later steps move")

    def _released_by_closing(self, sent: dict[str, Any], released: dict[str, Any]) -> bool:
        inst = released.get("instance") or ""
        return any(x["kind"] == "closed" and _t(x["at"]) <= _t(sent["at"]) and any(
            r.get("asset") == inst for r in (x.get("data") or {}).get("release") or []) for x in self.events)

    def _released_by_transfer(self, released: dict[str, Any]) -> bool:
        inst = released.get("instance") or ""
        return self._is_lot(inst) and any(
            x["kind"] == "item_done" and x.get("node") == 30 and x.get("item") == "ruling" and x.get("instance") == inst
            and _t(x["at"]) <= _t(released["at"]) for x in self.events)

    def _in_kind(self, inst: str, before: datetime) -> bool:
        return any(x["kind"] == "exchange" and (x.get("data") or {}).get("measure") == "in_kind"
                   and _t(x["at"]) <= before for x in self.events) and any(
            x.get("instance") == inst and x["kind"] in ("satisfied_in_kind",) for x in self.events)

    def _is_lot(self, inst: str) -> bool:
        """An asset the disposal component works on: sealed at a registry, or frozen and disposed of (股权, 证券)."""
        return inst.split(":")[0] in _REGISTRY_KINDS or inst in self._disposed

    def _lot_after(self, i: int) -> str | None:
        """The asset a platform call was about: the first disposal event after it naming a recorded asset."""
        for x in self.events[i:]:
            inst = x.get("instance") or ""
            if inst in self.assets and self._is_lot(inst) and (x.get("node") in _DISPOSAL_NODES
                                                               or x["kind"] in _LOT_EVENTS):
                return inst
        lots = [a for a in self.assets if self._is_lot(a)]
        return lots[0] if len(lots) == 1 else None

    @property
    def same_deposits(self) -> bool:
        """Whether the replay's deposits are the log's: every round was listed at the log's price (its opening anchor
        has the round's terms, review R26 F4, and a seed admits them: ``exact_starts``), so a forfeited deposit — a
        share of its round's start — is the log's amount, its payouts and the closing's paid amount asserted as
        logged. An older log's are not (the replay's rounds start at shares of its own reference prices)."""
        return self.exact_starts and all((x.get("data") or {}).get("starting_price_cents") is not None
                                         for x in self.events if x["kind"] == "anchor"
                                         and (x.get("data") or {}).get("anchor") in _OPENINGS)

    def _opening(self, i: int, inst: str, anchor: str) -> dict[str, Any] | None:
        """The round's opening anchor after its call (event ``i``): the first ``anchor`` on ``inst`` (a re-auction's,
        ``reauction``, is its own call's)."""
        return next((x for x in self.events[i:] if x["kind"] == "anchor" and x.get("instance") == inst
                     and (x.get("data") or {}).get("anchor") == anchor and not x["data"].get("reauction")), None)

    def _scheduled(self, i: int, inst: str, anchor: str) -> datetime | None:
        x = self._opening(i, inst, anchor)
        return _t(x["data"]["at"]) if x is not None and x["data"].get("at") else None

    def _listed_terms(self, i: int, inst: str) -> tuple[int | None, int | None]:
        """The logged starting price of the first auction and the 变卖 price listed on ``inst`` on the reference price
        asked at event ``i`` (their anchors' terms; None where not logged — an older log — or not listed before the
        lot's price was asked again): what the replay's reference price must admit (``choose_seed``)."""
        start = sale = None
        for j in range(i + 1, len(self.events)):
            x = self.events[j]
            d = x.get("data") or {}
            if (x["kind"] == "exchange" and d.get("kind") == "sent" and d.get("agency") == "pricing_platform"
                    and d.get("attempt", 1) == 1 and self._lot_after(j) == inst):
                break  # priced again: the later rounds are listed on that price
            if x["kind"] != "anchor" or x.get("instance") != inst or d.get("starting_price_cents") is None:
                continue
            if d.get("anchor") == "auction_scheduled" and start is None:
                start = int(d["starting_price_cents"])
            elif d.get("anchor") == "sale_period_scheduled" and sale is None:
                sale = int(d["starting_price_cents"])
        return start, sale

    def _logged_start(self, args: dict[str, Any], opening: dict[str, Any] | None, key: str = "start") -> None:
        """The round listed at the log's price (review R26 F4): ``key`` (a listing's ``start``, a 变卖's ``price``) from
        its opening anchor's terms, so its deposit — forfeited on a 悔拍, reaching the case — is the log's; a first
        auction's deposit share (``deposit_pct``) as the log's where it was not the default 10%. Nothing where the
        log has no terms (an older log) or no seed admits them (``exact_starts``)."""
        d = (opening or {}).get("data") or {}
        if not self.exact_starts or d.get("starting_price_cents") is None:
            return
        start = int(d["starting_price_cents"])
        args[key] = _yuan(start)
        args.pop("start_pct", None)
        deposit = d.get("deposit_cents")
        if deposit is None or int(deposit) == -(-start * 10 // 100):
            return
        pct = next((p for p in range(1, 101) if -(-start * p // 100) == int(deposit)), None)
        if pct is not None and "platform" in args:  # only a first auction takes a deposit share
            args["deposit_pct"] = pct
        else:
            self.notes.append(f"{_when(_t(opening['at']))} 保证金 {_yuan(int(deposit))} 非起拍价的 10%，"
                              "回放按 10% 计 / the deposit is not 10% of the start: the replay's is")

    def _platform_call(self, i: int, e: dict[str, Any]) -> None:
        """A call to the pricing or auction platform made by the handler's act: 询价/评估, 上拍, 二拍, 以物抵债, 变卖
        (a repeated pricing by an upheld objection is its review's doing)."""
        d = e["data"]
        measure = str(d.get("measure", ""))
        if measure not in ("network_inquiry", "appraisal", "auction:first", "auction:second", "auction:sale",
                           "in_kind", "in_kind:refused", "auction:withdrawn", "auction:reauction"):
            return
        if measure == "auction:withdrawn" and self._withdrawn_by_system(i, e):
            return  # the platform's own withdrawal (at a closing): the replay's closing does it
        inst = self._lot_after(i)
        if inst is None:
            self.notes.append(f"{_when(_t(e['at']))} {d.get('agency')} {measure}：无法确定所涉财产，未回放 / "
                              "cannot tell which asset: not replayed")
            return
        asset = self.instance(inst)
        if measure in ("network_inquiry", "appraisal"):
            if any(x["kind"] == "node_done" and x.get("node") == 22 for x in self._same_instant(e)):
                return
            self.add(e, {"price": {"asset": asset, "method": measure}})
        elif measure == "auction:first":
            args: dict[str, Any] = {"asset": asset, "platform": d.get("agency", "taobao"), "start_pct": 70}
            self._logged_start(args, opening := self._opening(i, inst, "auction_scheduled"))
            if opening is not None and opening["data"].get("at"):
                args["starts"] = _when(_t(opening["data"]["at"]))
            self.add(e, {"list_auction": args})
        elif measure == "auction:second":
            args = {"asset": asset}
            if (starts := self._scheduled(i, inst, "second_auction_scheduled")) is not None:
                args["starts"] = _when(starts)
            self._logged_start(args, self._opening(i, inst, "second_auction_scheduled"))
            if "start" not in args and (taken := self._taken_in_kind_at(i, inst)) is not None:
                args["start"] = _yuan(taken)
            self.add(e, {"relist": args})
        elif measure == "auction:reauction":  # 重新拍卖 after a buyer's default: the replay's relist of the lot
            args = {"asset": asset}
            opening = next((x for x in self.events[i:] if x["kind"] == "anchor" and x.get("instance") == inst
                            and x["data"].get("anchor") in _OPENINGS and x["data"].get("reauction")), None)
            if opening is not None and opening["data"].get("at"):
                args["starts"] = _when(_t(opening["data"]["at"]))
            self.add(e, {"relist": args})
        elif measure == "auction:sale":
            args = {"asset": asset}
            if (starts := self._scheduled(i, inst, "sale_period_scheduled")) is not None:
                args["starts"] = _when(starts)
            sold = next((x for x in self.events[i:] if x["kind"] == "proceeds_arrived" and x.get("instance") == inst
                         and (x.get("data") or {}).get("source") == "sale"), None)
            if sold is not None:  # a 变卖 sells at its price: the log's
                args["price"] = _yuan(sold["data"]["amount_cents"])
            else:  # at the log's price, its deposit the log's
                self._logged_start(args, self._opening(i, inst, "sale_period_scheduled"), "price")
            self.add(e, {"start_sale": args})
        elif measure == "auction:withdrawn":  # 撤回拍卖 by hand (拍卖变卖规定 第二十条): the replay withdraws it then
            done = self._answer_index(i, d.get("request_no"))
            withdrawn = next((x for x in self.events[i if done is None else done:] if x["kind"] == "anchor"
                              and x.get("instance") == inst and x["data"].get("anchor") == "listing_withdrawn"), None)
            if withdrawn is None:  # the platform refused it, or its answer is not in the log: the round ran on
                self.notes.append(f"{_when(_t(e['at']))} 撤回拍卖（{asset}）未见撤回结果，未回放 / the withdrawal of "
                                  "the round shows no result in the log: not replayed")
                return
            self.add(e, {"withdraw_listing": asset})
            round_ = withdrawn["data"].get("round")  # asserted as the log's platform answered, at its instant
            self.add(withdrawn, {"expect_event": {"kind": "anchor", **self._inst(inst), "data": {
                "anchor": "listing_withdrawn", **({"round": round_} if round_ else {})}}})
        else:
            self.add(e, {"offer_in_kind": {"asset": asset, "accept": measure == "in_kind"}})

    def _taken_in_kind_at(self, i: int, inst: str) -> int | None:
        """The price the creditor took ``inst`` in kind at (node 29, asked after this round's 流拍: the failed round's
        start) when no other round of it was sent first: the second round is relisted at that start. The replay's
        pricing platform may fix another reference price, so its default start (80% of the first) put another value
        on the taking, another balance to pay out: a --seed 10 court-year's 执72号 took a car at 27,473.58 yuan, the
        replay at 22,235.23 yuan, and the logged surplus return was refused (CLAIM_OUTSTANDING)."""
        for j in range(i + 1, len(self.events)):
            x = self.events[j]
            d = x.get("data") or {}
            if (x["kind"] == "exchange" and d.get("kind") == "sent"
                    and str(d.get("measure", "")) in ("auction:first", "auction:second", "auction:sale")
                    and self._lot_after(j) == inst):
                return None
            if (x["kind"] == "anchor" and x.get("instance") == inst and d.get("anchor") == "sale_confirmed"
                    and d.get("in_kind_price_cents") and not d.get("by_agreement")):
                return int(d["in_kind_price_cents"])
        return None

    def _withdrawn_by_system(self, i: int, e: dict[str, Any]) -> bool:
        """Is the withdrawal of a round sent at event ``i`` the platform's own (not a ``withdraw_listing`` step)?
        The log names no actor; the platform withdraws a round only on a closed case, at the closing's instant
        (``Disposal._withdraw_at_closing``, every round whose bidding has not begun) or at the instant a round asked
        for before the closing is taken (``_listed``: withdrawn at once) or found by the closing's lookup of what the
        platform holds (``auction:lookup``, H39's ``_learn``) — a by-hand withdrawal is the handler's act,
        at an instant of its own, on an open case (执行和解, a stay) or a closed one. A retry of a withdrawal (the
        same request number sent again) is no new act."""
        d = e["data"]
        if d.get("request_no") and any(x["kind"] == "exchange" and (x.get("data") or {}).get("kind") == "sent"
                                       and x["data"].get("request_no") == d["request_no"] for x in self.events[:i]):
            return True
        at = _t(e["at"])
        if not any(x["kind"] == "closed" and _t(x["at"]) <= at for x in self.events):
            return False
        listings = ("auction:first", "auction:second", "auction:sale", "auction:lookup")  # taken: withdrawn at once
        return any(x["kind"] == "closed" or (x["kind"] == "exchange" and (x.get("data") or {}).get("kind") == "answer"
                                             and x["data"].get("measure") in listings)
                   for x in self._same_instant(e))

    def _lot_of_answer(self, i: int, e: dict[str, Any]) -> str | None:
        """The asset a platform's answer is about: its request's (the call with its request number, whose own
        events follow it) — the events after the answer may be another lot's, two listings ending at one instant
        (the second car unsold, then the first sold: the bid was replayed on the wrong one, or not at all)."""
        d = e.get("data") or {}
        sent = next((j for j in range(i - 1, -1, -1) if self.events[j]["kind"] == "exchange"
                     and (self.events[j].get("data") or {}).get("kind") == "sent"
                     and self.events[j]["data"].get("request_no") == d.get("request_no")
                     and self.events[j]["data"].get("agency") == d.get("agency")), None)
        return (self._lot_after(sent) if sent is not None and d.get("request_no") else None) or self._lot_after(i)

    def _sold(self, i: int, e: dict[str, Any]) -> None:
        """A listing sold: the replay's auction has no simulated bidders, so the buyer's bid is replayed — at the
        price paid, an hour after bidding opened (or a minute before the platform reported the sale)."""
        inst = self._lot_of_answer(i, e)
        if inst is None:
            return
        end = next((x for x in self.events[i + 1:] if x.get("instance") == inst and (
            (x["kind"] == "anchor" and (x.get("data") or {}).get("anchor") in ("buyer_defaulted", "sale_paid"))
            or x["kind"] == "proceeds_arrived")), None)
        if end is not None and end["kind"] == "anchor" and end["data"].get("anchor") == "buyer_defaulted":
            self._defaulted_bid(i, e, inst, end)  # 悔拍: a buyer who never pays (the next payment: a re-auction's)
            return
        paid = next((x for x in self.events[i:] if x.get("instance") == inst and (
            (x["kind"] == "anchor" and (x.get("data") or {}).get("anchor") == "sale_paid")
            or x["kind"] == "proceeds_arrived")), None)
        if paid is None:
            self.notes.append(f"{_when(_t(e['at']))} 成交价未记入日志，出价未回放 / the sale's price is not in the "
                              "log: no bid replayed")
            return
        price = paid["data"].get("price_cents") or paid["data"].get("amount_cents")
        opened, is_sale = self._opened(i, e, inst)  # the listing that sold: the last one opened before
        if is_sale or opened is None:  # a 变卖 sells to the first who pays
            at = _t(e["at"]) - timedelta(minutes=1)
            if opened is not None:  # within the sale period: a live answer polled after its end (a loaded loop) sold
                # within it (the replay's sale period is the default one, the recording setting none)
                at = min(at, opened + timedelta(days=SALE_PERIOD_DAYS, minutes=-1))
        else:
            at = opened + timedelta(hours=1)
        bid = {"asset": self.instance(inst), "bidder": "竞买人甲", "amount": _yuan(price)}
        arrived = next((x for x in self.events[i:] if x.get("instance") == inst and x["kind"] == "proceeds_arrived"
                        and (x.get("data") or {}).get("receipt")), None)
        if arrived is not None and arrived["data"]["receipt"] not in self.receipts:  # the proceeds named by the bid
            bid["as"] = self.receipts[arrived["data"]["receipt"]] = f"价款{len(self.receipts) + 1}"
        self.steps.append((at, {"bid": bid}))

    def _opened(self, i: int, e: dict[str, Any], inst: str) -> tuple[datetime | None, bool]:
        """The start of the listing a sold answer (event ``i``) is about — the last round opened on ``inst`` before
        it — and whether that round is a 变卖 (sold to the first who pays): the answer's measure ``auction:sale``,
        or a re-auction (``auction:reauction``) of a 变卖, its opening ``sale_period_scheduled`` (review R23: such a
        re-auction was replayed as an auction, bought an hour after its period opened — 执87号 bought 2025-10-02,
        defaulted 10-07, where the log's buyer bought on 12-01)."""
        opening = next((x for x in reversed(self.events[:i]) if x["kind"] == "anchor" and x.get("instance") == inst
                        and x["data"].get("anchor") in _OPENINGS and x["data"].get("at")), None)
        if opening is None:
            return None, e["data"].get("measure") == "auction:sale"
        return _t(opening["data"]["at"]), (e["data"].get("measure") == "auction:sale"
                                           or opening["data"]["anchor"] == "sale_period_scheduled")

    def _defaulted_bid(self, i: int, e: dict[str, Any], inst: str, defaulted: dict[str, Any]) -> None:
        """A listing sold to a buyer who then defaulted (悔拍, ``buyer_defaulted`` recorded after it): the bid is
        replayed by a bidder who never pays (``pays_balance: false``), so the replay's platform defaults at the same
        due date — at the least price (the log holds no price of a sale never paid: the default's record does not
        depend on it), under a name of its own (the buyer who defaulted may not bid at the re-auction); the default
        asserted when the log has it (``buyer_defaulted``)."""
        opened, is_sale = self._opened(i, e, inst)
        if is_sale or opened is None:
            at = _t(e["at"]) - timedelta(minutes=1)
            if opened is not None:
                at = min(at, opened + timedelta(days=SALE_PERIOD_DAYS, minutes=-1))
        else:
            at = opened + timedelta(hours=1)
        self.defaults += 1
        self.steps.append((at, {"bid": {"asset": self.instance(inst), "bidder": f"悔拍竞买人{self.defaults}",
                                        "pays_balance": False}}))
        # The default falls due the platform's balance term after the hammer (balance_due_days, counted as the log's
        # platform did: balance_count, the scenario's auction_platform), and the replay's hammer may come earlier
        # than the log's: a lone bid closes an auction at its scheduled end, where the log's
        # bidders extended it (执126号: 10:12:40 logged, 10:00 replayed), and the 变卖 buy is replayed a minute
        # before the answer that told it (执64号). So the default is expected up to a day before its logged instant
        # (review R23), not at it.
        logged = _t(defaulted["at"])
        count = balance_count(_t(e["at"]), logged)
        if count is not None:
            self.balance_counts.append(count)
        self.add(defaulted, {"expect_event": {"kind": "anchor", **self._inst(inst),
                                              "data": {"anchor": "buyer_defaulted"},
                                              "between": [_when(logged - timedelta(days=1)),
                                                          _when(logged + timedelta(seconds=1))]}})

    def _window(self, e: dict[str, Any], node: int | None, inst: str | None, item: str | None) -> dict[str, Any]:
        """When an outcome is expected: at its instant; in a live log, between its deadline (a timer fires exactly
        in the replay, late in a live run) or an hour before, and the instant it came."""
        at = _t(e["at"])
        if not self.is_live:
            return {"time": _when(at)}
        due = self._due(node, inst, at, item) if node is not None and inst is not None else None
        start = min(due, at) if due is not None else at - timedelta(hours=1)
        return {"between": [_when(start), _when(at + timedelta(seconds=1))]}

    def _manual_step(self, i: int, d: dict[str, Any]) -> int | None:
        """The index in ``steps`` of the handler's ``manual_query`` of ``d``'s agency that the request sent at event
        ``i`` answers (the last such step before it not yet given its request), or None."""
        agency = d.get("agency")
        taken = self.manual_sent.setdefault(agency, 0)
        found = [n for n, (_, step) in enumerate(self.steps)
                 if (step.get("manual_query") or {}).get("agency") == agency]
        if taken >= len(found):
            return None
        self.manual_sent[agency] = taken + 1
        return found[taken]

    def _last_step(self, sent: datetime, triggers: list[datetime] | None = None) -> datetime:
        """When the replay sends a request the system makes after a step (or a timer in ``triggers``): at the last of
        them at or before ``sent``, the live request's instant (a live run lags behind them)."""
        return max([t for t, _ in self.steps if t <= sent] + (triggers or []), default=sent)

    def _latency(self, i: int, e: dict[str, Any]) -> None:
        """The agencies answered as they did: each answer's delay after its request becomes the agency's fixed
        latency (an ``agencies`` step just before the request, only when it changes)."""
        d = e["data"]
        measure = str(d.get("measure", ""))
        category = ("query" if measure in ("inquiry", "sweep", "clue", "manual", "query") else
                    "deduct" if measure == "deduct" else "control" if measure in _CONTROL else None)
        if category is None:
            return
        sent = _t(e["at"])
        place = None  # where the latency step goes, when not at ``sent`` just before the request
        own = self._manual_step(i, d) if measure == "manual" else None
        if own is not None:  # the handler's own query (自行查询): the replay sends it at his step, the pin just before
            # it — a live run's gateway may send two such queries late and out of order (the registry's query of 07:39
            # at 09:20, after the vehicle registry's of 08:40): pinned at the last step before each send, the vehicle
            # registry's latency came after its query, answered at once in the replay, and its node 17 froze
            sent = self.steps[own][0]
        elif category == "query":  # sent by the system after a step (identity verified, a clue) or a sweep's timer;
            # the replay sends it at that instant, without a live run's lag
            trigger = [_t(x["at"]) for x in self.events[:i] if x["kind"] in ("inquiry_triggered", "sweep_due")]
            if d.get("agency") == "zdz" and d.get("measure") == "inquiry" and trigger:
                sent = max(trigger)  # the replay sends it at its trigger (a live run's lag between them is not kept)
            else:
                sent = self._last_step(sent, trigger)
            if measure == "sweep" and sent in trigger:  # a 终本 sweep its timer sends: the latency is set a minute
                # before, as the sweep's finds are pinned — at the timer's instant it came after the sweep went out
                place = sent - timedelta(minutes=1)
        elif measure == "transfer":  # the 过户 document: the replay's platform sends it at the ruling's step
            sent = self._last_step(sent)
        elif measure == "unfreeze":  # the registry's seal lifted after a transfer ruling: the replay's platform asks
            # at the ruling's step, or when the registry answers the 过户 document it sent then — without a live run's
            # lag either way (the seal outlived the closing that followed, 156/157 twice)
            released = self._result(i, e, ("freeze_released",))
            if released is not None and self._released_by_transfer(released):
                document = self._transfer_answer(i, d.get("agency"))
                if document is not None:  # its latency set a second before that answer, which sends the request
                    sent = _t(document["at"])
                    place = sent - timedelta(seconds=1)
                else:
                    sent = self._last_step(sent)
        scope = d.get("scope") if d.get("agency") == "zdz" else [d.get("agency")]
        answers: dict[str, datetime] = {}
        wanted = {"query": ("inquiry_answered", "inquiry_none_found", "inquiry_failed", "inquiry_unrecorded"),
                  "deduct": ("funds_arrived",), "control": ("funds_frozen", "freeze_queued", "freeze_released",
                                                            "freeze_renewed")}[category]
        if measure == "manual":  # a registry's answer: what it found (or its exchange's answer)
            answer = next((x for x in self.events[i:] if x["kind"] == "anchor" and (x.get("instance") or "").startswith(
                f"{d.get('agency')}:") and str((x.get("data") or {}).get("anchor", "")).startswith("property_found")),
                None) or self._answer_to(i, d.get("request_no"))
            if answer is not None:
                answers[d["agency"]] = _t(answer["at"])
        if measure == "transfer":  # the registry's answer to the 过户 document is its result (the seal's release
            # that follows is a request of its own)
            answer = self._answer_to(i, d.get("request_no"))
            if answer is not None:
                answers[d["agency"]] = _t(answer["at"])
        elif category != "query":  # one agency, one request: its own result
            result = self._result(i, e, wanted)
            if result is not None:
                answers[d["agency"]] = _t(result["at"])
        last = self._sweep_last_part(i, d) if measure == "sweep" else None
        for j, x in enumerate(self.events[i:] if measure != "manual" and category == "query" else [], start=i):
            xd = x.get("data") or {}
            if last is not None and x["kind"] == "anchor" and xd.get("anchor") == "property_found_after_zhongben":
                # a 终本 sweep's find: its agency answered then — the sweep's answers come in parts naming none, and
                # no inquiry_answered is written; without it the agency kept an earlier latency and the replay's
                # sweep found the deposit days later than the log's, after its freeze (PLATFORM_REFUSED)
                code = (x.get("instance") or "").split(":")[-1]
                if j <= last and x.get("case_id") == e.get("case_id") and code in (scope or []) and code not in answers:
                    answers[code] = _t(x["at"])
                continue
            if x["kind"] not in wanted:
                continue
            codes = xd.get("agencies") if isinstance(xd.get("agencies"), list) else [
                xd.get("agency") or (x.get("instance") or "").split(":")[0]]
            for code in codes:
                if code in (scope or []) and code not in answers:
                    answers[code] = _t(x["at"])
            if len(answers) == len(scope or []):
                break
        if category == "query" and len(scope or []) == 1 and not answers and d.get("request_no"):
            # one agency (a clue through 总对总): its answer, when no finding names it, is the exchange's answer
            answer = self._answer_to(i, d["request_no"])
            if answer is not None:
                answers[scope[0]] = _t(answer["at"])
        change = {}
        for code, at in answers.items():
            seconds = int((at - sent).total_seconds())
            now = self.latency.setdefault(code, {"query": 0, "control": 0, "deduct": 0})
            if now[category] != seconds:
                now[category] = seconds
                change[code] = {"latency": {c: {"dist": "fixed", "min_seconds": v} for c, v in now.items()}}
        if change and own is not None:
            self.steps.insert(own, (sent, {"agencies": change}))  # right before the handler's query step
        elif change:
            # just before its own request (appended next): two requests to one agency at one instant, answered after
            # different delays, each get theirs — placed before the whole instant, the later override replaced the
            # earlier before either request was sent
            self.steps.append((sent, {"agencies": change, "_before": "next"}) if place is None
                              else (place, {"agencies": change}))

    def _sweep_last_part(self, i: int, d: dict[str, Any]) -> int:
        """Where a 终本 sweep (sent at event ``i``) ends in the log: its last answer (nothing outstanding), or the log's
        end — its finds come before."""
        return next((j for j in range(i + 1, len(self.events)) if self.events[j]["kind"] == "exchange"
                     and (self.events[j].get("data") or {}).get("request_no") == d.get("request_no")
                     and self.events[j]["data"].get("kind") == "answer"
                     and self.events[j]["data"].get("outstanding") == 0), len(self.events))

    def _answer_index(self, i: int, request_no: str | None) -> int | None:
        """Where the exchange answering request ``request_no`` (sent at event ``i``) is in the log."""
        if not request_no:
            return None
        return next((j for j in range(i + 1, len(self.events)) if self.events[j]["kind"] == "exchange"
                     and (self.events[j].get("data") or {}).get("request_no") == request_no
                     and self.events[j]["data"].get("kind") == "answer"), None)

    def _answer_to(self, i: int, request_no: str | None) -> dict[str, Any] | None:
        """The exchange answering request ``request_no`` (sent at event ``i``)."""
        j = self._answer_index(i, request_no)
        return None if j is None else self.events[j]

    def _transfer_answer(self, i: int, agency: str | None) -> dict[str, Any] | None:
        """The registry's answer to the last 过户 document sent to ``agency`` before event ``i`` (the release that
        follows it is asked when it comes)."""
        for x in reversed(self.events[:i]):
            xd = x.get("data") or {}
            if x["kind"] == "exchange" and xd.get("measure") == "transfer" and xd.get("agency") == agency:
                return x if xd.get("kind") == "answer" else None
        return None

    def _result(self, i: int, e: dict[str, Any], wanted: tuple[str, ...]) -> dict[str, Any] | None:
        """What came of a request sent to one agency: the first result event of its agency after the answer to the
        same request number (retries reuse it), else the first after the request."""
        d = e["data"]
        agency, request_no = d.get("agency"), d.get("request_no")

        def of_agency(x: dict[str, Any]) -> bool:
            return x["kind"] in wanted and (x.get("data") or {}).get(
                "agency", (x.get("instance") or "").split(":")[0]) == agency

        start = self._answer_index(i, request_no)
        return next((x for x in self.events[i if start is None else start:] if of_agency(x)), None)

    def _inst(self, inst: str, e: dict[str, Any] | None = None) -> dict[str, str]:
        """``instance:`` naming ``inst``; an event of a later report's node (``<asset>#2``: ``_report_asset``) asserted
        as it came: ``房产#2`` (a node freeze on the second report is not the first's)."""
        return {"instance": self.instance(inst) + str((e or {}).get("round", ""))} if inst else {}

    def _node(self, node: int, inst: str, by: str | None = None, e: dict[str, Any] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"node": node, **self._inst(inst, e)}
        if by:
            out["by"] = by
        return out

    def _item_by_other(self, e: dict[str, Any]) -> bool:
        """An item done by the node's start or completion or by the system at the same instant."""
        key = (e.get("node"), e.get("instance") or "")
        for x in self._same_instant(e):
            if x["kind"] in ("node_started", "node_done") and (x.get("node"), x.get("instance") or "") == key:
                return True
        return self._by_system(e, e.get("node"))

    def _measure(self, i: int, e: dict[str, Any]) -> None:
        """A freeze, deduction or release sent to an agency: its asset and amount from the answer that followed."""
        d = e["data"]
        agency, measure = d["agency"], d["measure"]
        wanted = {"freeze": ("funds_frozen", "freeze_queued"), "deduct": ("funds_arrived",),
                  "unfreeze": ("freeze_released",), "seal": ("funds_frozen", "freeze_queued")}[measure]
        after = self._result(i, e, wanted)
        if after is None:
            self.notes.append(f"{_when(_t(e['at']))} {agency} {measure}：日志中没有结果，未回放 / "
                              "no result in the log, not replayed")
            return
        asset = self.instance(after.get("instance"))
        xd = after.get("data") or {}
        if measure == "seal":
            self.add(e, {"seal": asset}, after)
        elif measure == "unfreeze" and (self._released_by_transfer(after) or self._released_by_closing(e, after)):
            return  # the registry's seal lifted by the transfer, or a release of the closing (the system's doing)
        elif measure == "freeze":
            self.add(e, {"freeze": {"asset": asset, "amount": _yuan(xd.get('amount_cents', 0))}}, after)
        elif measure == "deduct":
            receipt = xd.get("receipt")
            name = f"到账{len(self.receipts) + 1}"
            if receipt:
                self.receipts[receipt] = name
            self.add(e, {"deduct": {"asset": asset, "amount": _yuan(xd.get('amount_cents', 0)), "as": name}},
                     after)
        else:
            self.add(e, {"release": asset})


def balance_count(hammer: datetime, defaulted: datetime) -> str | None:
    """How the platform that logged a default (悔拍) at ``defaulted`` counted the balance term of a round won at
    ``hammer`` (the sold answer's instant: a simulated log's hammer): ``cpl`` (民事诉讼法 第八十五条, the default since
    H71), ``hours`` (the hammer's instant 5 × 24 hours later: the platform before H71), ``natural`` — or None when no
    count gives that instant (a live log's answer polled after the hammer)."""
    from mock_agencies.auction import BALANCE_DUE_SOURCE, AuctionRules, Policy
    from mock_agencies.platform_periods import LegalPeriod

    days = AuctionRules().balance_due_days
    if LegalPeriod(f"{days}d", Policy.CPL, BALANCE_DUE_SOURCE).end(hammer) == defaulted:
        return "cpl"
    if hammer + timedelta(days=days) == defaulted:
        return "hours"
    if LegalPeriod(f"{days}d", Policy.NATURAL, BALANCE_DUE_SOURCE).end(hammer) == defaulted:
        return "natural"
    return None


def _platform(r: _Recorder) -> dict[str, Any] | None:
    """The scenario's ``auction_platform`` when the log's defaults say its balance term was counted otherwise than
    the default (all of them one way), with a note saying why; None otherwise."""
    counts = set(r.balance_counts)
    said = "、".join(sorted(counts))
    if len(counts) > 1:
        r.notes.append(f"日志中的悔拍期限计算不一（{said}）：按默认 cpl 回放 / the log's defaults count the "
                       f"balance term differently ({', '.join(sorted(counts))}): replayed on the default, cpl")
        return None
    if not counts or counts == {"cpl"}:
        return None
    (count,) = counts
    zh, en = (("成交时刻起 5 × 24 小时，H71 之前的平台", "the hammer's instant 5 × 24 hours later, the platform "
               "before H71") if count == "hours" else ("第 5 日 24 时，不顺延", "the 5th day's 24:00, not moved"))
    r.notes.append(f"日志中的悔拍在成交后 5 日按 {count} 计算的时刻（{zh}），而非民事诉讼法第八十五条的期限："
                   f"回放平台同样计算（auction_platform.balance_due_count: {count}）/ the log's defaults fell when "
                   f"the balance term counted as {count} ends ({en}), not by 民事诉讼法 第八十五条: the replay's "
                   f"platform counts so (auction_platform.balance_due_count: {count})")
    return {"balance_due_count": count}


def _root(events: list[dict[str, Any]], case: str) -> str:
    """The case a 恢复执行 chain starts from (``case`` itself unless it was filed from a case in the log)."""
    seen = {case}
    while True:
        filed = next((e for e in events if e["case_id"] == case and e["kind"] == "filed"), None)
        prev = ((filed or {}).get("data") or {}).get("previous_case")
        if not prev or prev in seen or not any(e["case_id"] == prev and e["kind"] == "filed" for e in events):
            return case
        seen.add(prev)
        case = prev


def _resumed(events: list[dict[str, Any]], case: str) -> str | None:
    new = next(((e.get("data") or {}).get("new_case") for e in events
                if e["case_id"] == case and e["kind"] == "resumption_filed"), None)
    return new if new and any(e["case_id"] == new and e["kind"] == "filed" for e in events) else None


def _live_log(events: list[dict[str, Any]]) -> bool:
    """The whole log is live when a timer's event comes after later commands anywhere in it (a case may show no
    late timer of its own); a virtual-time log is in time order. The run's start-state cases are passed over: their
    entry writes the timers that ran out before the run at their own, earlier instants (``deadline_missed`` of a case
    filed months before), which is no late timer."""
    latest = None
    carried = {e["case_id"] for e in events if e["kind"] == "filed" and start_state_entry([e], e["case_id"])}
    for e in events:
        if e["case_id"] in carried:
            continue
        at = _t(e["at"])
        if latest is not None and latest - at > timedelta(minutes=1):
            return True
        latest = max(latest or at, at)
    return False


_CLAIM_NOTE = ("申请标的未记入事件日志：amount 取各案（连同其恢复执行案件）结案时申请执行人已受偿的金额，"
               "以终本结案的另加 1 元（终本案件的标的未全部受偿；可改）/ the claim is not in the event log: amount is "
               "what the applicant got by the closings (with the resumed cases'), plus 1 yuan where the last closed "
               "by 终本 (its claim is not satisfied in full; edit it if you know it)")


def _got(events: list[dict[str, Any]]) -> tuple[int, int, str | None]:
    """What a case's applicant got by its closing (paid, less a surplus returned to the debtor, plus what was taken
    in kind), what was deducted, and the closing manner."""
    closed = next((e for e in events if e["kind"] == "closed"), None)
    money = (closed or {}).get("data", {}).get("money", {})
    returned = sum(int((e.get("data") or {}).get("amount_cents") or 0) for e in events
                   if e["kind"] == "paid_out" and (e.get("data") or {}).get("surplus"))
    in_kind = sum(int((e.get("data") or {}).get("credited_cents") or 0) for e in events
                  if e["kind"] == "satisfied_in_kind")
    return (money.get("paid_cents", 0) - returned + in_kind, money.get("deducted_cents", 0),
            (closed or {}).get("data", {}).get("manner"))


def _chain(events: list[dict[str, Any]], case: str, live: bool = False) -> tuple[_Recorder, dict[str, Any]]:
    """The recorder of ``case`` with the steps of its 恢复执行 cases (``approve_resumption: {as: 恢复案}``, then their
    steps with ``case: 恢复案``; a second resumption ``恢复案2``…), and the case's spec."""
    r = _Recorder(pick_case(events, case))
    spec = r.case()
    recorders, current = [r], case
    numbers = CaseNumbers()  # the replay's court numbers its 执恢 cases as the platform does (the log's: others' too)
    numbers.taken(case)
    while (new := _resumed(events, current)) is not None and len(recorders) < 9:
        alias = "恢复案" if len(recorders) == 1 else f"恢复案{len(recorders)}"
        recorders[-1].resumed_alias = alias
        sub = _Recorder(pick_case(events, new))
        sub.debtors, sub.assets, sub.receipts, sub.latency, sub.notes = (r.debtors, r.assets, r.receipts, r.latency,
                                                                         r.notes)
        sub.fee, sub.fee_resumed, sub.fee_at_escrow = r.fee, r.fee_resumed, r.fee_at_escrow
        sub.balance_counts = r.balance_counts
        sub.replay_ids = r.replay_ids  # one replay world: a lot the resumed case disposes of is priced as the root's
        sub.replay_order = r.replay_order
        r.controls.extend(sub.controls)
        sub.controls = r.controls
        sub.alias = alias
        if (m := CASE_NUMBER.match(new)) is not None and m["mark"] == "恢":
            sub.replay_case = numbers.resumed(current, int(m["year"]))
        recorders.append(sub)
        r.notes.append(f"恢复执行案件 {new} 的步骤一并回放（case: {alias}）/ the resumed case's steps are replayed too")
        current = new
    if r.claim_unknown and len(recorders) > 1:  # the claim covers what every case of the chain got
        got = [_got(rec.events) for rec in recorders]  # more, unless the last ended 执行完毕 (终本, or still open)
        spec["amount"] = _yuan(sum(g[0] for g in got) + (0 if got[-1][2] == "completed" else 100))
    for sub in recorders[1:]:
        filed = _t(next(e for e in sub.events if e["kind"] == "filed")["at"])
        sub._holdings({"debtors": [{"as": a, "holdings": []} for a in r.debtors.values()]}, pin_at=filed)
    r.choose_seed(recorders[1:])  # one scenario seed: the replay's pricing platform answers the resumed cases too
    for sub in recorders[1:]:
        sub.seed, sub.exact_starts = r.seed, r.exact_starts
    for rec in recorders:
        rec.is_live = rec.is_live or live
        rec.walk()
        if rec.is_live:
            rec.tolerate()
    for rec, sub in zip(recorders, recorders[1:], strict=False):
        rec.file_when_filed(sub)
    for rec in recorders:
        rec.apply_shift()
    if r.is_live:
        r.notes.append("实时日志（定时器迟于期限触发）：节点冻结与督办以时间窗口断言（自期限至原时刻），回放中定时器准时触发；"
                       "原运行中命令与定时器的先后未必能重现，回放失败时指明与原日志不同的一步 / "
                       "a live log (its timers fired late): node freezes and 督办 are asserted within a window "
                       "(from the deadline to the logged instant), the replay's timers fire on time; the order of "
                       "commands and timers of the live run may not be reproducible: a failing replay names the step "
                       "that differs")
    for sub in recorders[1:]:
        for at, step in sub.steps:
            if not {"pin", "agencies"} & set(step):
                step = {"case": sub.alias, **step}
            r.steps.append((at, step))
    return r, spec


def differences(data: Any, base: Any) -> Any:
    """What ``data`` sets differently from ``base`` as overrides merged over it (``process_options.merge``): mappings
    key by key, anything else (a list, a number…) whole where it differs; None where nothing differs."""
    if isinstance(data, dict) and isinstance(base, dict):
        out = {}
        for key, value in data.items():
            if key not in base:
                out[key] = value
            elif (sub := differences(value, base[key])) is not None:
                out[key] = sub
        return out or None
    return None if data == base else data


def _paths(overrides: Any, prefix: str = "") -> list[str]:
    """The dotted keys ``overrides`` set (``fees.application_fee.enabled``; a list or value: its key)."""
    if isinstance(overrides, dict) and overrides:
        return [p for key, value in overrides.items() for p in _paths(value, f"{prefix}{key}.")]
    return [prefix.rstrip(".")] if prefix else []


def _file_options(base: BaseProcess, notes: list[str]) -> dict[str, Any] | None:
    """The scenario's ``process:`` for a log of a court running ``base`` (``--process FILE``): what the file sets
    differently from the bundled process. Said in the notes; a file the overrides cannot reproduce (a key it leaves
    out that the bundled process sets: overrides never remove one) is said too, never silent."""
    shipped = bundled()
    found = differences(base.data, shipped.data)
    keys = ", ".join(_paths(found)) if found else ""
    if found is None:
        notes.append(f"流程文件 {base.source} 未设置与内置流程不同的值：场景不写 process: / "
                     f"the process file {base.source} sets no value differently from the bundled process: the "
                     "scenario has no process:")
    else:
        notes.append(f"场景的 process: 取自流程文件 {base.source} 与内置流程不同之处（{keys}）/ "
                     f"the scenario's process: is what the process file {base.source} sets differently from the "
                     f"bundled process ({keys})")
    try:
        same = shipped.with_overrides(found) == base.process
    except InvalidOverrides:
        same = False
    if not same:
        notes.append(f"⚠ 流程文件 {base.source} 省略了内置流程设置的键，无法以 process: 覆盖完全重现，"
                     "回放按内置流程取这些键 / "
                     f"the process file {base.source} leaves out keys the bundled process sets: process: overrides "
                     "cannot reproduce it exactly, and the replay takes those keys from the bundled process")
    return found


def record(events: list[dict[str, Any]], case: str, source: str = "", base: BaseProcess | None = None) -> str:
    """The scenario file (YAML text, with its comment) replaying ``case`` of ``events`` and asserting its outcomes;
    a 恢复执行 case is recorded from the case it was filed from, its own steps after ``case: 恢复案``. ``base``: the
    process the log's court ran (``--process FILE``; None: the bundled one, fee options read from the log)."""
    if base is not None and not base.bundled:
        with names_of(base.process):  # the operations and names of the log's court
            return _record(events, case, source, base)
    return _record(events, case, source, None)


class StartStateCase(UserError):
    """A case the run took from its start state (``sim.start_state``: filed before the run, entered at a node or
    closed by 终本 before it): its earlier history is not in the log, and a scenario cannot set a case up as the start
    state did (its ``case:`` is filed at ``filed``, the clock starting there; no case entered at a node after its
    filing, no closing entered after the fact) — refused, never recorded wrong."""


def start_state_entry(events: list[dict[str, Any]], case: str) -> tuple[datetime, datetime, datetime | None] | None:
    """When ``case`` was filed, when the log entered it, and when it closed by 终本 before the run (or None) — for a
    case of the run's start state: its ``filed`` event carries a filing date (``filed_at``) earlier than the event
    itself; None for a case filed in the log's run (a live filing: ``filed_at`` is the event's instant)."""
    filed = next((e for e in events if e["case_id"] == case and e["kind"] == "filed"), None)
    when = ((filed or {}).get("data") or {}).get("filed_at")
    if filed is None or not isinstance(when, str):
        return None
    try:
        at, filed_at = _t(filed["at"]), _t(when)
    except (TypeError, ValueError):
        return None
    if filed_at >= at - timedelta(minutes=1):
        return None
    closed = next((e for e in events if e["case_id"] == case and e["kind"] == "closed"
                   and (e.get("data") or {}).get("closed_at")), None)
    closed_at = _t(closed["data"]["closed_at"]) if closed is not None else None
    return filed_at, at, closed_at if closed_at is not None and closed_at < at else None


def _refuse_start_state(events: list[dict[str, Any]], case: str, root: str) -> None:
    entry = start_state_entry(events, root)
    if entry is None:
        return
    filed_at, at, closed_at = entry
    via_zh = "" if root == case else f"（其原案 {root} 来自起始状态）"
    via_en = "" if root == case else f" (through the case it was resumed from, {root})"
    how_zh = f"，终本结案于 {closed_at:%Y-%m-%d}" if closed_at else ""
    how_en = f", closed by 终本 on {closed_at:%Y-%m-%d}" if closed_at else ""
    raise StartStateCase(
        f"案件 {case} 来自本次运行的起始状态{via_zh}：立案于 {filed_at:%Y-%m-%d}{how_zh}，运行开始时"
        f"（{at:%Y-%m-%d %H:%M}）录入；此前的办理经过不在日志中，场景无法如起始状态那样设置案件"
        "（case: 自 filed 立案、时钟由此开始，无在某节点录入或事后录入的结案），不予录制",
        f"the case {case} came from the run's start state{via_en}: filed on {filed_at:%Y-%m-%d}{how_en}, entered "
        f"when the run began ({at:%Y-%m-%d %H:%M}); its earlier history is not in the log, and a scenario cannot set "
        "a case up as the start state did (case: is filed at filed, the clock starting there; no case entered at a "
        "node, no closing entered after the fact): not recorded", where="--case", code="start_state_case")


def _record(events: list[dict[str, Any]], case: str, source: str, base: BaseProcess | None) -> str:
    pick_case(events, case)
    _refuse_start_state(events, case, _root(events, case))
    try:
        root = _root(events, case)
        r, spec = _chain(events, root, live=_live_log(events))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:  # a log edited by hand, or cut short
        raise UserError(f"案件 {case} 的事件不完整或不一致，无法录制（日志是否经过手工修改或被截断？）",
                        f"the events of {case} are incomplete or inconsistent and cannot be recorded (was the log "
                        f"edited by hand or cut short?): {type(err).__name__}: {err}", where="--events",
                        code="bad_event_log") from None
    if root != case:
        r.notes.insert(0, f"{case} 为恢复执行案件：自原案 {root} 起录制，其步骤以 case: 恢复案 标明 / a resumed case: "
                          f"recorded from {root}, its own steps marked case: 恢复案")
    r.steps[:] = [s for _, s in sorted(enumerate(r.steps), key=lambda js: _order(r.steps, *js))]
    steps: list[dict[str, Any]] = []
    last: datetime | None = None
    for at, step in r.steps:
        step = {k: v for k, v in step.items() if k != "_before"}
        entry = ({"at": _when(at)} if at != last else {}) | step
        last = at
        steps.append(entry)
    if not steps:
        steps.append({"expect_case": {"closed": False}})
    process = r.fee_options() if base is None else _file_options(base, r.notes)
    platform = _platform(r)
    if process is not None and base is None:
        shown = {k: v for k, v in process["fees"]["application_fee"].items() if k != "enabled"}
        said = "、".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in shown.items())
        r.notes.append("日志中的法院收取执行申请费（process.yaml fees，内置流程中关闭）：场景以 process: 开启"
                       + (f"，并写入日志可见的设置 {said}" if said else "")
                       + "；日志未载明的（分段、计收依据等）按内置流程 / "
                       "the log's court charged the application fee (off in the bundled process): the scenario's "
                       "process: switches it on" + (f" with what the log shows ({', '.join(said.split('、'))})"
                                                    if said else "") + "; what it does not show (the tiers, the "
                       "basis…) stays the bundled process's")
    doc = {"name": f"录制：{case}", "description": f"由事件日志录制 / recorded from the event log {source}".strip(),
           "tags": ["recorded"], **({"seed": r.seed} if r.seed else {}), **({"process": process} if process else {}),
           **({"auction_platform": platform} if platform else {}), "case": spec, "steps": steps}
    head = ["# 由 `zhixing scenarios record` 从事件日志录制 / recorded by `zhixing scenarios record` from an event log",
            f"# 来源 source: {source or '—'}；案件 case: {case}"]
    head += [f"# - {n}" for n in dict.fromkeys(r.notes)]  # each once (a resumed case shares them)
    body = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None)
    return "\n".join(head) + "\n" + body


def record_file(events_path: str | Path, case: str, out: str | Path | None = None,
                process_file: str | Path | None = None) -> str:
    """``process_file``: the process file the log's court ran (``--process``), checked before the log is read."""
    base = load_base(process_file) if process_file is not None else None
    text = record(read_log(events_path), case, str(events_path), base)
    if out is not None:
        Path(out).write_text(text, encoding="utf-8")
    return text
