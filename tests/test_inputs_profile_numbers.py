"""A court profile's numbers read one way everywhere (``sim.profile.read_quantity``): units that fit the field
(天/日, 件, 人/名, 元/万元, %), Chinese numerals, 千 and 万, thousands commas, full-width forms; a unit of another
kind refused, saying what the field takes; a share map's mistake named by the key the user wrote."""

from __future__ import annotations

import pytest

from core_flow.errors import UserError
from sim.profile import load_profile

HEAD = "name: a\norigin: 2027年1月4日\n"


def _load(tmp_path, body: str):
    p = tmp_path / "court.yaml"
    p.write_text(HEAD + body, encoding="utf-8")
    return load_profile(p)


def _error(tmp_path, body: str) -> UserError:
    with pytest.raises(UserError) as err:
        _load(tmp_path, body)
    return err.value


def test_shares_as_percentages(tmp_path):
    p = _load(tmp_path, "intake:\n  mix: {首执: 85%, 恢复: 3%, 保全: 12%}\n  debtor_kind: {自然人: 70％, 单位: 30%}\n"
                        "  money_share: 百分之九十\ndisposal_share: 40%\n")
    assert p.intake.mix == {"first": 0.85, "resumed": 0.03, "preservation": 0.12}
    assert p.intake.debtor_kind == {"person": 0.7, "company": 0.3}
    assert p.intake.money_share == 0.9 and p.disposal_share == 0.4


def test_days_with_their_unit(tmp_path):
    p = _load(tmp_path, "warmup_days: 30天\nundated_days: 十日\nnotice_period_days: 10日\n")
    assert (p.warmup_days, p.undated_days, p.notice_period_days) == (30, 10, 10)


def test_thousands_as_written(tmp_path):
    assert _load(tmp_path, "intake:\n  yearly: 1.2千\n").intake.yearly == 1200
    assert _load(tmp_path, "intake:\n  yearly: ４，０００件\n").intake.yearly == 4000
    assert _load(tmp_path, "staff:\n  承办法官: {count: 6名}\n").staff["承办法官"].count == 6


def test_a_unit_of_another_kind_is_refused(tmp_path):
    err = _error(tmp_path, "warmup_days: 30件\n")
    assert err.where.endswith("court.yaml:3:warmup_days")
    assert "单位不符" in err.zh and "天、日" in err.zh and "wrong unit" in err.en and "30件" in err.en
    err = _error(tmp_path, "intake:\n  amount_yuan: {median: 6万人}\n")
    assert "单位不符" in err.zh and "intake.amount_yuan.median" in err.where
    assert "单位不符" in _error(tmp_path, "intake:\n  yearly: 30%\n").zh


def test_a_share_written_as_a_percentage_without_its_sign_says_how(tmp_path):
    err = _error(tmp_path, "disposal_share: 85\n")
    assert "85% 或 0.85" in err.zh and "write 85% or 0.85" in err.en


def test_a_share_map_mistake_is_named_by_the_users_key(tmp_path):
    err = _error(tmp_path, "intake:\n  mix: {首执: 85%, 恢复: 3%, 保全: 很多}\n")
    assert err.where.endswith("court.yaml:4:intake.mix.保全"), err.where
    assert "intake.mix.保全" in err.zh and "preservation" not in err.where
    err = _error(tmp_path, "staff:\n  法官助理: {count: 很多}\n")
    assert err.where.endswith("court.yaml:4:staff.法官助理.count"), err.where
