"""Identity numbers of the synthetic world: making resident ID numbers (GB 11643) and unified social credit
codes (GB 32100), and the region names of ``data/regions.yaml``.

Validation (check characters, :func:`is_valid_id_number`, :func:`is_valid_uscc`, :func:`subject_kind_of`,
:func:`region_of`) is defined once, in :mod:`core_flow.identity`, for both sides; it is re-exported here.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from core_flow import yaml_text
from core_flow.errors import UserError
from core_flow.identity import (
    PROVINCE_CODES,
    USCC_ALPHABET,
    id_check_digit,
    is_valid_id_number,
    is_valid_uscc,
    org_code_check_char,
    region_of,
    subject_kind_of,
    uscc_check_char,
)

__all__ = [
    "PROVINCE_CODES",
    "USCC_ALPHABET",
    "id_check_digit",
    "is_valid_id_number",
    "is_valid_uscc",
    "make_id_number",
    "make_uscc",
    "org_code_check_char",
    "province_codes",
    "region_name",
    "region_of",
    "subject_kind_of",
    "uscc_check_char",
]

REGIONS_FILE = Path(__file__).parent / "data" / "regions.yaml"


def make_id_number(region: str, born: date, sequence: int) -> str:
    """An ID number for a 6-digit region, a birth date and a 3-digit sequence (odd = male)."""
    if not 0 <= sequence <= 999:
        raise UserError(f"顺序码须在0至999之间：{sequence}", f"sequence must be 0..999: {sequence}", where="sequence")
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_digit(first17)


def make_uscc(region: str, body8: str, department: str = "9", org_type: str = "1") -> str:
    """A credit code from a region, an 8-character organisation-code body, department and type
    ('9' 工商 / '1' 企业 by default)."""
    first17 = f"{department}{org_type}{region}{body8}{org_code_check_char(body8)}"
    return first17 + uscc_check_char(first17)


# --- region names (data/regions.yaml) ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _regions() -> dict[str, dict[str, str] | list[str]]:
    with REGIONS_FILE.open(encoding="utf-8") as fh:
        return yaml_text.load(fh)


def province_codes() -> tuple[str, ...]:
    """The 31 mainland province-level codes (2 digits)."""
    return tuple(_regions()["mainland"])  # type: ignore[arg-type]


@lru_cache(maxsize=4096)  # a pure function of the code (every debtor's address asks it; ~3,200 counties)
def region_name(code: str) -> str:
    """Chinese name of a 2-, 4- or 6-digit region prefix, as far as data/regions.yaml knows it:
    province + prefecture + county, e.g. '410811' → '河南省焦作市山阳区'. Unknown parts are left out."""
    data = _regions()
    parts = [data["provinces"].get(code[:2], "")]  # type: ignore[union-attr]
    if len(code) >= 4 and code[2:4] != "00":
        parts.append(data["prefectures"].get(code[:4], ""))  # type: ignore[union-attr]
    if len(code) >= 6 and code[4:6] != "00":
        parts.append(data["counties"].get(code[:6], ""))  # type: ignore[union-attr]
    return "".join(parts)
