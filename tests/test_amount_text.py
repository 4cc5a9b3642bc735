"""Amounts as people write them, read exactly (``core_flow.amount_text``): scenario files and a court's start-state
export read them the same way."""

from __future__ import annotations

import pytest

from core_flow.amount_text import amount_cents
from scenarios.loader import parse_text


@pytest.mark.parametrize(("text", "cents"), [
    (2500, 250_000), (2500.5, 250_050), ("2500", 250_000), ("2,500.50元", 250_050), ("2，500元", 250_000),
    ("250050分", 250_050), ("¥12,000", 1_200_000),
    ("￥12 000.01", 1_200_001), ("5万", 5_000_000),
    ("1.2万元", 1_200_000), ("1.23456万", 1_234_560), ("1.234567万", 1_234_567),
    ("3亿", 30_000_000_000), ("0", 0), ("0.01元", 1),
])
def test_the_forms_of_an_amount(text, cents):
    assert amount_cents(text) == cents


@pytest.mark.parametrize(("text", "says"), [
    ("abc", "金额无效"), ("1.2亿万", "金额无效"), ("万", "金额无效"), ("¥", "金额无效"), ("", "金额无效"),
    (None, "金额无效"),
    (True, "金额无效"), ("-5", "非负"), ("0.001元", "精确到分"), ("1.2345678万", "精确到分"), ("1.5分", "精确到分"),
    ("nan", "精确到分"), ("inf", "精确到分"), ("1e30", "金额过大"), ("200000亿", "金额过大"),
])
def test_what_is_not_an_amount_is_refused_in_both_languages(text, says):
    with pytest.raises(ValueError) as err:
        amount_cents(text)
    zh, _, en = str(err.value).partition(" / ")
    assert says in zh and ("amount" in en)


def test_a_scenario_reads_an_amount_in_万():
    text = ("name: 万元\ncase:\n  number: (2025)豫0811执1号\n  amount: 5万\n  filed: 2025-09-29 10:00\n"
            "  debtors: [{as: 甲, world: 1, holdings: [{agency: 建设银行, kind: 存款, amount: ¥1.2万, as: 存款}]}]\n"
            "steps:\n  - freeze: {asset: 存款, amount: 0.8万元}\n")
    (sc,), problems = parse_text(text, "f.scenario.yaml")
    assert not problems
    assert sc.case.amount == 5_000_000
    assert sc.case.debtors[0].holdings[0].amount == 1_200_000
    assert sc.steps[0].args.amount == 800_000
