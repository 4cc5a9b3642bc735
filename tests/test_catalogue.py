"""The agency catalogue (data/agencies.yaml) and the scope of a 集约查询."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from core_flow.errors import UserError
from core_flow.protocol import DEFAULT_COURT, AgencyGroup, Measure, SubjectKind
from mock_agencies.catalogue import (
    UnknownAgencyError,
    inquiry_scope,
    inquiry_scope_for_subject,
    load_catalogue,
)
from mock_agencies.identity import make_id_number, make_uscc, province_codes

# 法明传〔2020〕849号, 一(一)1: the 21 national banks and 3 internet-finance providers, in the notice's order.
NOTICE_BANKS = (
    "工商银行 建设银行 农业银行 中国银行 邮储银行 交通银行 招商银行 中信银行 光大银行 华夏银行 民生银行 兴业银行 "
    "广发银行 平安银行 浦发银行 恒丰银行 浙商银行 渤海银行 中国进出口银行 中国农业发展银行 北京银行"
).split()
NOTICE_INTERNET_FINANCE = ["财付通支付科技有限公司", "网银在线（北京）科技有限公司", "支付宝（中国）网络技术有限公司"]

CAT = load_catalogue()


def person_from(region: str) -> str:
    return make_id_number(region, date(1980, 5, 17), 123)


def codes(agencies) -> set[str]:
    return {a.code for a in agencies}


def test_every_group_is_present() -> None:
    for group in AgencyGroup:
        assert CAT.by_group(group), group


def test_the_21_national_banks_exactly_as_the_notice_names_them() -> None:
    assert [a.name for a in CAT.by_group(AgencyGroup.NATIONAL_BANK)] == NOTICE_BANKS
    assert [a.name for a in CAT.by_group("internet_finance")] == NOTICE_INTERNET_FINANCE
    for a in CAT.by_group(AgencyGroup.NATIONAL_BANK) + CAT.by_group(AgencyGroup.INTERNET_FINANCE):
        assert set(a.operations) == {Measure.QUERY, Measure.FREEZE, Measure.RENEW, Measure.UNFREEZE, Measure.DEDUCT}
        assert a.in_inquiry_scope and not a.unconfirmed
    (securities,) = CAT.by_group(AgencyGroup.SECURITIES)
    assert Measure.DEDUCT not in securities.operations and securities.in_inquiry_scope


def test_codes_are_stable_url_safe_and_unique() -> None:
    assert len(set(CAT.codes())) == len(CAT)
    for a in CAT:
        assert re.fullmatch(r"[a-z0-9_]+", a.code)
        assert a.name and a.name_en and a.profile


def test_every_province_has_a_province_wide_local_bank() -> None:
    for province in province_codes():
        banks = [a for a in CAT.by_group(AgencyGroup.LOCAL_BANK) if a.region and a.region.startswith(province)]
        assert any(a.region == province for a in banks), province
        # a debtor from anywhere in the province, judged by a court elsewhere, gets that bank in scope
        court = "110105" if province != "11" else "410811"
        scope = inquiry_scope(CAT, person_from(province + "9999"), court)
        assert any(a.group == AgencyGroup.LOCAL_BANK and a.region == province for a in scope), province


def test_jiaozuo_has_its_local_banks() -> None:
    jiaozuo = [a for a in CAT.by_group(AgencyGroup.LOCAL_BANK) if a.region and a.region.startswith("4108")]
    assert len(jiaozuo) >= 2
    assert any(a.region == "410811" for a in jiaozuo)  # the default court's own district
    assert all(a.unconfirmed for a in jiaozuo)  # memberships are data, marked unconfirmed


def test_scope_for_a_debtor_from_jiaozuo_shanyang() -> None:
    scope = inquiry_scope(CAT, person_from("410811"), DEFAULT_COURT.region)
    names = [a.name for a in scope]
    assert names[:21] == NOTICE_BANKS
    assert names[21:24] == NOTICE_INTERNET_FINANCE
    assert scope[24].group == AgencyGroup.SECURITIES
    got = codes(scope)
    assert {"zhongyuan_bank", "jiaozuo_zhonglv_bank", "jiaozuo_shanyang_rcb"} <= got
    # another 焦作 district's, another Henan city's, another province's banks are out
    assert not {"jiaozuo_jiefang_rcb", "wuzhi_rcb", "bank_of_zhengzhou", "bjrcb"} & got
    assert not any(a.group in (AgencyGroup.REAL_ESTATE, AgencyGroup.AUCTION) for a in scope)
    assert len(scope) == 25 + 3


def test_scope_for_a_debtor_from_beijing_adds_beijing_banks_to_the_courts() -> None:
    local = inquiry_scope(CAT, person_from("410811"), DEFAULT_COURT.region)
    beijing = inquiry_scope(CAT, person_from("110105"), DEFAULT_COURT.region)
    assert codes(beijing) - codes(local) == {"bjrcb"}
    assert codes(local) <= codes(beijing)
    assert "bank_of_tianjin" not in codes(beijing)


def test_scope_for_a_debtor_from_another_jiaozuo_district_includes_both_districts() -> None:
    scope = codes(inquiry_scope(CAT, person_from("410802"), DEFAULT_COURT.region))
    assert {"jiaozuo_jiefang_rcb", "jiaozuo_shanyang_rcb", "jiaozuo_zhonglv_bank"} <= scope
    assert "wuzhi_rcb" not in scope


def test_scope_for_a_company_uses_its_registration_region() -> None:
    shenzhen_company = make_uscc("440300", "71526726")
    scope = inquiry_scope(CAT, shenzhen_company, DEFAULT_COURT.region)
    got = codes(scope)
    assert "nanyue_bank" in got  # province-wide Guangdong bank
    assert not {"bank_of_guangzhou", "grcb"} & got  # Guangzhou banks: another city
    assert {"zhongyuan_bank", "jiaozuo_shanyang_rcb"} <= got  # the court's place
    assert inquiry_scope_for_subject(CAT, shenzhen_company, SubjectKind.COMPANY, DEFAULT_COURT.region) == scope
    with pytest.raises(UserError):
        inquiry_scope_for_subject(CAT, shenzhen_company, SubjectKind.PERSON, DEFAULT_COURT.region)


def test_scope_refuses_bad_input() -> None:
    with pytest.raises(UserError) as exc:
        inquiry_scope(CAT, "110105194912310021", DEFAULT_COURT.region)
    assert exc.value.where == "id_number"
    with pytest.raises(UserError) as exc:
        inquiry_scope(CAT, person_from("410811"), "41081")
    assert exc.value.where == "court_region"


def test_unknown_code_is_a_user_error_naming_it() -> None:
    with pytest.raises(UnknownAgencyError) as exc:
        CAT.get("no_such_bank")
    assert isinstance(exc.value, UserError)
    assert "no_such_bank" in exc.value.message and exc.value.code == "unknown_agency"
    assert CAT.get("icbc").name == "工商银行"
    assert "icbc" in CAT and "no_such_bank" not in CAT


def test_catalogue_as_json() -> None:
    data = json.loads(json.dumps(CAT.as_json(), ensure_ascii=False))
    assert len(data) == len(CAT)
    icbc = next(d for d in data if d["code"] == "icbc")
    assert icbc == {
        "code": "icbc",
        "name": "工商银行",
        "name_en": "Industrial and Commercial Bank of China",
        "group": "national_bank",
        "operations": ["00", "01", "02", "04", "06"],
        "region": None,
    }
    assert all(d["region"] for d in data if d["group"] == "local_bank")


def test_unconfirmed_and_synthetic_entries_are_marked() -> None:
    auctions = {a.code: a for a in CAT.by_group(AgencyGroup.AUCTION)}
    assert {c for c, a in auctions.items() if not a.unconfirmed} == {"taobao", "jd", "rmfysszc", "gpai", "caa"}
    assert auctions["icbc_rongegou"].unconfirmed and auctions["cbex"].unconfirmed
    pricing = CAT.by_group(AgencyGroup.PRICING)
    inquiry_platforms = [a for a in pricing if a.services == ("network_inquiry",)]
    assert len(inquiry_platforms) == 3 and all(a.unconfirmed for a in inquiry_platforms)
    assert any(a.synthetic and "commissioned_valuation" in a.services for a in pricing)
    registry = CAT.get("real_estate_registry")
    assert {Measure.QUERY, Measure.SEAL, Measure.RENEW_SEAL, Measure.UNSEAL, Measure.TRANSFER_DOC} == set(
        registry.operations
    )
    assert not registry.in_inquiry_scope


def test_default_catalogue_is_cached_and_an_explicit_path_loads_afresh(tmp_path: Path) -> None:
    assert load_catalogue() is load_catalogue()
    from mock_agencies.catalogue import DEFAULT_CATALOGUE_FILE

    copy = tmp_path / "agencies.yaml"
    copy.write_text(DEFAULT_CATALOGUE_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    again = load_catalogue(copy)
    assert again is not CAT and again.codes() == CAT.codes()


# --- malformed files ------------------------------------------------------------------------------------

GOOD_ENTRY = "  - {code: icbc, group: national_bank, name: 工商银行, name_en: ICBC}\n"
HEADER = 'version: 1\ngroup_defaults:\n  national_bank: {operations: ["00"], profile: bank, in_inquiry_scope: true}\n'


def load_text(tmp_path: Path, text: str) -> UserError:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_catalogue(path)
    assert str(path) in exc.value.message
    assert exc.value.zh and exc.value.en
    return exc.value


def test_good_minimal_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(HEADER + "agencies:\n" + GOOD_ENTRY, encoding="utf-8")
    cat = load_catalogue(path)
    assert cat.get("icbc").operations == (Measure.QUERY,)


def test_unquoted_measure_codes_name_file_line_entry_and_field(tmp_path: Path) -> None:
    text = (
        HEADER
        + "agencies:\n"
        + GOOD_ENTRY
        + "  - code: ccb\n    group: national_bank\n    name: 建设银行\n    name_en: CCB\n    operations: [00, 01]\n"
    )
    err = load_text(tmp_path, text)
    assert "agencies[1] (ccb).operations" in err.where
    assert ":10:" in err.where  # the line of the operations key
    assert '"01"' in err.en


def test_missing_field_is_named(tmp_path: Path) -> None:
    err = load_text(
        tmp_path, HEADER + "agencies:\n" + GOOD_ENTRY + "  - {code: ccb, group: national_bank, name: 建设银行}\n"
    )
    assert err.where.endswith("agencies[1] (ccb).name_en")
    assert ":6:" in err.where  # the entry's line, since the field is absent


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ("  - {code: CCB, group: national_bank, name: 建设银行, name_en: CCB}\n", "code"),
        ("  - {code: ccb, group: nationwide_bank, name: 建设银行, name_en: CCB}\n", "group"),
        ("  - {code: ccb, group: national_bank, name: 建设银行, name_en: CCB, colour: red}\n", "colour"),
        ("  - {code: icbc, group: national_bank, name: 建设银行, name_en: CCB}\n", "code"),  # duplicate
        ("  - {code: ccb, group: national_bank, name: 建设银行, name_en: CCB, operations: ['99']}\n", "operations"),
        (
            "  - {code: lb, group: local_bank, name: 某银行, name_en: X, operations: ['00'], profile: bank, "
            "in_inquiry_scope: true}\n",
            "region",
        ),
        (
            "  - {code: lb, group: local_bank, name: 某银行, name_en: X, operations: ['00'], profile: bank, "
            "in_inquiry_scope: true, region: '4108111'}\n",
            "region",
        ),
    ],
)
def test_bad_entries_name_the_entry_and_field(tmp_path: Path, entry: str, field: str) -> None:
    err = load_text(tmp_path, HEADER + "agencies:\n" + GOOD_ENTRY + entry)
    assert "agencies[1]" in err.where
    assert err.where.endswith(f".{field}")


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    err = load_text(tmp_path, HEADER + "agencies:\n" + GOOD_ENTRY + "  - {code: ccb, name: [unclosed\n")
    assert re.search(r"bad\.yaml:\d+$", err.where)


def test_file_without_agencies_list(tmp_path: Path) -> None:
    err = load_text(tmp_path, "version: 1\n")
    assert err.where.endswith("bad.yaml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError) as exc:
        load_catalogue(tmp_path / "nope.yaml")
    assert "nope.yaml" in exc.value.where
