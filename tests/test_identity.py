"""GB 11643 ID numbers and GB 32100 credit codes: check characters, validity, regions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core_flow.errors import UserError
from core_flow.protocol import SubjectKind
from mock_agencies.identity import (
    USCC_ALPHABET,
    id_check_digit,
    is_valid_id_number,
    is_valid_uscc,
    make_id_number,
    make_uscc,
    org_code_check_char,
    province_codes,
    region_name,
    region_of,
    subject_kind_of,
    uscc_check_char,
)

# Published examples: the two worked examples of GB 11643-1999 and credit codes printed on public company
# registrations (Tencent Computer Systems, Shenzhen; Alibaba (China), Hangzhou) plus the example used in
# GB 32100 explanatory material (Fuzhou).
PUBLISHED_IDS = ["11010519491231002X", "440524188001010014"]
PUBLISHED_USCCS = ["9144030071526726XG", "91330100799655058B", "91350100M000100Y43"]


@pytest.mark.parametrize("number", PUBLISHED_IDS)
def test_published_id_numbers_check(number: str) -> None:
    assert id_check_digit(number[:17]) == number[17]
    assert is_valid_id_number(number)
    assert not is_valid_uscc(number)


@pytest.mark.parametrize("code", PUBLISHED_USCCS)
def test_published_credit_codes_check(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]
    assert org_code_check_char(code[8:16]) == code[16]  # the embedded GB 11714 organisation code
    assert is_valid_uscc(code)
    assert not is_valid_id_number(code)


def test_region_of_reads_id_digits_1_to_6_and_credit_code_characters_3_to_8() -> None:
    assert region_of("11010519491231002X") == "110105"
    assert region_of("9144030071526726XG") == "440300"
    assert region_of("9144030071526726XG", SubjectKind.COMPANY) == "440300"
    assert subject_kind_of("11010519491231002X") == SubjectKind.PERSON
    assert subject_kind_of("91330100799655058B") == SubjectKind.COMPANY


@pytest.mark.parametrize(
    "bad",
    [
        "11010519491231002x",  # lower-case check character
        "110105194912310021",  # wrong check digit
        "1101051949123100",  # too short
        "99010519491231002X",  # no such province
        "",
    ],
)
def test_invalid_numbers_are_rejected_with_a_named_field(bad: str) -> None:
    assert not is_valid_id_number(bad)
    with pytest.raises(UserError) as exc:
        region_of(bad)
    assert exc.value.where == "id_number"
    assert exc.value.zh and exc.value.en


def test_impossible_birth_date_is_invalid_even_with_a_matching_check_digit() -> None:
    first17 = "11010519490230002"  # 30 February
    assert not is_valid_id_number(first17 + id_check_digit(first17))


def test_wrong_kind_is_refused() -> None:
    with pytest.raises(UserError):
        region_of("11010519491231002X", SubjectKind.COMPANY)


def test_region_names() -> None:
    assert region_name("410811") == "河南省焦作市山阳区"
    assert region_name("4108") == "河南省焦作市"
    assert region_name("11") == "北京市"
    assert len(province_codes()) == 31


provinces = st.sampled_from(province_codes())
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(provinces) + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    return make_id_number(region, draw(birth_dates), draw(st.integers(0, 999)))


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    region = draw(provinces) + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
    body = draw(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8))
    return make_uscc(region, body, department=draw(st.sampled_from("159Y")), org_type=draw(st.sampled_from("123")))


@settings(max_examples=300, deadline=None)
@given(id_numbers(), st.data())
def test_generated_ids_validate_and_any_changed_character_fails(number: str, data: st.DataObject) -> None:
    assert is_valid_id_number(number)
    assert region_of(number) == number[:6]
    pos = data.draw(st.integers(0, 17))
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    new = data.draw(st.sampled_from([c for c in alphabet if c != number[pos]]))
    changed = number[:pos] + new + number[pos + 1 :]
    assert not is_valid_id_number(changed)


@settings(max_examples=300, deadline=None)
@given(credit_codes(), st.data())
def test_generated_credit_codes_validate_and_any_changed_character_fails(code: str, data: st.DataObject) -> None:
    assert is_valid_uscc(code)
    assert region_of(code, SubjectKind.COMPANY) == code[2:8]
    pos = data.draw(st.integers(0, 17))
    new = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != code[pos]]))
    changed = code[:pos] + new + code[pos + 1 :]
    assert not is_valid_uscc(changed)


@settings(max_examples=200, deadline=None)
@given(id_numbers(), st.integers(0, 15))
def test_swapping_adjacent_different_digits_is_detected(number: str, pos: int) -> None:
    if number[pos] == number[pos + 1]:
        return
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    assert id_check_digit(swapped[:17]) != number[17]


def test_check_functions_refuse_malformed_input() -> None:
    with pytest.raises(UserError):
        id_check_digit("1234")
    with pytest.raises(UserError):
        uscc_check_char("91350100M000100YI")  # 'I' is not in the alphabet
    with pytest.raises(UserError):
        make_id_number("410811", date(1980, 1, 1), 1000)
