"""Expectations of a scenario step, checked at their moment against what the court says through the driver
interface (events, node states, the case's summary, amounts, lots). Each raises ``StepFailure(expected, actual)``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from core_flow.engine import Event, EventKind, NodeStatus
from core_flow.legal_calendar import provisional_years_in
from scenarios import refs
from scenarios.context import Run, StepFailure
from scenarios.model import StepBase, stage_words
from scenarios.schedule import calendar, window
from scenarios.timeline import describe
from scenarios.timespec import parse_time


def check(run: Run, step: StepBase) -> None:
    _CHECKS[step.key](run, step, step.args)


def _t(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def _node(run: Run, step: StepBase, a: Any) -> None:
    view = run.node(step, a.node, run.instance(a.instance, step))
    have = NodeStatus(view.status) if view is not None else NodeStatus.NOT_STARTED
    where = f"节点{a.node}{'/' + a.instance if a.instance else ''}"
    if a.state is not None and have != a.state:
        raise StepFailure(f"{where} {refs.state_words(NodeStatus(a.state))}", f"{where} {refs.state_words(have)}")
    if a.not_state is not None and have == a.not_state:
        raise StepFailure(f"{where} 不是 / not {refs.state_words(NodeStatus(a.not_state))}",
                          f"{where} {refs.state_words(have)}")


def _deadline(run: Run, step: StepBase, a: Any) -> None:
    node = refs.process().by_no[a.node]
    key = a.item or node.items[0].key
    ns = run.node(step, a.node, run.instance(a.instance, step))
    item = ns.items.get(key) if ns is not None else None
    where = f"节点{a.node}.{key}{'/' + a.instance if a.instance else ''}"
    if item is None:
        raise StepFailure(f"{where} 有期限 / has a deadline", "期限未设定 / no deadline set")
    if a.due is not None and item.due != a.due:
        raise StepFailure(f"{where} 届满 due {_t(a.due)}", f"届满 due {_t(item.due)}（期间 period {item.period}）")
    if a.last_day is not None:
        last = (item.due - timedelta(microseconds=1)).date()
        if last != a.last_day.date():
            raise StepFailure(f"{where} 最后一日 last day {a.last_day.date()}",
                              f"最后一日 last day {last}（届满 due {_t(item.due)}，期间 period {item.period}）")
    if a.provisional is not None:
        instance = run.instance(a.instance, step) or ""
        armed = [e for e in run.events(step) if e.kind == EventKind.DEADLINE_SET and e.node == a.node
                 and e.item == key and (e.instance or "") == instance]
        years = provisional_years_in((armed[-1].data or {}).get("calendar_warnings", ())) if armed else []
        if bool(years) != a.provisional:
            want = "依赖暂定日历 / provisional" if a.provisional else "不依赖暂定日历 / not provisional"
            have = f"暂定 provisional {', '.join(map(str, years))}" if years else "官方数据 / official data only"
            raise StepFailure(f"{where} {want}", have)


def _matches(run: Run, e: Event, a: Any, step: StepBase | None = None) -> bool:
    if e.kind != a.kind:
        return False
    if a.node is not None and e.node != a.node:
        return False
    if a.instance is not None and e.instance != run.instance(a.instance, step):
        return False
    if a.item is not None and e.item != a.item:
        return False
    data = e.data or {}
    for name, want in (("agency", a.agency), ("code", a.code)):
        if want is not None and want not in _values(data, name):
            return False
    if a.debtor is not None and run.debtor_id(a.debtor, step) not in _values(data, "debtor"):
        return False
    return all(_same(data.get(k), v) for k, v in a.data.items())


# a filter's field, and the list an event of several carries instead (inquiry_failed: ``agencies``, ``codes``)
_PLURAL = {"agency": "agencies", "debtor": "debtors", "code": "codes"}


def _values(data: dict[str, Any], name: str) -> tuple[Any, ...]:
    """What an event says for the filter ``name``: its one value, or each of its list (``agency: 工行`` matches an
    inquiry_failed of ``agencies: [icbc, ccb]``); () when it carries neither."""
    if name in data:
        return (data[name],)
    many = data.get(_PLURAL.get(name, ""))
    return tuple(many) if isinstance(many, (list, tuple)) else ()


def _carried(e: Event, name: str) -> bool:
    data = e.data or {}
    return name in data or isinstance(data.get(_PLURAL.get(name, "")), (list, tuple))


def _uncarried(run: Run, step: StepBase, a: Any) -> None:
    """A filter the events of the kind never carry could match nothing: an ``expect_no_event`` would pass whatever
    happened (``debtor:`` on funds_frozen, whose events name the asset, not the debtor; ``amount_cent``). Refused,
    naming what the events do carry — when there are events of the kind to tell by."""
    kind = [e for e in run.events(step) if e.kind == a.kind]
    if not kind:
        return
    names = [n for n in ("agency", "debtor", "code") if getattr(a, n) is not None] + list(a.data)
    missing = [n for n in names if not any(_carried(e, n) for e in kind)]
    if missing:
        have = sorted({k for e in kind for k in (e.data or {})})
        raise StepFailure(
            f"按 {'、'.join(missing)} 筛选 {a.kind} 事件 / {a.kind} events filtered by {', '.join(missing)}",
            f"此类事件不带 {'、'.join(missing)}，该筛选什么也匹配不到（此类事件带有：{'、'.join(have) or '无'}"
            f"{'；财产用 instance 筛选' if 'debtor' in missing else ''}） / events of this kind carry no "
            f"{', '.join(missing)}, so the filter matches nothing (they carry: {', '.join(have) or 'nothing'}"
            f"{'; filter an asset by instance' if 'debtor' in missing else ''})")


_LIST_MATCHERS = {
    "contains": lambda have, want: all(w in have for w in want),  # these, in any order, others allowed
    "same_set": lambda have, want: sorted(map(str, have)) == sorted(map(str, want)),  # exactly these, any order
    "excludes": lambda have, want: not any(w in have for w in want),  # none of these
}


def _same(have: Any, want: Any) -> bool:
    if isinstance(want, dict) and want and all(op in _LIST_MATCHERS for op in want):  # every operator holds
        values = list(have) if isinstance(have, (list, tuple)) else [have]
        return all(_LIST_MATCHERS[op](values, items if isinstance(items, list) else [items])
                   for op, items in want.items())
    if isinstance(have, datetime) and isinstance(want, str):
        try:
            spec = parse_time(want)
        except Exception:
            return False
        return isinstance(spec, datetime) and spec == have
    if isinstance(have, (list, tuple)) and isinstance(want, list):
        return list(have) == want
    return have == want


def _event(run: Run, step: StepBase, a: Any, absent: bool = False) -> None:
    start, end = window(step)
    exact = None
    if a.time is not None:
        spec = parse_time(a.time) if isinstance(a.time, str) else a.time
        exact = spec if isinstance(spec, datetime) else spec.apply(step.when, calendar())
    _uncarried(run, step, a)
    found = [e for e in run.events(step) if _matches(run, e, a, step) and (start is None or e.at >= start)
             and e.at <= end and (exact is None or e.at == exact)]
    span = f"{_t(start)} – {_t(end)}" if start is not None else f"至 until {_t(end)}"
    what = _event_words(a) + (f" 恰于 at {_t(exact)}" if exact else "")
    absent = absent or a.absent
    if absent:
        if found:
            raise StepFailure(f"无事件 no event {what}（{span}）",
                              "出现 occurred: " + "; ".join(f"{_t(e.at)} {describe(e)}" for e in found[:5]))
        return
    if a.count is not None:  # count: 0 is "none", as expect_no_event
        if len(found) != a.count:
            raise StepFailure(f"{a.count} 次 times {what}（{span}）", f"{len(found)} 次 times")
        return
    if not found:
        near = [e for e in run.events(step) if e.kind == a.kind]
        seen = "; ".join(f"{_t(e.at)} {describe(e)}" for e in near[-3:]) or "无此类事件 / none of this kind"
        raise StepFailure(f"事件 event {what}（{span}）", f"未出现 / not emitted; 同类事件 of this kind: {seen}")


def _event_words(a: Any) -> str:
    parts = [f"{refs.EVENT_WORDS.get(EventKind(a.kind), '')} {a.kind}".strip()]
    for name in ("node", "instance", "item", "agency", "debtor", "code"):
        if getattr(a, name) is not None:
            parts.append(f"{name}={getattr(a, name)}")
    if a.data:
        parts.append(f"data⊇{a.data}")
    return " ".join(parts)


def _duban(run: Run, step: StepBase, a: Any) -> None:
    want = {"督办中": "open", "已关闭": "closed", "无": "none"}.get(a.state, a.state)
    debtor = run.debtor_id(a.debtor, step)
    fb = next((f for f in run.view(step).feedback if f.debtor == debtor and f.agency == a.agency), None)
    have = (fb.duban if fb is not None else None) or "none"
    if have != want:
        whose = f"{a.agency}" + (f" {a.debtor}" if a.debtor is not None else "")  # which debtor's, where named
        raise StepFailure(f"{whose} 督办 duban {want}", f"督办 duban {have}"
                          + ("" if fb is None else f"（反馈于 received {_t(fb.received_at)}，应查看于 view by "
                                                   f"{_t(fb.due)}，查看 opened {fb.opened_at and _t(fb.opened_at)}）"))


def _inquiry(run: Run, step: StepBase, a: Any) -> None:
    debtor = run.debtor_id(a.debtor, step)
    started = [e for e in run.events(step) if e.kind == EventKind.INQUIRY_STARTED and e.data["debtor"] == debtor]
    if not started:
        raise StepFailure("集约查询已发出 / the 集约查询 went out", "未发出 / not started")
    agencies = list(started[0].data["agencies"])
    if a.agencies is not None:
        want = run.scope(a.debtor, step) if isinstance(a.agencies, str) else list(a.agencies)
        if sorted(agencies) != sorted(want) or len(set(agencies)) != len(agencies):
            missing, extra = sorted(set(want) - set(agencies)), sorted(set(agencies) - set(want))
            raise StepFailure(f"恰为 exactly {len(want)} 家机构 agencies", f"{len(agencies)} 家；缺 missing {missing}；"
                                                                          f"多 extra {extra}")
        if len((run.scenario.other_case(step.case) or run.scenario.case).debtors) == 1:  # what actually went out
            sent = sorted({a for e in run.events(step) if e.kind == EventKind.EXCHANGE
                           and e.data.get("kind") == "sent" and e.data.get("measure") == "inquiry"
                           for a in e.data.get("scope") or (e.data["agency"],)})  # 总对总: the scope it names
            if sent != sorted(want):
                raise StepFailure(f"查询请求发往 requests sent to {sorted(want)}", f"发往 sent to {sent}")
    for code in a.includes:
        if code not in agencies:
            raise StepFailure(f"范围包含 scope includes {code}", f"范围 scope: {agencies}")
    for code in a.excludes:
        if code in agencies:
            raise StepFailure(f"范围不含 scope excludes {code}", f"范围 scope: {agencies}")


def _amounts(run: Run, step: StepBase, a: Any) -> None:
    cid = run.case_id(step)
    report = run.driver_for(cid).amounts(cid).model_dump()
    pairs = [("frozen", "frozen_cents"), ("deducted", "deducted_cents"), ("paid", "paid_cents"),
             ("returned", "returned_cents"), ("proceeds", "proceeds_cents"),
             ("account", "account_cents"), ("court_account", "court_account_cents"),
             ("agencies_frozen", "agencies_frozen_cents")]
    wrong = [(name, getattr(a, name), report.get(key)) for name, key in pairs
             if getattr(a, name) is not None and report.get(key) != getattr(a, name)]
    if wrong:
        raise StepFailure("；".join(f"{n} {refs.yuan(w)}" for n, w, _ in wrong),
                          "；".join(f"{n} {refs.yuan(h) if isinstance(h, int) else h}" for n, _, h in wrong))
    if a.reconciled is not None and report["ok"] != a.reconciled:
        raise StepFailure(f"对账 reconciled={a.reconciled}", f"对账 reconciled={report['ok']}: {report}")


_ROUNDS = {"一拍": "first", "二拍": "second", "变卖": "sale"}


def _disposal(run: Run, step: StepBase, a: Any) -> None:
    """A sealed asset's disposal: its stage, round and prices (to the cent)."""
    cid = run.case_id(step)
    asset = run.asset(cid, a.asset)
    lot = next((x for x in run.driver_for(cid).lots(cid) if x.asset == asset), None)
    if lot is None:
        raise StepFailure(f"财产 {a.asset} 在处置中 / {a.asset} is being disposed of", "无 / none")
    checks = [("stage", a.stage, lot.stage), ("round", _ROUNDS.get(a.round, a.round), lot.round),
              ("reference_price", a.reference_price, lot.reference_price_cents),
              ("starting_price", a.starting_price, lot.starting_price_cents),
              ("sold_price", a.sold_price, lot.sold_price_cents)]
    wrong = [(n, w, h) for n, w, h in checks if w is not None and w != h]
    if wrong:
        def show(name: str, v: Any) -> str:
            return refs.yuan(v) if isinstance(v, int) else stage_words(v) if name == "stage" else str(v)

        raise StepFailure("；".join(f"{n} {show(n, w)}" for n, w, _ in wrong),
                          "；".join(f"{n} {show(n, h) if h is not None else '—'}" for n, _, h in wrong))


def _case(run: Run, step: StepBase, a: Any) -> None:
    view = run.view(step)
    have: dict[str, Any] = {
        "closed": view.closed_manner or False, "handler": view.handler, "resumption": view.resumption,
        "resumed": view.resumed_as is not None, "extensions": view.extensions, "suspended": view.suspended,
        "findings": view.findings,
    }
    for name, value in have.items():
        want = getattr(a, name)
        if name == "closed" and want is True:  # closed, in whatever manner
            if value is False:
                raise StepFailure("closed = 已结案 / closed", "closed = False（未结案 / open）")
            continue
        if want is not None and want != value:
            raise StepFailure(f"{name} = {want}", f"{name} = {value}")
    for alias, want in a.identity.items():
        value = view.identity.get(run.debtor_id(alias, step))
        if value != want:
            raise StepFailure(f"{alias} 身份 identity {want}", f"{alias} 身份 identity {value}")


_Check = Callable[[Run, StepBase, Any], None]
_CHECKS: dict[str, _Check] = {
    "expect_node": _node,
    "expect_deadline": _deadline,
    "expect_event": _event,
    "expect_no_event": lambda r, s, a: _event(r, s, a, absent=True),
    "expect_duban": _duban,
    "expect_inquiry": _inquiry,
    "expect_amounts": _amounts,
    "expect_case": _case,
    "expect_disposal": _disposal,
}
