"""Closing manners, asset kinds and authorities by the other names people write: the law's full name of 终本
(终结本次执行程序) was refused with the suggestion 终结 — a different closing manner, whose controls are released."""

from __future__ import annotations

import pytest

from core_flow.process_loader import default_process
from core_flow.protocol import AssetKind
from scenarios import refs


@pytest.mark.parametrize(("written", "code"), [
    ("终本", "zhongben"), ("终结本次执行程序", "zhongben"), ("终结本次执行", "zhongben"), ("终本结案", "zhongben"),
    ("终结", "terminated"), ("终结执行", "terminated"), ("执行终结", "terminated"),
    ("执行完毕", "completed"), ("执行完毕结案", "completed"),
])
def test_a_closing_manner_by_its_names(written, code):
    assert refs.manner(written) == code
    assert default_process().manner(written).code == code


def test_an_unknown_manner_says_what_终本_stands_for():
    with pytest.raises(ValueError) as err:
        refs.manner("不予执行")
    assert "终本即终结本次执行程序" in str(err.value)


@pytest.mark.parametrize(("written", "kind"), [
    ("房产", AssetKind.REAL_ESTATE), ("房屋", AssetKind.REAL_ESTATE), ("住房", AssetKind.REAL_ESTATE),
    ("汽车", AssetKind.VEHICLE), ("机动车", AssetKind.VEHICLE), ("股票", AssetKind.SECURITIES),
    ("理财", AssetKind.WEALTH_PRODUCT), ("银行存款", AssetKind.DEPOSIT), ("存款", AssetKind.DEPOSIT),
])
def test_an_asset_kind_by_its_everyday_name(written, kind):
    assert refs.asset_kind(written) == kind


def test_the_trial_management_office_by_its_short_name():
    assert refs.authority("审管办") == refs.authority("审判管理办公室") == "trial_management"
