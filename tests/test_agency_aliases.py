"""Agencies by what people call them (the catalogue's ``aliases``): 工行, 建行, 支付宝, 微信支付 in a scenario name the
agency a tester means; a name that would stand for two agencies is refused where the catalogue is read."""

from __future__ import annotations

import dataclasses

import pytest

from core_flow.errors import UserError
from mock_agencies.catalogue import Catalogue, load_catalogue
from scenarios import refs
from scenarios.loader import parse_text


@pytest.mark.parametrize(("written", "code"), [
    ("工行", "icbc"), ("中国工商银行", "icbc"), ("中国工商银行股份有限公司", "icbc"), ("建行", "ccb"), ("农行", "abc"),
    ("中行", "boc"), ("交行", "bocom"), ("招行", "cmb"), ("邮储", "psbc"), ("浦发", "spdb"), ("支付宝", "alipay"),
    ("财付通", "tenpay"), ("微信支付", "tenpay"), ("网银在线", "chinabank_payments"), ("icbc", "icbc"),
])
def test_an_agency_by_what_people_call_it(written, code):
    assert refs.agency(written) == code


def test_an_unknown_short_name_still_gets_the_closest():
    with pytest.raises(ValueError, match="未知协助单位 '京东'") as err:
        refs.agency("京东")
    assert "京东网" in str(err.value)


def test_a_name_standing_for_two_agencies_is_refused():
    shipped = load_catalogue()
    icbc, ccb = shipped.get("icbc"), shipped.get("ccb")
    with pytest.raises(UserError, match="工行") as err:
        Catalogue((icbc, dataclasses.replace(ccb, aliases=("工行",))), source="agencies.yaml")
    assert err.value.where == "agencies.yaml" and "icbc" in err.value.zh and "ccb" in err.value.zh


def test_a_scenario_names_its_holdings_and_steps_by_short_names():
    text = ("name: 简称\ncase:\n  number: (2025)豫0811执1号\n  filed: 2025-09-29 10:00\n"
            "  debtors: [{as: 甲, world: 1, holdings: [{agency: 工行, kind: 存款, amount: 1000, as: 工行存款},\n"
            "                                   {agency: 支付宝, kind: 余额, amount: 200, as: 支付宝余额}]}]\n"
            "steps:\n  - open_feedback: 建行\n")
    (sc,), problems = parse_text(text, "f.scenario.yaml")
    assert not problems
    assert [h.agency for h in sc.case.debtors[0].holdings] == ["icbc", "alipay"]
    assert sc.steps[0].args.agency == "ccb"
