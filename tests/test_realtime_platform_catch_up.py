"""Real time under load: a platform act that submits nothing before it decides (a seal, a freeze, a deduction — sent
once the node governing it is found not frozen) meets the deadlines expired before it, as a command does
(``Runtime.submit``'s catch-up, now ``Runtime.catch_up`` for these acts too).

And the case of the live demo log behind review R25's ``make record-check`` 437/438 (case (2025)豫0811执3号): the
clerk's seal was due on a timer BEFORE node 17's deadline and the loop ran it a day and more after it, in due order.
On a clock without logical time the seal is recorded at the loop's instant, after the deadline, where its replay
refuses it (NODE_FROZEN); the catch-up stopped at the timer's due instant, so it went out live (H57's diagnosis).
Since H58 an outside actor's act (the simulated clerk's, ``Runtime.outside_act``) counts from the instant it is
stamped with, and is refused live as in the replay; a platform timer's act still counts from its due instant (any
replay's platform does it again there). On logical time both are stamped with the timer's due instant. Loops are
faked (a busy loop whose time the test sets); nothing sleeps.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core_flow.agency_directory import AgencyDirectory
from core_flow.clocks import AsyncioClock, SimClock
from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.gateway import Gateway
from core_flow.platform import Platform
from core_flow.platform.platform import NodeFrozenError
from core_flow.protocol import AssetKind, Holding, Subject, SubjectKind
from core_flow.runtime import Runtime
from sim.clerk import Clerk
from tests.conftest import cst
from tests.test_clocks import BusyLoop as _IdleLoop

ORIGIN = cst(2025, 3, 21, 9, 0)
DEBTOR = "330326198001011012"
REGISTRY = "real_estate_registry"
FLAT = Holding(account_no="BD480000000000000000006901", kind=AssetKind.REAL_ESTATE, balance_cents=900_000_00,
               available_cents=900_000_00)
ASSET = f"{REGISTRY}:{FLAT.account_no}"


class BusyLoop(_IdleLoop):
    """An event loop too busy to run anything until the test says so (``tests.test_clocks.BusyLoop``: its time set
    by the test), then running what is due."""

    def run_due(self) -> None:
        """What the loop does when it gets round to it: every call due by now, in due order."""
        while due := sorted((call for call in self.calls if not call.cancelled and call.when <= self.t),
                            key=lambda call: call.when):
            due[0].cancelled = True
            due[0].callback()


class Silent:
    """A transport that takes every request and never answers (the seal's answer is not the point)."""

    def connect(self, deliver) -> None:
        pass

    def submit(self, agency, request, done, *, timeout=None) -> None:
        pass

    def poll(self, agency, ticket_id, done, *, timeout=None) -> None:
        pass


def court(engine, clock) -> tuple[Runtime, Platform, datetime]:
    """A case whose debtor's flat was just found online (node 17's 48-hour control deadline runs): the runtime, the
    platform, and the deadline."""
    rt = Runtime(engine, clock)
    platform = Platform(rt, Gateway(Silent(), clock), AgencyDirectory(()), auto_inquiry=False)
    subject = Subject(kind=SubjectKind.PERSON, name="被执行人", id_number=DEBTOR)
    platform.file(c.FileCase("K", debtors=(DEBTOR,)), [subject])
    rt.submit(c.StartNode("K", 3))
    rt.submit(c.Assign("K", "张三"))
    platform.assets[("K", ASSET)] = (REGISTRY, FLAT, DEBTOR)
    platform.disposal.found("K", DEBTOR, REGISTRY, (FLAT,))
    (due,) = [e.data["due"] for e in rt.events
              if e.kind == EventKind.DEADLINE_SET and e.node == 17 and e.instance == ASSET]
    return rt, platform, due


def sent(rt: Runtime) -> list[datetime]:
    """The instants the seal is recorded as sent at."""
    return [e.at for e in rt.events if e.kind == EventKind.EXCHANGE and e.data.get("kind") == "sent"]


def frozen(rt: Runtime) -> list[datetime]:
    return [e.at for e in rt.events if e.kind == EventKind.NODE_FROZEN and e.node == 17]


@pytest.mark.parametrize("logical", [False, True])
def test_a_seal_asked_after_node_17s_deadline_is_refused_though_the_busy_loop_has_not_expired_it(engine, logical):
    """A seal asked for (a user on the HTTP driver, say) a day after node 17's deadline, the loop not having run its
    expiry yet: the deadline is missed and the node frozen first, and the seal refused with nothing sent — as on the
    virtual clock. Before, the platform read the case as the loop had left it and sent the seal."""
    loop = BusyLoop()
    clock = AsyncioClock(ORIGIN, scale=1.0, loop=loop, logical=logical)  # type: ignore[arg-type]
    rt, platform, due = court(engine, clock)
    loop.t = clock.loop_time_of(due + timedelta(days=1))
    with pytest.raises(NodeFrozenError):
        platform.seal("K", ASSET)
    assert sent(rt) == []
    assert frozen(rt) == [due]
    assert platform.disposal.lots[("K", ASSET)].stage == "found"
    # and on the virtual clock, the same
    sim = SimClock(ORIGIN)
    rt, platform, due = court(engine, sim)
    sim.run_until(due + timedelta(days=1))
    with pytest.raises(NodeFrozenError):
        platform.seal("K", ASSET)
    assert sent(rt) == [] and frozen(rt) == [due]


@pytest.mark.parametrize("logical", [False, True])
def test_a_seal_asked_before_the_deadline_still_goes_out(engine, logical):
    """The catch-up runs only what was due before now: a seal an hour before node 17's deadline goes out."""
    loop = BusyLoop()
    clock = AsyncioClock(ORIGIN, scale=1.0, loop=loop, logical=logical)  # type: ignore[arg-type]
    rt, platform, due = court(engine, clock)
    loop.t = clock.loop_time_of(due - timedelta(hours=1))
    platform.seal("K", ASSET)
    assert sent(rt) == [due - timedelta(hours=1)]
    assert frozen(rt) == []


def test_a_platform_timers_act_run_late_counts_from_its_due_instant(engine):
    """A platform timer's act (not an outside actor's) due before node 17's deadline, run by a loop a day behind: it
    counts from its due instant — nothing was due before it — so the seal goes out before the expiry, as on the
    virtual clock, where any replay's platform does it again by its own timer. Without logical time it is recorded at
    the loop's instant, after the freeze; with logical time at its due instant. (Passes before and after H58.)"""
    at: dict[bool, tuple[list[datetime], list[datetime]]] = {}
    for logical in (False, True):
        loop = BusyLoop()
        clock = AsyncioClock(ORIGIN, scale=1.0, loop=loop, logical=logical)  # type: ignore[arg-type]
        rt, platform, due = court(engine, clock)
        turn = due - timedelta(hours=10)
        clock.call_at(turn, lambda platform=platform: platform.seal("K", ASSET))
        loop.t = clock.loop_time_of(due + timedelta(days=1, hours=2))  # the loop gets round to it all late
        loop.run_due()
        assert frozen(rt) == [due]  # the node froze at its deadline, after the seal had gone out
        at[logical] = (sent(rt), frozen(rt))
    assert at[True][0] == [turn]
    late = at[False][0]
    assert len(late) == 1 and late[0] > at[False][1][0]


@pytest.mark.parametrize("logical", [False, True])
def test_the_r25_log_a_clerks_seal_due_before_the_deadline_run_after_it(engine, logical):
    """The R25 demo log's case ((2025)豫0811执3号): the clerk's seal due on its timer before node 17's deadline
    (03-23 13:17, the deadline 03-23 23:00), the loop ran it a day and more late (03-25 00:53). Without logical time
    (the demo's clock) the clerk's act is stamped with the loop's instant, where the replay of the log puts it: it
    counts from there (``Runtime.outside_act``, entered by ``Clerk._run``) — the deadline is missed first and the seal
    refused NODE_FROZEN live, nothing sent, as the replay refuses it. Before, the catch-up stopped at the timer's due
    instant: the seal went out, logged at 03-25 00:53 before the freeze of 03-23 23:00, and the replay (``make
    record-check``) failed 437/438. With logical time the act is stamped with its due instant: it goes out there, as
    before."""
    loop = BusyLoop()
    clock = AsyncioClock(ORIGIN, scale=1.0, loop=loop, logical=logical)  # type: ignore[arg-type]
    rt, platform, due = court(engine, clock)
    clerk = Clerk(platform)
    turn = due - timedelta(hours=10)  # the clerk's turn: before the deadline
    clerk._at(turn - clock.now(), lambda: platform.seal("K", ASSET))
    loop.t = clock.loop_time_of(due + timedelta(days=1, hours=2))  # the loop gets round to it all late
    loop.run_due()
    assert frozen(rt) == [due]
    if logical:
        assert sent(rt) == [turn]
        assert clerk.stats.refusals == []
        return
    assert sent(rt) == []
    assert [code for code, _, _ in clerk.stats.refusals] == ["NODE_FROZEN"]
    assert platform.disposal.lots[("K", ASSET)].stage == "found"


def test_any_timer_the_clerk_sets_is_its_act_not_only_those_run_through_clerk_run(engine):
    """``Clerk._call_at`` (a retry after an unfreeze, an action waiting for a node, the staff's reviews): on the demo's
    clock its act too counts from the loop's instant — here the seal, not caught by ``_run``, is refused at once."""
    loop = BusyLoop()
    clock = AsyncioClock(ORIGIN, scale=1.0, loop=loop)  # type: ignore[arg-type]
    rt, platform, due = court(engine, clock)
    clerk = Clerk(platform)
    clerk._call_at(due - timedelta(hours=10), lambda: platform.seal("K", ASSET))
    loop.t = clock.loop_time_of(due + timedelta(days=1, hours=2))
    with pytest.raises(NodeFrozenError):
        loop.run_due()
    assert sent(rt) == [] and frozen(rt) == [due]
