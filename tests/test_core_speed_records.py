"""Point 9 (H77): the engine's records are made by ``fast_init``'s ``__new__`` (a mutable twin with the same slots,
its class switched). They must stay what the dataclass made: frozen, equal, hashable, picklable and copyable."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from core_flow.engine import Event, EventKind, Timer
from core_flow.engine import commands as c
from core_flow.engine.events import TimerKind
from core_flow.engine.records import fast_init
from core_flow.gateway.gateway import GatewayEvent
from tests.conftest import cst


def test_records_pickle_copy_and_replace_as_dataclasses():
    at = cst(2025, 3, 3, 9, 0)
    records = [
        Event(at, "K1", EventKind.WARNING, 7, "", "start", {"due": at}),
        Timer(at, "K1", TimerKind.WARN, 7, "start", "", 3),
        c.FileCase("K1", debtors=("110101199003077777",)),
        c.FireTimer(Timer(at, "K1", TimerKind.EXPIRE, 7, "start", "", 3)),
        GatewayEvent(at, "sent", "bank_icbc", "R1", detail={"a": 1}),
    ]
    for r in records:
        for twin in (pickle.loads(pickle.dumps(r)), pickle.loads(pickle.dumps(r, 0)), copy.copy(r), copy.deepcopy(r)):
            assert type(twin) is type(r) and twin == r and repr(twin) == repr(r)
            if r.__class__ is not Event and r.__class__ is not GatewayEvent:  # a dict in data: unhashable, as before
                assert hash(twin) == hash(r)
        assert dataclasses.replace(r) == r and dataclasses.is_dataclass(r)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(r, dataclasses.fields(r)[0].name, None)
    assert dataclasses.replace(records[0], node=8).node == 8
    assert Event(at=at, case_id="K1", kind=EventKind.WARNING) == Event(at, "K1", EventKind.WARNING, None, "", None)


def test_a_record_takes_no_subclass():
    """A subclass's layout is not the record's twin's: refused when it is defined, not at its first instance."""
    @fast_init
    @dataclasses.dataclass(frozen=True, slots=True)
    class _Base:
        a: int

    with pytest.raises(TypeError, match="no subclass"):
        class _Sub(_Base):
            pass
