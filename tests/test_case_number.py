"""A 恢复执行 case's number: the court's next 执恢 number of the year it is filed (core_flow/case_number.py)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from core_flow.case_number import NUMBER, CaseNumbers
from sim.start_state import type_from_number


def resumed_number(original: str, year: int, existing: Iterable[str]) -> str:
    """The number the platform gives the 恢复执行 case of ``original`` filed in ``year`` among ``existing``."""
    numbers = CaseNumbers()
    existing = list(existing)
    for case in existing:
        numbers.taken(case)
    return numbers.resumed(original, year, existing)


def test_a_resumed_case_is_the_courts_next_zhihui_case_of_its_year() -> None:
    assert resumed_number("(2025)豫0811执430号", 2026, []) == "(2026)豫0811执恢1号"
    taken = ["(2026)豫0811执恢1号", "(2026)豫0811执恢7号", "(2025)豫0811执恢30号", "(2026)豫0802执恢40号",
             "(2026)豫0811执50号"]  # only this court's 执恢 cases of 2026 count
    assert resumed_number("(2024)豫0811执3号", 2026, taken) == "(2026)豫0811执恢8号"
    # a resumed case resumed again, a preservation case's court mark, full-width brackets kept as written
    assert resumed_number("(2026)豫0811执恢8号", 2027, [*taken, "(2026)豫0811执恢8号"]) == "(2027)豫0811执恢1号"
    assert resumed_number("(2026)豫0811执恢8号", 2026, [*taken, "(2026)豫0811执恢8号"]) == "(2026)豫0811执恢9号"
    assert resumed_number("（2025）京0105执保12号", 2025, []) == "（2025）京0105执恢1号"


def test_the_number_reads_back_as_a_resumed_case() -> None:
    number = resumed_number("(2025)豫0811执430号", 2026, [])
    assert type_from_number(number) == "resumed" and NUMBER.match(number)["court"] == "豫0811"


@pytest.mark.parametrize("original", ["K2", "(2025)豫0811执430", "2025豫0811执430号"])
def test_a_number_of_no_courts_form_keeps_the_former_scheme(original: str) -> None:
    assert NUMBER.match(original) is None
    assert resumed_number(original, 2026, []) == f"{original}-恢1"
    assert resumed_number(original, 2026, [f"{original}-恢1", f"{original}-恢x"]) == f"{original}-恢2"


def test_a_number_filed_or_reserved_is_not_given_again() -> None:
    from core_flow.case_number import CaseNumbers

    numbers = CaseNumbers()
    numbers.taken("(2026)豫0811执恢5号")  # a 恢复执行 case arriving later in the year (the simulation reserves it)
    numbers.taken("（2026）豫0811执恢6号")  # full-width brackets: the same register
    numbers.taken("(2026)豫0811执9号")
    first = numbers.resumed("(2025)豫0811执430号", 2026)
    assert first == "(2026)豫0811执恢7号"
    assert numbers.resumed("(2025)豫0811执431号", 2026) == "(2026)豫0811执恢8号"  # the one given counts
    assert numbers.resumed("（2025）豫0811执432号", 2027) == "（2027）豫0811执恢1号"
