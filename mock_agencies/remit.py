"""The auction platform remits a sold listing's price (the buyer's deposit and balance) to the court's case
sub-account (一案一账号): money entering the court account from outside the ledger, once per listing — a repeated
remittance returns the amount again and books nothing. Used in process (``SessionDisposalPort.collect``) and over HTTP
(``POST /agencies/{platform}/listings/{listing_id}/remittance``).

A buyer who never pays the balance (悔拍; ``AuctionHouse`` ``default_rate``, or a bidder's ``pays_balance=False``): the
remittance is refused (409, where ``listing_id``) — before the balance's due date "not paid yet, due …", after it "the
buyer defaulted". The price is never remitted; the forfeited deposit is held by the platform until the court asks for it
(``remit_deposit``, H56): 网络司法拍卖规定 (2016) 第二十四条 as commonly published, unconfirmed (not in LAW.md) —
悔拍的，交纳的保证金不予退还，依次用于支付拍卖产生的费用损失、弥补重新拍卖价款低于原拍卖价款的差价、
冲抵本案被执行人的债务… — so every use but the first lands in the case: the price difference and the debt. Modelled
simply: the costs (费用损失) are not (the platform keeps nothing back), the whole deposit is remitted to the case's
sub-account as a receipt of its own once the lot's later fate settles (the court asks: its re-sale paid, taken in kind,
its 变卖 unsold, or the case closed — ``core_flow.platform.disposal``), once per defaulted listing (a repeat returns the
amount and books nothing). Used in process (``SessionDisposalPort.collect_deposit``) and over HTTP (``POST
/agencies/{platform}/listings/{listing_id}/deposit-remittance``)."""

from __future__ import annotations

from datetime import datetime
from weakref import WeakKeyDictionary

from core_flow.errors import UserError
from mock_agencies.session import Session

_REMITTED: WeakKeyDictionary[Session, dict[str, int]] = WeakKeyDictionary()
_DEPOSITS: WeakKeyDictionary[Session, dict[str, int]] = WeakKeyDictionary()  # defaulted listing → deposit remitted


def remit(session: Session, listing_id: str, sub_account: str, now: datetime) -> int:
    done = _REMITTED.setdefault(session, {})
    if listing_id in done:
        return done[listing_id]
    view = session.auction.balance(listing_id, now=now)
    if view.defaulted_at is not None:
        raise UserError(f"标的 {listing_id} 的买受人悔拍（{view.defaulted_at.isoformat()} 付款期限届满未付余款），"
                        f"保证金 {view.forfeited_deposit_cents} 分不予退还（该财产有着落时经 deposit-remittance "
                        "划入本案），无价款可划付",
                        f"the buyer of listing {listing_id} defaulted (the balance unpaid when due, "
                        f"{view.defaulted_at.isoformat()}): the deposit of {view.forfeited_deposit_cents} cents is "
                        "forfeited (remitted to the case through …/deposit-remittance once the lot settles) — no "
                        "price to remit",
                        where="listing_id", code="conflict")
    if view.sold_price_cents is None:
        raise UserError(f"标的 {listing_id} 未成交，无价款可划付",
                        f"listing {listing_id} is not sold: nothing to remit", where="listing_id", code="conflict")
    if not session.auction.buyer_pays(listing_id):
        due = view.balance_due_at.isoformat() if view.balance_due_at else "?"
        raise UserError(f"标的 {listing_id} 的买受人尚未付清余款（付款期限 {due}）",
                        f"the buyer of listing {listing_id} has not paid the balance yet (due {due})",
                        where="listing_id", code="conflict")
    _credit(session, sub_account, view.sold_price_cents,
            f"买受人 {view.buyer_id} 成交价款 / the buyer's price ({listing_id})", now)
    done[listing_id] = view.sold_price_cents
    return view.sold_price_cents


def remit_deposit(session: Session, listing_id: str, sub_account: str, now: datetime) -> int:
    """The deposit forfeited on ``listing_id``'s default (悔拍) into ``sub_account``: once per listing — a repeat
    returns the amount again and books nothing; refused (409) while the listing is not defaulted."""
    done = _DEPOSITS.setdefault(session, {})
    if listing_id in done:
        return done[listing_id]
    view = session.auction.balance(listing_id, now=now)
    if view.defaulted_at is None or view.forfeited_deposit_cents is None:
        raise UserError(f"标的 {listing_id} 的买受人未悔拍，无不予退还的保证金可划付",
                        f"the buyer of listing {listing_id} did not default: no forfeited deposit to remit",
                        where="listing_id", code="conflict")
    amount = view.forfeited_deposit_cents
    _credit(session, sub_account, amount, f"悔拍买受人 {view.defaulted_buyer_id} 不予退还的保证金 / the defaulted "
            f"buyer's forfeited deposit ({listing_id})", now)
    done[listing_id] = amount
    return amount


def _credit(session: Session, sub_account: str, amount: int, source: str, now: datetime) -> None:
    """The court account credited; an unknown sub-account is refused naming the request's field (``sub_account``),
    not the court-accounts API's (``target_account``: review R26 — the 404 pointed at a field the request has not)."""
    try:
        session.ledger.court_accounts.credit(sub_account, amount, source, now=now)
    except UserError as err:
        if err.where == "target_account":
            err.where = "sub_account"
            err.args = (err.message,)
        raise
