"""撤回拍卖 on the mock auction platform (H36): a round whose bidding (a 变卖's sale period) has not begun is withdrawn
— ``AuctionHouse.withdraw`` and ``POST /agencies/{platform}/listings/{id}/withdrawal``: withdrawn, no result, no
callback, idempotent, persisted; 409 once the bidding began or the round closed. 拍卖变卖规定 (法释〔2004〕16号)
第二十条 as commonly published (some sources number it 第二十四条): "在拍卖开始前，有下列情形之一的，人民法院应当
撤回拍卖委托：…（二）申请执行人及其他执行债权人撤回执行申请的；（三）被执行人全部履行了法律文书确定的金钱债务的；
（四）当事人达成了执行和解协议，不需要拍卖财产的；…"; 第二十一条: 暂缓 / 中止执行 → the auction stops at once. Before
H36 (fd54943) the platforms had no withdrawal of a listing. Virtual time only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx

from core_flow.errors import UserError
from mock_agencies.auction import ListingStatus
from mock_agencies.settings import Settings
from tests.test_auction import failed_first, failed_second, first, house
from tests.test_auction_api import CB, ORIGIN, advance_to, callback_events, listing_body, open_session

# ── the mock auction platform ────────────────────────────────────────────────────────────────────────────────────


def _declined(h: Any) -> Any:
    """A 变卖 announced (its sale period 20 days ahead) after a second 流拍 and the creditor's refusal in kind."""
    second = failed_second(h)
    at = second.closed_at + timedelta(days=1)
    h.decide_in_kind(second.listing_id, accept=False, now=at)
    h.advance(at)  # (the refusal's notice out)
    return h.start_sale(second.listing_id, price_cents=second.valuation_cents // 2, deposit_cents=
                        second.valuation_cents // 20, sale_starts=at + timedelta(days=20),
                        sale_ends=at + timedelta(days=80), now=at)


def _relisted(h: Any) -> Any:
    x = failed_first(h)
    start = x.starting_price_cents * 80 // 100
    return h.relist(x.listing_id, starting_price_cents=start, deposit_cents=start // 10,
                    bidding_starts=x.closed_at + timedelta(days=20), now=x.closed_at + timedelta(days=1))


ROUNDS = {"first": lambda h: first(h), "second": _relisted, "sale": _declined}


@pytest.mark.parametrize("round_", list(ROUNDS))
def test_a_round_not_begun_is_withdrawn_with_no_result_no_callback_and_no_further_change(round_: str) -> None:
    h = house()
    x = ROUNDS[round_](h)
    assert x.status is ListingStatus.ANNOUNCED
    at = x.announced_at + timedelta(days=2)
    view = h.withdraw(x.listing_id, now=at)
    assert view.status is ListingStatus.WITHDRAWN and view.withdrawn_at == at
    assert h.next_due(x.listing_id) is None
    assert h.advance(x.ends_at + timedelta(days=90)) == []  # no bidding, no result, no callback
    after = h.get(x.listing_id)
    assert after == view and after.closed_at is None and after.bid_count == 0
    assert h.withdraw(x.listing_id, now=at + timedelta(days=100)) == view  # withdrawn again: the same view
    late = x.starts_at + timedelta(hours=1)
    with pytest.raises(UserError) as err:  # no bidder may register or bid
        h.pay_deposit(x.listing_id, bidder_id="B1", amount_cents=x.deposit_cents, now=late)
    assert err.value.code == "conflict"
    with pytest.raises(UserError) as err:  # no next round, nor an agreement in kind, on a withdrawn round
        if round_ == "first":
            h.relist(x.listing_id, starting_price_cents=x.starting_price_cents, deposit_cents=x.deposit_cents,
                     bidding_starts=late + timedelta(days=20), now=late)
        else:
            h.agree_in_kind(x.listing_id, price_cents=1000, now=late)
    assert err.value.code == "conflict"


def test_a_round_whose_bidding_has_begun_or_that_closed_is_not_withdrawn() -> None:
    h = house()
    x = first(h)
    with pytest.raises(UserError) as err:  # the bidding opened (the platform runs what was due first)
        h.withdraw(x.listing_id, now=x.starts_at)
    assert err.value.code == "conflict" and err.value.where == "listing_id"
    assert "竞价已开始" in err.value.zh and "bidding has begun" in err.value.en and "bidding" in err.value.en
    assert h.get(x.listing_id).status is ListingStatus.BIDDING  # unchanged: it runs to its end
    assert [n.payload["event"] for n in h.advance(x.ends_at)] == ["auction.failed"]
    with pytest.raises(UserError) as err:  # closed: 流拍
        h.withdraw(x.listing_id, now=x.ends_at + timedelta(days=1))
    assert err.value.code == "conflict" and "failed" in err.value.en and "已流拍" in err.value.zh
    h = house()
    y = _declined(h)
    with pytest.raises(UserError) as err:  # a 变卖 whose sale period began
        h.withdraw(y.listing_id, now=y.starts_at + timedelta(minutes=1))
    assert "变卖期已开始" in err.value.zh and "sale period has begun" in err.value.en


def test_a_withdrawn_listing_is_kept_across_a_restart() -> None:
    """The namespace's durable state (``Session.snapshot`` / ``restore``) keeps the withdrawal: still withdrawn, no
    result after the restart, the same view when withdrawn again."""
    from mock_agencies.catalogue import load_catalogue
    from mock_agencies.session import Session, SessionConfig

    catalogue = load_catalogue()
    session = Session("ns", SessionConfig(seed=1, profile="fast"), Settings(world_size=100), catalogue)
    now = session.now()
    x = first(session.auction, now=now)
    view = session.auction.withdraw(x.listing_id, now=now + timedelta(hours=1))
    blob, changes = session.snapshot()
    restored = Session.restore("ns", blob, Settings(world_size=100), catalogue, rows=changes.rows)
    assert restored.auction.get(x.listing_id) == view
    assert restored.auction.advance(x.ends_at + timedelta(days=1)) == []
    assert restored.auction.withdraw(x.listing_id, now=x.ends_at + timedelta(days=2)) == view


# ── over HTTP (the mock agencies' API) ───────────────────────────────────────────────────────────────────────────
@pytest.fixture
def app():
    from mock_agencies.app import create_app

    return create_app(Settings(background=False, time_scale=0.0, world_size=1000, profile="fast",
                               callback_hosts=("court.test",)))


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mock") as http:
        yield http


async def test_the_withdrawal_over_http_no_callback_idempotent_and_409_once_the_round_closed(app, client) -> None:
    from mock_agencies.auction import BidderModel

    h = await open_session(client, "withdraw")
    app.state.sessions.get("withdraw").auction.model = BidderModel(max_bidders=0)  # nobody bids by himself
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post(CB).mock(return_value=httpx.Response(200))
        r = await client.post("/agencies/taobao/listings", json=listing_body(), headers=h)
        assert r.status_code == 201, r.text
        lid = r.json()["listing_id"]
        other = (await client.post("/agencies/taobao/listings", json=listing_body(asset_id="房产-2"),
                                   headers=h)).json()["listing_id"]
        r = await client.post(f"/agencies/taobao/listings/{lid}/withdrawal", headers=h)
        assert r.status_code == 200, r.text
        view = r.json()
        assert view["status"] == "withdrawn" and view["withdrawn_at"] is not None
        await advance_to(client, "withdraw", ORIGIN + timedelta(days=40))
        assert callback_events(route) == ["auction.failed"]  # the other listing's 流拍 only: none for the withdrawn
        assert (await client.get(f"/agencies/taobao/listings/{lid}", headers=h)).json() == view
        again = await client.post(f"/agencies/taobao/listings/{lid}/withdrawal", headers=h)
        assert again.status_code == 200 and again.json() == view
        closed = await client.post(f"/agencies/taobao/listings/{other}/withdrawal", headers=h)
        assert closed.status_code == 409, closed.text
        err = closed.json()["error"]
        assert err["where"] == "path.listing_id" and err["code"] == "conflict" and "failed" in err["en"]
        assert (await client.post(f"/agencies/jd/listings/{lid}/withdrawal", headers=h)).status_code == 404


async def test_the_withdrawal_is_documented_with_every_status_it_sends(client) -> None:
    doc = (await client.get("/openapi.json")).json()
    op = doc["paths"]["/agencies/{platform}/listings/{listing_id}/withdrawal"]["post"]
    assert {"200", "404", "409", "422"} <= set(op["responses"])
    assert "撤回" in op["description"] and "withdraw" in op["description"]
    assert "withdrawn" in doc["components"]["schemas"]["ListingStatus"]["enum"]
