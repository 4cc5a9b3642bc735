"""The mock pricing and auction platforms of a :class:`~mock_agencies.session.Session` as the court's
:class:`~core_flow.platform.disposal.DisposalPort`: direct calls, in process (the court's simulated counterpart).

Before each call the session is brought to the caller's ``now`` (``skip_to`` and ``pump``: simulated bidders act,
listings close, pricing answers come in), exactly as the HTTP routers do. Faults are drawn as the routers draw them
(``Session.draw_fault``, the platform's behaviour profile): a faulted call changes nothing and raises
:class:`~core_flow.platform.disposal.PortFault`, which the court retries — but for a lost answer (``lost_answer``):
the call is carried out (a request commissioned, a listing published, a decision recorded) and its answer is lost,
so the court's repeat must be answered as the same act (the platforms' calls are idempotent). Views are the
platforms' JSON.

``collect`` is the buyer's payment of the full price (deposit and balance) into the case's 一案一账号 sub-account:
money entering the court account from outside the ledger, once per listing (a repeated call returns the amount
again and books nothing).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel

from core_flow.errors import UserError
from core_flow.ports import PRICING_PLATFORM, PortFault
from mock_agencies.asset_value import market_value
from mock_agencies.auction import AssetClass
from mock_agencies.pricing import PricingMethod
from mock_agencies.profiles import FaultKind
from mock_agencies.remit import remit, remit_deposit
from mock_agencies.session import Session
from mock_agencies.streams import FaultDecision

T = TypeVar("T")


class SessionDisposalPort:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.faults = 0

    def _at(self, now: datetime, agency: str) -> tuple[datetime, FaultDecision | None]:
        """The platform's now, and a lost answer drawn for this call (any other fault raised here: nothing done)."""
        session = self.session
        if session.clock.scale == 0:  # a stopped clock moves to the caller's now; a running one follows the court's
            session.clock.skip_to(now)
        now = session.now()
        session.pump(now)
        fault = session.draw_fault(session.catalogue.get(agency))
        if fault is not None and fault.kind is not FaultKind.LOST_ANSWER:
            self._fault(now, agency, fault)
        return now, fault

    def _fault(self, now: datetime, agency: str, fault: FaultDecision) -> NoReturn:
        self.faults += 1
        self.session.journal.record(now, "submit", agency=agency, outcome=f"fault:{fault.kind.value}")
        raise PortFault(f"{agency}: simulated fault {fault.kind.value}")

    def _call(self, now: datetime, agency: str, act: Callable[[datetime], T]) -> T:
        """``act`` at the platform's now — or a fault instead; a lost answer after ``act`` (carried out, or refused
        as any call: the refusal is lost with the answer)."""
        at, lost = self._at(now, agency)
        if lost is None:
            return act(at)
        with contextlib.suppress(UserError):
            act(at)
        self._fault(at, agency, lost)

    def _flush(self, now: datetime) -> None:
        self.session.flush_platform("auction", now)
        self.session.flush_platform("pricing", now)

    def _flushed(self, act: Callable[[datetime], BaseModel]) -> Callable[[datetime], dict[str, Any]]:
        """``act``, then the platforms' results posted; its view as JSON."""
        def call(at: datetime) -> dict[str, Any]:
            view = act(at)
            self._flush(at)
            return view.model_dump(mode="json")
        return call

    # ── pricing ──
    def price(self, *, method: str, request_no: str, court_code: str, case_no: str, asset_id: str, asset_kind: str,
              description: str, now: datetime) -> dict[str, Any]:
        pricing = self.session.pricing
        return self._call(now, PRICING_PLATFORM, self._flushed(lambda at: pricing.submit(
            PricingMethod(method), request_no=request_no, court_code=court_code, case_no=case_no, asset_id=asset_id,
            asset_kind=asset_kind, description=description,
            known_value=lambda: market_value(self.session, asset_id, at, court_code), now=at)))

    def pricing(self, pricing_id: str, now: datetime) -> dict[str, Any]:
        return self._call(now, PRICING_PLATFORM,
                          lambda at: self.session.pricing.get(pricing_id).model_dump(mode="json"))

    def withdraw_pricing(self, pricing_id: str, now: datetime) -> dict[str, Any]:
        return self._call(now, PRICING_PLATFORM,
                          self._flushed(lambda at: self.session.pricing.withdraw(pricing_id, now=at)))

    def find_pricing(self, request_no: str, now: datetime) -> list[dict[str, Any]]:
        """The requests the pricing platform holds under ``request_no`` — every court's that used it: the court reads
        its own (a read: nothing is made)."""
        def look(at: datetime) -> list[dict[str, Any]]:
            self._flush(at)
            return [view.model_dump(mode="json") for view in self.session.pricing.find(request_no)]
        return self._call(now, PRICING_PLATFORM, look)

    # ── auction ──
    def list(self, *, platform: str, court_code: str, case_no: str, asset_id: str, asset_class: str,
             description: str, valuation_cents: int, starting_price_cents: int, deposit_cents: int,
             bidding_starts: datetime, now: datetime) -> dict[str, Any]:
        return self._call(now, platform, self._flushed(lambda at: self.session.auction.create_listing(
            platform, court_code=court_code, case_no=case_no, asset_id=asset_id, asset_kind=AssetClass(asset_class),
            valuation_cents=valuation_cents, starting_price_cents=starting_price_cents, deposit_cents=deposit_cents,
            bidding_starts=bidding_starts, description=description, now=at)))

    def _platform_of(self, listing_id: str) -> str:
        return self.session.auction.get(listing_id).platform

    def _on_listing(self, listing_id: str, method: str, now: datetime, **terms: Any) -> dict[str, Any]:
        """The auction house's ``method`` on ``listing_id`` (its platform's faults)."""
        act = getattr(self.session.auction, method)
        return self._call(now, self._platform_of(listing_id),
                          self._flushed(lambda at: act(listing_id, **terms, now=at)))

    def relist(self, listing_id: str, *, starting_price_cents: int, deposit_cents: int, bidding_starts: datetime,
               now: datetime) -> dict[str, Any]:
        return self._on_listing(listing_id, "relist", now, starting_price_cents=starting_price_cents,
                                deposit_cents=deposit_cents, bidding_starts=bidding_starts)

    def reauction(self, listing_id: str, *, bidding_starts: datetime, now: datetime) -> dict[str, Any]:
        """重新拍卖 of a listing whose buyer defaulted (悔拍): the same round on the same terms, a new start."""
        return self._on_listing(listing_id, "reauction", now, bidding_starts=bidding_starts)

    def decide_in_kind(self, listing_id: str, *, accept: bool, now: datetime) -> dict[str, Any]:
        return self._on_listing(listing_id, "decide_in_kind", now, accept=accept)

    def agree_in_kind(self, listing_id: str, *, price_cents: int, now: datetime) -> dict[str, Any]:
        return self._on_listing(listing_id, "agree_in_kind", now, price_cents=price_cents)

    def start_sale(self, listing_id: str, *, price_cents: int, deposit_cents: int, sale_starts: datetime,
                   sale_ends: datetime, now: datetime) -> dict[str, Any]:
        return self._on_listing(listing_id, "start_sale", now, price_cents=price_cents, deposit_cents=deposit_cents,
                                sale_starts=sale_starts, sale_ends=sale_ends)

    def withdraw_listing(self, listing_id: str, now: datetime) -> dict[str, Any]:
        return self._on_listing(listing_id, "withdraw", now)

    def listing(self, listing_id: str, now: datetime) -> dict[str, Any]:
        def look(at: datetime) -> dict[str, Any]:
            self._flush(at)
            return self.session.auction.get(listing_id).model_dump(mode="json")
        return self._call(now, self._platform_of(listing_id), look)

    def find_listings(self, *, platform: str, case_no: str, now: datetime) -> list[dict[str, Any]]:
        """``platform``'s listings of ``case_no``, every round (as ``GET /agencies/{platform}/listings?case_no=``)."""
        def look(at: datetime) -> list[dict[str, Any]]:
            self._flush(at)
            return [v.model_dump(mode="json") for v in self.session.auction.listings(platform=platform,
                                                                                       case_no=case_no)]
        return self._call(now, platform, look)

    def next_change(self, now: datetime, ref: str | None = None) -> datetime | None:
        """The platforms' next answer, extension, bid or close (virtual time): the court looks then. ``ref``: only
        that pricing request's or listing's (what the court waits on)."""
        times = [t for t in (self.session.pricing.next_due(ref), self.session.auction.next_due(ref)) if t is not None]
        return min(times, default=None)

    def collect(self, listing_id: str, sub_account: str, now: datetime) -> int:
        """The buyer's payment of ``listing_id`` into ``sub_account`` (once: a repeat books nothing)."""
        return self._call(now, self._platform_of(listing_id),
                          lambda at: remit(self.session, listing_id, sub_account, at))

    def collect_deposit(self, listing_id: str, sub_account: str, now: datetime) -> int:
        """The deposit forfeited on ``listing_id``'s default (悔拍) into ``sub_account`` (once: a repeat books
        nothing)."""
        return self._call(now, self._platform_of(listing_id),
                          lambda at: remit_deposit(self.session, listing_id, sub_account, at))
