"""An amount of money as people write it, read exactly to the cent: scenario files (``amount: 5万``) and a court's
start-state export (``标的金额: ¥12,000``) read it the same way.

A number is 元. Text may carry thousands separators (``12,000`` ``12，000``), a currency sign in front (``¥`` ``￥``),
and a unit at the end: ``元``; ``分`` (cents); ``万`` / ``万元`` (× 10,000 元); ``亿`` / ``亿元`` (× 100,000,000 元).
Decimal arithmetic: ``1.2万`` is 12,000.00 元 exactly; a value that is not a whole number of cents is refused.

Chinese numerals as judgments and receipts write amounts are read too: 大写 (``人民币壹万贰仟叁佰肆拾伍元陆角柒分``,
``伍万元整``), 小写 (``一万二千元``, ``十二万五千元``, ``两万``) and Arabic digits with Chinese units (``12万5千元``),
with 元/圆, 角 and 分, and the spoken 一万五 (15,000) — the one Chinese numeral reader,
``core_flow.legal_calendar.periods.zh_number``. Two digits in a row without a unit between them (``四八``) are
refused: not how an amount is written.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from core_flow.legal_calendar.periods import ZH_NUMERAL_CHARS, zh_number
from core_flow.protocol import MAX_CENTS

# unit at the end → cents per unit (the longer spelling first)
_UNITS = (("万元", 1_000_000), ("亿元", 10_000_000_000), ("万", 1_000_000), ("亿", 10_000_000_000), ("元", 100),
          ("分", 1))
FORMS_ZH = "如 2500、2,500.50元、¥12,000、1.2万、250050分、壹万贰仟元整"
FORMS_EN = "e.g. 2500, 2,500.50元, ¥12,000, 1.2万 (× 10,000), 250050分 (cents), 壹万贰仟元整"


_DECIMAL_WITH_UNIT = re.compile(r"[-+]?[\d.]*(?:万元|亿元|万|亿)")  # 1.2万, 3亿元: read as a decimal number


def _digit(text: str) -> int | None:
    """One Chinese digit 0–9 (伍 → 5), for 角 and 分."""
    value = zh_number(text) if len(text) == 1 else None
    return value if value is not None and value < 10 else None


def _chinese_cents(text: str) -> int | None:
    """``text`` (人民币 and 整 already off) in Chinese numerals with 元/圆, 角, 分 → cents; None when not one."""
    yuan_part, jiao, fen = text, 0, 0
    for mark in ("元", "圆"):
        if mark in yuan_part:
            yuan_part, _, rest = yuan_part.partition(mark)
            break
    else:
        rest = ""
        if yuan_part.endswith(("角", "分")):  # 伍角, 伍角陆分: no 元 at all
            yuan_part, rest = "", yuan_part
    rest = rest.lstrip("零〇")
    if "角" in rest:
        head, _, rest = rest.partition("角")
        jiao = _digit(head)
        rest = rest.lstrip("零〇")
    if rest:
        fen = _digit(rest[:-1]) if rest.endswith("分") else None
    yuan = zh_number(yuan_part) if yuan_part else 0
    if yuan is None or jiao is None or fen is None:
        return None
    return yuan * 100 + jiao * 10 + fen


def amount_cents(value: Any) -> int:
    """``value`` in cents (0 … ``MAX_CENTS``); ValueError, in Chinese and English, saying what is expected."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"金额无效 {value!r}（{FORMS_ZH}） / invalid amount {value!r} ({FORMS_EN})")
    text = str(value).strip()
    for sep in (",", "，", " ", "\u00a0"):
        text = text.replace(sep, "")
    text = text.lstrip("¥￥").removeprefix("人民币").removesuffix("整").removesuffix("正")
    if any(ch in ZH_NUMERAL_CHARS for ch in text) and not _DECIMAL_WITH_UNIT.fullmatch(text):  # 壹万贰仟元, 1万5
        cents = _chinese_cents(text)
        if cents is None:
            raise ValueError(f"金额无效 {value!r}（{FORMS_ZH}） / invalid amount {value!r} ({FORMS_EN})")
        if cents > MAX_CENTS:
            raise ValueError(f"金额过大（至多 {MAX_CENTS // 100:,} 元）：{value!r} / the amount is too large (at "
                             f"most {MAX_CENTS // 100:,} yuan): {value!r}")
        return cents
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
