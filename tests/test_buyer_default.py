"""悔拍: a buyer who never pays the balance (review R20 F1, H49).

Since H46 a round won whose balance is unpaid holds every releasing closing (process.yaml ``release_gate``
ROUND_IN_BIDDING) until ``sale_paid``. Every mock buyer paid, so nothing ended such a round when a real one would not
pay: the case was held for good. Now:

* the mock auction platform: a winning buyer may default — a bidder told so at its deposit (``pays_balance=False``),
  or a simulated one at ``BidderModel.default_rate`` (default 0.0, drawn from (seed, listing id) on a stream of its
  own); past the balance's due date (``AuctionRules.balance_due_days``, 5, in the view) the listing is ``defaulted``,
  the notice ``auction.buyer_defaulted`` names the forfeited deposit, the remittance is refused (409, bilingual,
  ``listing_id``) — the deposit stays with the platform; ``reauction`` re-lists the round, the old buyer kept out;
* the court (``Disposal``): the refused remittance (or the notice) records ``buyer_defaulted`` on the asset — one of
  ROUND_IN_BIDDING's ``round_ends`` — the owed collection stops, the lot ``defaulted``: re-auctioned (``relist``),
  taken in kind by agreement, or the case closed;
* the engine: ``buyer_defaulted`` ends the round, so a held 报结 proceeds.

(网络司法拍卖规定 (2016) 第二十四条, 拍卖变卖规定 as commonly published — not in LAW.md, unconfirmed: tests/
fidelity_audit.md WZ-3d.) Virtual time only."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from mock_agencies.auction import AuctionRules, BidderModel, ListingStatus
from tests.test_auction import NOW, first, house

# ── the mock auction platform ────────────────────────────────────────────────────────────────────────────────────


DUE = datetime(2026, 4, 8, 0, 0, tzinfo=CST)  # the balance of a round won by ``_won`` is due (04-07 24:00)


def _won(h, *, pays: bool = True, bidder: str = "B1"):
    x = first(h)
    at = x.starts_at + timedelta(hours=1)
    h.pay_deposit(x.listing_id, bidder_id=bidder, amount_cents=x.deposit_cents, now=at, pays_balance=pays)
    h.place_bid(x.listing_id, bidder_id=bidder, amount_cents=x.starting_price_cents, now=at)
    notices = h.advance(x.ends_at)
    assert [n.payload["event"] for n in notices] == ["auction.sold"]
    return h.get(x.listing_id)


def test_a_sold_listing_shows_its_balance_due_date_and_a_paying_buyer_never_defaults() -> None:
    h = house()
    x = _won(h)
    assert x.status is ListingStatus.SOLD and x.balance_due_days == 5
    # the 5th day after the hammer (Thursday 2026-04-02) is Tuesday 04-07, at work: due at its 24:00 (H71,
    # 民事诉讼法 第八十五条 — tests/test_balance_due_calendar.py for the rest-day rollover)
    assert x.balance_due_at == DUE
    assert x.defaulted_at is None and x.forfeited_deposit_cents is None
    assert h.next_due(x.listing_id) is None and h.buyer_pays(x.listing_id)
    assert h.advance(x.closed_at + timedelta(days=60)) == []
    assert h.get(x.listing_id).status is ListingStatus.SOLD
    assert AuctionRules().balance_due_days == 5 and BidderModel().default_rate == 0.0  # the project defaults


def test_a_buyer_who_does_not_pay_defaults_at_the_due_date_with_its_deposit_forfeited() -> None:
    h = house()
    x = _won(h, pays=False)
    due = DUE
    assert x.status is ListingStatus.SOLD and x.balance_due_at == due  # sold: the buyer owes the balance
    assert h.next_due(x.listing_id) == due and h.next_due() == due
    assert h.advance(due - timedelta(seconds=1)) == []
    [notice] = h.advance(due)
    p = notice.payload
    assert p["event"] == "auction.buyer_defaulted" and p["status"] == "defaulted" and p["at"] == due.isoformat()
    assert p["buyer_id"] == "B1" and p["forfeited_deposit_cents"] == x.deposit_cents
    view = h.get(x.listing_id)
    assert view.status is ListingStatus.DEFAULTED and view.defaulted_at == due
    assert view.defaulted_buyer_id == "B1" and view.forfeited_deposit_cents == x.deposit_cents
    assert view.buyer_id is None and view.sold_price_cents is None  # no sale made
    assert h.next_due() is None and h.advance(due + timedelta(days=30)) == []  # told once


def test_the_remittance_of_a_defaulted_listing_is_refused_and_books_nothing() -> None:
    from mock_agencies.catalogue import load_catalogue
    from mock_agencies.remit import remit
    from mock_agencies.session import Session, SessionConfig
    from mock_agencies.settings import Settings

    session = Session("ns", SessionConfig(seed=1, profile="fast"), Settings(world_size=100), load_catalogue())
    session.auction.model = BidderModel(max_bidders=0)
    x = _won(session.auction, pays=False)
    accounts = session.ledger.court_accounts
    sub = accounts.open("410811", "(2026)豫0811执1号")
    before = accounts.balance(sub)
    with pytest.raises(UserError) as err:  # before the due date: not paid yet
        remit(session, x.listing_id, sub, x.closed_at + timedelta(days=2))
    assert err.value.code == "conflict" and err.value.where == "listing_id"
    assert "尚未付清余款" in err.value.zh and "not paid the balance yet" in err.value.en
    with pytest.raises(UserError) as err:  # past it: defaulted
        remit(session, x.listing_id, sub, x.closed_at + timedelta(days=6))
    assert err.value.code == "conflict" and err.value.where == "listing_id"
    assert "悔拍" in err.value.zh and "不予退还" in err.value.zh and "defaulted" in err.value.en
    assert "forfeited" in err.value.en and str(x.deposit_cents) in err.value.en
    assert accounts.balance(sub) == before and not accounts.entries(sub)


def test_a_default_rate_draws_per_listing_and_leaves_the_bidding_unchanged() -> None:
    """Simulated buyers default at the rate, from (seed, listing id): the same listings every time; the bids are
    those of the rate 0 (the draw has its stream of its own)."""
    def year(rate: float):
        h = house(seed=11, bidders=BidderModel(default_rate=rate))
        out = []
        for i in range(40):
            x = first(h, asset_id=f"A{i}")
            h.advance(x.ends_at)
            out.append(h.get(x.listing_id))
        h.advance(NOW + timedelta(days=120))
        return [(v.listing_id, v.bids) for v in out], [h.get(v.listing_id).status for v in out]

    bids0, status0 = year(0.0)
    bids5, status5 = year(0.5)
    assert bids0 == bids5 and year(0.5)[1] == status5
    sold = [i for i, s in enumerate(status0) if s is ListingStatus.SOLD]
    defaulted = [i for i, s in enumerate(status5) if s is ListingStatus.DEFAULTED]
    assert len(sold) >= 10 and 0 < len(defaulted) < len(sold) and set(defaulted) <= set(sold)
    assert ListingStatus.DEFAULTED not in status0
    assert all(s is ListingStatus.DEFAULTED for s in year(1.0)[1] if s is not ListingStatus.FAILED)


def test_the_round_is_reauctioned_on_its_terms_without_the_buyer_who_defaulted() -> None:
    h = house()
    x = _won(h, pays=False)
    due = DUE
    h.advance(due)
    at = due + timedelta(days=1)
    with pytest.raises(UserError) as err:  # the first round's notice: 30 days for real estate
        h.reauction(x.listing_id, bidding_starts=at + timedelta(days=10), now=at)
    assert "公告期不足" in err.value.zh
    y = h.reauction(x.listing_id, bidding_starts=at + timedelta(days=31), now=at)
    assert y.round == x.round and y.starting_price_cents == x.starting_price_cents
    assert y.deposit_cents == x.deposit_cents and y.previous_id == x.listing_id and y.excluded_bidders == ("B1",)
    assert y.ends_at - y.starts_at == x.scheduled_end - x.starts_at
    assert h.get(x.listing_id).next_id == y.listing_id
    assert h.reauction(x.listing_id, bidding_starts=at + timedelta(days=31), now=at) == y  # idempotent
    with pytest.raises(UserError) as err:  # the old buyer may not bid (第二十四条: 原买受人不得参加竞买)
        h.pay_deposit(y.listing_id, bidder_id="B1", amount_cents=y.deposit_cents, now=y.starts_at)
    assert err.value.code == "conflict" and "悔拍" in err.value.zh and "may not bid" in err.value.en
    h2 = house()
    paid = _won(h2)
    with pytest.raises(UserError) as err:  # a listing whose buyer paid is not re-auctioned
        h2.reauction(paid.listing_id, bidding_starts=at + timedelta(days=31), now=at)
    assert err.value.code == "conflict"


def test_a_house_saved_before_the_default_fields_still_loads_and_runs() -> None:
    """A pickled house and listings without the new attributes (saved before H49): the views and the close work,
    every buyer pays."""
    h = house()
    x = first(h)
    listing = h._listings[x.listing_id]
    for name in ("balance_due_days", "non_payers", "default_due", "defaulted_at", "excluded"):
        delattr(listing, name)
    h.__dict__.pop("_owed_defaults", None)
    old = pickle.loads(pickle.dumps(h))
    view = old.get(x.listing_id)
    assert view.balance_due_days == 5 and view.excluded_bidders == ()
    at = x.starts_at + timedelta(hours=1)
    old.pay_deposit(x.listing_id, bidder_id="B1", amount_cents=x.deposit_cents, now=at)
    old.place_bid(x.listing_id, bidder_id="B1", amount_cents=x.starting_price_cents, now=at)
    assert [n.payload["event"] for n in old.advance(x.ends_at + timedelta(days=10))] == ["auction.sold"]
    assert old.get(x.listing_id).status is ListingStatus.SOLD and old.buyer_pays(x.listing_id)


# ── the engine: buyer_defaulted ends the round ───────────────────────────────────────────────────────────────────
def test_the_buyer_default_ends_the_round_so_a_held_closing_proceeds(make_runtime) -> None:
    from tests.conftest import cst

    rt = make_runtime(cst(2025, 3, 3, 10, 0))
    flat = "real_estate_registry:F1"
    assert rt.submit(c.FileCase("K", debtors=("D1",), amount_cents=500_000_00)).accepted
    for node in (1, 2, 3, 4, 5, 6, 7):
        assert rt.submit(c.CompleteNode("K", node)).accepted
    for cmd in (c.FreezeConfirmed("K", flat, "real_estate_registry", 800_000_00, freeze_id="S1", measure="seal",
                                  expires_at=cst(2028, 3, 1)),
                c.CompleteNode("K", 19, flat), c.StartNode("K", 20, flat), c.Record("K", "report_received", flat),
                c.CompleteNode("K", 21, flat), c.Record("K", "reference_price_fixed", flat),
                c.CompleteNode("K", 20, flat),
                c.Record("K", "announcement_scheduled", flat, at=rt.clock.now() + timedelta(days=3)),
                c.CompleteNode("K", 24, flat), c.CompleteNode("K", 23, flat),
                c.Record("K", "auction_scheduled", flat, at=rt.clock.now() + timedelta(days=40),
                         attrs={"asset_kind": "real_estate"}), c.CompleteNode("K", 25, flat)):
        out = rt.submit(cmd)
        assert out.accepted, (cmd, out.refusal)
    rt.clock.run_until(rt.clock.now() + timedelta(days=45))  # begun, won, the balance unpaid
    out = rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室"))
    assert out.refusal is not None and out.refusal.details == ("ROUND_IN_BIDDING",)
    out = rt.submit(c.Record("K", "buyer_defaulted", flat, attrs={"forfeited_deposit_cents": 56_000_00}))
    assert out.accepted, out.refusal
    assert rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室")).accepted
    assert rt.cases["K"].closed_manner == "completed"


def test_the_anchor_is_in_the_process_and_the_round_condition() -> None:
    from core_flow.process_loader import default_process_path, load_process

    process = load_process(default_process_path())
    assert "buyer_defaulted" in process.anchors
    cond = next(g for g in process.release_gate if g.code == "ROUND_IN_BIDDING")
    assert "buyer_defaulted" in cond.round_ends


# ── the court: Disposal on the mock platforms ────────────────────────────────────────────────────────────────────
def _defaulting_case():
    from tests.test_disposal_closed import _case

    case = _case().fixed().listed()
    view = case.listing()
    case.court.run_until(view.starts_at + timedelta(hours=1))
    auction, now = case.court.session.auction, case.court.clock.now()
    auction.pay_deposit(view.listing_id, bidder_id="B1", amount_cents=view.deposit_cents, now=now,
                        pays_balance=False)
    auction.place_bid(view.listing_id, bidder_id="B1", amount_cents=view.starting_price_cents, now=now)
    case.until_closed()
    assert case.lot.stage == "sold"
    return case, view


def _collects(case) -> list[str]:
    return [e.data["kind"] for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.EXCHANGE and e.data.get("measure") == "collect"]


def _close(case, manner: str = "执行完毕"):
    return case.p.submit(c.Close(case.k, manner, reviewed_by="审判管理办公室"))


def test_a_defaulting_buyer_holds_the_closing_until_its_due_date_then_the_default_releases_it() -> None:
    """Won, the balance unpaid: the closing is refused ROUND_IN_BIDDING before the due date; at it the court's
    collection is refused, the listing read: ``buyer_defaulted`` recorded once, the lot ``defaulted``, nothing paid
    in, the owed collection not asked again — and the closing is taken."""
    case, view = _defaulting_case()
    out = _close(case)
    assert out.refusal is not None and out.refusal.details == ("ROUND_IN_BIDDING",)
    case.court.run_for(timedelta(days=6))  # past the due date (closed + 5 days)
    assert case.lot.stage == "defaulted" and case.lot.receipt is None and not case.state.receipts
    [anchor] = [e for e in case.court.runtime.case_events(case.k)
                if e.kind == EventKind.ANCHOR and e.data["anchor"] == "buyer_defaulted"]
    assert anchor.instance == case.asset and anchor.data["listing_id"] == view.listing_id
    assert anchor.data["round"] == "first" and anchor.data["buyer_id"] == "B1"
    assert anchor.data["forfeited_deposit_cents"] == view.deposit_cents
    assert "sale_paid" not in case.anchors()
    asked = len(_collects(case))
    case.court.run_for(timedelta(days=10))
    assert len(_collects(case)) == asked  # the owed collection stopped
    assert case.anchors().count("buyer_defaulted") == 1
    out = _close(case)
    assert out.accepted, out.refusal


def test_the_notice_tells_the_court_of_the_default_too() -> None:
    """The platform's callback ``auction.buyer_defaulted`` (posted to ``Disposal.receive``): the listing is read and
    the default taken — once, the later collection finding the lot ``defaulted`` asks nothing."""
    case, view = _defaulting_case()
    due = case.listing().balance_due_at
    auction = case.court.session.auction
    notices = auction.advance(due)
    [notice] = [n for n in notices if n.payload["event"] == "auction.buyer_defaulted"]
    assert case.d.receive(notice.payload)
    case.court.run_for(timedelta(seconds=1))
    assert case.lot.stage == "defaulted"
    case.court.run_for(timedelta(days=8))
    assert case.anchors().count("buyer_defaulted") == 1


def test_a_defaulted_lot_is_reauctioned_without_the_old_buyer_and_the_new_sale_is_paid_in() -> None:
    case, view = _defaulting_case()
    case.court.run_for(timedelta(days=6))
    assert case.lot.stage == "defaulted"
    case.d.relist(case.k, case.asset)
    assert case.lot.stage == "listed" and case.lot.round == "first" and case.lot.listing_id != view.listing_id
    new = case.listing()
    assert new.previous_id == view.listing_id and new.excluded_bidders == ("B1",)
    assert new.starting_price_cents == view.starting_price_cents
    assert case.anchors().count("auction_scheduled") == 2
    case.court.run_until(new.starts_at + timedelta(minutes=30))
    with pytest.raises(UserError) as err:  # the buyer who defaulted may not bid
        case.court.session.auction.pay_deposit(new.listing_id, bidder_id="B1", amount_cents=new.deposit_cents,
                                               now=case.court.clock.now())
    assert err.value.code == "conflict"
    out = _close(case)  # the new round's bidding has begun: held again
    assert out.refusal is not None and out.refusal.details == ("ROUND_IN_BIDDING",)
    price = case.bid("B2")
    case.until_closed()
    case.court.run_for(timedelta(days=6))
    assert case.lot.stage == "paid" and case.state.receipts[case.lot.receipt].amount_cents == price
    assert "sale_paid" in case.anchors()


def test_a_defaulted_lot_may_go_in_kind_by_agreement() -> None:
    case, view = _defaulting_case()
    case.court.run_for(timedelta(days=6))
    out = case.d.agree_in_kind(case.k, case.asset, 500_000_00, applicant_consents=True, debtor_consents=True)
    assert out.accepted, out.refusal
    assert case.lot.stage == "in_kind"
    case.court.run_for(timedelta(days=1))
    assert str(case.court.session.auction.get(view.listing_id).status) == "taken_in_kind"


def test_a_re_auction_taken_with_every_answer_lost_is_looked_up_and_withdrawn_at_the_closing() -> None:
    """The re-auction asked while the platform loses every answer (it takes the round, the court never learns it)
    and given up; at a closing the court looks it up (``_learn``: the lot's kept start, ``auction:reauction``) and
    withdraws it before its bidding — it did not sell on the closed case, the seal released."""
    from tests.test_disposal_retry import _faults
    from tests.test_disposal_withdraw_gaps import LOST, NONE

    case, view = _defaulting_case()
    case.court.run_for(timedelta(days=6))
    assert case.lot.stage == "defaulted"
    _faults(case, "taobao", LOST)
    case.d.relist(case.k, case.asset)
    case.court.run_for(timedelta(days=2))  # the gateway's retries and the 3 rounds spent
    held = [x for x in case.court.session.auction.listings(case_no=view.case_no) if x.previous_id == view.listing_id]
    assert len(held) == 1 and str(held[0].status) == "announced"  # the platform holds it; the court never learnt
    assert case.lot.stage == "defaulted" and case.lot.listing_id == view.listing_id
    _faults(case, "taobao", NONE)
    out = _close(case, "终结")
    assert out.accepted, out.refusal
    case.court.run_for(timedelta(hours=12))
    assert str(case.court.session.auction.get(held[0].listing_id).status) == "withdrawn"
    assert case.lot.stage == "withdrawn"
