"""The simulation's listeners are subscribed only to the event kinds they read (``Runtime.subscribe(kinds=…)``):
an event of any other kind must change nothing in them, and every kind they do read must be in their list —
otherwise a KPI or a rule check would silently stop counting it."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest

from core_flow.engine import Event, EventKind
from core_flow.legal_calendar import CST
from sim import invariants, kpi
from sim.clerk import Clerk
from sim.staff_actor import StaffActor

T0 = datetime(2025, 3, 3, 9, tzinfo=CST)
DATA = {"kind": "sent", "agency": "银行", "manner": "zhongben", "amount_cents": 100, "authority": "本院",
        "case_type": "first", "late": True, "due": T0 + timedelta(days=5)}


def _events(kind: EventKind) -> list[Event]:
    # a case filed, then the kind itself, with data every reader looks at, inside and before the KPI window
    return [Event(T0 + timedelta(days=d), "案1", kind, node=3, instance="i", item="x", data=dict(DATA))
            for d in (-30, 1, 2)]


def _state(obj: object) -> dict:
    return copy.deepcopy({k: v for k, v in vars(obj).items() if k not in ("process", "via")})


@pytest.mark.parametrize("kind", list(EventKind))
def test_the_kpi_collector_reads_only_its_kinds(kind):
    col = kpi.Collector(T0 - timedelta(days=60), T0)
    col(Event(T0, "案1", EventKind.FILED, data={"case_type": "first"}))
    if kind != EventKind.DEADLINE_SET:  # an open deadline for the item, so that its end or miss counts
        col(Event(T0, "案1", EventKind.DEADLINE_SET, node=3, instance="i", item="x", data=dict(DATA)))
    before = _state(col)
    for e in _events(kind):
        col(e)
    assert (_state(col) != before) == (kind in kpi.KINDS), kind


class _Process:
    nodes = ()


@pytest.mark.parametrize("kind", list(EventKind))
def test_the_rule_checker_reads_only_its_kinds(kind):
    chk = invariants.Checker(_Process())
    before = _state(chk)
    for e in _events(kind):
        chk(e)
    assert (_state(chk) != before) == (kind in invariants.KINDS), kind


def test_a_clerk_is_subscribed_to_every_kind_it_reacts_to():
    for cls in (Clerk, StaffActor):
        kinds = set(cls.reacts_to())
        methods = {name[4:] for name in dir(cls) if name.startswith("_ev_")}
        assert {k.value for k in kinds} == methods, cls
    # both retry a call refused for a frozen node when its unfreeze is approved; neither reacts to a plain timer
    assert EventKind.UNFREEZE_APPROVED in StaffActor.reacts_to() and EventKind.UNFREEZE_APPROVED in Clerk.reacts_to()
    assert EventKind.DEADLINE_SET not in Clerk.reacts_to()
