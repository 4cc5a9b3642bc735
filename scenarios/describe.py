"""What a step does or checks, in words, for the reports: ``检查 节点状态 node state: node=7 state=frozen``.

Reports show, for every step, what was checked (or done), what was expected and what actually came; a passed
expectation's actual is its expected (``同期望 as expected``), a failed one's is the runner's actual. ID and
account numbers are masked (``core_flow.masking``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core_flow.masking import mask_text
from scenarios.model import stage_words
from scenarios.timespec import Offset

WORDS: dict[str, str] = {
    "expect_node": "节点状态 node state", "expect_deadline": "期限 deadline", "expect_event": "事件出现 event",
    "expect_no_event": "事件未出现 no event", "expect_duban": "督办 duban", "expect_inquiry": "集约查询 inquiry",
    "expect_amounts": "金额 amounts", "expect_case": "案件状态 case", "expect_disposal": "处置 disposal",
    "file": "立案 file", "assign": "分案 assign", "verify_identity": "身份验证 verify identity",
    "correct_identity": "更正身份 correct identity", "start_node": "开始节点 start node",
    "complete_node": "完成节点 complete node", "complete_item": "完成事项 complete item", "record": "记录 record",
    "request_unfreeze": "申请解冻 request unfreeze", "approve_unfreeze": "批准解冻 approve unfreeze",
    "reject_unfreeze": "驳回解冻 reject unfreeze", "close": "报结 close", "freeze": "冻结 freeze",
    "deduct": "扣划 deduct", "release": "解除冻结 release", "approve_payout": "发放审批 approve payout",
    "pay_out": "发放 pay out", "open_feedback": "点击查看 open feedback", "manual_query": "自行查询 manual query",
    "provide_clue": "线索 clue", "advance": "推进时间 advance", "seal": "查封 seal", "price": "询价 price",
    "list_auction": "上拍 list", "bid": "出价 bid", "relist": "二拍 relist",
    "register_receipt": "到账登记 register receipt", "escrow": "提存 escrow",
    "approve_closing": "核准报结 approve closing",
    "return_closing": "退回报结 return closing", "request_extension": "申请延长审限 request extension",
    "request_suspension": "申请中止审限 request suspension",
    "approve_limit_change": "批准期限变更 approve limit change",
    "lift_suspension": "恢复审限 lift suspension", "request_resumption": "申请恢复执行 request resumption",
    "approve_resumption": "批准恢复执行 approve resumption", "other_court_freeze": "他院冻结 other court freezes",
    "other_court_release": "他院解除冻结 other court releases", "pin": "设定财产 pin holdings",
    "agencies": "机构行为 agency behaviour", "command": "引擎命令 engine command", "investigate": "调查 investigate",
    "serve_report": "送达报告 serve report", "object": "异议 object", "review_objection": "审查异议 review objection",
    "notify_parties": "通知当事人 notify parties", "offer_in_kind": "以物抵债 offer in kind",
    "agree_in_kind": "协议以物抵债 agree in kind",
    "start_sale": "变卖 start sale", "withdraw_listing": "撤回拍卖 withdraw listing",
    "confirm_sale": "成交确认 confirm sale", "transfer": "过户 transfer",
    "hand_over": "交付 hand over",
}
STATUS = {"passed": "通过 passed", "failed": "失败 failed", "error": "出错 error", "skipped": "未运行 skipped"}


_MONEY = frozenset({"amount", "frozen", "deducted", "paid", "returned", "proceeds", "account", "court_account",
                    "agencies_frozen",
                    "reference_price", "starting_price", "sold_price", "start", "price"})


def _value(v: Any, key: str = "") -> str:
    if key == "stage" and isinstance(v, str):
        return stage_words(v)
    if key in _MONEY and isinstance(v, int) and not isinstance(v, bool):
        from scenarios.refs import yuan

        return yuan(v)
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour, v.minute) != (0, 0) else v.strftime("%Y-%m-%d")
    if isinstance(v, (list, tuple)):  # a list of amounts is money as its key is (pin's holdings: their amounts)
        return "[" + ", ".join(_value(x, key) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_value(x, k)}" for k, x in v.items()) + "}"
    return str(v)


def arguments(step: Any) -> str:
    """The step's arguments as written, e.g. ``node=7 state=frozen``: what the file gave, even where it is the default
    (``expect_duban: {…, state: open}`` shows ``state=open``), and no default it left out."""
    args = step.args
    if hasattr(args, "model_dump"):
        data = args.model_dump(exclude_unset=True, by_alias=True)
        for name, info in type(args).model_fields.items():  # a relative time as written (+16d), not its parts
            if (info.alias or name) in data and isinstance(getattr(args, name), Offset):
                data[info.alias or name] = getattr(args, name)
    elif args is None or args is True:
        data = {}
    else:
        data = {"": args}
    return mask_text(" ".join(f"{k}={_value(v, k)}" if k else _value(v) for k, v in data.items()))


def checked(step: Any) -> str:
    """An action with its arguments (``动作 act 冻结 freeze `freeze`: asset=工行存款``) or what an expectation
    looks at (``检查 check 期限 deadline `expect_deadline```; its arguments are the expected)."""
    word = WORDS.get(step.key, "")
    head = f"{'检查 check' if step.expectation else '动作 act'} {word} `{step.key}`".replace("  ", " ")
    if step.expectation:
        return head
    text = arguments(step)
    return f"{head}: {text}" if text else head


def expected_actual(step: Any, result: Any) -> tuple[str, str]:
    """(expected, actual) of a step's result, filled in for a passed step too."""
    if result.status == "skipped":
        return "", ""
    if step.expectation:
        expected = result.expected or arguments(step)
    else:
        expected = result.expected or (f"拒绝 refused {step.refused}" if getattr(step, "refused", None)
                                       else "受理 accepted")
    actual = result.actual or ("同期望 as expected" if result.status == "passed" else "")
    return mask_text(expected), mask_text(actual)
