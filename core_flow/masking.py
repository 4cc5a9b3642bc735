"""Personal data masked where it is only *recorded* (logs, journals, error bodies, event logs, evidence): an ID
number or credit code keeps its first 6 and last 4 characters (``410811********1234``: the region still shows, the
person does not); an account-like token (16 or more letters and digits, at least 12 of them digits: account and card
numbers, which may embed the owner's ID number) keeps its first 4 and last 4. Defined once for both sides.
"""

from __future__ import annotations

import re
from typing import Any

_ID = re.compile(r"(?<![0-9A-Z])(\d{6})(\d{7}[\dX])(\d{3}[\dX])(?![0-9A-Z])")  # 18: 6 + 8 masked + 4
_USCC = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{4})(\d{2}[0-9A-HJ-NPQRTUWXY]{6})"
                   r"([0-9A-HJ-NPQRTUWXY]{4})(?![0-9A-Z])")
# not the digits after a decimal point: a float written as text (``"delay_seconds": 1.3790123456783689``) is a number,
# not an account
_LONG = re.compile(r"(?<![0-9A-Za-z])(?<!\d\.)([0-9A-Za-z]{4})([0-9A-Za-z]{8,})([0-9A-Za-z]{4})(?![0-9A-Za-z])")


def _stars(match: re.Match[str]) -> str:
    return match.group(1) + "*" * len(match.group(2)) + match.group(3)


def _account(match: re.Match[str]) -> str:
    """An account-like token (16+ letters and digits, 12+ of them digits: account and card numbers, which may
    embed the owner's ID number); ticket, freeze and request ids are shorter and stay as they are."""
    token = match.group(0)
    if sum(c.isdigit() for c in token) < 12:
        return token
    return _stars(match)


def mask_text(text: str) -> str:
    """``text`` with ID numbers, credit codes and account numbers masked."""
    if not any(c.isdigit() for c in text):
        return text
    text = _ID.sub(_stars, text)
    text = _USCC.sub(_stars, text)
    return _LONG.sub(_account, text)


def mask_data(value: Any) -> Any:
    """``value`` (JSON-like data) with every string masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_data(v) for v in value]
    return value
