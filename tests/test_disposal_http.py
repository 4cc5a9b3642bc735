"""Disposal over real HTTP: a court on the virtual clock whose agencies are zhixing's mock server under uvicorn on
loopback (a background thread, readiness polled with a bounded loop) — the seal and the transfer through the gateway,
the pricing and auction platforms through :class:`HttpDisposalPort`, the price remitted to the server's case
sub-account and paid out from it. Plus the port's error mapping: a refusal stays a located bilingual ``UserError``, a
5xx or a broken connection is a retried ``PortFault``. Virtual time only: nothing here sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from core_flow.platform.disposal import PortFault
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


def test_a_flat_is_sealed_priced_auctioned_and_paid_out_over_http(server: str) -> None:
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
        k, asset = "K-http", f"real_estate_registry:{flat.account_no}"
        p.file(c.FileCase(k, debtors=(debtor.id_number,), amount_cents=100_000_00), [debtor.subject()])
        p.submit(c.Assign(k, "张法官"))
        p.submit(c.VerifyIdentity(k, debtor.id_number, True))
        court.run_for(timedelta(days=1))
        assert p.manual_query(k, debtor.id_number, "real_estate_registry").accepted
        court.run_for(timedelta(days=1))
        p.seal(k, asset)  # 查封 (11) through the gateway, over HTTP
        court.run_for(timedelta(days=2))
        state = court.runtime.cases[k]
        assert d.lots[(k, asset)].stage == "sealed" and state.status(17, asset) == "done"
        d.investigate(k, asset)
        d.price(k, asset)
        court.run_for(timedelta(days=7))  # the platforms answer within 3 days (6 with an extension); looked at daily
        lot = d.lots[(k, asset)]
        assert lot.stage == "reported" and lot.reference_price_cents
        d.serve_report(k, asset)
        court.run_for(timedelta(days=8))
        assert lot.stage == "fixed" and state.status(20, asset) == "done"
        d.notify_parties(k, asset)
        court.run_for(timedelta(days=3))
        before = len(court.runtime.case_events(k))
        with pytest.raises(UserError) as low:
            d.list(k, asset, start_pct=60)
        assert low.value.where == "body.starting_price_cents" and "70%" in low.value.zh and "70%" in low.value.en
        after = court.runtime.case_events(k)[before:]  # nothing but the refused attempt's exchange record
        assert [(e.kind, e.data["kind"]) for e in after] == [(EventKind.EXCHANGE, "sent"), (EventKind.EXCHANGE,
                                                                                          "rejected")]
        assert lot.stage == "fixed" and lot.pending is None
        assert client.call("GET", "/agencies/taobao/listings") == []
        d.list(k, asset)
        assert lot.stage == "listed" and state.status(23, asset) == "done"
        view = client.call("GET", f"/agencies/taobao/listings/{lot.listing_id}")
        court.run_until(datetime.fromisoformat(view["starts_at"]) + timedelta(hours=1))
        client.move_to(court.clock.now())
        base = f"/agencies/taobao/listings/{lot.listing_id}"
        client.call("POST", f"{base}/deposits", json={"bidder_id": "B1", "amount_cents": view["deposit_cents"]})
        now_view = client.call("GET", base)
        least = now_view["starting_price_cents"] if now_view["current_price_cents"] is None else (
            now_view["current_price_cents"] + now_view["increment_cents"])
        client.call("POST", f"{base}/bids", json={"bidder_id": "B1", "amount_cents": least})
        court.run_for(timedelta(days=8))
        assert lot.stage == "paid"
        price = lot.sold_price_cents
        arrived = [e for e in court.runtime.case_events(k) if e.kind == EventKind.PROCEEDS_ARRIVED]
        assert len(arrived) == 1 and arrived[0].data["amount_cents"] == price
        assert p.reconcile(k)["court_account_cents"] == price  # remitted to the server's case sub-account
        receipt = lot.receipt
        assert p.register_receipt(k, receipt).accepted
        p.submit(c.ApprovePayout(k, receipt, "执行局长"))
        p.submit(c.ApprovePayout(k, receipt, "分管副院长"))
        assert p.pay_out(k, receipt, 100_000_00).accepted
        assert p.pay_out(k, receipt, price - 100_000_00, payee="被执行人（余款退还）").accepted
        d.confirm_sale(k, asset)
        d.transfer(k, asset)  # 过户文书 (15) and then 解除查封 (14), over HTTP
        court.run_for(timedelta(days=3))
        recon = p.reconcile(k)
        assert recon["ok"] and recon["court_account_cents"] == 0 and recon["frozen_cents"] == 0
        assert state.assets[asset].released
    finally:
        court.counterpart.close()


def _port(handler) -> HttpDisposalPort:
    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://platform.test")
    return HttpDisposalPort(client.request)


def test_the_http_port_keeps_refusals_located_and_turns_faults_into_retries() -> None:
    now = ORIGIN
    refusal = _port(lambda request: httpx.Response(422, json={"error": {
        "code": "invalid", "where": "body.starting_price_cents", "zh": "起拍价不得低于评估价的70%",
        "en": "the starting price may not be below 70% of the valuation"}}))
    with pytest.raises(UserError) as err:
        refusal.pricing("PR1", now)
    assert err.value.where == "body.starting_price_cents" and err.value.zh.startswith("起拍价")
    with pytest.raises(PortFault):
        _port(lambda request: httpx.Response(503)).pricing("PR1", now)

    def reset(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection reset", request=request)

    with pytest.raises(PortFault):
        _port(reset).pricing("PR1", now)
