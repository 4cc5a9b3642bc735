"""Names a scenario may use, resolved against the bundled process and the agency catalogue at load.

Every resolver raises ``ValueError`` with a bilingual message that names what is unknown (node, authority,
agency, event, …); the loader turns it into ``file:line`` and the offending key.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from core_flow.amount_text import amount_cents
from core_flow.engine import EventKind, NodeStatus
from core_flow.errors import UserError
from core_flow.model import ENGINE_ANCHORS, Process
from core_flow.process_loader import default_process
from core_flow.process_options import near  # one spelling guess for scenarios and process options
from core_flow.protocol import AssetKind, Measure
from mock_agencies.catalogue import Catalogue, load_catalogue

# the process of the scenario being loaded or run (its ``process:`` options, ``--process FILE``); None: the bundled
CURRENT: ContextVar[Process | None] = ContextVar("scenario_process", default=None)


def process() -> Process:
    return CURRENT.get() or default_process()


def did_you_mean(ref: Any, choices: list[str] | tuple[str, ...]) -> tuple[str, str]:
    """``；是否想写：a、b`` / ``; did you mean: a, b`` (both empty when nothing is close)."""
    found = near(ref, choices)
    if not found:
        return "", ""
    return f"；是否想写：{'、'.join(found)}", f"; did you mean: {', '.join(found)}"


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return load_catalogue()


def node(ref: Any) -> int:
    if isinstance(ref, bool) or ref is None:
        raise ValueError(f"未知节点 {ref!r} / unknown node {ref!r}")
    try:
        return process().node(ref).no
    except UserError as err:
        zh, en = did_you_mean(ref, [n.name for n in process().nodes]) if isinstance(ref, str) else ("", "")
        raise ValueError(f"{err.zh}{zh} / {err.en}{en}") from None


def authority(ref: Any) -> str:
    try:
        return process().authority(str(ref).strip()).code
    except UserError as err:
        zh, en = did_you_mean(ref, list(process().authority_index))
        raise ValueError(f"{err.zh}{zh} / {err.en}{en}") from None


def agency(ref: Any) -> str:
    """An agency by code (``icbc``), Chinese name (``工商银行``, ``焦作山阳农村商业银行``), full name or what
    people call it (``工行``, ``支付宝``: the catalogue's aliases)."""
    found = catalogue().find(str(ref))
    if found is None:
        zh, en = did_you_mean(ref, list(catalogue().names()))
        if not zh:  # 车辆登记, 房产登记中心: the registry of the kind of property the name speaks of
            text = str(ref)
            kinds = {k for w, k in _KIND_INDEX.items() if not w.isascii() and len(w) >= 2 and w in text}
            registries = [a.name for a in catalogue() if kinds and a.group.value in {k.value for k in kinds}]
            if registries:
                zh, en = f"；是否想写：{'、'.join(registries)}", f"; did you mean: {', '.join(registries)}"
        raise ValueError(f"未知协助单位 {ref!r}（应为机构代码或名称，见 zhixing agencies list）{zh} / "
                         f"unknown agency {ref!r} (a code or name of the catalogue){en}")
    return found.code


def queryable_agencies() -> tuple[str, ...]:
    return tuple(a.code for a in catalogue() if a.supports(Measure.QUERY))


_ANCHORS: dict[int, tuple[Process, dict[str, str]]] = {}  # by the process (a scenario's options may change them)


def _anchor_index() -> dict[str, str]:
    proc = process()
    found = _ANCHORS.get(id(proc))
    if found is None or found[0] is not proc:
        found = _ANCHORS[id(proc)] = (proc, _anchors_of(proc))
    return found[1]


def _anchors_of(proc: Process) -> dict[str, str]:
    index: dict[str, str] = {}
    for key, text in proc.anchors.items():
        if key in ENGINE_ANCHORS:
            continue  # recorded by filing, assignment, closing and the claim met themselves (review R27 F2)
        index[key] = key
        index[text.split(" / ")[0].strip()] = key
    return index


def anchor(ref: Any) -> str:
    key = _anchor_index().get(str(ref).strip())
    if key is None:
        known = "、".join(k for k in _anchor_index() if k.isascii())
        zh, en = did_you_mean(ref, list(_anchor_index()))
        raise ValueError(f"未知事件（起算事件）{ref!r}{zh}（可选：{known}）/ "
                         f"unknown anchor event {ref!r}{en} (one of: {known})")
    return key


def manner(ref: Any) -> str:
    try:
        return process().manner(str(ref).strip()).code
    except UserError as err:
        zh, en = did_you_mean(ref, list(process().manners))
        raise ValueError(f"{err.zh}{zh} / {err.en}{en}") from None


def case_type(ref: Any) -> str:
    """A case type by code, name or what people write (``首执``, ``执恢``: the process file's aliases)."""
    try:
        return process().case_type(str(ref))
    except UserError as err:
        p = process()
        zh, en = did_you_mean(ref, [x for t in p.case_types for x in (t.code, t.name, *t.aliases)])
        raise ValueError(f"{err.zh}{zh} / {err.en}{en}") from None


_STATES = {
    NodeStatus.NOT_STARTED: ("未开始",),
    NodeStatus.IN_PROGRESS: ("进行中", "办理中"),
    NodeStatus.WARNED: ("已预警", "预警"),
    NodeStatus.FROZEN: ("已冻结", "冻结"),
    NodeStatus.UNFREEZE_PENDING: ("解冻审批中", "待审批"),
    NodeStatus.DONE: ("已完成", "完成", "已办结", "办结"),  # 办结 was refused with "did you mean 冻结"
}
_STATE_INDEX = {alias: s for s, aliases in _STATES.items() for alias in (s.value, *aliases)}


def node_state(ref: Any) -> NodeStatus:
    found = _STATE_INDEX.get(str(ref).strip())
    if found is None:
        zh, en = did_you_mean(ref, list(_STATE_INDEX))
        raise ValueError(f"未知节点状态 {ref!r}{zh}（可选：{'、'.join(_STATE_INDEX)}）/ unknown node state "
                         f"{ref!r}{en} (one of: {', '.join(s.value for s in _STATES)})")
    return found


def state_words(state: NodeStatus) -> str:
    return f"{_STATES[state][0]} {state.value}"


EVENT_WORDS: dict[EventKind, str] = {
    EventKind.FILED: "立案", EventKind.ASSIGNED: "分案", EventKind.IDENTITY_VERIFIED: "身份验证通过",
    EventKind.IDENTITY_FAILED: "身份验证未通过", EventKind.IDENTITY_CORRECTED: "身份信息更正",
    EventKind.INQUIRY_TRIGGERED: "集约查询触发", EventKind.ANCHOR: "起算事件", EventKind.DEADLINE_SET: "期限设定",
    EventKind.DEADLINE_WITHDRAWN: "期限撤销（无需办理）",
    EventKind.NODE_STARTED: "节点开始", EventKind.ITEM_DONE: "事项完成", EventKind.NODE_DONE: "节点完成",
    EventKind.WARNING: "预警", EventKind.DEADLINE_MISSED: "超期", EventKind.NODE_FROZEN: "节点冻结",
    EventKind.UNFREEZE_REQUESTED: "申请解冻", EventKind.UNFREEZE_APPROVED: "批准解冻",
    EventKind.UNFREEZE_REJECTED: "驳回解冻", EventKind.LIMIT_CHANGE_REQUESTED: "申请期限变更",
    EventKind.LIMIT_EXTENDED: "延长审限", EventKind.LIMIT_SUSPENDED: "审限中止", EventKind.LIMIT_RESUMED: "审限恢复",
    EventKind.CLOSED: "结案", EventKind.SWEEP_DUE: "终本统查", EventKind.REFUSED: "拒绝",
    EventKind.INQUIRY_STARTED: "集约查询发出", EventKind.INQUIRY_ANSWERED: "查询反馈",
    EventKind.INQUIRY_NONE_FOUND: "查询反馈（无财产）", EventKind.INQUIRY_FAILED: "查询反馈（查询失败）",
    EventKind.INQUIRY_COMPLETED: "集约查询完毕", EventKind.FEEDBACK_RECEIVED: "财产反馈",
    EventKind.FEEDBACK_OPENED: "点击查看", EventKind.DUBAN_RAISED: "督办", EventKind.DUBAN_CLOSED: "督办关闭",
    EventKind.MANUAL_QUERY: "自行查询", EventKind.FUNDS_FROZEN: "冻结生效", EventKind.FREEZE_RELEASED: "解除冻结",
    EventKind.FUNDS_ARRIVED: "款项到账",
    EventKind.PROCEEDS_ARRIVED: "变价款到账", EventKind.SATISFIED_IN_KIND: "以物抵债受偿",
    EventKind.PAYOUT_APPROVED: "发放审批", EventKind.PAID_OUT: "案款发放", EventKind.FEE_SETTLED: "执行申请费结算",
    EventKind.CLAIM_MET: "债权已实现（停止变价）",
    EventKind.RESUMPTION_REQUESTED: "申请恢复执行", EventKind.RESUMPTION_APPROVED: "批准恢复执行",
    EventKind.RESUMPTION_FILED: "恢复执行立案", EventKind.FEE_HANDED_OVER: "执行申请费转入恢复执行案件",
    EventKind.MEASURE_HANDED_OVER: "冻结查封移交恢复执行案件",
    EventKind.EXCHANGE: "查控往来",
    EventKind.INQUIRY_UNRECORDED: "反馈未入案（附原因）", EventKind.CLOSING_REQUESTED: "报结",
    EventKind.CLOSING_RETURNED: "报结退回", EventKind.RECEIPT_REGISTERED: "到账登记", EventKind.ESCROWED: "提存",
    EventKind.MEASURE_LIFTED: "解除强制措施", EventKind.OPERATION_BLOCKED: "系统操作受阻（节点冻结）",
    EventKind.UNFREEZE_FORWARDED: "层报解冻", EventKind.FREEZE_RENEWED: "续行冻结", EventKind.FREEZE_QUEUED: "轮候登记",
}
_EVENT_INDEX = {**{k.value: k for k in EventKind}, **{v: k for k, v in EVENT_WORDS.items()}}


def event_kind(ref: Any) -> EventKind:
    found = _EVENT_INDEX.get(str(ref).strip())
    if found is None:
        zh, en = did_you_mean(ref, list(_EVENT_INDEX))
        raise ValueError(f"未知事件类型 {ref!r}{zh}（见 scenarios/README.md 事件类型表）/ "
                         f"unknown event kind {ref!r}{en} (see the event kinds in scenarios/README.md)")
    return found


# the kinds' Chinese words (the first is the name), published in the README's catalogue (scenarios.catalogue)
_KINDS = {"deposit": "存款", "wealth_product": "理财产品", "balance": "余额", "securities": "证券",
          "real_estate": "不动产", "vehicle": "车辆", "equity": "股权", "other": "其他"}
_KIND_INDEX = {**{k: AssetKind(k) for k in _KINDS}, **{v: AssetKind(k) for k, v in _KINDS.items()},
               "网络支付账户余额": AssetKind.BALANCE, "银行存款": AssetKind.DEPOSIT, "理财": AssetKind.WEALTH_PRODUCT,
               "股票": AssetKind.SECURITIES, "房产": AssetKind.REAL_ESTATE, "房屋": AssetKind.REAL_ESTATE,
               "住房": AssetKind.REAL_ESTATE, "汽车": AssetKind.VEHICLE, "机动车": AssetKind.VEHICLE}


def asset_kind(ref: Any) -> AssetKind:
    found = _KIND_INDEX.get(str(ref).strip())
    if found is None:
        zh, en = did_you_mean(ref, list(_KIND_INDEX))
        raise ValueError(f"未知财产种类 {ref!r}{zh}（可选：{'、'.join(_KIND_INDEX)}）/ unknown asset kind {ref!r}{en}")
    return found


def cents(value: Any) -> int:
    """An amount: a number is 元; text as people write it — ``"2500.50元"``, ``"250050分"``, ``"5万"``, ``"¥12,000"``
    (``core_flow.amount_text``)."""
    return amount_cents(value)


def yuan(cents_: int) -> str:
    return f"{cents_ / 100:,.2f}元"
