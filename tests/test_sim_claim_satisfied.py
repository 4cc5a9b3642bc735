"""The simulated court closes a case whose claim was satisfied in full 执行完毕, never 终本 (the 终本 gate's
CLAIM_SATISFIED, 0548546), and keeps a disposal from 终本 until the property is handed over.

In a default court-year (seed 2025) one case had 终本 decided while its freezes waited for node 17's unfreeze; the
money then came, was deducted and paid in full, and the last payment's 执行完毕 was dropped because the 终本 报结 was
already queued (one 报结 at a time): the 终本 was refused CLAIM_SATISFIED four times, at every review, and the case
never closed. Now a 执行完毕 takes the queued 终本's place, and a 终本 that comes up on a satisfied claim is
报结 执行完毕 instead.
"""

from __future__ import annotations

from datetime import timedelta

from core_flow.engine import commands as c
from core_flow.protocol import AssetKind, Holding
from mock_agencies.world import account_number
from sim.disposal_clerk import _BUSY, DisposalClerk
from tests.sim_support import staffed_court

CLAIM = 30_000_00


def _court_with_a_deposit():
    profile, court, actor, _ = staffed_court()
    world, p = court.session.world, court.platform
    d = world.debtor(0)
    for agency in ("icbc",):
        world.pin(d.id_number, agency, [Holding(account_no=account_number(agency, AssetKind.DEPOSIT, d.id_number, 1),
                                                kind=AssetKind.DEPOSIT, balance_cents=CLAIM,
                                                available_cents=CLAIM)])
    court.clock.call_at(profile.origin, lambda: p.file(c.FileCase("K", debtors=(d.id_number,), amount_cents=CLAIM),
                                                       [d.subject()]))
    return profile, court, actor


def test_a_claim_paid_after_zhongben_was_decided_closes_completed():
    profile, court, actor = _court_with_a_deposit()
    court.run_until(profile.origin + timedelta(hours=1))
    # 终本 decided before the money came (as when the case's freezes wait for node 17's unfreeze): its 报结 queued
    # for the end of the three months
    actor._zhongben.add("K")
    actor._cmd(timedelta(days=93), c.Close("K", "终本", reviewed_by="审判管理办公室"))
    court.run_until(profile.origin + timedelta(days=200))
    state = court.runtime.cases["K"]
    assert state.outstanding_cents() == 0
    assert state.closed_manner == "completed", (state.closed_manner, actor.refused)
    assert "ZHONGBEN_GATE" not in actor.refused  # before: refused CLAIM_SATISFIED at every review, never closed


def test_a_disposal_is_busy_until_the_hand_over():
    """Sold and paid, confirmed, taken in kind, transferred: the lot is still being disposed of (nodes 27, 30 open) —
    a 终本 queued before then waits for the hand-over."""
    assert {"in_kind", "paid", "confirmed", "transferred"} <= _BUSY
    assert "handed_over" not in _BUSY and "unsold" not in _BUSY


class _Clerk:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def _maybe_zhongben(self, k: str) -> None:
        self.asked.append(k)


class _State:
    def __init__(self, outstanding: int) -> None:
        self.closed_manner = None
        self._out = outstanding

    def outstanding_cents(self) -> int:
        return self._out


def test_the_hand_over_lets_the_case_go_to_zhongben_when_the_claim_is_still_outstanding():
    for outstanding, asked in ((100, ["K"]), (0, [])):
        clerk = DisposalClerk.__new__(DisposalClerk)
        clerk.c = _Clerk()
        handed: list[tuple[str, str]] = []
        clerk.d = type("D", (), {"hand_over": lambda self, k, a, handed=handed: handed.append((k, a))})()
        clerk.p = type("P", (), {"runtime": type("R", (), {"cases": {"K": _State(outstanding)}})()})()
        clerk._hand_over("K", "flat")
        assert handed == [("K", "flat")] and clerk.c.asked == asked
