"""悔拍's forfeited deposit over real HTTP (H56): the court's ``HttpDisposalPort`` against zhixing's mock server under
uvicorn on loopback. A bidder who will not pay wins; the lot re-auctioned sells and is paid — the court then asks
``POST …/listings/{listing_id}/deposit-remittance`` of the defaulted listing: the deposit is credited to the case's
sub-account on the server and booked as a receipt of its own (``deposit_forfeited``); asked again it answers the same
amount and books nothing; a listing not defaulted is refused 409 (bilingual, ``path.listing_id``). Virtual time only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from core_flow.engine import EventKind
from mock_agencies.settings import Settings
from tests.http_disposal_support import bid_over_http, court_with_a_flat_listed, past_the_balance_due
from tests.test_agencies_live import LiveServer, free_port


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with LiveServer(Settings(port=free_port(), profile="fast")) as live:
        yield live.url


def test_the_forfeited_deposit_is_remitted_over_http_once_the_re_auction_is_paid(server: str) -> None:
    k = "K-deposit"
    court, asset = court_with_a_flat_listed(server, k, seed=5, debtor_index=3)
    try:
        client = court.session.client
        p, d = court.platform, court.platform.disposal
        lot = d.lots[(k, asset)]
        first = lot.listing_id
        deposit = client.call("GET", f"/agencies/taobao/listings/{first}")["deposit_cents"]
        bid_over_http(court, client, first, "B1", pays=False)
        past_the_balance_due(court, client, first)
        assert lot.stage == "defaulted" and not court.runtime.cases[k].receipts
        d.relist(k, asset)
        price = bid_over_http(court, client, lot.listing_id, "B2")
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
    k = "K-sub"
    court, asset = court_with_a_flat_listed(server, k, seed=6, debtor_index=4)
    try:
        client = court.session.client
        d = court.platform.disposal
        lot = d.lots[(k, asset)]
        first = lot.listing_id
        bid_over_http(court, client, first, "B1", pays=False)
        past_the_balance_due(court, client, first)
        assert lot.stage == "defaulted" and not court.runtime.cases[k].receipts
        response = client.send("POST", f"/agencies/taobao/listings/{first}/deposit-remittance",
                               json={"sub_account": "NO-SUCH"})
        assert response.status_code == 404
        err = response.json()["error"]
        assert err["code"] == "not_found" and err["where"] == "body.sub_account"
        assert "一案一账号不存在" in err["zh"] and "unknown case sub-account" in err["en"]
    finally:
        court.counterpart.close()
