"""The closing gates: every condition a case must meet before it may close by 终本, and before it may close in a
manner that releases the controls (执行完毕, 终结, 销案, 不予执行, 驳回申请).

Conditions are data (``zhongben_gate`` and ``release_gate`` in the process file; sources in LAW.md: 《关于严格规范
终结本次执行程序的规定（试行）》(2016) and seed node 36; the release gate's in process.yaml). A gate lists every unmet
condition, not just the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core_flow.engine.state import CaseState, NodeState, NodeStatus
from core_flow.legal_calendar import LegalCalendar, Period, Unit, to_cst
from core_flow.model import ClosingManner, GateCondition, Per, Process


def _node_done(state: CaseState, no: int) -> bool:
    # A per-case node, or any instance of a per-instance node, marked done.
    return any(ns.status == NodeStatus.DONE for (n, _), ns in state.nodes.items() if n == no)


@dataclass(frozen=True, slots=True)
class OpenDisposal:
    """An asset the case still holds whose disposal (or 划拨) is under way: the nodes with work open on it, and the
    money frozen on it not yet deducted (0: none, or not money)."""

    asset: str
    nodes: tuple[int, ...]  # the nodes with work open on it
    frozen_cents: int = 0
    unended: bool = False  # in the disposal, and no node that ends it (transfer, 变卖) done yet


def _work_open(ns: NodeState) -> bool:
    """Started (or warned, frozen) and not done, or a deadline running on it. A node whose only deadline was
    withdrawn (``ends_on``: the second auction after the creditor took the property in kind) has none."""
    if ns.status == NodeStatus.DONE:
        return False
    return ns.status != NodeStatus.NOT_STARTED or any(not st.done for st in ns.items.values())


def open_disposals(process: Process, state: CaseState, now: datetime, cond: GateCondition) -> list[OpenDisposal]:
    """Property found and still being disposed of or deducted (终本规定 第一条第（三）项: 终本 only when nothing
    disposable was found, or what was found cannot be disposed of). Per asset, from the engine's state, with the
    nodes of ``cond`` (process.yaml ``zhongben_gate``: ``disposal_nodes`` the disposal 19–30 and the 划拨 31,
    ``disposal_ends`` 28 and 30):

    * a per-asset node in ``disposal_nodes`` with work open on the asset (started, or a deadline running, and not
      done) — sealed and waiting for its investigation or price, the price being fixed, a second auction, 以物抵债 or
      变卖 pending, the ruling or the hand-over not done, a freeze of money not yet 划拨'd;
    * an asset that entered the disposal (a node in the range other than the 划拨 started for it) and none of
      ``disposal_ends`` done for it — listed and waiting for the bidding, when no node has work open: the disposal
      ends with the transfer (sold, or taken in kind: node 30) or with the 变卖 (node 28: sold, or ended unsold after
      two 流拍 and the creditor's refusal in kind — the property "不能处置", 终本规定 第四条);
    * money frozen on an asset the 划拨 started for, and not deducted (a 划拨 of part of it).

    An asset no longer held ends its disposal whatever its nodes say: its measure released (a seal released after
    the last 变卖 failed: 拍卖变卖规定; a freeze released), lapsed (not renewed by its end: 查封扣押冻结规定 第二十七条,
    LAW.md) or handed over to the 恢复执行 case. A sealed asset whose disposal ended unsold stays sealed after 终本
    (seed 004 终本案件 第6项: the measures taken continue) and does not hold it up. Not counted: property found but
    not controlled yet (node 17 — its own 48 h / 10 days freeze the node when missed, and a frozen node holds up every
    报结), and a 轮候 (queued) measure that controls nothing yet (no money frozen, no disposal node started: the court
    of the first measure disposes of the property).
    """
    assert cond.disposal_nodes is not None
    first, last = cond.disposal_nodes
    per_asset = {n.no for n in process.nodes if first <= n.no <= last and n.per == Per.ASSET}
    deduction = process.roles.deduction
    found: dict[str, set[int]] = {}
    entered: set[str] = set()  # assets with a disposal node (not the 划拨) started or armed
    ended: set[str] = set()  # assets with one of disposal_ends done
    for (no, instance), ns in state.nodes.items():
        if no not in per_asset or not instance:
            continue
        # a round of the asset's (``<asset>#n``: a later price report, nodes 21–22, or a later auction round's notice,
        # node 24 — core_flow.platform.disposal ``report_instance``, ``notice_instance``) is the asset's: its
        # disposal ends with the asset's (H71: a second auction's notice held a 终本 for good, "处置尚未终结")
        instance = instance.split("#", 1)[0]
        if _work_open(ns):
            found.setdefault(instance, set()).add(no)
        if no != deduction and (ns.status != NodeStatus.NOT_STARTED or ns.items):
            entered.add(instance)
        if no in cond.disposal_ends and ns.status == NodeStatus.DONE:
            ended.add(instance)
    if cond.disposal_ends:
        for key in entered - ended:
            found.setdefault(key, set())
    frozen: dict[str, int] = {}
    if first <= deduction <= last:
        for key, asset in state.assets.items():
            left = asset.frozen_cents - asset.deducted_cents
            if left > 0 and state.node(deduction, key) is not None:  # money the 划拨 takes, some of it not taken
                frozen[key] = left
                found.setdefault(key, set())
    result = []
    for key in sorted(found):
        asset = state.assets.get(key)
        if asset is not None and (not asset.active or (asset.expires_at is not None
                                                       and to_cst(asset.expires_at) <= to_cst(now))):
            continue  # released, handed over or lapsed: no longer the case's to dispose of
        result.append(OpenDisposal(key, tuple(sorted(found[key])), frozen.get(key, 0),
                                   key in entered and key not in ended))
    return result


def _disposal_text(process: Process, cond: GateCondition, open_: list[OpenDisposal]) -> GateCondition:
    """The condition with its text naming each asset, its open nodes and the money frozen on it."""
    zh, en = [], []
    for d in open_:
        parts_zh = [f"节点{no}{process.by_no[no].name}" for no in d.nodes]
        parts_en = [f"node {no} {process.by_no[no].en}" for no in d.nodes]
        if d.frozen_cents and process.roles.deduction not in d.nodes:
            parts_zh.append(f"冻结款 {d.frozen_cents} 分未扣划")
            parts_en.append(f"{d.frozen_cents} cents frozen not deducted")
        if d.unended and not d.nodes:
            ends_zh = "、".join(f"节点{no}{process.by_no[no].name}" for no in cond.disposal_ends)
            ends_en = ", ".join(f"node {no} {process.by_no[no].en}" for no in cond.disposal_ends)
            parts_zh.append(f"处置尚未终结：{ends_zh}均未完成")
            parts_en.append(f"disposal not ended: none of {ends_en} done")
        zh.append(f"{d.asset}（{'、'.join(parts_zh)}）")
        en.append(f"{d.asset} ({', '.join(parts_en)})")
    return cond.model_copy(update={"zh": f"{cond.zh}：{'；'.join(zh)}", "en": f"{cond.en}: {'; '.join(en)}"})


@dataclass(frozen=True, slots=True)
class UnfinishedSale:
    """An asset sold (at auction, by 变卖) or taken in kind whose disposal is not over: the sale nodes left on it."""

    asset: str
    nodes: tuple[int, ...]


def unfinished_sales(process: Process, state: CaseState, cond: GateCondition) -> list[UnfinishedSale]:
    """Property sold, or taken in kind, whose ruling and transfer are not done (process.yaml ``release_gate``
    ``sale_nodes``: 27, armed by ``sale_paid`` — the price paid in full; 30, armed by ``sale_confirmed`` — the sale
    confirmed, or the property taken in kind; ``sale_ends``: 30). Per asset, from the engine's state: one of
    ``sale_nodes`` started or armed for it makes it sold; it is unfinished while one of them has work open on it
    (started, or a deadline running, and not done) or none of ``sale_ends`` is done for it. The nodes left: those with
    work open and the ends not done.

    Not counted: a lot merely sealed, priced or listed (no sale node armed: a closing withdraws its rounds not begun
    and releases the seal), and a measure handed over to the 恢复执行 case (``moved_to``: the disposal continues
    there). A seal the registry ended with the 过户 (released) still counts until node 30 is done: the hand-over is
    owed whatever became of the seal."""
    nodes = set(cond.sale_nodes)
    sold: set[str] = set()
    open_: dict[str, set[int]] = {}
    ended: set[str] = set()
    for (no, instance), ns in state.nodes.items():
        if no not in nodes or not instance:
            continue
        if ns.status != NodeStatus.NOT_STARTED or ns.items:
            sold.add(instance)
        if _work_open(ns):
            open_.setdefault(instance, set()).add(no)
        if no in cond.sale_ends and ns.status == NodeStatus.DONE:
            ended.add(instance)
    result = []
    for key in sorted(sold):
        asset = state.assets.get(key)
        if asset is not None and asset.moved_to:
            continue
        left = set(open_.get(key, ()))
        if cond.sale_ends and key not in ended:
            left |= set(cond.sale_ends)
        if left:
            result.append(UnfinishedSale(key, tuple(sorted(left))))
    return result


def _sale_text(process: Process, cond: GateCondition, sales: list[UnfinishedSale]) -> GateCondition:
    """The condition with its text naming each asset and the sale nodes left on it."""
    zh = [f"{s.asset}（" + "、".join(f"节点{no}{process.by_no[no].name}" for no in s.nodes) + "未完成）" for s in sales]
    en = [f"{s.asset} (" + ", ".join(f"node {no} {process.by_no[no].en}" for no in s.nodes) + " not done)"
          for s in sales]
    return cond.model_copy(update={"zh": f"{cond.zh}：{'；'.join(zh)}", "en": f"{cond.en}: {'; '.join(en)}"})


@dataclass(frozen=True, slots=True)
class RoundInBidding:
    """An asset whose round (an auction's bidding, a 变卖's sale period) has begun and not ended: the anchor that
    scheduled it and its start."""

    asset: str
    round: str  # the anchor that scheduled the round (auction_scheduled, second_auction_scheduled, …)
    starts: datetime


def rounds_in_bidding(state: CaseState, now: datetime, cond: GateCondition) -> list[RoundInBidding]:
    """Property whose round of sale has begun and not ended (process.yaml ``release_gate`` ``round_starts``,
    ``round_ends``, ``round_end_nodes``). Per asset, from the engine's state (``CaseState.rounds``: the round anchors
    recorded for it, ordered by instant — ``state.AssetRounds``): the start listed last (auction_scheduled…, its
    ``at`` the round's start) has come — ``at`` not after ``now`` — and no end of ``round_ends`` ends it (流拍, the
    round withdrawn, the price paid: ``sale_paid``) nor is a node of ``round_end_nodes`` done (28: a 变卖 over, sold or
    not). A round won whose price is not yet paid is in it: the sale is made at the hammer, the buyer owes the
    balance. Not counted: a round scheduled and not begun (the closing withdraws it: 拍卖变卖规定 第二十条 as commonly
    published — before the auction begins), a measure handed over to the 恢复执行 case (``moved_to``).

    The rule, by instant rather than by arrival (review R20 F2: the last anchor recorded was taken, so a ``Record``
    back-dated through the driver — a 流拍 entered after the next round was listed, a start entered after its round
    ended — opened or closed the gate wrongly): a start is listed at the engine's ``now`` when recorded (at its start,
    if that came first: a round recorded after it began was listed by then); an end ends the latest start listed at
    or before its ``at`` (at one instant, the one recorded before it; an ``at`` after the engine's ``now`` is taken as
    ``now`` — a platform's clock ahead must not end the round listed next). So the round that counts is the start
    listed last, ended iff an end's ``at`` is at or after its listing. Not "the latest ``at`` wins": a round withdrawn
    before it began (``listing_withdrawn``) has its end before its start, and ends it. An earlier round whose start is
    entered late, after a later round was listed, is taken as over (a round is listed once the one before it ended).

    An end ends only the starts ``round_ends`` names for it (review R21 F2: an undated ``Record first_unsold`` — ``at``
    now — entered after the court relisted ended the second auction's round, a closing taken during its bidding; by
    instants it cannot be told from a withdrawal recorded at the listing's instant, which does end the round listed).
    The bundled process: ``first_unsold`` ends the first auction's round (``auction_scheduled``, its re-auction after
    a default included: recorded as ``auction_scheduled`` again), ``second_unsold`` the second's; a withdrawal, the
    price paid and the buyer's default end any round, the 变卖's included (node 28 done ends it too). A start
    identical to one recorded before (same anchor, same ``at``: a ``Record`` sent twice) is ignored — the same round,
    not a relisting (review R21 F3: sent again after the round was withdrawn before it began, it was taken as listed
    anew and held the closing once its start passed); a relisting has a start of its own.
    """
    result = []
    for key, rounds in sorted(state.rounds.items()):
        if rounds.start not in cond.round_starts or rounds.starts_at is None or to_cst(rounds.starts_at) > to_cst(now):
            continue
        if rounds.ended(cond.round_ends):  # an end of this start (round_ends: end → the starts it ends)
            continue
        if any(state.status(no, key) == NodeStatus.DONE for no in cond.round_end_nodes):
            continue
        asset = state.assets.get(key)
        if asset is not None and asset.moved_to:
            continue
        result.append(RoundInBidding(key, rounds.start, to_cst(rounds.starts_at)))
    return result


def _label(text: str) -> tuple[str, str]:
    zh, _, en = text.partition(" / ")
    return zh.strip(), (en or zh).strip()


def _round_text(cond: GateCondition, rounds: list[RoundInBidding]) -> GateCondition:
    """The condition with its text naming each asset, its round and when the round began."""
    zh, en = [], []
    for r in rounds:
        name_zh, name_en = _label(cond.round_starts[r.round])
        zh.append(f"{r.asset}（{name_zh}，{r.starts:%Y-%m-%d %H:%M} 开始，尚未结束）")
        en.append(f"{r.asset} ({name_en}, begun {r.starts:%Y-%m-%d %H:%M}, not ended)")
    return cond.model_copy(update={"zh": f"{cond.zh}：{'；'.join(zh)}", "en": f"{cond.en}: {'; '.join(en)}"})


def unmet_zhongben_conditions(process: Process, calendar: LegalCalendar, state: CaseState,
                              now: datetime) -> list[GateCondition]:
    return unmet_conditions(process, calendar, state, now, process.zhongben_gate)


def unmet_release_conditions(process: Process, calendar: LegalCalendar, state: CaseState, now: datetime,
                             manner: ClosingManner | None = None) -> list[GateCondition]:
    """The conditions of ``release_gate`` unmet: what holds up a closing that releases the controls — in ``manner``,
    the conditions that hold it (a condition's ``manners``; none named: every releasing manner); None: every
    condition."""
    conditions = process.release_gate if manner is None else tuple(g for g in process.release_gate if g.holds(manner))
    return unmet_conditions(process, calendar, state, now, conditions)


def unmet_conditions(process: Process, calendar: LegalCalendar, state: CaseState, now: datetime,
                     conditions: tuple[GateCondition, ...]) -> list[GateCondition]:
    """Every condition of ``conditions`` (a gate of the process file) the case does not meet now."""
    unmet: list[GateCondition] = []
    for cond in conditions:
        if cond.when == "shixin_eligible":
            if not state.shixin_eligible:
                continue
        elif cond.when is not None and cond.when not in state.not_before:  # an anchor the case never recorded
            continue
        if cond.node is not None:
            if not any(_node_done(state, no) for no in (cond.node, *cond.any_of)):
                unmet.append(cond)
        elif cond.months_since_filing is not None:
            # "more than 3 months since 立案": the 3-month period, counted naturally, has fully run.
            period = Period(cond.months_since_filing, Unit.MONTHS)
            if now < calendar.deadline(state.filed_at, period, cond.policy).due:
                unmet.append(cond)
        elif cond.money_held:
            if state.amounts()["account_cents"] > 0:
                unmet.append(cond)
        elif cond.disposal_nodes is not None:
            if open_ := open_disposals(process, state, now, cond):
                unmet.append(_disposal_text(process, cond, open_))
        elif cond.not_case_type is not None and state.case_type == cond.not_case_type:
            unmet.append(cond)
        elif cond.claim_left and state.satisfied_in_full():
            unmet.append(cond)
        elif cond.sale_nodes:
            if sales := unfinished_sales(process, state, cond):
                unmet.append(_sale_text(process, cond, sales))
        elif cond.round_starts:
            if rounds := rounds_in_bidding(state, now, cond):
                unmet.append(_round_text(cond, rounds))
    return unmet
