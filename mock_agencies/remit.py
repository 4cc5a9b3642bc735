"""The auction platform remits a sold listing's price (the buyer's deposit and balance) to the court's case
sub-account (一案一账号): money entering the court account from outside the ledger, once per listing — a repeated
remittance returns the amount again and books nothing. Used in process (``SessionDisposalPort.collect``) and over HTTP
(``POST /agencies/{platform}/listings/{listing_id}/remittance``)."""

from __future__ import annotations

from datetime import datetime
from weakref import WeakKeyDictionary

from core_flow.errors import UserError
from mock_agencies.session import Session

_REMITTED: WeakKeyDictionary[Session, dict[str, int]] = WeakKeyDictionary()


def remit(session: Session, listing_id: str, sub_account: str, now: datetime) -> int:
    done = _REMITTED.setdefault(session, {})
    if listing_id in done:
        return done[listing_id]
    view = session.auction.get(listing_id)
    if view.sold_price_cents is None:
        raise UserError(f"标的 {listing_id} 未成交，无价款可划付",
                        f"listing {listing_id} is not sold: nothing to remit", where="listing_id", code="conflict")
    session.ledger.court_accounts.credit(
        sub_account, view.sold_price_cents, f"买受人 {view.buyer_id} 成交价款 / the buyer's price ({listing_id})",
        now=now)
    done[listing_id] = view.sold_price_cents
    return view.sold_price_cents
