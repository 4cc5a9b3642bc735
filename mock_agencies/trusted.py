"""Protocol models the agencies build from their own, already checked values — made without validating them again.

An answer (``Feedback``), a ticket, a holding or a 总对总 part is built by the agencies from values they made
themselves or read from a request that was validated when it arrived (strict types, over HTTP or in process).
Validating them again costs a pydantic ``validate_python`` per object, several per answer; :func:`trusted`
gives a constructor that builds the very object validation would (the same values in the same field order, the
same ``model_fields_set``) without it. The caller must pass canonical values — enum members, tuples for tuple
fields, ``datetime`` objects, ints, nested models already built — as validation would leave them; anything
arriving from outside (a request body, a pin, a profile) keeps going through the model's own validation.
(Not pydantic's ``model_construct``: in pydantic 2 it is slower than validating — 4.8 against 2.7 µs per
``Holding``, docs/performance-history.md.)

:data:`CHECK` (tests) makes every trusted construction validate too and compare the two objects field by field,
types included: a caller passing a list for a tuple, a string for an enum, an unknown field or too few raises
``AssertionError`` there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

CHECK = False  # tests: validate every trusted construction as well and compare (see the module docstring)

_IMMUTABLE = (type(None), bool, int, float, str, tuple, frozenset)


def trusted(model: type[M]) -> Callable[..., M]:
    """A constructor of ``model`` (keyword arguments, as the model's own) that skips validation. ``model`` must
    take no extra fields nor private attributes, have no validators of its own (model or field validators: those
    would be skipped), and its defaults must be immutable values (no factories)."""
    defaults: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            raise TypeError(f"{model.__name__}.{name}: a default factory cannot be trusted")
        if not info.is_required():
            if not isinstance(info.default, _IMMUTABLE):
                raise TypeError(f"{model.__name__}.{name}: a mutable default cannot be shared")
            defaults[name] = info.default
        else:
            defaults[name] = None  # keeps the field order; a required field is always given
    if model.model_config.get("extra") == "allow" or model.__private_attributes__:
        raise TypeError(f"{model.__name__}: extra fields or private attributes cannot be trusted")
    decorators = model.__pydantic_decorators__
    if decorators.model_validators or decorators.field_validators or decorators.validators \
            or decorators.root_validators:
        # its own checks would be skipped in production (CHECK runs them in tests only)
        raise TypeError(f"{model.__name__}: a model with validators cannot be trusted")
    new = model.__new__
    setattr_ = object.__setattr__

    def build(**values: Any) -> M:
        obj = new(model)
        setattr_(obj, "__dict__", {**defaults, **values})  # the fields' order, as a copy then an update keeps it
        setattr_(obj, "__pydantic_fields_set__", set(values))
        setattr_(obj, "__pydantic_extra__", None)
        setattr_(obj, "__pydantic_private__", None)
        if CHECK:
            _check(obj, model(**values))
        return obj

    build.__name__ = f"trusted_{model.__name__}"
    build.__doc__ = f"A {model.__name__} from values already checked (see :mod:`mock_agencies.trusted`)."
    return build


def _check(built: BaseModel, validated: BaseModel) -> None:
    where = type(validated).__name__
    assert built.model_fields_set == validated.model_fields_set, (where, built.model_fields_set,
                                                                  validated.model_fields_set)
    assert list(built.__dict__) == list(validated.__dict__), (where, list(built.__dict__))
    for name, value in validated.__dict__.items():
        _same(built.__dict__[name], value, f"{where}.{name}")


def _same(a: Any, b: Any, where: str) -> None:
    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(b, BaseModel):
        _check(a, b)
    elif isinstance(b, tuple):
        assert len(a) == len(b), (where, a, b)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(b, datetime):
        assert a == b and a.tzinfo == b.tzinfo, (where, a, b)  # (aware datetimes equal in other zones too)
    else:
        assert a == b, (where, a, b)
