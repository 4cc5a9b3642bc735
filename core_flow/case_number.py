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
import unicodedata
from collections.abc import Iterable

# (年度)法院代字 执[恢保] 编号 号 — half- or full-width brackets, kept as written
NUMBER = re.compile(r"^(?P<open>[(（])(?P<year>\d{4})(?P<close>[)）])(?P<court>[^()（）]+?)"
                    r"执(?P<mark>[恢保]?)(?P<no>\d+)号$")


def _key(year: int | str, court: str, mark: str) -> str:
    return unicodedata.normalize("NFKC", f"{year}|{court}|{mark}")  # (2025) and （2025） number alike


class CaseNumbers:
    """The numbers a court has given, per year, court mark and type mark: the next one is one more than the highest
    (a court's register counts on; a number typed with full-width brackets is the same number)."""

    def __init__(self) -> None:
        self._top: dict[str, int] = {}

    def taken(self, case: str) -> None:
        """``case`` is filed (or reserved for a filing to come): its number is not given again."""
        m = NUMBER.match(case.strip())
        if m is not None:
            key = _key(m["year"], m["court"], m["mark"])
            self._top[key] = max(self._top.get(key, 0), int(m["no"]))

    def top(self, year: int, court: str, mark: str) -> int:
        """The highest number given in ``year`` by the court ``court`` (豫0811) for the type ``mark`` ("" 执, 恢 执恢,
        保 执保); 0 when none."""
        return self._top.get(_key(year, court, mark), 0)

    def resumed(self, original: str, year: int, existing: Iterable[str] = ()) -> str:
        """The number of the 恢复执行 case filed in ``year`` from the 终本 case ``original``: the court's next 执恢
        number of that year, or ``<original>-恢N`` (counted among ``existing``) for a number of no court's form."""
        m = NUMBER.match(original.strip())
        if m is None:
            prefix = f"{original}-恢"
            return prefix + str(1 + sum(1 for k in existing if k.startswith(prefix) and k[len(prefix):].isdigit()))
        number = f"{m['open']}{year}{m['close']}{m['court']}执恢{self._top.get(_key(year, m['court'], '恢'), 0) + 1}号"
        self.taken(number)
        return number

