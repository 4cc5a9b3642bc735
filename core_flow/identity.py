"""Identity numbers of the parties, validated once for both sides (protocol side: the court's directory and the
mock agencies import it).

* Resident ID number (公民身份号码, GB 11643-1999): 6-digit region code (GB/T 2260), 8-digit birth date
  ``YYYYMMDD``, 3-digit sequence (odd = male), 1 check character: weights ``2**(17-i) mod 11`` over the
  first 17 digits, check = ``"10X98765432"[sum % 11]``.
* Unified social credit code (统一社会信用代码, GB 32100-2015): 1 registration-department character,
  1 organisation-type character, 6-digit region code (GB/T 2260), 9-character organisation code
  (GB 11714: 8 body characters + its own check character), 1 check character: alphabet
  ``0-9A-Z`` without I, O, S, V, Z (31 characters), weights ``3**(i-1) mod 31``,
  check = ``(31 - sum % 31) % 31``.

The registration region of a debtor is what 集约查询 uses to pick local banks (ID digits 1-6, credit-code
characters 3-8): :func:`region_of`.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from operator import mul

from core_flow.errors import UserError
from core_flow.protocol import SubjectKind

# GB/T 2260 province-level codes (incl. 71 台湾, 81 香港, 82 澳门, 83 for residence permits)
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_ID_CHECK = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# --- GB 11643: resident ID numbers -------------------------------------------------------------------


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character ('0'-'9' or 'X') for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise UserError(
            f"身份证号前17位须为17位数字：{first17!r}",
            f"the first 17 characters of an ID number must be 17 digits: {first17!r}",
            where="id_number",
        )
    total = sum(map(mul, map(int, first17), _ID_WEIGHTS))  # 17 digits, 17 weights (checked above)
    return _ID_CHECK[total % 11]


def _valid_birth_date(s: str) -> bool:
    try:
        born = date(int(s[0:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return False
    return 1850 <= born.year <= 2150


@lru_cache(maxsize=65_536)  # the hot path of every request validates the same few thousand numbers again
def is_valid_id_number(s: object) -> bool:
    """True for an 18-character resident ID number: known province code, real birth date, valid check
    character (upper-case 'X' only)."""
    if not isinstance(s, str) or len(s) != 18 or not s.isascii():
        return False
    first17 = s[:17]
    if not first17.isdigit() or s[:2] not in PROVINCE_CODES:
        return False
    if not _valid_birth_date(s[6:14]):
        return False
    return id_check_digit(first17) == s[17]


# --- GB 32100: unified social credit codes -------------------------------------------------------------


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a unified social credit code."""
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise UserError(
            f"统一社会信用代码前17位须取自 {USCC_ALPHABET}：{first17!r}",
            f"the first 17 characters of a credit code must come from {USCC_ALPHABET}: {first17!r}",
            where="id_number",
        )
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))  # 17 and 17 (checked)
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """The GB 11714 check character of an organisation code (characters 9-17 of a credit code)."""
    if len(body8) != 8 or any(c not in _ORG_ALPHABET for c in body8):
        raise UserError(
            f"组织机构代码本体须为8位数字或大写字母：{body8!r}",
            f"an organisation-code body must be 8 digits or capital letters: {body8!r}",
            where="id_number",
        )
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


@lru_cache(maxsize=65_536)
def is_valid_uscc(s: object) -> bool:
    """True for an 18-character unified social credit code: alphabet, numeric region code whose province
    is known, valid GB 32100 check character. (The embedded GB 11714 check is not enforced.)"""
    if not isinstance(s, str) or len(s) != 18 or any(c not in _USCC_VALUE for c in s):
        return False
    if not s[2:8].isdigit() or s[2:4] not in PROVINCE_CODES:
        return False
    return uscc_check_char(s[:17]) == s[17]


# --- both ---------------------------------------------------------------------------------------------


def number_problem(number: str, kind: SubjectKind) -> tuple[str, str] | None:
    """Why ``number`` is no valid number of ``kind`` — ``(中文, English)`` without the number itself (the caller names
    it, masked) — or None when it is valid: a number of the other kind; right but for its check character (saying
    the one it should end with); else what the standard checks."""
    person = kind == SubjectKind.PERSON
    valid, other = (is_valid_id_number, is_valid_uscc) if person else (is_valid_uscc, is_valid_id_number)
    if valid(number):
        return None
    if other(number):
        return (f"是{'统一社会信用代码' if person else '公民身份号码'}，与 kind={kind} 不符",
                f"is {'a credit code' if person else 'an ID number'}, not of kind {kind}")
    std, name = ("GB 11643", "公民身份号码") if person else ("GB 32100", "统一社会信用代码")
    try:
        right = (id_check_digit if person else uscc_check_char)(number[:17])
    except UserError:
        right = None
    if right is not None and valid(number[:17] + right):
        return (f"{name}校验位不符（{std}：末位应为 {right}）",
                f"check character wrong ({std}: the last should be {right})")
    if person:
        return (f"不是有效的{name}（{std}：省份代码、出生日期、校验位）",
                f"not a valid resident ID number ({std}: province code, birth date, check character)")
    return f"不是有效的{name}（{std}）", f"not a valid unified social credit code ({std})"


def subject_kind_of(s: str) -> SubjectKind:
    """Whether ``s`` is a person's ID number or a company's credit code (ID checked first)."""
    if is_valid_id_number(s):
        return SubjectKind.PERSON
    if is_valid_uscc(s):
        return SubjectKind.COMPANY
    raise UserError(
        f"既不是有效的身份证号也不是有效的统一社会信用代码：{s!r}",
        f"neither a valid ID number (GB 11643) nor a valid credit code (GB 32100): {s!r}",
        where="id_number",
    )


def region_of(id_or_uscc: str, kind: SubjectKind | None = None) -> str:
    """The 6-digit GB/T 2260 registration region: ID digits 1-6, credit-code characters 3-8.

    Without ``kind`` the number's type is detected (a valid ID number wins over a credit code)."""
    kind = kind or subject_kind_of(id_or_uscc)
    if kind == SubjectKind.PERSON:
        if not is_valid_id_number(id_or_uscc):
            raise UserError(f"身份证号无效：{id_or_uscc!r}", f"invalid ID number: {id_or_uscc!r}", where="id_number")
        return id_or_uscc[:6]
    if not is_valid_uscc(id_or_uscc):
        raise UserError(
            f"统一社会信用代码无效：{id_or_uscc!r}", f"invalid credit code: {id_or_uscc!r}", where="id_number"
        )
    return id_or_uscc[2:8]
