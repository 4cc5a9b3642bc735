"""Case numbers (案号) as the courts write them: ``(2025)豫0811执430号`` — the year the case was filed, the
court's mark (豫0811), the type's mark (执 首次执行, 执恢 恢复执行, 执保 财产保全) and the number within that court,
type and year, then 号 (《最高人民法院关于人民法院案件案号的若干规定》(2015), unconfirmed in LAW.md: the form is
what every published 执行 ruling shows).

A 恢复执行 case is a new case (法明传〔2020〕849号 一（二）: "推送本地立案系统进行恢复执行立案"), numbered as its
court's next 执恢 case of the year it is filed: the 终本 case (2025)豫0811执430号 resumed in 2026 becomes
(2026)豫0811执恢1号 if it is the court's first that year. A number not of this form (a test's ``K2``) keeps
zhixing's former scheme, ``<original>-恢1``, ``-恢2``… per original case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# (年度)法院代字 执[恢保] 编号 号 — half- or full-width brackets, kept as written
NUMBER = re.compile(r"^(?P<open>[(（])(?P<year>\d{4})(?P<close>[)）])(?P<court>[^()（）]+?)"
                    r"执(?P<mark>[恢保]?)(?P<no>\d+)号$")


def court_mark(case: str) -> str | None:
    """The court's mark in ``case`` (豫0811 in (2025)豫0811执430号), or None when it is not a court's case number."""
    m = NUMBER.match(case.strip())
    return m["court"] if m else None


def resumed_number(original: str, year: int, existing: Iterable[str]) -> str:
    """The number of the 恢复执行 case filed in ``year`` from the 终本 case ``original``: the court's next 执恢
    number of that year (one more than the highest among ``existing``), or ``<original>-恢N`` for a number of no
    court's form."""
    m = NUMBER.match(original.strip())
    if m is None:
        prefix = f"{original}-恢"
        return prefix + str(1 + sum(1 for k in existing if k.startswith(prefix) and k[len(prefix):].isdigit()))
    head = f"{m['open']}{year}{m['close']}{m['court']}执恢"
    taken = [int(k[len(head):-1]) for k in existing if k.startswith(head) and k.endswith("号")
             and k[len(head):-1].isdigit()]
    return f"{head}{max(taken, default=0) + 1}号"
