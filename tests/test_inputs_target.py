"""``--target`` as a Chinese input method types it (full-width ％ ＜＝ ＞＝, ≤ ≥ ≦ ≧, full-width digits), a share's
percentage written without its sign told how to write it, a misspelt KPI answered with the closest names."""

from __future__ import annotations

import pytest

from core_flow.errors import UserError
from sim.planner import parse_target


@pytest.mark.parametrize("text", ["利用率.法官<=85％", "利用率.法官＜＝８５％", "利用率.法官≤85％",
                                  "利用率.法官≦８５％", "utilisation.承办法官 ≦ 0.85"])
def test_full_width_forms_read_as_their_ascii(text):
    (t,) = parse_target(text).targets
    assert (t.kpi, t.op, t.threshold) == ("utilisation.承办法官", "<=", 0.85)


def test_full_width_greater_equal_and_separators():
    goal = parse_target("期限遵守率＞＝９５％，利用率.法官≧10%")
    assert [(t.kpi, t.op, t.threshold) for t in goal.targets] == [("compliance", ">=", 0.95),
                                                                   ("utilisation.承办法官", ">=", 0.1)]


def test_a_kpi_name_with_full_width_parentheses_still_reads():
    # NFKC makes （） of the report's label ( ): the label still reads
    assert parse_target("期限遵守率（全部节点）>=95％").targets[0].kpi == "compliance"


def test_a_share_above_one_without_percent_says_how_to_write_it():
    with pytest.raises(UserError) as err:
        parse_target("compliance>=95")
    assert "写 95% 或 0.95" in err.value.zh and "write 95% or 0.95" in err.value.en
    assert err.value.where == "--target"
    with pytest.raises(UserError) as err:  # not a percentage either way: no such hint
        parse_target("compliance>=150")
    assert "0.95" not in err.value.zh and "%" not in err.value.zh


@pytest.mark.parametrize(("text", "near"), [
    ("complience>=0.95", "compliance"),
    ("期限尊守率>=95%", "期限遵守率"),
    ("utilisaton.法官<=0.85", "utilisation.承办法官"),
    ("utilisation.书计员<=0.85", "utilisation.书记员"),
])
def test_a_misspelt_kpi_gets_a_did_you_mean(text, near):
    with pytest.raises(UserError) as err:
        parse_target(text)
    assert f"是否想写：{near}" in err.value.zh and f"did you mean: {near}" in err.value.en
