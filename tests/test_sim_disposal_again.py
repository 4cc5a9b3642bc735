"""The simulated handlers ask a listing call again when it gave up — the auction platform unreachable through the
gateway's retries and the rounds after them (process.yaml node 20 ``platform_retry``). They ask again for a first
auction, a 二拍, a 变卖 and the creditor's answer in kind (sim/disposal_clerk.py ``DisposalClerk._again``, and the
staff clerk's work items). A start kept for a call that was never answered goes stale, and the platform refuses it;
the handler then asks once more from now (``again_stale``). Before session 29 only a price was asked again, so a lot
whose listing gave up stayed where it was for good."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from core_flow.engine.events import EventKind
from mock_agencies.profiles import FaultKind
from mock_agencies.session import Session
from mock_agencies.streams import FaultDecision
from sim.assembly import build_virtual_court
from sim.replicate import make_units
from sim.run import run_unit
from sim.staff_disposal import StaffDisposalClerk
from tests.sim_support import small_court
from tests.test_disposal import ORIGIN
from tests.test_disposal_clerk import _flats_and_cars
from tests.test_disposal_retry import ALL_FAULTS, NO_FAULTS

WAITING = ("fixed", "unsold1", "unsold2", "declined")  # a lot waiting on the handler's next listing call


def _outage(court: Any, down: int, up: int, days: int = 300) -> Counter:
    """The demo clerk's eight flats and cars, the auction platforms down from day ``down`` to ``up``: the
    ``(what, outcome)`` of the calls told to the court as refused or given up."""
    session, lots = court.session, court.platform.disposal.lots
    _flats_and_cars(court)
    for day in range(days):
        if day in (down, up):
            faults = ALL_FAULTS if day == down else NO_FAULTS
            session.set_profile(session.profile.with_overrides({"auction": {"faults": faults}}))
        court.run_for(timedelta(days=1))
    waiting = {key: lot.stage for key, lot in lots.items()
               if lot.stage in WAITING and court.runtime.cases[key[0]].closed_manner is None}
    assert not waiting, waiting  # every lot went on once the platform came back
    return Counter((e.data["what"], e.data["outcome"]) for e in court.runtime.events
                   if e.kind == EventKind.ANCHOR and e.data["anchor"] == "platform_refused")


@pytest.mark.parametrize(("down", "up", "what"), [(20, 60, "auction:first"), (75, 110, "in_kind:refused"),
                                                  (80, 110, "auction:sale")])
def test_the_clerk_asks_a_listing_call_again_until_the_platform_answers(down: int, up: int, what: str) -> None:
    # seed 30 since H71 (each auction round notified, node 24): its in-kind refusal and 变卖 fall in these outages
    court = build_virtual_court(ORIGIN, seed=30, dispose=True, diligence=0.9, identity_failure_rate=0.0,
                                same_handler_rate=0.0)
    told = _outage(court, down, up)
    assert told[(what, "gave_up")] >= 2, told  # the call gave up, and its asking again too while the platform was down
    assert all(lot.stage == "handed_over" for lot in court.platform.disposal.lots.values())


def test_a_start_kept_for_an_unanswered_listing_that_went_stale_is_asked_again_from_now() -> None:
    """The first auctions given up during a 40-day outage kept their starts. By the time the platform came back, the
    starts were too close for the notice, so it refused them as invalid. The clerk listed again from now instead of
    leaving the lots unlisted."""
    court = build_virtual_court(ORIGIN, seed=15, dispose=True, diligence=0.9, identity_failure_rate=0.0,
                                same_handler_rate=0.0)
    stale: list[str] = []
    court.platform.listeners.append(lambda kind, data: stale.append(data["asset"]) if kind == "disposal_refused"
                                    and data.get("code") == "invalid" else None)
    _outage(court, 20, 60)
    assert stale, "no stale start was refused: the test does not reach the path"


def test_the_staff_ask_a_listing_again_after_the_platform_was_down_a_month(monkeypatch) -> None:
    """A year-scale run (staff work items) with the auction platforms down from day 60 to day 90: no lot of an open
    case is left waiting on a listing call at the end — as in the run without the outage (the old staff clerk left
    the lots it could not list at ``fixed``)."""
    clerks: list[StaffDisposalClerk] = []
    init = StaffDisposalClerk.__init__

    def kept(self: StaffDisposalClerk, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        clerks.append(self)

    draw = Session.draw_fault
    origin: list[Any] = []

    def down(self: Session, agency: Any, at: Any = None) -> Any:
        now = self.now() if at is None else at
        origin[:] = origin or [now]
        if agency.group.value == "auction" and 60 <= (now - origin[0]).days < 90:
            return FaultDecision(FaultKind.ERROR_5XX, 503)
        return draw(self, agency, at)

    monkeypatch.setattr(StaffDisposalClerk, "__init__", kept)
    monkeypatch.setattr(Session, "draw_fault", down)
    profile = small_court(400, judges=3, clerks=3, disposal=True, disposal_share=1.0)
    result = run_unit(make_units([("测试法院", profile)], years=0.6, replications=1, seed=7)[0])
    (clerk,) = clerks
    cases = clerk.p.runtime.cases
    waiting = {key: lot.stage for key, lot in clerk.d.lots.items()
               if lot.stage == "fixed" and cases[key[0]].closed_manner is None}
    assert not waiting, waiting
    assert result["kpi"]["proceeds_yuan"] > 0
