"""Point 9 (H77): the engine's records are made by ``fast_init``'s ``__new__`` (a mutable twin with the same slots,
its class switched), and the runtime fires a timer through ``Engine.fire_timer`` without making a ``FireTimer``.
Both must keep what they replaced: the records frozen, equal, hashable, picklable and copyable; the timers' record
exactly what ``Engine.handle(FireTimer(timer))`` gives, refusals included."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from core_flow import runtime as runtime_module
from core_flow.engine import Event, EventKind, Timer
from core_flow.engine import commands as c
from core_flow.engine.events import TimerKind
from core_flow.engine.records import fast_init
from core_flow.gateway.gateway import GatewayEvent
from core_flow.legal_calendar import CalendarRangeError
from core_flow.runtime import Runtime
from tests.conftest import cst
from tests.test_runtime_stale import EveryTimerRuntime, _run


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


class _NoCommand:
    made = 0

    def __init__(self, timer):
        type(self).made += 1
        raise AssertionError("the runtime made a FireTimer for a case it holds")


def test_timers_fire_without_a_command_and_record_the_same(engine, monkeypatch):
    full = _run(engine, EveryTimerRuntime)  # every timer through Engine.handle(FireTimer(timer))
    monkeypatch.setattr(runtime_module, "FireTimer", _NoCommand)
    fast = _run(engine, Runtime)
    assert _NoCommand.made == 0
    assert fast.commands_handled + fast.timers_stale == full.commands_handled
    assert fast.events == full.events and fast.events_recorded == full.events_recorded


def test_a_timer_refused_by_the_calendar_is_recorded_as_handle_records_it(engine, make_runtime, monkeypatch):
    """A deadline beyond the calendar's data, met while a timer fires: the same refusal event either way."""
    rt = make_runtime(cst(2025, 3, 3, 9, 0))
    rt.submit(c.FileCase("K1", filed_at=cst(2025, 3, 3, 9, 0)))
    state = rt.cases["K1"]
    timer = Timer(cst(2025, 3, 20, 9, 0), "K1", TimerKind.WARN, 7, "start", "", 1)

    def beyond(*args, **kwargs):
        raise CalendarRangeError("无节假日数据", "no holiday data")

    monkeypatch.setattr(engine.timers, "fire", beyond)
    via_handle = engine.handle(state, c.FireTimer(timer), timer.due)[1]
    direct = engine.fire_timer(state, timer, timer.due)
    assert direct.refusal == via_handle.refusal and direct.refusal.code == "CALENDAR_RANGE"
    assert direct.events == via_handle.events and direct.events[-1].data["command"] == "FireTimer"
