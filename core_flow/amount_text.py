"""An amount of money as people write it, read exactly to the cent: scenario files (``amount: 5万``) and a court's
start-state export (``标的金额: ¥12,000``) read it the same way.

A number is 元. Text may carry thousands separators (``12,000`` ``12，000``), a currency sign in front (``¥`` ``￥``),
and a unit at the end: ``元``; ``分`` (cents); ``万`` / ``万元`` (× 10,000 元); ``亿`` / ``亿元`` (× 100,000,000 元).
Decimal arithmetic: ``1.2万`` is 12,000.00 元 exactly; a value that is not a whole number of cents is refused.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from core_flow.protocol import MAX_CENTS

# unit at the end → cents per unit (the longer spelling first)
_UNITS = (("万元", 1_000_000), ("亿元", 10_000_000_000), ("万", 1_000_000), ("亿", 10_000_000_000), ("元", 100),
          ("分", 1))
FORMS_ZH = "如 2500、2,500.50元、¥12,000、1.2万、250050分"
FORMS_EN = "e.g. 2500, 2,500.50元, ¥12,000, 1.2万 (× 10,000), 250050分 (cents)"


def amount_cents(value: Any) -> int:
    """``value`` in cents (0 … ``MAX_CENTS``); ValueError, in Chinese and English, saying what is expected."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"金额无效 {value!r}（{FORMS_ZH}） / invalid amount {value!r} ({FORMS_EN})")
    text = str(value).strip()
    for sep in (",", "，", " ", "\u00a0"):
        text = text.replace(sep, "")
    text = text.lstrip("¥￥")
    per = 100
    for unit, cents in _UNITS:
        if text.endswith(unit):
            text, per = text[: -len(unit)], cents
            break
    try:
        amount = Decimal(text) * per
    except InvalidOperation:
        raise ValueError(f"金额无效 {value!r}（{FORMS_ZH}） / invalid amount {value!r} ({FORMS_EN})") from None
    if not amount.is_finite() or amount < 0 or amount != amount.to_integral_value():
        raise ValueError(f"金额须为非负且精确到分：{value!r} / the amount must be non-negative, to the cent: {value!r}")
    if amount > MAX_CENTS:
        raise ValueError(f"金额过大（至多 {MAX_CENTS // 100:,} 元）：{value!r} / the amount is too large (at most "
                         f"{MAX_CENTS // 100:,} yuan): {value!r}")
    return int(amount)
