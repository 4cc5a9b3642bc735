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
    ("abc", "金额无效"), ("1.2亿万", "金额无效"), ("六万万", "金额无效"), ("万", "金额无效"), ("¥", "金额无效"),
    ("", "金额无效"),
    (None, "金额无效"),
    (True, "金额无效"), ("-5", "非负"), ("0.001元", "精确到分"), ("1.2345678万", "精确到分"), ("1.5分", "精确到分"),
    ("nan", "精确到分"), ("inf", "精确到分"), ("1e30", "金额过大"), ("200000亿", "金额过大"),
])
def test_what_is_not_an_amount_is_refused_in_both_languages(text, says):
    with pytest.raises(ValueError) as err:
        amount_cents(text)
    zh, _, en = str(err.value).partition(" / ")
    assert says in zh and ("amount" in en)


@pytest.mark.parametrize(("text", "cents"), [
    ("人民币壹万贰仟叁佰肆拾伍元陆角柒分", 1_234_567), ("伍万元整", 5_000_000), ("贰拾万元整", 20_000_000),
    ("一万二千元", 1_200_000), ("十二万五千元", 12_500_000), ("两万", 2_000_000), ("12万5千元", 12_500_000),
    ("一万零五百元", 1_050_000), ("叁仟零伍拾元", 305_000), ("一百零五", 10_500), ("十元", 1_000),
    ("一亿二千万元", 12_000_000_000), ("壹元零伍分", 105), ("伍角陆分", 56), ("壹佰元零伍角", 10_050),
    # spoken: a last digit without its unit is of the next lower one (was read 一万五 = 10,005)
    ("一万五", 1_500_000), ("两万三千五", 2_350_000), ("三千五百元", 350_000), ("一万零五元", 1_000_500),
    ("1万5000元", 1_500_000), ("1万5", 1_500_000),
])
def test_amounts_in_chinese_numerals_as_judgments_write_them(text, cents):
    assert amount_cents(text) == cents


@pytest.mark.parametrize("text", ["四八元", "十十元", "百千", "万元", "壹万贰仟元伍", "伍角角", "一.五万",
                                  "贰拾万美元", "1万50000", "二十一百元", "十角"])
def test_what_chinese_numerals_cannot_mean_is_refused(text):
    with pytest.raises(ValueError, match="金额无效"):
        amount_cents(text)


def test_a_scenario_reads_an_amount_in_万():
    text = ("name: 万元\ncase:\n  number: (2025)豫0811执1号\n  amount: 5万\n  filed: 2025-09-29 10:00\n"
            "  debtors: [{as: 甲, world: 1, holdings: [{agency: 建设银行, kind: 存款, amount: ¥1.2万, as: 存款}]}]\n"
            "steps:\n  - freeze: {asset: 存款, amount: 0.8万元}\n")
    (sc,), problems = parse_text(text, "f.scenario.yaml")
    assert not problems
    assert sc.case.amount == 5_000_000
    assert sc.case.debtors[0].holdings[0].amount == 1_200_000
    assert sc.steps[0].args.amount == 800_000
