"""The staffed court's 财产保全 cases query the agencies and freeze at once what they find, up to the amount, and
close by what the freezes took (sim/preservation.py, ``StaffActor._preserve``; seed 004 节点三 "财产保全案件应当立即
采取网络冻结措施"). Before, their queries were staff work only: nothing was sent, nothing frozen, and every one
closed 保全完毕 by assumption (``UNMODELLED``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import EventKind, NodeStatus
from core_flow.engine import commands as c
from core_flow.protocol import AssetKind, Holding
from mock_agencies.world import account_number
from sim.preservation import query_scope
from tests.sim_support import staffed_court

AMOUNT = 200_000_00


def _court(deposits: dict[str, int], identity_failure_rate: float = 0.0,  # type: ignore[no-untyped-def]
           start_node: int | None = None):
    """A small staffed court, one 财产保全 case ``P`` of 200,000 yuan filed at the origin, its debtor holding
    ``deposits`` (agency → cents) and nothing else in the 集约查询's scope. ``start_node``: ``P`` is a case of the
    start state instead, filed ten days before the run and standing at that node."""
    profile, court, actor, people = staffed_court(identity_failure_rate=identity_failure_rate)
    world, p = court.session.world, court.platform
    d = world.debtor(0)
    p.subjects.setdefault(d.id_number, d.subject())
    for agency in query_scope(p, d.id_number):
        cents = deposits.get(agency, 0)
        world.pin(d.id_number, agency, [Holding(account_no=account_number(agency, AssetKind.DEPOSIT, d.id_number, 1),
                                                kind=AssetKind.DEPOSIT, balance_cents=cents,
                                                available_cents=cents)] if cents else [])
    filed_at = None
    if start_node is not None:
        actor.preloaded["P"] = (start_node, people["承办法官"][0])
        filed_at = profile.origin - timedelta(days=10)
    court.clock.call_at(profile.origin, lambda: p.file(
        c.FileCase("P", case_type="preservation", debtors=(d.id_number,), amount_cents=AMOUNT, filed_at=filed_at),
        [d.subject()]))
    court.sent = []  # (purpose, agency, scope) of every request sent for the case
    court.runtime.subscribe(lambda e: e.data["kind"] == "sent" and court.sent.append((
        e.data["measure"], e.data["agency"], tuple(e.data.get("scope") or ()))), (EventKind.EXCHANGE,))
    court.found = []  # the property the handler recorded as found (its instance: agency:account)
    court.runtime.subscribe(lambda e: str(e.data["anchor"]).startswith("property_found") and court.found.append(
        e.instance), (EventKind.ANCHOR,))
    return profile, court, actor, d.id_number


def _sent(court, purpose: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The agencies the case's requests of ``purpose`` reached: a 总对总 query's scope, or the agency itself."""
    return [a for what, agency, scope in court.sent if what == purpose for a in (scope or (agency,))]


@pytest.mark.parametrize(("deposits", "manner", "frozen"), [
    ({"icbc": 150_000_00, "ccb": 120_000_00}, "preservation_done", AMOUNT),  # enough: frozen up to the amount
    ({"icbc": 50_000_00}, "preservation_partial", 50_000_00),  # something, short of the amount
    ({}, "preservation_none", 0),  # nothing found
])
def test_a_preservation_case_queries_freezes_what_it_finds_and_closes_by_what_it_took(deposits, manner, frozen):
    profile, court, actor, debtor = _court(deposits)
    court.run_until(profile.origin + timedelta(days=60))
    state = court.runtime.cases["P"]
    # every agency of the 集约查询's scope queried through 总对总 by hand, once (no 集约查询 for a 保全 case)
    assert sorted(_sent(court, "manual")) == sorted(query_scope(court.platform, debtor))
    # as one 总对总 query naming them, as the handler selects them (before: a request to each agency)
    assert [agency for what, agency, _ in court.sent if what == "manual"] == ["zdz"]
    assert state.network_inquiry_at is not None and state.network_inquiry_at.date() == profile.origin.date()
    assert state.amounts()["frozen_cents"] == frozen  # frozen at once, never above the amount
    assert sorted(_sent(court, "freeze")) == sorted(deposits)
    # what the answers reported is on the record as property found (as a 集约查询's is), its node 17 done in time
    assert sorted(a.split(":")[0] for a in court.found) == sorted(deposits)
    assert all(state.status(17, a) is NodeStatus.DONE for a in court.found)
    assert not [it for (no, _), ns in state.nodes.items() if no == 17 for it in ns.items.values() if it.overdue]
    assert not _sent(court, "deduct")  # preserved money is held, not deducted (process.yaml node 31)
    assert state.closed_manner == manner, (state.closed_manner, actor.refused)
    assert all(a.active for a in state.assets.values())  # the controls stay after the closing
    assert not actor.refused, actor.refused


def test_a_preserved_freeze_is_renewed_after_the_closing():
    """The freeze a closed preservation case holds is renewed (续行) before its year ends: a preservation manner
    keeps the controls (process.yaml ``releases_controls: false``)."""
    profile, court, actor, _ = _court({"icbc": 50_000_00})
    court.run_until(profile.origin + timedelta(days=400))
    state = court.runtime.cases["P"]
    assert state.closed_manner == "preservation_partial"
    (asset,) = state.assets.values()
    assert asset.active and asset.expires_at > profile.origin + timedelta(days=400)
    assert _sent(court, "renew") == ["icbc"]


def test_a_debtor_whose_identity_is_corrected_is_queried_once_and_the_inquiry_recorded_once():
    """The identity fails, is corrected, and the queries go out then; the handler's first look (queued when the
    identity failed) finds nothing to send. Before, whichever of the two came after the answers recorded nodes 9–11
    a second time (refused NODE_DONE: 32 in the default court-year)."""
    profile, court, actor, debtor = _court({"icbc": 50_000_00}, identity_failure_rate=1.0)
    court.run_until(profile.origin + timedelta(days=60))
    assert sorted(_sent(court, "manual")) == sorted(query_scope(court.platform, debtor))
    assert court.runtime.cases["P"].closed_manner == "preservation_partial"
    assert not actor.refused, actor.refused


def test_a_preservation_case_of_the_start_state_queries_and_freezes_too():
    """A 保全 case carried over at node 7 (its identity checked before the run): its handler sends the queries when
    taking it up and closes it by what the freezes took — not 保全完毕 by assumption."""
    profile, court, actor, debtor = _court({"icbc": 50_000_00}, start_node=7)
    court.run_until(profile.origin + timedelta(days=60))
    assert sorted(_sent(court, "manual")) == sorted(query_scope(court.platform, debtor))
    state = court.runtime.cases["P"]
    assert state.amounts()["frozen_cents"] == 50_000_00 and state.closed_manner == "preservation_partial"
    assert not actor.refused, actor.refused
