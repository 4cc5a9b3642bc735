"""撤回拍卖 (H36): a round whose bidding (a 变卖's sale period) has not begun is withdrawn — by the court at a closing
that ends the enforcement, or by hand (执行和解 without a closing). 拍卖变卖规定 (法释〔2004〕16号) 第二十条 as commonly
published (some sources number it 第二十四条): "在拍卖开始前，有下列情形之一的，人民法院应当撤回拍卖委托：…（二）
申请执行人及其他执行债权人撤回执行申请的；（三）被执行人全部履行了法律文书确定的金钱债务的；（四）当事人达成了执行和解协议，
不需要拍卖财产的；…"; 第二十一条: 暂缓 / 中止执行 → the auction stops at once. A round whose bidding has begun runs to
its end.

* the mock auction platform: ``AuctionHouse.withdraw`` and ``POST /agencies/{platform}/listings/{id}/withdrawal`` —
  withdrawn, no result, no callback, idempotent, persisted; 409 once the bidding began or the round closed;
* the ports (in process and over HTTP on a real uvicorn loopback server) and the platform (``Disposal``): at the
  closing, by hand, through the 查控 gateway's retries;
* a small court-year with disposal: no round whose bidding had not begun at a closing sells after it.

Before H36 (fd54943) the platforms had no withdrawal of a listing, and a round listed at the closing ran to its end:
in the default court-year with disposal 50 lots were sold after their cases closed 执行完毕. Virtual time only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import respx

from core_flow.engine import EventKind
from core_flow.engine import commands as c
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


# ── the platform (Disposal): at the closing, by hand, through the gateway ───────────────────────────────────────────
def _closable(process: Any = None):
    from tests.test_disposal_closed import _case

    return _case(process)


def _close(case: Any, manner: str) -> None:
    from tests.test_disposal_closed import _close as close

    close(case, manner)


def _exchanges(case: Any, measure: str) -> list[str]:
    return [e.data["kind"] for e in case.court.runtime.case_events(case.k)
            if e.kind == EventKind.EXCHANGE and e.data.get("measure") == measure]


def _after(case: Any, at: Any) -> list[Any]:
    return [e for e in case.court.runtime.case_events(case.k) if e.at > at]


@pytest.mark.parametrize("manner", ["执行完毕", "终结"])
def test_a_round_listed_in_the_future_at_the_closing_is_withdrawn_and_nothing_is_sold(manner: str) -> None:
    """执行完毕 (the debtor paid in full) or 终结 with the first auction announced: the system withdraws it — the
    platform shows it withdrawn, no bid is taken, no result comes, nothing is sold nor paid into the case; the record
    shows ``listing_withdrawn``; the lot's deadlines neither warn nor freeze the closed case. The old code kept the
    round, and a bid on it made a sale of a paid-up debtor's flat."""
    case = _closable().fixed().listed()
    view = case.listing()
    assert str(view.status) == "announced"
    _close(case, manner)
    closed_at = case.state.closed_at
    after = case.listing()
    assert str(after.status) == "withdrawn" and after.withdrawn_at is not None
    assert case.lot.stage == "withdrawn" and "listing_withdrawn" in case.anchors()
    assert _exchanges(case, "auction:withdrawn") == ["sent", "answer"]
    auction, now = case.court.session.auction, case.court.clock.now()
    with pytest.raises(UserError):  # a buyer cannot register: the round is gone
        auction.pay_deposit(view.listing_id, bidder_id="B1", amount_cents=view.deposit_cents, now=now)
    case.court.run_until(view.ends_at + timedelta(days=30))
    assert case.lot.stage == "withdrawn" and case.lot.sold_price_cents is None and case.lot.receipt is None
    assert not case.state.receipts
    late = {e.kind for e in _after(case, closed_at) if e.instance == case.asset}
    assert not late & {EventKind.WARNING, EventKind.DEADLINE_MISSED, EventKind.NODE_FROZEN, EventKind.DEADLINE_SET}
    assert "sale_paid" not in case.anchors() and "first_unsold" not in case.anchors()


@pytest.mark.parametrize("round_", ["second", "sale"])
def test_a_second_auction_or_a_sale_period_not_begun_at_the_closing_is_withdrawn(round_: str) -> None:
    from tests.test_disposal_closed import _declined, _unsold1

    case = _closable()
    if round_ == "second":
        _unsold1(case)
        case.d.relist(case.k, case.asset)
        assert case.lot.stage == "relisted"
    else:
        _declined(case)
        case.d.start_sale(case.k, case.asset)
        assert case.lot.stage == "sale"
    lid = case.lot.listing_id
    _close(case, "执行完毕")
    assert str(case.court.session.auction.get(lid).status) == "withdrawn" and case.lot.stage == "withdrawn"
    [withdrawn] = [e for e in case.court.runtime.case_events(case.k)
                   if e.kind == EventKind.ANCHOR and e.data["anchor"] == "listing_withdrawn"]
    assert withdrawn.data["listing_id"] == lid and withdrawn.data["round"] == round_


def test_a_round_whose_bidding_began_before_the_closing_runs_to_its_end_and_its_sale_is_honoured() -> None:
    """On a court process without release_gate's ROUND_IN_BIDDING (the bundled one refuses a releasing closing while
    the bidding runs: H46, review R19, tests/test_completion_gate.py): the closed case's round begun runs on."""
    from tests.test_completion_gate import process_without_round_gate

    case = _closable(process_without_round_gate()).fixed().listed()
    price = case.bid()  # the bidding began, a bid is in
    _close(case, "执行完毕")
    assert str(case.listing().status) == "bidding" and case.lot.stage == "listed"
    assert _exchanges(case, "auction:withdrawn") == []  # not even asked: the rule says before the auction begins
    with pytest.raises(UserError) as err:  # nor by hand on the closed case: it runs to its end
        case.d.withdraw_listing(case.k, case.asset)
    assert err.value.code == "disposal_stage" and "runs to its end" in err.value.en and "进行至结束" in err.value.zh
    case.until_closed()
    case.court.run_for(timedelta(days=6))
    assert case.lot.stage == "paid" and case.state.receipts[case.lot.receipt].amount_cents == price
    assert "listing_withdrawn" not in case.anchors()


def test_the_court_withdraws_a_round_by_hand_on_an_open_case_and_not_once_its_bidding_began() -> None:
    """执行和解 without a closing: the court withdraws the announced round itself; the case stays open and the lot,
    still sealed, may go to the creditor in kind by agreement. A round whose bidding began is refused
    (``disposal_stage``), nothing sent; a lot with no round listed likewise."""
    case = _closable().fixed().listed()
    case.d.withdraw_listing(case.k, case.asset)
    assert case.lot.stage == "withdrawn" and str(case.listing().status) == "withdrawn"
    assert case.state.closed_manner is None and "listing_withdrawn" in case.anchors()
    with pytest.raises(UserError) as err:  # again: nothing listed any more
        case.d.withdraw_listing(case.k, case.asset)
    assert err.value.code == "disposal_stage"
    out = case.d.agree_in_kind(case.k, case.asset, 300_000_00, applicant_consents=True, debtor_consents=True)
    assert out.accepted and case.lot.stage == "in_kind"

    begun = _closable().fixed().listed()
    begun.court.run_until(begun.listing().starts_at + timedelta(minutes=1))
    sent = len(_exchanges(begun, "auction:withdrawn"))
    with pytest.raises(UserError) as err:
        begun.d.withdraw_listing(begun.k, begun.asset)
    assert err.value.code == "disposal_stage" and "竞价" in err.value.zh and "bidding" in err.value.en
    assert len(_exchanges(begun, "auction:withdrawn")) == sent and begun.lot.stage == "listed"


def test_a_withdrawal_the_platform_faults_on_is_retried_by_the_gateway_after_the_closing() -> None:
    """The auction platform faults at the closing: the gateway retries the withdrawal (the same request number), and
    once the platform answers the round is withdrawn — before its bidding would have begun."""
    from tests.test_disposal_retry import ALL_FAULTS, NO_FAULTS, _faults

    case = _closable().fixed().listed()
    _faults(case, "taobao", ALL_FAULTS)
    _close(case, "执行完毕")
    assert case.lot.stage == "listed" and "retry_scheduled" in _exchanges(case, "auction:withdrawn")
    _faults(case, "taobao", NO_FAULTS)
    case.court.run_for(timedelta(days=3))
    assert case.lot.stage == "withdrawn" and str(case.listing().status) == "withdrawn"
    kinds = _exchanges(case, "auction:withdrawn")
    assert kinds[0] == "sent" and kinds[-1] == "answer"



def test_a_round_listed_at_a_zhongben_closing_is_withdrawn_and_the_flat_disposed_of_in_the_resumed_case() -> None:
    """终本 with a round announced — only where a court's process drops the 终本 gate's PROPERTY_IN_DISPOSAL (the
    bundled gate refuses 终本 while a round is listed): the round is withdrawn as at any closing (nothing is sold in
    the 终本 case, H34), and the 恢复执行 case takes the seal over with the lot, sealed, to price and sell anew."""
    from core_flow.process_loader import default_process_path, parse_process
    from tests.test_disposal import Case

    text = default_process_path().read_text(encoding="utf-8")  # the bundled process less PROPERTY_IN_DISPOSAL
    start = text.index("  - {code: PROPERTY_IN_DISPOSAL")
    case = Case(process=parse_process(text[:start] + text[text.index("\n\n", start) + 1:]))
    for node in (3, 7, 9, 10, 18):
        assert case.p.submit(c.CompleteNode(case.k, node)).accepted
    assert case.p.submit(c.CompleteNode(case.k, 36, authority="院长")).accepted  # 限消: 终本 needs it
    assert case.p.submit(c.CompleteNode(case.k, 17, case.asset)).accepted
    case.court.run_for(timedelta(days=95))  # more than 3 months since filing
    case.fixed().listed()
    lid = case.lot.listing_id
    _close(case, "终本")
    assert str(case.court.session.auction.get(lid).status) == "withdrawn" and case.lot.stage == "withdrawn"
    from tests.test_disposal_closed import _priced_in_resumed_case

    new = _priced_in_resumed_case(case, "恢复执行")
    case.court.run_for(timedelta(days=7))  # (three platforms within 3 days, 6 with an extension)
    assert case.d.lots[(new, case.asset)].stage == "reported"

# ── a small court-year with disposal ─────────────────────────────────────────────────────────────────────────────
def test_in_a_disposing_court_year_no_round_not_begun_at_a_closing_sells_after_it(tmp_path) -> None:
    """A small court that disposes of every property it finds (a year, seed 3): after a closing that ends the
    enforcement (every manner but 终本), no lot is sold (``sale_paid``, ``sale_confirmed``) nor left unsold
    (``first_unsold``…) in a round whose bidding had not begun at the closing — each such round is withdrawn
    (``listing_withdrawn``); only a round whose bidding had begun runs on. On fd54943 such rounds ran to their end
    (12 sold after 执行完毕)."""
    import csv
    import gzip
    import json
    from collections import Counter
    from datetime import datetime

    from sim.replicate import make_units, run_unit
    from tests.sim_support import small_court

    profile = small_court(400, judges=3, clerks=3, disposal=True, disposal_share=1.0)
    unit = make_units([("测试法院", profile)], years=1.0, replications=1, seed=3, events_dir=str(tmp_path))[0]
    run_unit(unit)
    path = next(p for p in tmp_path.rglob("*.csv*"))
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    closed = {r["case"]: (json.loads(r["data"])["manner"], datetime.fromisoformat(r["at"]))
              for r in rows if r["kind"] == "closed"}
    starts: dict[tuple[str, str], list[tuple[datetime, datetime]]] = {}  # (case, asset) → [(listed at, starts at)]
    after: Counter = Counter()
    for r in rows:
        if r["kind"] != "anchor":
            continue
        data, at, key = json.loads(r["data"]), datetime.fromisoformat(r["at"]), (r["case"], r["instance"])
        if data["anchor"] in ("auction_scheduled", "second_auction_scheduled", "sale_period_scheduled"):
            starts.setdefault(key, []).append((at, datetime.fromisoformat(data["at"])))
            continue
        manner, closed_at = closed.get(r["case"], ("", None))
        if closed_at is None or manner == "zhongben" or at < closed_at:  # (the withdrawal: at the closing)
            continue
        rounds = [s for s in starts.get(key, []) if s[0] <= closed_at]
        begun = bool(rounds) and max(rounds)[1] <= closed_at
        after[(data["anchor"], "begun" if begun else "not begun")] += 1
    results = ("sale_paid", "sale_confirmed", "first_unsold", "second_unsold")
    assert not {k: n for k, n in after.items() if k[0] in results and k[1] == "not begun"}, after
    # the court-year had such rounds: withdrawn at the closing — or, since H60, by the handler before it, once the
    # claim was met (a round listed and not begun then is withdrawn: sim.disposal_clerk ``_stop_rounds``)
    by_hand = sum(r["kind"] == "anchor" and json.loads(r["data"])["anchor"] == "listing_withdrawn"
                  and r["case"] in closed and datetime.fromisoformat(r["at"]) < closed[r["case"]][1] for r in rows)
    assert after[("listing_withdrawn", "not begun")] + by_hand > 0, after


# ── over HTTP: a court on the virtual clock, the mock server under uvicorn on loopback ─────────────────────────────
@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from tests.test_agencies_live import LiveServer, free_port

    with LiveServer(Settings(port=free_port(), profile="fast")) as live:
        yield live.url


def test_over_http_the_closing_withdraws_the_round_and_a_begun_one_is_refused_409(server: str) -> None:
    """Through ``HttpDisposalPort`` (``POST …/listings/{id}/withdrawal``): the closing withdraws the announced round on
    the served platform, withdrawn again it answers the same; a round whose bidding began is refused 409 —
    ``UserError`` ``conflict``, located, bilingual."""
    from core_flow.platform.disposal_http import HttpDisposalPort
    from core_flow.protocol import AssetKind, Holding
    from mock_agencies.world import account_number
    from scenarios.remote import build_remote_court
    from tests.test_disposal import inquiry_scope

    court = build_remote_court(server, ORIGIN, seed=5)
    try:
        client = court.session.client
        p, d = court.platform, court.platform.disposal
        d.port = port = HttpDisposalPort(client.send, before=client.move_to)
        debtor = court.session.world.debtor(3)
        flat = Holding(account_no=account_number("real_estate_registry", AssetKind.REAL_ESTATE, debtor.id_number, 1),
                       kind=AssetKind.REAL_ESTATE, balance_cents=900_000_00, available_cents=900_000_00)
        for agency in inquiry_scope(p.directory, debtor.id_number, p.court.region, debtor.kind):
            court.session.world.pin(debtor.id_number, agency.code, [])  # nothing else: nothing frozen to wait on
        court.session.world.pin(debtor.id_number, "real_estate_registry", [flat])
        k, asset = "K-withdraw", f"real_estate_registry:{flat.account_no}"
        p.file(c.FileCase(k, debtors=(debtor.id_number,), amount_cents=100_000_00), [debtor.subject()])
        p.submit(c.Assign(k, "张法官"))
        p.submit(c.VerifyIdentity(k, debtor.id_number, True))
        for node in (3, 7, 9, 10, 18):  # done in time: nothing frozen holds up the closing
            p.submit(c.CompleteNode(k, node))
        court.run_for(timedelta(days=1))
        assert p.manual_query(k, debtor.id_number, "real_estate_registry").accepted
        court.run_for(timedelta(days=1))
        p.seal(k, asset)
        court.run_for(timedelta(days=2))
        d.investigate(k, asset)
        d.price(k, asset)
        court.run_for(timedelta(days=7))
        d.serve_report(k, asset)
        court.run_for(timedelta(days=8))
        lot = d.lots[(k, asset)]
        assert lot.stage == "fixed"
        d.list(k, asset)
        lid = lot.listing_id
        out = p.submit(c.Close(k, "执行完毕", reviewed_by="审判管理办公室"))
        assert out.accepted, out.refusal
        court.run_for(timedelta(hours=1))
        view = client.call("GET", f"/agencies/taobao/listings/{lid}")
        assert view["status"] == "withdrawn" and lot.stage == "withdrawn"
        kinds = [e.data["kind"] for e in court.runtime.case_events(k)
                 if e.kind == EventKind.EXCHANGE and e.data.get("measure") == "auction:withdrawn"]
        assert kinds == ["sent", "answer"]
        assert port.withdraw_listing(lid, court.clock.now()) == view  # withdrawn again: the same answer
        # another listing whose bidding began: refused 409, a located bilingual UserError
        body = {"court_code": p.court.code, "case_no": "K-other", "asset_id": "A-1", "asset_kind": "movable",
                "valuation_cents": 100_000_00, "starting_price_cents": 70_000_00, "deposit_cents": 7_000_00,
                "bidding_starts": (court.clock.now() + timedelta(days=16)).isoformat()}
        other = port._view(client.call("POST", "/agencies/taobao/listings", json=body))
        court.run_for(timedelta(days=16, hours=1))  # its bidding under way (24 hours)
        client.move_to(court.clock.now())
        with pytest.raises(UserError) as err:
            port.withdraw_listing(other["listing_id"], court.clock.now())
        assert err.value.code == "conflict" and err.value.where == "path.listing_id"
        assert "竞价已开始" in err.value.zh and "bidding has begun" in err.value.en
    finally:
        court.counterpart.close()


def test_the_withdrawal_scenarios_pass_in_process_and_over_http_with_the_same_events(server: str) -> None:
    """scenarios/suite/disposal/withdraw_listing.scenario.yaml (by hand, ``withdraw_listing``; at a closing) run on
    the in-process court and on one whose platforms are the served mock over HTTP: both pass, the same events."""
    from pathlib import Path

    from scenarios.loader import load_paths
    from scenarios.remote import court_factory
    from scenarios.runner import build_court, run_scenario

    suite = Path(__file__).resolve().parent.parent / "scenarios" / "suite" / "disposal"
    scenarios = load_paths([suite / "withdraw_listing.scenario.yaml"])
    assert len(scenarios) == 2
    remote = court_factory(server)
    def capture(factory: Any, seen: dict[str, Any], key: str) -> Any:
        def build(s: Any, spec: Any) -> Any:
            seen[key] = factory(s, spec)
            return seen[key]
        return build

    for sc in scenarios:
        seen: dict[str, Any] = {}
        a = run_scenario(sc, capture(build_court, seen, "local"))
        b = run_scenario(sc, capture(remote, seen, "remote"))
        assert a.passed, a.explain()
        assert b.passed, b.explain()
        events = [[(e.at, e.case_id, e.kind, e.node, e.instance, e.item,
                    sorted((k, repr(v)) for k, v in (e.data or {}).items() if k != "where"))
                   for e in seen[key].runtime.events] for key in ("local", "remote")]
        assert events[0] == events[1], sc.name
