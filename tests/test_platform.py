"""The engine driving the agencies end to end, in virtual time (simulated transport, in-process mock agencies):
集约查询 to exactly its scope, control and money reconciled to the cent, closing releases, 终本 sweeps finding
property, resumption pushed to the filing system and filed with a new handler."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core_flow.agency_directory import inquiry_scope
from core_flow.engine import EventKind, answered_agencies
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST
from core_flow.protocol import AssetKind, Holding
from mock_agencies.world import account_number
from sim.assembly import build_virtual_court

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)  # Monday


def pin_only(court, debtor_id: str, holdings: dict[str, list[Holding]]) -> None:
    """The debtor holds exactly ``holdings`` (agency → holdings) across the whole 集约查询 scope."""
    kind = court.platform.subjects[debtor_id].kind if debtor_id in court.platform.subjects else None
    for agency in inquiry_scope(court.platform.directory, debtor_id, court.platform.court.region, kind):
        court.session.world.pin(debtor_id, agency.code, holdings.get(agency.code, []))


def deposit(court, debtor_id: str, agency: str, n: int, cents: int) -> Holding:
    number = account_number(agency, AssetKind.DEPOSIT, debtor_id, n)
    return Holding(account_no=number, kind=AssetKind.DEPOSIT, balance_cents=cents, available_cents=cents)


def person(court, index: int):
    while (d := court.session.world.debtor(index)).kind != "person":
        index += 1
    return d


@pytest.fixture
def court():
    return build_virtual_court(ORIGIN, seed=5, diligence=1.0, identity_failure_rate=0.0, same_handler_rate=0.0)


def file(court, case_id: str, debtor, amount_cents: int):
    return court.platform.file(c.FileCase(case_id, debtors=(debtor.id_number,), amount_cents=amount_cents),
                               [debtor.subject()])


def unfreeze_all(court, case_id: str) -> None:
    """Every frozen node of the case unfrozen by its approvers (层报 — node 43: through the 中院 — first)."""
    for ns in court.runtime.cases[case_id].frozen_nodes():
        court.platform.submit(c.RequestUnfreeze(case_id, ns.no, ns.instance, by="张法官"))
        for who in (*ns.unfreeze_via, ns.unfreeze_by[0]):
            assert court.platform.submit(c.ApproveUnfreeze(case_id, ns.no, who, ns.instance)).accepted


def events(court, case_id, kind):
    return [e for e in court.runtime.case_events(case_id) if e.kind == kind]


def test_fully_enforced_case_reconciles_to_the_cent(court):
    debtor = person(court, 0)
    pin_only(court, debtor.id_number, {})
    court.session.world.pin(debtor.id_number, "icbc", [deposit(court, debtor.id_number, "icbc", 1, 250_000_00)])
    before = court.session.ledger.total_cents()
    assert file(court, "K1", debtor, 100_000_00).accepted
    court.run_for(timedelta(days=120))

    started = events(court, "K1", EventKind.INQUIRY_STARTED)[0].data["agencies"]
    expected = [a.code for a in inquiry_scope(court.platform.directory, debtor.id_number, "410811")]
    assert started == expected
    answered = [a for e in court.runtime.case_events("K1") for a in answered_agencies(e)]
    assert sorted(answered) == sorted(expected)  # every in-scope agency answered exactly once

    state = court.runtime.cases["K1"]
    assert state.closed_manner == "completed"
    amounts = state.amounts()
    assert amounts["deducted_cents"] == 100_000_00 and amounts["paid_cents"] == 100_000_00
    recon = court.platform.reconcile("K1")
    assert recon["ok"] and recon["court_account_cents"] == 0
    accounts = court.session.ledger.court_accounts
    assert accounts.paid_out_cents == 100_000_00
    # the debtor's account lost exactly what was deducted; no money appeared or vanished
    after = court.session.ledger.holdings("icbc", debtor.id_number, court.clock.now())
    assert after[0].balance_cents == 150_000_00
    assert court.session.ledger.total_cents() == before + 250_000_00  # the account entered the ledger once
    # every freeze is released at closing (nothing left frozen at the bank)
    assert all(a.released or a.frozen_cents == a.deducted_cents for a in state.assets.values())
    assert after[0].available_cents == 150_000_00


def test_case_with_nothing_goes_to_zhongben_and_a_sweep_brings_it_back(court):
    debtor = person(court, 10)
    other = next(d for i in range(11, 200) if (d := person(court, i)).id_number != debtor.id_number)
    for case, d in (("K2", debtor), ("K3", other)):
        pin_only(court, d.id_number, {})
        file(court, case, d, 50_000_00)
    court.run_for(timedelta(days=130))
    state = court.runtime.cases["K2"]
    assert state.closed_manner == "zhongben"
    # new money appears at a bank after 终本; the next 6-monthly sweep finds it
    for i, d in enumerate((debtor, other)):
        court.session.world.unpin(d.id_number, "ccb")
        court.session.world.pin(d.id_number, "ccb", [deposit(court, d.id_number, "ccb", 1 + i, 80_000_00)])
    court.run_for(timedelta(days=200))
    assert events(court, "K2", EventKind.SWEEP_DUE)
    assert court.platform.findings and court.platform.findings[0].agency == "ccb"
    assert events(court, "K2", EventKind.FUNDS_FROZEN)  # frozen from 终本管理
    assert events(court, "K2", EventKind.RESUMPTION_APPROVED)
    filed = events(court, "K2", EventKind.RESUMPTION_FILED)
    assert filed, court.platform.pushes
    new_case = filed[0].data["new_case"]
    # each original's resumptions are numbered on their own: both cases' first resumption is -恢1
    assert new_case == "K2-恢1"
    assert events(court, "K3", EventKind.RESUMPTION_FILED)[0].data["new_case"] == "K3-恢1"
    resumed = court.runtime.cases[new_case]
    assert resumed.case_type == "resumed" and resumed.previous_case == "K2"
    assert resumed.handler is not None and resumed.handler != state.handler
    assert resumed.status(2) != "frozen"


def test_a_sweep_finding_frozen_by_another_case_is_queued_from_zhongben_not_refused(court):
    """Two 终本 cases of one debtor: the sweep finds new money; one case's freeze takes effect, the other's is
    registered behind it (轮候) — a closed 终本 case takes the 轮候 like any freeze from 终本管理."""
    debtor = person(court, 10)
    pin_only(court, debtor.id_number, {})
    for case in ("Q1", "Q2"):
        file(court, case, debtor, 50_000_00)
    court.run_for(timedelta(days=130))
    assert {court.runtime.cases[k].closed_manner for k in ("Q1", "Q2")} == {"zhongben"}
    court.session.world.unpin(debtor.id_number, "ccb")
    # less than either claim: each case freezes all of it (no more than its claim), so the second one queues
    court.session.world.pin(debtor.id_number, "ccb", [deposit(court, debtor.id_number, "ccb", 1, 40_000_00)])
    court.run_for(timedelta(days=200))
    refused = [e.data for k in ("Q1", "Q2") for e in events(court, k, EventKind.REFUSED)
               if e.data["command"] == "FreezeQueued"]
    assert not refused
    assert sum(1 for k in ("Q1", "Q2") for _ in events(court, k, EventKind.FREEZE_QUEUED)) >= 1


def test_manual_query_lock_and_duban_through_the_platform():
    court = build_virtual_court(ORIGIN, seed=6, profile="realistic", clerk=False,
                                overrides={"*": {"faults": {"error_5xx": 0, "timeout": 0, "reset": 0,
                                                            "rate_limit": 0}, "maintenance": []}})
    debtor = person(court, 20)
    pin_only(court, debtor.id_number, {})
    court.session.world.pin(debtor.id_number, "boc", [deposit(court, debtor.id_number, "boc", 2, 10_000)])
    file(court, "K3", debtor, 1_000_00)
    court.platform.submit(c.Assign("K3", "张法官"))
    court.platform.submit(c.VerifyIdentity("K3", debtor.id_number, True))
    court.run_for(timedelta(seconds=1))
    scope = events(court, "K3", EventKind.INQUIRY_STARTED)[0].data["agencies"]
    # realistic latency: nobody has answered yet, so the handler may not query those agencies
    out = court.platform.manual_query("K3", debtor.id_number, "boc")
    assert out.refusal.code == "MANUAL_QUERY_LOCKED" and set(out.refusal.details) == set(scope)
    assert court.platform.manual_query("K3", debtor.id_number, "real_estate_registry").accepted
    court.run_for(timedelta(days=20))
    assert not court.runtime.cases["K3"].outstanding(debtor.id_number)
    assert court.platform.manual_query("K3", debtor.id_number, "boc").accepted
    raised = events(court, "K3", EventKind.DUBAN_RAISED)
    assert [e.data["agency"] for e in raised] == ["boc"]
    from core_flow.engine.spc import open_duban

    assert [i["agency"] for i in open_duban(court.runtime.cases)] == ["boc"]
    holdings = court.platform.open_feedback("K3", debtor.id_number, "boc")
    assert holdings and holdings[0].available_cents == 10_000
    assert events(court, "K3", EventKind.DUBAN_CLOSED) and not open_duban(court.runtime.cases)


def test_freezes_are_renewed_before_their_term_ends_and_not_after_completion():
    court = build_virtual_court(ORIGIN, seed=8, clerk=False)
    debtor = person(court, 30)
    pin_only(court, debtor.id_number, {"icbc": [deposit(court, debtor.id_number, "icbc", 1, 50_000_00)]})
    file(court, "K4", debtor, 80_000_00)
    court.platform.submit(c.Assign("K4", "张法官"))
    court.platform.submit(c.VerifyIdentity("K4", debtor.id_number, True))
    court.run_for(timedelta(hours=1))
    asset = next(a for (k, a) in court.platform.assets if k == "K4")
    court.platform.freeze("K4", asset, 50_000_00)
    court.run_for(timedelta(hours=1))
    money = court.runtime.cases["K4"].assets[asset]
    first_term = money.expires_at
    assert first_term is not None and first_term > ORIGIN + timedelta(days=360)  # deposits: 1 year
    court.run_until(first_term + timedelta(days=400))  # through two renewals
    renewed = events(court, "K4", EventKind.FREEZE_RENEWED)
    assert len(renewed) == 2 and renewed[0].at < first_term
    assert renewed[0].at >= first_term - timedelta(days=31)
    view = court.session.ledger.get_freeze(money.freeze_id)
    assert str(view.state) == "active" and view.expires_at == court.runtime.cases["K4"].assets[asset].expires_at
    assert view.expires_at > first_term + timedelta(days=700)
    # after 执行完毕 the freeze is released and never renewed again (frozen nodes are unfrozen first)
    unfreeze_all(court, "K4")
    assert court.platform.submit(c.Close("K4", "执行完毕", reviewed_by="审判管理办公室")).accepted
    court.run_for(timedelta(days=800))
    assert len(events(court, "K4", EventKind.FREEZE_RENEWED)) == 2
    assert str(court.session.ledger.get_freeze(money.freeze_id).state) == "released"


@pytest.mark.parametrize("via", ["hub", "direct"])
def test_each_agency_answer_reaches_the_engine_at_its_own_instant(via):
    """Banks 2 h late: the other agencies' answers are recorded at once, the banks' 2 h later — through the
    总对总 system (in parts) as through direct queries; the same agencies answer either way."""
    court = build_virtual_court(ORIGIN, seed=5, clerk=False, world_size=100,
                                overrides={"bank": {"latency": {"query": {"dist": "fixed", "min_seconds": 7200}}}})
    court.platform.inquiry_via = via
    debtor = person(court, 3)
    file(court, "K1", debtor, 10_000_00)
    court.platform.submit(c.Assign("K1", "张法官"))
    court.platform.submit(c.VerifyIdentity("K1", debtor.id_number, True))
    court.run_for(timedelta(hours=3))
    at: dict[str, datetime] = {}
    for e in court.runtime.case_events("K1"):
        for agency in answered_agencies(e):
            at[agency] = e.at
    scope = inquiry_scope(court.platform.directory, debtor.id_number, "410811")
    assert set(at) == {a.code for a in scope}
    for agency in scope:
        late = agency.code in {a.code for a in court.session.catalogue.agencies
                               if a.profile == "bank"}
        assert at[agency.code] == ORIGIN + timedelta(hours=2 if late else 0), agency.code
    sent = [e for e in court.runtime.case_events("K1") if e.kind == EventKind.EXCHANGE and e.data["kind"] == "sent"]
    assert len(sent) == (1 if via == "hub" else len(scope))


def test_an_agency_the_hub_never_gets_through_to_is_recorded_as_failed_feedback():
    """ICBC refuses every submit: the 总对总 system retries it, then reports its query failed; the 集约查询
    completes (the failure is ICBC's feedback) and the engine records which agency failed and why."""
    court = build_virtual_court(ORIGIN, seed=5, clerk=False, world_size=100,
                                overrides={"icbc": {"faults": {"error_5xx": 1.0}}})
    debtor = person(court, 3)
    file(court, "K1", debtor, 10_000_00)
    court.platform.submit(c.Assign("K1", "张法官"))
    court.platform.submit(c.VerifyIdentity("K1", debtor.id_number, True))
    court.run_for(timedelta(days=2))
    failed = events(court, "K1", EventKind.INQUIRY_FAILED)
    assert [e.data["agencies"] for e in failed] == [["icbc"]] and failed[0].data["codes"][0].startswith("fault_")
    state = court.runtime.cases["K1"]
    assert not state.outstanding(debtor.id_number) and events(court, "K1", EventKind.INQUIRY_COMPLETED)
    assert failed[0].at > ORIGIN  # after the hub's retries


def test_the_clerk_reads_a_platform_refusal_instead_of_crashing(court):
    """A refused action (nothing sent) is recorded; a refusal that clears (a frozen node) is tried again later."""
    from core_flow.errors import UserError

    calls = []

    def refused(code: str):
        def action():
            calls.append(code)
            raise UserError("拒绝", "refused", where="x", code=code)
        return action

    court.clerk._run(refused("conflict"))
    court.clerk._run(refused("node_frozen"))
    court.run_for(timedelta(days=10))
    assert calls == ["conflict", "node_frozen", "node_frozen", "node_frozen"]  # tried 3 times in all, then left
    assert [c for c, _, _ in court.clerk.stats.refusals] == ["CONFLICT", "NODE_FROZEN", "NODE_FROZEN", "NODE_FROZEN"]


@pytest.mark.parametrize("manner", ["保全完毕", "执行完毕"])
def test_a_preservation_cases_freeze_is_renewed_after_it_closes(manner):
    """A 财产保全 case's controls stay after it closes (seed 004 执行完毕 第3项; process.yaml: the preservation
    manners, and 执行完毕's keeps_controls_for): its freeze is renewed before the term ends, as a 终本 case's is."""
    court = build_virtual_court(ORIGIN, seed=8, clerk=False)
    debtor = person(court, 31)
    court.session.world.pin(debtor.id_number, "icbc", [deposit(court, debtor.id_number, "icbc", 1, 50_000_00)])
    court.platform.file(c.FileCase("P1", case_type="preservation", debtors=(debtor.id_number,),
                                   amount_cents=80_000_00), [debtor.subject()])
    court.platform.submit(c.Assign("P1", "张法官"))
    court.platform.submit(c.VerifyIdentity("P1", debtor.id_number, True))
    assert court.platform.manual_query("P1", debtor.id_number, "icbc").accepted
    court.run_for(timedelta(hours=2))
    asset = next(a for (k, a) in court.platform.assets if k == "P1")
    court.platform.freeze("P1", asset, 50_000_00)
    court.run_for(timedelta(hours=2))
    money = court.runtime.cases["P1"].assets[asset]
    first_term = money.expires_at
    assert first_term is not None
    unfreeze_all(court, "P1")
    out = court.platform.submit(c.Close("P1", manner, reviewed_by="审判管理办公室"))
    assert out.accepted, out.refusal
    assert out.events[0].data["release_controls"] is False
    court.run_until(first_term + timedelta(days=30))
    assert len(events(court, "P1", EventKind.FREEZE_RENEWED)) == 1
    view = court.session.ledger.get_freeze(money.freeze_id)
    assert str(view.state) == "active" and view.expires_at > first_term
