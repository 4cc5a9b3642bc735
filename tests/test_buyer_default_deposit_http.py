"""悔拍's forfeited deposit over real HTTP (H56): the court's ``HttpDisposalPort`` against zhixing's mock server under
uvicorn on loopback. A bidder who will not pay wins; the lot re-auctioned sells and is paid — the court then asks
``POST …/listings/{listing_id}/deposit-remittance`` of the defaulted listing: the deposit is credited to the case's
sub-account on the server and booked as a receipt of its own (``deposit_forfeited``); asked again it answers the same
amount and books nothing; a listing not defaulted is refused 409 (bilingual, ``path.listing_id``). Virtual time only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST
from core_flow.platform.disposal_http import HttpDisposalPort
from core_flow.protocol import AssetKind, Holding
from mock_agencies.settings import Settings
from mock_agencies.world import account_number
from scenarios.remote import build_remote_court
from tests.test_agencies_live import LiveServer, free_port

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with LiveServer(Settings(port=free_port(), profile="fast")) as live:
        yield live.url


def _bid(court, client, listing_id: str, bidder: str, *, pays: bool = True) -> int:
    base = f"/agencies/taobao/listings/{listing_id}"
    view = client.call("GET", base)
    court.run_until(datetime.fromisoformat(view["starts_at"]) + timedelta(hours=1))
    client.move_to(court.clock.now())
    client.call("POST", f"{base}/deposits", json={"bidder_id": bidder, "amount_cents": view["deposit_cents"],
                                                  "pays_balance": pays})
    client.call("POST", f"{base}/bids", json={"bidder_id": bidder, "amount_cents": view["starting_price_cents"]})
    return view["starting_price_cents"]


def test_the_forfeited_deposit_is_remitted_over_http_once_the_re_auction_is_paid(server: str) -> None:
    court = build_remote_court(server, ORIGIN, seed=5)
    try:
        client = court.session.client
        p, d = court.platform, court.platform.disposal
        d.port = HttpDisposalPort(client.send, before=client.move_to)
        debtor = court.session.world.debtor(3)
        value = 900_000_00
        flat = Holding(account_no=account_number("real_estate_registry", AssetKind.REAL_ESTATE, debtor.id_number, 1),
                       kind=AssetKind.REAL_ESTATE, balance_cents=value, available_cents=value)
        court.session.world.pin(debtor.id_number, "real_estate_registry", [flat])
        k, asset = "K-deposit", f"real_estate_registry:{flat.account_no}"
        p.file(c.FileCase(k, debtors=(debtor.id_number,), amount_cents=100_000_00), [debtor.subject()])
        p.submit(c.Assign(k, "张法官"))
        p.submit(c.VerifyIdentity(k, debtor.id_number, True))
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
        d.notify_parties(k, asset)
        court.run_for(timedelta(days=3))
        d.list(k, asset)
        lot = d.lots[(k, asset)]
        first = lot.listing_id
        deposit = client.call("GET", f"/agencies/taobao/listings/{first}")["deposit_cents"]
        _bid(court, client, first, "B1", pays=False)
        court.run_for(timedelta(days=8))
        assert lot.stage == "defaulted" and not court.runtime.cases[k].receipts
        d.relist(k, asset)
        price = _bid(court, client, lot.listing_id, "B2")
        court.run_for(timedelta(days=8))
        assert lot.stage == "paid"
        arrived = [e for e in court.runtime.case_events(k) if e.kind == EventKind.PROCEEDS_ARRIVED]
        assert sorted((e.data["source"], e.data["amount_cents"]) for e in arrived) == [
            ("auction", price), ("deposit_forfeited", deposit)]
        recon = p.reconcile(k)
        assert recon["ok"] and recon["court_account_cents"] == price + deposit
        sub = p._sub_account(k)
        again = client.call("POST", f"/agencies/taobao/listings/{first}/deposit-remittance", json={"sub_account": sub})
        assert again == {"listing_id": first, "amount_cents": deposit}
        assert p.reconcile(k)["court_account_cents"] == price + deposit  # booked once
        response = client.send("POST", f"/agencies/taobao/listings/{lot.listing_id}/deposit-remittance",
                               json={"sub_account": sub})
        assert response.status_code == 409
        err = response.json()["error"]
        assert err["code"] == "conflict" and err["where"] == "path.listing_id" and "未悔拍" in err["zh"]
        assert "did not default" in err["en"]
    finally:
        court.counterpart.close()


def test_an_unknown_sub_account_is_refused_naming_the_requests_field(server: str) -> None:
    """Review R26: a deposit remittance into a sub-account the court accounts do not know is refused 404, bilingual,
    at ``body.sub_account`` — the request's field (the price's remittance shares the path: ``remit._credit``). Before,
    ``body.target_account``: the court accounts API's field, which the remittance request has not."""
    court = build_remote_court(server, ORIGIN, seed=6)
    try:
        client = court.session.client
        p, d = court.platform, court.platform.disposal
        d.port = HttpDisposalPort(client.send, before=client.move_to)
        debtor = court.session.world.debtor(4)
        value = 900_000_00
        flat = Holding(account_no=account_number("real_estate_registry", AssetKind.REAL_ESTATE, debtor.id_number, 1),
                       kind=AssetKind.REAL_ESTATE, balance_cents=value, available_cents=value)
        court.session.world.pin(debtor.id_number, "real_estate_registry", [flat])
        k, asset = "K-sub", f"real_estate_registry:{flat.account_no}"
        p.file(c.FileCase(k, debtors=(debtor.id_number,), amount_cents=100_000_00), [debtor.subject()])
        p.submit(c.Assign(k, "张法官"))
        p.submit(c.VerifyIdentity(k, debtor.id_number, True))
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
        d.notify_parties(k, asset)
        court.run_for(timedelta(days=3))
        d.list(k, asset)
        lot = d.lots[(k, asset)]
        first = lot.listing_id
        _bid(court, client, first, "B1", pays=False)
        court.run_for(timedelta(days=8))
        assert lot.stage == "defaulted" and not court.runtime.cases[k].receipts
        response = client.send("POST", f"/agencies/taobao/listings/{first}/deposit-remittance",
                               json={"sub_account": "NO-SUCH"})
        assert response.status_code == 404
        err = response.json()["error"]
        assert err["code"] == "not_found" and err["where"] == "body.sub_account"
        assert "一案一账号不存在" in err["zh"] and "unknown case sub-account" in err["en"]
    finally:
        court.counterpart.close()
