"""The court profile: the embedded default, the generated schema, partial files and located bilingual errors."""

from __future__ import annotations

import json
import re

import pytest

from core_flow.errors import UserError
from sim.profile import ACTIONS, DISPOSAL_ACTIONS, ROLES, SCHEMA, load_profile, schema


def test_default_profile_is_the_basic_court_sized_from_national_figures():
    p = load_profile()
    assert p.intake.yearly == 4000
    assert abs(sum(p.intake.mix.values()) - 1) < 1e-9
    assert len(p.intake.seasonality) == 12
    assert set(p.actions) == set(ACTIONS) | set(DISPOSAL_ACTIONS)  # disposal's timings too: `disposal: true` suffices
    assert p.disposal is False  # the staff were sized without it (sim/staff_disposal.py)
    assert set(p.staff) <= set(ROLES)
    # ≈928 cases per judge nationally (LAW.md): the default has between 4 and 8 judges for 4,000 cases
    assert 4 <= p.staff["承办法官"].count <= 8
    assert p.people("承办法官")[0] == "承办法官01"
    assert p.periods == ((8.5 * 3600, 12 * 3600), (14.5 * 3600, 17.5 * 3600))


def test_schema_file_is_generated_from_the_model():
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == schema(), \
        "regenerate: python -m sim.profile > sim/data/court_profile.schema.json"


def test_a_partial_file_overrides_the_default(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("name: 小法院\nintake: {yearly: 300}\nstaff: {承办法官: {count: 2, names: [甲法官]}}\n",
                 encoding="utf-8")
    p = load_profile(f)
    assert p.intake.yearly == 300 and p.intake.mix == load_profile().intake.mix
    assert p.people("承办法官") == ("甲法官", "承办法官02")
    assert p.staff["书记员"].count == load_profile().staff["书记员"].count


@pytest.mark.parametrize(("text", "where", "zh"), [
    ("staff: {法警: {count: 1}}\n", "", "未知角色"),
    ("intake: {seasonality: [1, 2]}\n", "intake.seasonality", "月度权重"),
    ("hours: [['14:00', '12:00']]\n", "hours", "工作时间"),
    ("actions: {close: {role: 承办法官, minutes: [30, 10, 5]}}\n", "actions.close.minutes", "最小"),
    ("intake: {yearly: -5}\n", "intake.yearly", ""),
    ("base: other\n", "base", "base"),
    ("staff: {承办法官: {count: 0}}\n", "", "至少一人"),
    # checks across fields, located on their field and line
    ("name: x\nstaff:\n  书记员: {count: 0}\n", ":3:staff.书记员.count", "至少一人"),
    ("name: x\nstaff:\n  法警: {count: 1}\n", ":3:staff.法警", "未知角色"),
    ("name: x\nactions:\n  bogus: {role: 书记员, minutes: [1, 2, 3]}\n", ":3:actions.bogus", "未知动作"),
    # a role with nobody in it cannot do an action (it was a KeyError in the middle of the run)
    ("name: x\nactions:\n  filing: {role: 院长, minutes: [1, 2, 3]}\nstaff:\n  院长: {count: 0}\n",
     ":3:actions.filing.role", "未配置人员"),
    # one person, one name: two people of one name were one queue with twice the capacity
    ("name: x\nstaff:\n  承办法官: {count: 2, names: [甲]}\n  书记员: {count: 1, names: [甲]}\n",
     ":4:staff.书记员.names", "姓名重复"),
    # weights whose sum overflows (an OverflowError in the arrivals); minutes that run past the calendar
    ("name: x\nintake:\n  seasonality: [1e308, 1e308, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n", ":3:intake.seasonality",
     "月度权重"),
    ("name: x\nactions:\n  filing: {role: 书记员, minutes: [1, 2, 1e9]}\n", ":3:actions.filing.minutes", "10,000"),
    ("name: x\nintake:\n  amount_yuan: {median: 1e14, min: 1e13, max: 1e15}\n", ":3:intake.amount_yuan.median",
     ""),
    ("name: x\nintake: {yearly: .nan}\n", ":2:intake.yearly", ""),
    # an origin in the day-first order is not guessed (month and day in doubt)
    ("name: x\norigin: 07/12/2026\n", ":2:origin", "无法识别的时间"),
    # a claim written as people write it is read; what is not an amount is located
    ("name: x\nintake:\n  amount_yuan: {median: 六万美元}\n", ":3:intake.amount_yuan.median", "金额无效"),
    ("name: x\nintake:\n  amount_yuan: {median: 0万}\n", ":3:intake.amount_yuan.median", ""),
    ("name: x\nintake:\n  amount_yuan: {median: 1.2345678万元}\n", ":3:intake.amount_yuan.median", ""),
    # the order staff work in: deadline or fifo; the days after which work without a deadline counts as due
    ("name: x\nqueue: lifo\n", ":2:queue", ""),
    ("name: x\nundated_days: -1\n", ":2:undated_days", ""),
])
def test_bad_profiles_are_located_bilingual_errors(tmp_path, text, where, zh):
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(f)
    err = info.value
    assert err.where.startswith(str(f)) and f"{where}: " in err.message  # alone, or listed among others
    assert zh in err.zh and err.en


@pytest.mark.parametrize(("text", "where", "zh", "en"), [
    # an unknown key: the fields its place takes, and the closest (none for a word unlike any)
    ("name: x\nstart: 2026-12-01\n", ":2:start", "此处可用：name、court_code、origin",
     "fields here: name, court_code, origin"),
    ("name: x\nstaff:\n  承办法官: {cnt: 3}\n", ":3:staff.承办法官.cnt", "此处可用：count、names；是否想写：count",
     "did you mean: count"),
    ("name: x\nagencies: {profil: fast}\n", ":2:agencies.profil", "是否想写：profile", "did you mean: profile"),
    ("name: x\nactions:\n  filing: {role: 书记员, mins: [1, 2, 3]}\n", ":3:actions.filing.mins",
     "此处可用：role、minutes", "fields here: role, minutes"),
    # pydantic's own checks in Chinese, English beside them
    ("name: x\nintake: {yearly: -5}\n", ":2:intake.yearly", "应不小于 0", "greater than or equal to 0"),
    ("name: x\nintake: {yearly: abc}\n", ":2:intake.yearly", "应为数字", "valid number"),
    # the profile's own checks: each half in its own language, with the particulars in both
    ("name: x\nstaff:\n  法警: {count: 1}\n", ":3:staff.法警", "未知角色 '法警'，可选：承办法官",
     "unknown role '法警'; roles:"),
    ("name: x\nintake:\n  seasonality: [1, 2]\n", ":3:intake.seasonality", "须为 12 个非负月度权重", "12 non-negative"),
    ("name: x\nhours: [['14:00', '12:00']]\n", ":2:hours", "工作时间须递增且不重叠：14:00-12:00", "increasing"),
])
def test_a_mistake_reads_in_chinese_with_english_beside_it(tmp_path, text, where, zh, en):
    f = tmp_path / "court.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(f)
    err = info.value
    assert err.where == f"{f}{where}"
    assert zh in err.zh and en in err.en
    unquoted = re.sub(r"'[^']*'", "", err.zh)
    assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", unquoted), err.zh  # no English sentence in the Chinese half
    assert not re.search("[须应未可是缺]", err.en), err.en  # nor Chinese wording in the English half


def test_a_bad_field_is_located_on_its_line(tmp_path):
    f = tmp_path / "court.yaml"
    f.write_text("name: 行号法院\nintake:\n  yearly: 300\n  amount_yuan: {median: 50, min: 1000, max: 9000}\n"
                 "staff:\n  承办法官: {count: 2}\n  书记员:\n    count: -1\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(f)
    assert f"{f}:4:intake.amount_yuan: " in info.value.message and "中位" in info.value.zh
    f.write_text(f.read_text(encoding="utf-8").replace("median: 50", "median: 5000"), encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(f)
    assert info.value.where == f"{f}:8:staff.书记员.count"



def test_broken_yaml_names_its_line_and_a_missing_file_its_path(tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text("name: x\nintake: [\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(f)
    assert info.value.where.startswith(f"{f}:")
    with pytest.raises(UserError, match="无法读取"):
        load_profile(tmp_path / "absent.yaml")


def test_claims_may_be_written_as_people_write_them(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("name: 万元法院\nintake:\n  amount_yuan: {median: 6万, min: '¥1,000', max: 2000万元}\n",
                 encoding="utf-8")
    amount = load_profile(f).intake.amount_yuan
    assert (amount.median, amount.min, amount.max) == (60_000.0, 1_000.0, 20_000_000.0)


@pytest.mark.parametrize(("written", "instant"), [
    ("2026-12-07", "2026-12-07T08:30:00+08:00"),  # a YAML date: the working day's start, not midnight
    ("'2026-12-07'", "2026-12-07T08:30:00+08:00"),
    ("2026年12月7日", "2026-12-07T08:30:00+08:00"),
    ("2026/12/7 09:15", "2026-12-07T09:15:00+08:00"),
    ("'2025-01-02T08:30:00+08:00'", "2025-01-02T08:30:00+08:00"),
])
def test_the_origin_is_read_as_start_reads_it(tmp_path, written, instant):
    """``origin: 2026年12月7日`` was refused ("a valid datetime") while ``--start 2026年12月7日`` was read, and
    ``origin: 2026-12-07`` started at midnight while ``--start 2026-12-07`` started at 08:30."""
    f = tmp_path / "p.yaml"
    f.write_text(f"name: x\norigin: {written}\n", encoding="utf-8")
    assert load_profile(f).origin.isoformat() == instant
    assert load_profile().with_origin(written.strip("'")).origin.isoformat() == instant


def test_working_hours_as_people_write_them(tmp_path):
    """Unquoted 8:30 was YAML 1.1's integer 510 ("should be a valid string"); "8:30" and "8：30" (a Chinese input
    method's colon) were refused as not HH:MM."""
    f = tmp_path / "p.yaml"
    f.write_text("name: x\nhours:\n  - [8:30, 12:00]\n  - ['14：30', '17:30']\n", encoding="utf-8")
    assert load_profile(f).periods == ((8.5 * 3600, 12 * 3600), (14.5 * 3600, 17.5 * 3600))
    f.write_text("name: x\nhours:\n  - [8:30, 24:00]\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(f)
    assert info.value.where.endswith(":3:hours") and "HH:MM" in info.value.zh and "24:00" in info.value.zh


def test_every_fields_mistake_is_said_at_once(tmp_path):
    """Three mistakes in a profile took three runs to find: all are listed, each at its line and field."""
    f = tmp_path / "p.yaml"
    f.write_text("name: t\nintake:\n  yearly: -5\n  money_share: 2\nstaff:\n  书记员: {count: -1}\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(f)
    err = info.value
    assert err.where == str(f) and err.zh.startswith("法院配置有 3 处错误")
    for place in (":3:intake.yearly: ", ":4:intake.money_share: ", ":6:staff.书记员.count: "):
        assert f"{f}{place}法院配置有误" in err.zh
    assert "3 mistakes in the court profile" in err.en


def test_several_mistakes_are_listed_in_the_files_order_under_the_files_name(tmp_path):
    """Review R5: the validator's order (intake at line 4 before staff at lines 2 and 3) was the listing's, and the
    head carried line 4's place as if the whole were there."""
    f = tmp_path / "p.yaml"
    f.write_text("staff:\n  承办法官: -1\n  书记员: abc\nintake: x\n", encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_profile(f)
    err = info.value
    assert err.where == str(f) and err.message.startswith(f"{f}: 法院配置有 3 处错误")
    places = [line.strip().split(": ")[0] for line in err.zh.splitlines()[1:4]]
    assert places == [f"{f}:2:staff.承办法官", f"{f}:3:staff.书记员", f"{f}:4:intake"]
