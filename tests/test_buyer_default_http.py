"""悔拍 over real HTTP (H49): the court's ``HttpDisposalPort`` against zhixing's mock server under uvicorn on
loopback. A bidder who will not pay (``pays_balance: false`` in the deposit's body) wins; at the balance's due date
the remittance answers 409 (bilingual, ``listing_id``), the court reads the listing — ``defaulted``, its new fields in
the view — records ``buyer_defaulted`` and stops collecting; ``relist`` re-auctions the round through
``POST …/reauction`` and the old buyer's deposit is refused 409. Virtual time only: nothing here sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from core_flow.engine import EventKind
from core_flow.errors import UserError
from mock_agencies.settings import Settings
from tests.http_disposal_support import bid_over_http, court_with_a_flat_listed, past_the_balance_due
from tests.test_agencies_live import LiveServer, free_port


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with LiveServer(Settings(port=free_port(), profile="fast")) as live:
        yield live.url


def test_a_buyer_who_defaults_over_http_ends_the_round_and_the_lot_is_re_auctioned(server: str) -> None:
    k = "K-default"
    court, asset = court_with_a_flat_listed(server, k, seed=5, debtor_index=3)
    try:
        client = court.session.client
        p, d = court.platform, court.platform.disposal
        lot = d.lots[(k, asset)]
        first = lot.listing_id
        base = f"/agencies/taobao/listings/{first}"
        view = client.call("GET", base)
        bid_over_http(court, client, first, "B1", pays=False)  # the first bid, at the start: it wins
        past_the_balance_due(court, client, first)
        assert lot.stage == "defaulted" and lot.receipt is None
        shown = client.call("GET", base)
        assert shown["status"] == "defaulted" and shown["defaulted_buyer_id"] == "B1"
        assert shown["forfeited_deposit_cents"] == view["deposit_cents"] and shown["balance_due_days"] == 5
        [anchor] = [e for e in court.runtime.case_events(k)
                    if e.kind == EventKind.ANCHOR and e.data["anchor"] == "buyer_defaulted"]
        assert anchor.instance == asset and anchor.data["forfeited_deposit_cents"] == view["deposit_cents"]
        response = client.send("POST", f"{base}/remittance", json={"sub_account": "X"})
        assert response.status_code == 409
        err = response.json()["error"]
        assert err["code"] == "conflict" and "悔拍" in err["zh"] and "defaulted" in err["en"]
        assert p.reconcile(k)["court_account_cents"] == 0
        d.relist(k, asset)
        assert lot.stage == "listed" and lot.listing_id != first
        again = client.call("GET", f"/agencies/taobao/listings/{lot.listing_id}")
        assert again["previous_id"] == first and again["excluded_bidders"] == ["B1"]
        court.run_until(datetime.fromisoformat(again["starts_at"]) + timedelta(hours=1))
        client.move_to(court.clock.now())
        with pytest.raises(UserError) as refused:
            client.call("POST", f"/agencies/taobao/listings/{lot.listing_id}/deposits",
                        json={"bidder_id": "B1", "amount_cents": again["deposit_cents"]})
        assert refused.value.code == "conflict"
    finally:
        court.counterpart.close()
