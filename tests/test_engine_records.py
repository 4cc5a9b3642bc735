"""Engine records made by ``fast_init``: as frozen and as equal as the dataclass made them, defaults and factories
honoured, ``__post_init__`` run, pseudo-fields refused."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, InitVar, dataclass, field

import pytest

from core_flow.engine import Event, EventKind
from core_flow.engine import commands as c
from core_flow.engine.records import fast_init
from tests.conftest import cst


@fast_init
@dataclass(frozen=True, slots=True)
class _Checked:
    a: int
    b: str = "x"
    c: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.a < 0:
            raise ValueError("a < 0")


def test_records_stay_frozen_equal_and_hashable():
    at = cst(2025, 3, 3, 9, 0)
    e = Event(at, "K1", EventKind.WARNING, 7, "", "start")
    assert e == Event(at, "K1", EventKind.WARNING, 7, "", "start", None)
    assert hash(e) == hash(Event(at, "K1", EventKind.WARNING, 7, item="start"))
    with pytest.raises(FrozenInstanceError):
        e.node = 8  # type: ignore[misc]
    cmd = c.CompleteNode("K1", 7)
    assert cmd.instance == "" and repr(cmd).startswith("CompleteNode(case_id='K1', node=7")
    with pytest.raises(FrozenInstanceError):
        cmd.node = 8  # type: ignore[misc]


def test_defaults_factories_and_post_init():
    assert _Checked(1) == _Checked(1, "x", {})
    assert _Checked(1).c is not _Checked(1).c  # a fresh dict each time, as default_factory promises
    with pytest.raises(ValueError):
        _Checked(-1)
    with pytest.raises(TypeError):
        _Checked()  # type: ignore[call-arg]


def test_pseudo_fields_and_unfrozen_classes_are_refused():
    with pytest.raises(TypeError, match="plain init fields"):
        @fast_init
        @dataclass(frozen=True, slots=True)
        class _WithInitVar:
            a: int
            b: InitVar[int] = 0

    with pytest.raises(TypeError, match="frozen, slotted"):
        @fast_init
        @dataclass(slots=True)
        class _Mutable:
            a: int
