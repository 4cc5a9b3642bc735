"""The staffed court enters one 报结 per case: a 报结 refused while a node is frozen stays the case's one 报结 until it
is entered after the unfreeze (``StaffActor._close``). Before, it left the handler's queue at once and waited for the
unfreeze on its own: a periodic review (or the last payment, or the disposal's end) queued a second 执行完毕
meanwhile, and whichever came second was refused CASE_CLOSED — 27 times in a court-year with ``--dispose 1`` (seed
2025), each a 报结 written and reviewed for nothing."""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import Event, EventKind, Outcome, Refusal
from core_flow.engine import commands as c
from tests.sim_support import staffed_court


def test_a_close_refused_for_a_frozen_node_is_the_one_close_until_it_is_entered():
    profile, court, actor, _ = staffed_court()
    p = court.platform
    d = court.session.world.debtor(0)
    court.clock.call_at(profile.origin, lambda: p.file(c.FileCase("K", debtors=(d.id_number,), amount_cents=1_000_00),
                                                       [d.subject()]))
    court.run_until(profile.origin + timedelta(days=1))
    # the first 报结 is refused: a node that governs the closing is frozen (named as the engine names it)
    submit, entered = p.submit, []

    def frozen_once(cmd):  # type: ignore[no-untyped-def]
        if isinstance(cmd, c.Close):
            entered.append(cmd.manner)
            if len(entered) == 1:
                return Outcome([], [], Refusal("NODE_FROZEN", "节点已冻结", "node frozen", ((43, ""),)))
        return submit(cmd)

    p.submit = frozen_once  # type: ignore[method-assign]
    close = c.Close("K", "执行完毕", reviewed_by="审判管理办公室")
    actor._cmd(timedelta(0), close)
    court.run_until(profile.origin + timedelta(days=5))
    assert entered == ["执行完毕"] and actor.refused == {"NODE_FROZEN": 1}
    actor._cmd(timedelta(0), close)  # a review (or the last payment) asks again while the first waits
    court.run_until(profile.origin + timedelta(days=10))
    assert entered == ["执行完毕"]  # not written, reviewed and entered a second time
    # the node is unfrozen: the waiting 报结 is entered, once
    actor._ev_unfreeze_approved(Event(actor.now, "K", EventKind.UNFREEZE_APPROVED, 43, "", None, {}))
    court.run_until(profile.origin + timedelta(days=11))
    assert court.runtime.cases["K"].closed_manner == "completed"
    assert entered == ["执行完毕", "执行完毕"] and "CASE_CLOSED" not in actor.refused, (entered, actor.refused)
