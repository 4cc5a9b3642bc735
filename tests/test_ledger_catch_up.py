"""The ledger's shortcuts (issue 11 point 9, H72): ``advance`` and the operations skip the lapse pass when nothing is
due by an instant in CST, and ``freeze_state`` reads a freeze's state without its view. Both must answer as the
long way does: a lapse falls at its very instant, however the instant is written."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from core_flow.errors import UserError
from core_flow.protocol import FreezeState
from mock_agencies.ledger import LedgerEventKind
from tests.test_ledger import ACC, BANK, DEBTOR, T0, freeze, make_ledger, open_sub

_ONE_US = timedelta(microseconds=1)


@pytest.mark.parametrize("written", ["cst", "utc", "naive"])
def test_advance_lapses_a_freeze_at_its_very_instant_however_written(written: str) -> None:
    ledger = make_ledger()
    a = freeze(ledger, "A", 60_000, "r1", term_days=30)
    assert a.expires_at is not None
    ledger.advance(T0)

    def at(instant):
        if written == "utc":
            return instant.astimezone(UTC)
        if written == "naive":
            return instant.replace(tzinfo=None)  # read as CST
        return instant

    assert ledger.advance(at(a.expires_at - _ONE_US)) == []  # a microsecond before: nothing due yet
    assert ledger.freeze_state(a.freeze_id) is FreezeState.ACTIVE
    events = ledger.advance(at(a.expires_at))  # at the instant itself: lapsed there
    assert [(e.kind, e.at) for e in events] == [(LedgerEventKind.LAPSED, a.expires_at)]
    assert ledger.freeze_state(a.freeze_id) is FreezeState.LAPSED


def test_an_operation_at_the_expiry_instant_sees_the_lapse_and_the_promotion() -> None:
    ledger = make_ledger(100_000)
    a = freeze(ledger, "A", 100_000, "r1", term_days=30)
    b = freeze(ledger, "B", 40_000, "r2", term_days=30)
    assert b.state is FreezeState.QUEUED and a.expires_at is not None
    ledger.advance(T0)
    before = ledger.holdings(BANK, DEBTOR, a.expires_at - _ONE_US)  # nothing due: the shortcut
    assert [e.state for h in before if h.account_no == ACC for e in h.existing_freezes] == [FreezeState.ACTIVE,
                                                                                           FreezeState.QUEUED]
    after = ledger.holdings(BANK, DEBTOR, a.expires_at)  # due: A lapsed, B promoted at that instant
    assert [e.state for h in after if h.account_no == ACC for e in h.existing_freezes] == [FreezeState.ACTIVE]
    assert ledger.freeze_state(a.freeze_id) is FreezeState.LAPSED
    assert ledger.get_freeze(b.freeze_id).effective_at == a.expires_at


def test_freeze_state_is_the_views_state_through_a_deduction() -> None:
    ledger = make_ledger()
    a = freeze(ledger, "A", 30_000, "r1")
    sub = open_sub(ledger)
    d = ledger.deduct(agency=BANK, freeze_id=a.freeze_id, amount_cents=30_000, target_account=sub, now=T0,
                      request_no="d1", court_code="A")
    assert ledger.freeze_state(a.freeze_id) is ledger.get_freeze(a.freeze_id).state is FreezeState.ACTIVE
    ledger.settle_deduction(d.deduction_id, T0 + timedelta(hours=1))
    assert ledger.freeze_state(a.freeze_id) is ledger.get_freeze(a.freeze_id).state is FreezeState.DEDUCTED
    with pytest.raises(UserError) as err:
        ledger.freeze_state("F-none")
    assert err.value.where == "freeze_id"
