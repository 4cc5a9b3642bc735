"""A flat taken from filing to its first listing over real HTTP (the court's ``HttpDisposalPort`` against the mock
server under uvicorn), and a bidder winning a listing there: the set-up the 悔拍 HTTP tests share. Virtual time only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core_flow.engine import commands as c
from core_flow.legal_calendar import CST
from core_flow.platform.disposal_http import HttpDisposalPort
from core_flow.protocol import AssetKind, Holding
from mock_agencies.world import account_number
from scenarios.remote import build_remote_court

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


def court_with_a_flat_listed(server: str, case_id: str, *, seed: int = 5, debtor_index: int = 3) -> tuple[Any, str]:
    """A remote court (close it: ``court.counterpart.close()``) whose case ``case_id`` has the debtor's flat found,
    sealed, priced, its report served, the parties notified and its first auction listed; the flat's asset id."""
    court = build_remote_court(server, ORIGIN, seed=seed)
    client = court.session.client
    p, d = court.platform, court.platform.disposal
    d.port = HttpDisposalPort(client.send, before=client.move_to)
    debtor = court.session.world.debtor(debtor_index)
    value = 900_000_00
    flat = Holding(account_no=account_number("real_estate_registry", AssetKind.REAL_ESTATE, debtor.id_number, 1),
                   kind=AssetKind.REAL_ESTATE, balance_cents=value, available_cents=value)
    court.session.world.pin(debtor.id_number, "real_estate_registry", [flat])
    asset = f"real_estate_registry:{flat.account_no}"
    p.file(c.FileCase(case_id, debtors=(debtor.id_number,), amount_cents=100_000_00), [debtor.subject()])
    p.submit(c.Assign(case_id, "张法官"))
    p.submit(c.VerifyIdentity(case_id, debtor.id_number, True))
    court.run_for(timedelta(days=1))
    assert p.manual_query(case_id, debtor.id_number, "real_estate_registry").accepted
    court.run_for(timedelta(days=1))
    p.seal(case_id, asset)
    court.run_for(timedelta(days=2))
    d.investigate(case_id, asset)
    d.price(case_id, asset)
    court.run_for(timedelta(days=7))
    d.serve_report(case_id, asset)
    court.run_for(timedelta(days=8))
    d.notify_parties(case_id, asset)
    court.run_for(timedelta(days=3))
    d.list(case_id, asset)
    return court, asset


def bid_over_http(court: Any, client: Any, listing_id: str, bidder: str, *, pays: bool = True) -> int:
    """``bidder`` pays the deposit once the listing's bidding has begun and bids its starting price (the first bid:
    it wins); ``pays=False``: a buyer who never pays the balance (悔拍). The price bid."""
    base = f"/agencies/taobao/listings/{listing_id}"
    view = client.call("GET", base)
    court.run_until(datetime.fromisoformat(view["starts_at"]) + timedelta(hours=1))
    client.move_to(court.clock.now())
    client.call("POST", f"{base}/deposits", json={"bidder_id": bidder, "amount_cents": view["deposit_cents"],
                                                  "pays_balance": pays})
    client.call("POST", f"{base}/bids", json={"bidder_id": bidder, "amount_cents": view["starting_price_cents"]})
    return view["starting_price_cents"]


def past_the_balance_due(court: Any, client: Any, listing_id: str) -> None:
    """The court run until a day after the balance of ``listing_id`` (won by ``bid_over_http``) fell due — the
    platform counts it by the legal calendar (H71: to the 5th day's 24:00, moved past rest days), so a fixed number
    of days after the bid may fall short of it."""
    base = f"/agencies/taobao/listings/{listing_id}"
    court.run_until(datetime.fromisoformat(client.call("GET", base)["ends_at"]) + timedelta(hours=1))
    client.move_to(court.clock.now())
    due = client.call("GET", base)["balance_due_at"]
    court.run_until(datetime.fromisoformat(due) + timedelta(days=1))
