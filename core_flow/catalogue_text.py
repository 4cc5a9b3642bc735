"""Words for the process catalogue: each node's deadline rules said in Chinese and English."""

from __future__ import annotations

import re
from typing import Any

from core_flow.legal_calendar import Unit
from core_flow.model import Direction, Node, Process, WorkItem

_NODE = re.compile(r"^node_started:(\d+)$")
_ITEM = re.compile(r"^item_done:(\d+)\.([a-z_]+)$")
_WHEN = {
    "case_type": {"preservation": ("财产保全", "preservation"), "first": ("首次执行", "first"),
                  "resumed": ("恢复执行", "resumed")},
    "nonlitigation": {True: ("非诉执行", "non-litigation")},
    "money": {False: ("非金钱给付", "not a money judgment"), True: ("金钱给付", "money judgment")},
    "urgent": {True: ("情况紧急", "urgent")},
    "asset_kind": {"real_estate": ("不动产", "real estate"), "other_right": ("其他财产权", "other rights"),
                   "movable": ("动产", "movables")},
}


def anchor_words(process: Process, anchor: str) -> tuple[str, str]:
    if m := _NODE.match(anchor):
        no = int(m.group(1))
        return f"节点{no}启动", f"start of node {no}"
    if m := _ITEM.match(anchor):
        no = int(m.group(1))
        item = process.by_no[no].item(m.group(2))
        return f"节点{no}「{item.name}」完成", f"node {no} item '{item.key}' done"
    text = process.anchors.get(anchor, anchor)
    zh, _, en = text.partition(" / ")
    return zh, en or anchor


def _when_words(when: dict[str, Any]) -> tuple[str, str]:
    zh, en = [], []
    for key, want in when.items():
        values = want if isinstance(want, list) else [want]
        for v in values:
            z, e = _WHEN.get(key, {}).get(v, (f"{key}={v}", f"{key}={v}"))
            zh.append(z)
            en.append(e)
    return "、".join(zh), ", ".join(en)


def _one(process: Process, item: WorkItem, period: Any) -> tuple[str, str]:
    anchors = [anchor_words(process, a) for a in item.anchor]
    a_zh = "或".join(a for a, _ in anchors)
    a_en = " or ".join(e for _, e in anchors)
    if period.unit == Unit.SAME_DAY:
        return f"{a_zh}当天", f"same day as {a_en}"
    if item.direction == Direction.BEFORE:
        return f"{a_zh}{period.words_zh}前", f"{period.words_en} before {a_en}"
    return f"{a_zh}后{period.words_zh}内", f"within {period.words_en} of {a_en}"


def item_deadline_words(process: Process, item: WorkItem) -> tuple[str, str]:
    zh, en = _one(process, item, item.period)
    for ov in item.overrides:
        w_zh, w_en = _when_words(ov.when)
        if ov.period is not None:
            o_zh, o_en = _one(process, item, ov.period)
            zh += f"（{w_zh}：{o_zh}）"
            en += f" ({w_en}: {o_en})"
        if ov.freeze is not None:
            zh += f"（{w_zh}：到期{'冻结' if ov.freeze else '不冻结'}）"
            en += f" ({w_en}: {'freezes' if ov.freeze else 'no freeze'} at expiry)"
        if ov.applies is not None:
            zh += f"（{w_zh}：{'适用' if ov.applies else '不适用，不设期限'}）"
            en += f" ({w_en}: {'applies' if ov.applies else 'does not apply, no deadline'})"
    return zh, en


def node_deadline_words(process: Process, node: Node) -> tuple[str, str]:
    if node.sweep is not None:
        return (f"终本后每{node.sweep.every.words_zh}一次，共{node.sweep.count}次",
                f"every {node.sweep.every.words_en} after 终本, {node.sweep.count} times")
    if not node.items:
        return "—", "—"
    parts = [item_deadline_words(process, it) for it in node.items]
    return "；".join(p[0] for p in parts), "; ".join(p[1] for p in parts)


def node_as_dict(process: Process, node: Node) -> dict[str, Any]:
    stage = next(s for s in process.stages if s.code == node.stage)
    zh, en = node_deadline_words(process, node)
    rule = process.resumption
    freeze_zh, freeze_en, unfreeze = "", "", list(node.unfreeze) if node.freezes else []
    if node.freezes:
        freeze_zh, freeze_en = "预警后到期未完成的，节点冻结", "frozen if not done by the deadline, after a warning"
    if node.no == rule.node and rule.handler_must_change:
        freeze_zh = f"未更换承办人的，冻结立案节点（节点{rule.freezes_node}）"
        freeze_en = f"if the handler is not changed, the filing node ({rule.freezes_node}) freezes"
        unfreeze = list(rule.unfreeze)
    if node.no == process.limit.node:
        freeze_zh = "预警后未结案亦未变更期限的，结案节点冻结"
        freeze_en = "frozen if neither closed nor the limit changed, after a warning"
    return {
        "no": node.no,
        "name": node.name,
        "name_en": node.en,
        "stage": stage.name,
        "stage_code": stage.code,
        "per": str(node.per),
        "deadline_zh": zh,
        "deadline_en": en,
        "freeze": bool(freeze_zh),
        "freeze_rule_zh": freeze_zh,
        "freeze_rule_en": freeze_en,
        "unfreeze": [process.authority(a).name for a in unfreeze],
        "unfreeze_codes": unfreeze,
        "next": list(node.next),
        "items": [
            {
                "key": it.key,
                "name": it.name,
                "anchor": list(it.anchor),
                "period": str(it.period),
                "policy": str(it.policy),
                "direction": str(it.direction),
                "freeze": it.freeze,
                "warn": str(process.warn_lead(it, it.period)),
                "overrides": [{"when": o.when, "period": str(o.period),
                               **({"applies": o.applies} if o.applies is not None else {})} for o in it.overrides],
                "deadline_zh": item_deadline_words(process, it)[0],
                "deadline_en": item_deadline_words(process, it)[1],
            }
            for it in node.items
        ],
        "approval_chain": list(node.approval_chain),
        "conditions": node_conditions(process, node),
        "note": node.note,
    }


def node_conditions(process: Process, node: Node) -> list[dict[str, str]]:
    """What completing the node takes besides its own work, in words (zh, en): who signs or approves it, the nodes it
    needs done first, the recorded instants it may not come before, the term of the measure it takes."""
    out: list[dict[str, str]] = []

    def names(codes: tuple[str, ...], sep: str) -> str:
        return sep.join(process.authority(a).name for a in codes)

    if node.signed_by:
        out.append({"zh": f"须{names(node.signed_by, '或')}签发", "en": f"signed by {' or '.join(node.signed_by)}"})
    if node.approval_any:
        out.append({"zh": f"须{names(node.approval_any, '或')}审批",
                    "en": f"approved by {' or '.join(node.approval_any)}"})
    if node.approval_chain:
        out.append({"zh": f"依次审批：{names(node.approval_chain, ' → ')}",
                    "en": f"approved in turn by {' → '.join(node.approval_chain)}"})
    if node.requires:
        nos = "、".join(f"{no}（{process.by_no[no].name}）" for no in node.requires)
        out.append({"zh": f"须先完成节点{nos}", "en": f"node(s) {', '.join(map(str, node.requires))} done first"})
    for anchor in node.not_before:
        zh, en = anchor_words(process, anchor)
        out.append({"zh": f"不早于{zh}（如已登记 {anchor}）",
                    "en": f"not before {en.removesuffix(' (at)')} (where {anchor} is recorded)"})
    if node.term is not None:
        out.append({"zh": f"措施期限{node.term.words_zh}", "en": f"the measure lasts {node.term.words_en}"})
    if node.terms is not None:
        terms = node.terms
        grounds = terms.grounds.items()
        zh = "；".join(f"第{no}项{g.name}：{g.term.words_zh if g.term else '无固定期限'}" for no, g in grounds)
        en = "; ".join(f"{no} {g.en}: {g.term.words_en if g.term else 'no fixed term'}" for no, g in grounds)
        zh = f"措施期限依事由（缺省第{terms.default_ground}项）：{zh}"
        en = f"the measure's term by its ground (default {terms.default_ground}): {en}"
        if (ext := terms.extension_years) is not None:
            zh += f"；有期限的可延长{ext.min}–{ext.max}年"
            en += f"; a term may be extended by {ext.min}–{ext.max} years"
        out.append({"zh": zh, "en": en})
    return out


_EVENT_NAMES = {
    "inquiry_triggered": ("集约查询触发", "the 集约查询 triggered"),
    "inquiry_started": ("集约查询发出", "the 集约查询 sent"),
    "inquiry_completed": ("集约查询全部反馈", "every agency of the 集约查询 answered"),
    "funds_frozen": ("冻结生效", "a freeze confirmed"),
    "freeze_queued": ("轮候登记", "a 轮候 freeze registered"),
    "funds_arrived": ("扣划到账", "a deduction confirmed"),
    "receipt_registered": ("到账登记", "a receipt registered"),
    "paid_out": ("案款发放", "a payout"),
    "freeze_released": ("解除冻结", "a freeze released"),
    "resumption_filed": ("恢复执行立案", "the resumed case filed"),
    "escrowed": ("提存", "money escrowed"),
}
_INSTANCE = {"case": ("本案", "the case's"), "event": ("该事件所指（财产、到账）", "the event's (asset, receipt)"),
             "all": ("全部", "every instance")}


def operations_table(process: Process) -> list[str]:
    """The process's operations as Markdown table rows (README: 系统事件自动完成的节点)."""
    rows = ["| 系统事件 event | 条件 when | 动作 action | 节点 node | 实例 instance | 说明 note |",
            "|---|---|---|---|---|---|"]
    for op in process.operations:
        ev_zh, ev_en = _EVENT_NAMES.get(op.event, (op.event, op.event))
        when = "、".join(f"{k}={v}" for k, v in op.when.items()) or "—"
        node = process.by_no[op.node]
        action = "开始 start" if op.start is not None else "完成 complete"
        item = f"（事项 item {op.item}）" if op.item else ""
        inst_zh, inst_en = _INSTANCE[op.instance]
        rows.append(f"| `{op.event}` {ev_zh} / {ev_en} | {when} | {action}{item} | {node.no} {node.name} | "
                    f"{inst_zh} / {inst_en} | {op.note} |")
    return rows
