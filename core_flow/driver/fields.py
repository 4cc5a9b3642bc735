"""The fields of a command a driver takes by name (``POST /cases/{id}/commands``), checked by type before anything
acts: an engine command's fields by its dataclass's annotations, an operation's by ``OPERATION_TYPES``.

JSON's own types only — an integer is not a string or a boolean, a string is not a number, a date-time is an ISO
8601 string (without an offset: China Standard Time); amounts within the protocol's bounds.
A wrong field is a located ``UserError`` (``fields.node``…), never a server error, and the court is not touched."""

from __future__ import annotations

import dataclasses
import typing
from datetime import datetime
from functools import cache
from types import NoneType, UnionType
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, create_model

from core_flow.driver.protocol import Instant
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.protocol import MAX_CENTS, STRICT_INT, Cents, StrictBool
from core_flow.validation import field_messages

Text = Annotated[str, Strict(), Field(max_length=4096)]
Whole = Annotated[int, Field(ge=0, le=MAX_CENTS), *STRICT_INT]  # node numbers, amounts, counts: never negative
Pct = Annotated[int, Field(ge=0, le=100), *STRICT_INT]
_SCALAR: dict[Any, Any] = {str: Text, int: Whole, bool: StrictBool, datetime: Instant}

A = (Text, ...)  # the asset every operation on property names ("agency:account")
OPERATION_TYPES: dict[str, dict[str, tuple[Any, Any]]] = {
    "EnterClue": {"debtor": (Text, ...), "agency": (Text, ...), "note": (Text, "")},
    "Freeze": {"asset": A, "amount_cents": (Cents, ...)},
    "Deduct": {"asset": A, "amount_cents": (Cents, ...)},
    "Release": {"asset": A},
    "Seal": {"asset": A},
    "RegisterReceipt": {"receipt": (Text, ...)},
    "Investigate": {"asset": A},
    "Price": {"asset": A, "method": (Text, "network_inquiry")},
    "ServeReport": {"asset": A},
    "Object": {"asset": A, "by": (Text, "被执行人")},
    "ReviewObjection": {"asset": A, "upheld": (StrictBool, ...), "method": (Text, "appraisal")},
    "NotifyParties": {"asset": A, "announce": (Instant | None, None)},
    "ListAuction": {"asset": A, "platform": (Text | None, None), "start_pct": (Pct | None, None),
                    "starting_price_cents": (Cents | None, None), "deposit_pct": (Pct | None, None),
                    "bidding_starts": (Instant | None, None)},
    "Relist": {"asset": A, "cut_pct": (Pct | None, None), "starting_price_cents": (Cents | None, None),
               "bidding_starts": (Instant | None, None)},
    "OfferInKind": {"asset": A, "accept": (StrictBool, ...)},
    "AgreeInKind": {"asset": A, "price_cents": (Whole, ...), "applicant_consents": (StrictBool, ...),
                    "debtor_consents": (StrictBool, ...), "others_consent": (StrictBool, False)},
    "StartSale": {"asset": A, "price_cents": (Cents | None, None), "sale_starts": (Instant | None, None)},
    "WithdrawListing": {"asset": A},
    "ConfirmSale": {"asset": A},
    "Transfer": {"asset": A},
    "HandOver": {"asset": A},
}


def _field_type(hint: Any) -> Any:
    """A command dataclass's annotation as a JSON-strict field type (scalars strict, containers as annotated)."""
    if hint in _SCALAR:
        return _SCALAR[hint]
    args = typing.get_args(hint)
    if isinstance(hint, UnionType) and NoneType in args and len(args) == 2:
        inner = next(a for a in args if a is not NoneType)
        return _field_type(inner) | None
    return hint


@cache
def _model(type: str) -> type[BaseModel]:
    if type in OPERATION_TYPES:
        fields = OPERATION_TYPES[type]
    else:
        cls = getattr(c, type)
        hints = typing.get_type_hints(cls)
        fields = {}
        for f in dataclasses.fields(cls):
            if f.name == "case_id":
                continue
            if f.default is not dataclasses.MISSING:
                default: Any = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = ...
            fields[f.name] = (_field_type(hints[f.name]), default)
    return create_model(f"{type}Fields", __config__=ConfigDict(extra="forbid"), **fields)


def given_field_problems(type: str, fields: dict[str, Any]) -> list[dict[str, Any]]:
    """What is wrong with the ``fields`` given of command ``type``, field by field (``[{field, zh, en}]``), those not
    given left out (a scenario's step checked as written, before its run)."""
    try:
        _model(type).model_validate(fields)
    except ValidationError as err:
        return [m for m in field_messages(err.errors()) if m["type"] != "missing"]
    except UserError as err:  # an instant with no China time
        return [{"field": err.where or "", "type": err.code, "zh": err.zh, "en": err.en}]
    return []


def checked_fields(type: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` of command ``type`` as the court takes them (date-times parsed, lists as tuples), only those
    given; a missing or wrong one is a ``UserError`` naming it (``bad_fields``)."""
    try:
        model = _model(type).model_validate(fields)
    except ValidationError as err:
        first = field_messages(err.errors())[0]
        raise UserError(f"命令 {type} 的字段 {first['field']} 无效：{first['zh']}",
                        f"command {type}: field {first['field']} is invalid: {first['en']}",
                        where=f"fields.{first['field']}", code="bad_fields") from None
    except UserError as err:  # an instant with no China time (calendar_range): located among the fields
        err.where = f"fields.{err.where}"
        raise
    return {name: getattr(model, name) for name in model.model_fields_set}
