"""Deliberate defects of the mock agencies, for the certification kit's self-check (``zhixing certify``).

Off by default and impossible to switch on by accident: only the explicit ``zhixing agencies serve --defect NAME``
(or ``Settings(defects=…)`` in a test) turns one on — never the environment. The defects in force are shown at
``GET /health``, so a certification run records them in its evidence. Each defect breaks one published rule of the
profile; the kit's expected-failures list (``certify/expected_failures.yaml``) names the requirement IDs that must
catch it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from core_flow.protocol import ControlResult, Feedback, Measure


class Defect(StrEnum):
    DOUBLE_FREEZE = "double_freeze"  # a retried freeze (same request number) freezes twice
    IGNORE_REQUEST_NO = "ignore_request_no"  # the request number is ignored: every submit is new, no 409
    WRONG_RESULT_CODE = "wrong_result_code"  # a successful answer carries a code outside the profile's table
    NO_CALLBACK_RETRY = "no_callback_retry"  # a callback not acknowledged is never retried
    FREEZE_BEYOND_BALANCE = "freeze_beyond_balance"  # a freeze reports the whole amount controlled, no remainder
    QUEUE_OUT_OF_ORDER = "queue_out_of_order"  # 轮候: the latest queued freeze takes effect first
    # a deduction of another case's freeze is carried out without the original case named (original_case_no)
    ANY_CASE_DEDUCTS = "any_case_deducts"
    # 过户 (15) at a registry: the seal ends but the property stays the debtor's (queries list it, a new seal takes)
    TRANSFER_KEEPS_HOLDING = "transfer_keeps_holding"
    # 过户 (15) ends the named seal only: the 轮候 seals queued behind it stay (and can still be released, 14)
    TRANSFER_KEEPS_QUEUED = "transfer_keeps_queued"


DEFECT_TEXT: dict[Defect, tuple[str, str]] = {
    Defect.DOUBLE_FREEZE: ("重复提交的冻结再次冻结", "a retried freeze freezes twice"),
    Defect.IGNORE_REQUEST_NO: ("忽略请求编号（无幂等、无冲突）", "the request number is ignored"),
    Defect.WRONG_RESULT_CODE: ("成功反馈使用规范外的结果代码", "a wrong result code on success"),
    Defect.NO_CALLBACK_RETRY: ("回调未确认时不重试", "no callback retry"),
    Defect.FREEZE_BEYOND_BALANCE: ("冻结超过可控余额（不报未控余额）", "a freeze beyond the balance"),
    Defect.QUEUE_OUT_OF_ORDER: ("轮候不按登记顺序生效", "轮候 out of order"),
    Defect.ANY_CASE_DEDUCTS: ("他案（未写明原案号）亦可扣划本案冻结", "any case may deduct a freeze"),
    Defect.TRANSFER_KEEPS_HOLDING: ("过户后财产仍属被执行人（可再查封）", "a transferred property stays the debtor's"),
    Defect.TRANSFER_KEEPS_QUEUED: ("过户后轮候查封仍然有效", "the 轮候 seals outlive a transfer"),
}

WRONG_CODE = "9999"


def parse_defects(names: object) -> tuple[Defect, ...]:
    """Defect names (a tuple/list of strings) as :class:`Defect` s; an unknown name is a ``ValueError``."""
    if not names:
        return ()
    items = names.split(",") if isinstance(names, str) else list(names)  # type: ignore[call-overload]
    out: list[Defect] = []
    for raw in items:
        name = str(raw).strip()
        try:
            out.append(Defect(name))
        except ValueError:
            known = ", ".join(d.value for d in Defect)
            raise ValueError(f"未知缺陷 {name}（可选：{known}）/ unknown defect {name} (known: {known})") from None
    return tuple(dict.fromkeys(out))


def apply_transfer_defects(ledger: Any, defects: tuple[Defect, ...]) -> None:
    """Switch the ledger's transfer (过户, 15) defects as ``defects`` say (off unless named: a saved state never
    carries one over)."""
    ledger.transfer_keeps_holding = Defect.TRANSFER_KEEPS_HOLDING in defects
    ledger.transfer_keeps_queued = Defect.TRANSFER_KEEPS_QUEUED in defects


def replays_as_new(defects: tuple[Defect, ...], measure: Measure) -> bool:
    """Whether a repeated request number is (wrongly) carried out again."""
    if not defects:
        return False
    return Defect.IGNORE_REQUEST_NO in defects or (Defect.DOUBLE_FREEZE in defects and measure == Measure.FREEZE)


def alter_feedback(defects: tuple[Defect, ...], feedback: Feedback, request_no: str) -> Feedback:
    """An answer as a defective agency would give it (about ``request_no``, the number the court sent)."""
    update: dict[str, object] = {}
    if feedback.request_no != request_no:  # a replay carried out as new still answers the number sent
        update["request_no"] = request_no
    if Defect.WRONG_RESULT_CODE in defects and feedback.ok and feedback.code == "0000":
        update["code"] = WRONG_CODE
    if (Defect.FREEZE_BEYOND_BALANCE in defects and feedback.measure == Measure.FREEZE
            and feedback.amount_requested_cents and feedback.amount_controlled_cents
            and feedback.unsecured_remainder_cents):  # a partial freeze reported as whole (not a 轮候 one)
        update.update(amount_controlled_cents=feedback.amount_requested_cents, unsecured_remainder_cents=0,
                      control_result=ControlResult.CONTROLLED)
    return feedback.model_copy(update=update) if update else feedback
