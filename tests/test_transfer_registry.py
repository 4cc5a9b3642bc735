"""过户 (measure 15) at the mock registries: the 成交 / 抵债 ruling's 协助执行通知书 (seed 004 node 30,
"标的物所有权自裁定送达买受人或者接受抵债物的债权人时转移") records a sold flat or car under its new owner.
The property leaves the debtor's holdings (a later query, a 终本 sweep, does not find it again), the seal ends
(``transferred``) and so do the 轮候 seals queued behind it; a second transfer, a transfer under a queued seal or by
another court are refused clearly; agencies that take no 15 refuse it as any measure they do not take. Through the
backend, the ASGI app and real HTTP on loopback. Before: 15 was "delivered" with no effect — the flat stayed the
debtor's, sealed or seizable again. tests/fidelity_audit.md N30-T.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import httpx
import pytest

from core_flow.errors import UserError
from core_flow.protocol import (
    AssetKind,
    ControlRequest,
    Feedback,
    FreezeState,
    Holding,
    Measure,
    Subject,
    SubjectKind,
    Ticket,
    TicketStatus,
)
from mock_agencies.backend import CODE_OK, CODE_QUEUED, CODE_REFUSED, AgencyBackend
from mock_agencies.catalogue import load_catalogue
from mock_agencies.identity import make_id_number
from mock_agencies.ledger import CST, Ledger
from mock_agencies.notices import NoticeBoard
from mock_agencies.settings import Settings
from mock_agencies.world import World
from tests.test_agencies_api import NS, make_client, person
from tests.test_agencies_live import LiveServer, free_port

T0 = datetime(2025, 6, 2, 9, 30, tzinfo=CST)
DEBTOR = make_id_number("410811", date(1982, 7, 1), 33)
HOUSE, CAR, ACC = "BDC-410811-0001", "CAR-410811-0001", "6222020000000001"
REG, CARS = "real_estate_registry", "vehicle_registry"


@pytest.fixture
def backend() -> AgencyBackend:
    catalogue = load_catalogue()
    world = World(seed=3, size=10, catalogue=catalogue)
    world.pin(DEBTOR, REG, [Holding(account_no=HOUSE, kind=AssetKind.REAL_ESTATE, balance_cents=90_000_000,
                                    available_cents=90_000_000)])
    world.pin(DEBTOR, CARS, [Holding(account_no=CAR, kind=AssetKind.VEHICLE, balance_cents=12_000_000,
                                     available_cents=12_000_000)])
    world.pin(DEBTOR, "icbc", [Holding(account_no=ACC, kind=AssetKind.DEPOSIT, balance_cents=100_000,
                                       available_cents=100_000)])
    return AgencyBackend(catalogue, world, Ledger(world))


_n = 0


def req(measure: Measure, court: str = "J1", **kw) -> ControlRequest:
    global _n
    _n += 1
    kw.setdefault("request_no", f"T{_n:06d}")
    return ControlRequest(court_code=court, case_no=f"（2025）豫0811执{court}号", measure=measure,
                          subject=Subject(kind=SubjectKind.PERSON, name="张三", id_number=DEBTOR), **kw)


def ticket(agency: str, r: ControlRequest) -> Ticket:
    return Ticket(ticket_id=f"TK-{r.request_no}", request_no=r.request_no, agency=agency, measure=r.measure,
                  status=TicketStatus.ACCEPTED, accepted_at=T0)


def run(backend: AgencyBackend, agency: str, r: ControlRequest, now: datetime = T0) -> Feedback:
    """Submit → accept → answer, as the serving layer does."""
    backend.validate(agency, r)
    t = ticket(agency, r)
    backend.accept(agency, r, t, now)
    fb = backend.answer(agency, r, t, now)
    assert fb is not None
    return fb


def transfer(seal: str, court: str = "J1", owner: str = "李四", **kw) -> ControlRequest:
    return req(Measure.TRANSFER, court=court, freeze_id=seal, new_owner=owner, **kw)


def test_a_transfer_records_the_new_owner_and_ends_the_seal_and_the_seals_queued_behind_it(backend):
    seal = run(backend, REG, req(Measure.SEAL, account_no=HOUSE))
    q2 = run(backend, REG, req(Measure.SEAL, court="J2", account_no=HOUSE))
    q3 = run(backend, REG, req(Measure.SEAL, court="J3", account_no=HOUSE))
    assert (q2.code, q3.code, q3.queue_position) == (CODE_QUEUED, CODE_QUEUED, 2)

    fb = run(backend, REG, transfer(seal.freeze_id, account_no=HOUSE), T0 + timedelta(days=1))
    assert (fb.ok, fb.code, fb.freeze_id, fb.freeze_state) == (True, CODE_OK, seal.freeze_id, FreezeState.TRANSFERRED)
    assert "李四" in fb.message and "2" in fb.message and fb.existing_freezes == ()
    ledger = backend.ledger
    assert [v.state for v in ledger.freezes_of(REG, HOUSE)] == [FreezeState.TRANSFERRED] * 3  # 轮候 seals end too
    assert all(v.controlled_cents == 0 and v.queue_position is None for v in ledger.freezes_of(REG, HOUSE))
    assert ledger.transferred(REG, HOUSE) == ("李四", T0 + timedelta(days=1))
    # the flat leaves the debtor's holdings: a later query (a 终本 sweep, a resumed case) does not find it again
    assert ledger.holdings(REG, DEBTOR, T0 + timedelta(days=400)) == ()
    assert ledger.holdings_many([backend.catalogue.get(REG)], DEBTOR, T0 + timedelta(days=400)) == {}
    query = run(backend, REG, req(Measure.QUERY), T0 + timedelta(days=2))
    assert query.ok and query.holdings == ()
    # the car at the other registry is still the debtor's
    assert [h.account_no for h in ledger.holdings(CARS, DEBTOR, T0)] == [CAR]
    # nothing is promoted later, nor lapses: the seals ended
    assert ledger.next_expiry() is None
    # and no new measure on it: refused at submission, naming the new owner
    with pytest.raises(UserError) as err:
        backend.validate(REG, req(Measure.SEAL, court="J4", account_no=HOUSE))
    assert err.value.code == "conflict" and err.value.where == "account_no"
    assert "过户至 李四" in err.value.zh and "transferred to 李四" in err.value.en
    # the ended seal is not released again
    unseal = run(backend, REG, req(Measure.UNSEAL, freeze_id=seal.freeze_id), T0 + timedelta(days=2))
    assert not unseal.ok and unseal.code == CODE_REFUSED and "transferred" in unseal.message


def test_a_second_transfer_is_refused_clearly_at_submission_and_on_answer(backend):
    seal = run(backend, REG, req(Measure.SEAL, account_no=HOUSE))
    first, second = transfer(seal.freeze_id), transfer(seal.freeze_id, owner="王五")
    backend.validate(REG, first)
    backend.validate(REG, second)  # both accepted while neither was answered
    assert backend.answer(REG, first, ticket(REG, first), T0).ok
    late = backend.answer(REG, second, ticket(REG, second), T0)
    assert late is not None and not late.ok and late.code == CODE_REFUSED
    assert "已于 2025-06-02 09:30 过户至 李四" in late.message and "was transferred to 李四" in late.message
    again = backend.answer(REG, first, ticket(REG, first), T0 + timedelta(hours=1))  # the same request: no change
    assert again.ok and again.freeze_state == FreezeState.TRANSFERRED
    with pytest.raises(UserError) as err:  # a third, after the first was answered: refused at submission
        backend.validate(REG, transfer(seal.freeze_id, owner="赵六"))
    assert err.value.code == "conflict" and "不能再次过户" in err.value.zh and "no second transfer" in err.value.en
    assert backend.ledger.transferred(REG, HOUSE)[0] == "李四"


def test_a_court_whose_seal_is_only_queued_or_another_court_cannot_transfer(backend):
    seal = run(backend, REG, req(Measure.SEAL, account_no=HOUSE))
    queued = run(backend, REG, req(Measure.SEAL, court="J2", account_no=HOUSE))
    with pytest.raises(UserError) as err:
        backend.validate(REG, transfer(queued.freeze_id, court="J2"))
    assert err.value.code == "conflict" and "轮候" in err.value.zh and "queued" in err.value.en
    with pytest.raises(UserError) as other:
        backend.validate(REG, transfer(seal.freeze_id, court="J2"))
    assert other.value.code == "forbidden" and other.value.where == "court_code"
    with pytest.raises(UserError) as wrong:  # the seal names another asset than the one given
        backend.validate(REG, transfer(seal.freeze_id, account_no="BDC-OTHER"))
    assert wrong.value.where == "account_no"
    assert backend.ledger.transferred(REG, HOUSE) is None
    assert [v.state for v in backend.ledger.freezes_of(REG, HOUSE)] == [FreezeState.ACTIVE, FreezeState.QUEUED]


def test_a_seal_the_court_released_before_its_ruling_was_registered_still_carries_the_transfer(backend):
    """The ruling transfers ownership (seed 004 node 30); a seal the court released meanwhile (the case closed 执行完毕
    before the 过户 reached the registry) names the measure the property was sold under: recorded, the seal stays
    released, and a seal another court queued behind it — in effect since the release — ends with the transfer."""
    seal = run(backend, REG, req(Measure.SEAL, account_no=HOUSE))
    later = run(backend, REG, req(Measure.SEAL, court="J2", account_no=HOUSE))
    run(backend, REG, req(Measure.UNSEAL, freeze_id=seal.freeze_id))
    assert backend.ledger.get_freeze(later.freeze_id).state == FreezeState.ACTIVE  # promoted on the release
    fb = run(backend, REG, transfer(seal.freeze_id))
    assert fb.ok and fb.freeze_state == FreezeState.RELEASED and later.freeze_id in fb.message
    assert backend.ledger.get_freeze(later.freeze_id).state == FreezeState.TRANSFERRED
    assert backend.ledger.holdings(REG, DEBTOR, T0) == ()


def test_the_vehicle_registry_transfers_a_car(backend):
    seal = run(backend, CARS, req(Measure.SEAL, account_no=CAR))
    fb = run(backend, CARS, transfer(seal.freeze_id, owner="买受人 B1"))
    assert fb.ok and fb.freeze_state == FreezeState.TRANSFERRED
    assert backend.ledger.holdings(CARS, DEBTOR, T0) == ()


@pytest.mark.parametrize("agency", ["icbc", "housing_fund"])  # (equity, securities take 15: test_transfer_equity)
def test_agencies_that_take_no_transfer_refuse_it_as_a_measure_they_do_not_take(backend, agency):
    catalogue = backend.catalogue
    if agency not in catalogue:
        pytest.skip(f"no {agency} in the catalogue")
    assert not catalogue.get(agency).supports(Measure.TRANSFER)
    with pytest.raises(UserError) as err:
        backend.validate(agency, transfer("F000000001"))
    assert err.value.code == "unsupported_measure" and err.value.where == "measure"
    assert "15" in err.value.zh and "过户" in err.value.zh and "transfer" in err.value.en


def test_a_transfer_names_its_seal_and_the_new_owner_and_only_a_transfer_names_an_owner():
    assert Measure.TRANSFER_DOC is Measure.TRANSFER and Measure("15") is Measure.TRANSFER  # the former name: an alias
    for missing in ({"new_owner": "李四"}, {"freeze_id": "F1"}, {"freeze_id": "F1", "new_owner": ""}):
        with pytest.raises(ValueError):
            req(Measure.TRANSFER, **missing)
    with pytest.raises(ValueError, match="new_owner"):
        req(Measure.UNSEAL, freeze_id="F1", new_owner="李四")


def test_a_seal_queued_behind_a_transferred_flat_waits_for_no_notice():
    board = NoticeBoard()
    board._waiting["F2"] = "TK2"
    event = type("E", (), {"kind": "transferred", "freeze_id": "F2"})()
    assert board.on_event(event, {}, lambda *a: None) is None and not board  # ended: no notice will follow


# ── over the agencies' HTTP API ─────────────────────────────────────────────────────────────────
async def _flat(ns: NS) -> tuple[dict, str]:
    d = await person(ns)
    flat = {"account_no": "BDC-HTTP-1", "kind": "real_estate", "balance_cents": 50_000_000,
            "available_cents": 50_000_000}
    r = await ns.c.put(f"/admin/sessions/{ns.name}/pins", json={"agency": REG, "id_number": d["id_number"],
                                                                 "holdings": [flat]})
    assert r.status_code == 200, r.text
    return d, flat["account_no"]


async def _answered(ns: NS, agency: str, body: dict) -> dict:
    t = await ns.accepted(agency, body)
    await ns.advance(seconds=60)
    polled = await ns.poll(agency, t["ticket_id"])
    assert polled["feedback"] is not None, polled
    return polled["feedback"]


async def test_a_transfer_over_the_api_takes_the_flat_out_of_the_debtors_holdings() -> None:
    async with make_client() as client:
        ns = NS(client, "transfer")
        await ns.create(profile="fast", seed=3)
        d, flat = await _flat(ns)
        seal = await _answered(ns, REG, ns.body(d, "11", account_no=flat))
        assert seal["ok"] and seal["freeze_state"] == "active"
        missing = await ns.submit(REG, ns.body(d, "15", freeze_id=seal["freeze_id"]))  # no new owner: 422, per field
        assert missing.status_code == 422 and "new_owner" in missing.text
        bank = await ns.submit("icbc", ns.body(d, "15", freeze_id=seal["freeze_id"], new_owner="李四"))
        assert bank.status_code == 422 and bank.json()["error"]["code"] == "unsupported_measure"
        fb = await _answered(ns, REG, ns.body(d, "15", freeze_id=seal["freeze_id"], new_owner="李四",
                                              account_no=flat))
        assert fb["ok"] and fb["code"] == "0000" and fb["freeze_state"] == "transferred"
        assert await ns.holdings(REG, d) == []
        query = await _answered(ns, REG, ns.body(d, "00"))
        assert query["ok"] and query["holdings"] == []
        again = await ns.submit(REG, ns.body(d, "15", freeze_id=seal["freeze_id"], new_owner="王五"))
        assert again.status_code == 409
        error = again.json()["error"]
        assert "过户至 李四" in error["zh"] and "transferred to 李四" in error["en"]
        assert error["where"] == "body.account_no"


@pytest.mark.slow
def test_a_transfer_over_real_http_on_loopback() -> None:
    settings = Settings(port=free_port(), profile="fast", world_size=1000, time_scale=0.0, background=False)
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        h = {"X-Zhixing-Session": "live-transfer"}
        d = client.get("/admin/sessions/live-transfer/debtors/0").json()
        subject = {"kind": d["kind"], "name": d["name"], "id_number": d["id_number"]}
        pin = {"agency": CARS, "id_number": d["id_number"], "holdings": [
            {"account_no": "CAR-LIVE-1", "kind": "vehicle", "balance_cents": 9_000_000, "available_cents": 9_000_000}]}
        assert client.put("/admin/sessions/live-transfer/pins", json=pin).status_code == 200
        base = {"court_code": "R410811", "case_no": "(2026)豫0811执1号", "subject": subject}

        def answered(n: int, **fields: object) -> dict:
            r = client.post(f"/agencies/{CARS}/requests", json={**base, "request_no": f"LT-{n}", **fields}, headers=h)
            assert r.status_code == 202, r.text
            assert client.post("/admin/sessions/live-transfer/advance", json={"seconds": 60}).status_code == 200
            polled = client.get(f"/agencies/{CARS}/requests/{r.json()['ticket_id']}", headers=h).json()
            assert polled["feedback"] is not None, polled
            return polled["feedback"]

        seal = answered(1, measure="11", account_no="CAR-LIVE-1")
        fb = answered(2, measure="15", freeze_id=seal["freeze_id"], new_owner="买受人 B7")
        assert fb["ok"] and fb["freeze_state"] == "transferred"
        held = client.get(f"/admin/sessions/live-transfer/holdings/{CARS}/{d['id_number']}").json()
        assert held == []
