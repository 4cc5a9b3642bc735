"""Request handling of the mock agencies: ControlRequest → validation → acceptance → Feedback."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core_flow.errors import UserError
from core_flow.protocol import (
    AssetKind,
    ControlRequest,
    ControlResult,
    DeductStatus,
    Feedback,
    FreezeState,
    Holding,
    Measure,
    Subject,
    SubjectKind,
    Ticket,
    TicketStatus,
)
from mock_agencies.backend import (
    CODE_NOTHING_TO_CONTROL,
    CODE_OK,
    CODE_PENDING,
    CODE_QUEUED,
    CODE_REFUSED,
    AgencyBackend,
)
from mock_agencies.catalogue import load_catalogue
from mock_agencies.court_accounts import sub_account_no
from mock_agencies.identity import make_id_number
from mock_agencies.ledger import CST, Ledger
from mock_agencies.world import World

T0 = datetime(2025, 6, 2, 9, 30, tzinfo=CST)
DEBTOR = make_id_number("410811", date(1982, 7, 1), 33)
POOR = make_id_number("410802", date(1990, 1, 15), 44)
ACC, EMPTY, HOUSE = "6222020000000001", "6222020000000009", "BDC-410811-0001"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture
def backend(catalogue) -> AgencyBackend:
    world = World(seed=3, size=10, catalogue=catalogue)
    dep = {"kind": AssetKind.DEPOSIT}
    world.pin(DEBTOR, "icbc", [Holding(account_no=ACC, balance_cents=100_000, available_cents=100_000, **dep)])
    world.pin(POOR, "icbc", [Holding(account_no=EMPTY, balance_cents=0, available_cents=0, **dep)])
    world.pin(
        DEBTOR, "csdc", [Holding(account_no="A123", kind=AssetKind.SECURITIES, balance_cents=5, available_cents=5)]
    )
    world.pin(
        DEBTOR,
        "real_estate_registry",
        [Holding(account_no=HOUSE, kind=AssetKind.REAL_ESTATE, balance_cents=90_000_000, available_cents=90_000_000)],
    )
    return AgencyBackend(catalogue, world, Ledger(world))


_n = 0


def req(measure: Measure, court: str = "J1", debtor: str = DEBTOR, **kw) -> ControlRequest:
    global _n
    _n += 1
    kw.setdefault("request_no", f"R{_n:06d}")
    return ControlRequest(
        court_code=court, case_no=f"（2025）豫0811执{court}号", measure=measure,
        subject=Subject(kind=SubjectKind.PERSON, name="张三", id_number=debtor), **kw,
    )  # fmt: skip


def run(backend: AgencyBackend, agency: str, request: ControlRequest, now: datetime = T0) -> Feedback | None:
    """Submit → accept → answer, as the serving layer does."""
    backend.validate(agency, request)
    ticket = ticket_for(agency, request, now)
    backend.accept(agency, request, ticket, now)
    return backend.answer(agency, request, ticket, now)


def ticket_for(agency: str, request: ControlRequest, now: datetime = T0) -> Ticket:
    return Ticket(
        ticket_id=f"TK-{request.request_no}", request_no=request.request_no, agency=agency,
        measure=request.measure, status=TicketStatus.ACCEPTED, accepted_at=now,
    )  # fmt: skip


def frozen(backend: AgencyBackend, amount: int, court: str = "J1", **kw) -> Feedback:
    fb = run(backend, "icbc", req(Measure.FREEZE, court, account_no=ACC, amount_cents=amount, **kw))
    assert fb is not None
    return fb


# --- 00 query -------------------------------------------------------------------------------------------


def test_query_lists_holdings_with_existing_freezes(backend):
    fb = run(backend, "icbc", req(Measure.QUERY))
    assert fb.ok and fb.code == CODE_OK and fb.measure == Measure.QUERY
    (h,) = fb.holdings
    assert (h.account_no, h.balance_cents, h.available_cents, h.existing_freezes) == (ACC, 100_000, 100_000, ())
    f1 = frozen(backend, 30_000, court="J1")
    (h,) = run(backend, "icbc", req(Measure.QUERY, court="J2")).holdings
    assert h.available_cents == 70_000
    (ef,) = h.existing_freezes
    assert (ef.freeze_id, ef.court_code, ef.amount_cents, ef.state) == (f1.freeze_id, "J1", 30_000, FreezeState.ACTIVE)
    assert ef.expires_at == f1.expires_at


def test_query_of_a_debtor_without_holdings_answers_empty(backend):
    nobody = make_id_number("110101", date(1970, 1, 1), 1)
    fb = run(backend, "boc", req(Measure.QUERY, debtor=nobody))
    assert fb.ok and fb.holdings == () and fb.agency == "boc"


# --- 01 freeze --------------------------------------------------------------------------------------------


def test_freeze_reports_control_result_amount_and_remainder(backend):
    fb = frozen(backend, 130_000)
    assert (fb.ok, fb.code, fb.control_result) == (True, CODE_OK, ControlResult.CONTROLLED)
    assert (fb.amount_requested_cents, fb.amount_controlled_cents, fb.unsecured_remainder_cents) == (
        130_000, 100_000, 30_000,
    )  # fmt: skip
    assert fb.freeze_state == FreezeState.ACTIVE and fb.freeze_id
    assert fb.expires_at == datetime(2026, 6, 3, tzinfo=CST)
    assert fb.ticket_id == f"TK-{fb.request_no}" and fb.answered_at == T0


def test_a_later_courts_freeze_is_queued_with_its_position(backend):
    first = frozen(backend, 100_000, court="J1")
    second = frozen(backend, 20_000, court="J2")
    third = frozen(backend, 20_000, court="J3")
    assert (second.ok, second.code, second.control_result) == (True, CODE_QUEUED, ControlResult.NOT_CONTROLLED)
    assert (second.freeze_state, second.queue_position, third.queue_position) == (FreezeState.QUEUED, 1, 2)
    assert (second.amount_controlled_cents, second.unsecured_remainder_cents) == (0, 20_000)
    assert [e.freeze_id for e in third.existing_freezes] == [first.freeze_id, second.freeze_id]


def test_freeze_of_an_empty_account_controls_nothing(backend):
    fb = run(backend, "icbc", req(Measure.FREEZE, debtor=POOR, account_no=EMPTY, amount_cents=1_000))
    assert (fb.ok, fb.code, fb.control_result, fb.freeze_id) == (
        False, CODE_NOTHING_TO_CONTROL, ControlResult.NOT_CONTROLLED, None,
    )  # fmt: skip
    assert fb.unsecured_remainder_cents == 1_000


def test_answering_twice_acts_once(backend):
    request = req(Measure.FREEZE, account_no=ACC, amount_cents=40_000)
    backend.validate("icbc", request)
    ticket = ticket_for("icbc", request)
    one = backend.answer("icbc", request, ticket, T0)
    two = backend.answer("icbc", request, ticket, T0 + timedelta(minutes=5))
    assert one.freeze_id == two.freeze_id
    (h,) = run(backend, "icbc", req(Measure.QUERY)).holdings
    assert h.available_cents == 60_000


# --- 02 renew / 04 unfreeze -----------------------------------------------------------------------------


def test_renew_extends_the_term(backend):
    f = frozen(backend, 10_000)
    fb = run(backend, "icbc", req(Measure.RENEW, freeze_id=f.freeze_id), now=datetime(2026, 5, 20, tzinfo=CST))
    assert (fb.ok, fb.control_result, fb.freeze_state) == (True, ControlResult.CONTROLLED, FreezeState.ACTIVE)
    assert fb.expires_at == datetime(2027, 6, 3, tzinfo=CST)


def test_renew_after_lapse_is_refused_in_the_answer(backend):
    f = frozen(backend, 10_000, term_days=10)
    request = req(Measure.RENEW, freeze_id=f.freeze_id)
    backend.validate("icbc", request)  # still active at submission
    fb = backend.answer("icbc", request, ticket_for("icbc", request), f.expires_at + timedelta(hours=1))
    assert (fb.ok, fb.code) == (False, CODE_REFUSED)
    assert "freeze_id" in fb.message


def test_unfreeze_releases_and_promotes_the_queue(backend):
    a = frozen(backend, 100_000, court="J1")
    b = frozen(backend, 50_000, court="J2")
    fb = run(backend, "icbc", req(Measure.UNFREEZE, court="J1", freeze_id=a.freeze_id))
    assert (fb.ok, fb.freeze_state) == (True, FreezeState.RELEASED)
    (e,) = fb.existing_freezes
    assert (e.freeze_id, e.state, e.amount_cents) == (b.freeze_id, FreezeState.ACTIVE, 50_000)


# --- 06 deduct --------------------------------------------------------------------------------------------


def test_deduct_is_pending_at_acceptance_then_succeeds_into_the_case_sub_account(backend):
    f = frozen(backend, 80_000)
    sub = sub_account_no("J1", "（2025）豫0811执J1号")
    request = req(Measure.DEDUCT, freeze_id=f.freeze_id, amount_cents=50_000, target_account=sub)
    backend.validate("icbc", request)
    ticket = ticket_for("icbc", request)
    interim = backend.accept("icbc", request, ticket, T0)
    assert (interim.ok, interim.code, interim.deduct_status) == (True, CODE_PENDING, DeductStatus.PENDING)
    accounts = backend.ledger.court_accounts
    assert accounts.balance(sub) == 0
    fb = backend.answer("icbc", request, ticket, T0 + timedelta(hours=4))
    assert (fb.ok, fb.code, fb.deduct_status, fb.amount_deducted_cents) == (
        True, CODE_OK, DeductStatus.SUCCESS, 50_000,
    )  # fmt: skip
    assert accounts.balance(sub) == 50_000
    assert backend.answer("icbc", request, ticket, T0 + timedelta(hours=5)).deduct_status == DeductStatus.SUCCESS
    assert accounts.balance(sub) == 50_000
    (h,) = run(backend, "icbc", req(Measure.QUERY)).holdings
    assert (h.balance_cents, h.available_cents) == (50_000, 20_000)


def test_a_resumed_case_deducts_its_zhongben_cases_freeze_into_its_own_sub_account_only_naming_that_case(backend):
    """恢复执行: the 终本 case's freeze continues in the resumed case, which names the original case
    (``original_case_no``); the money goes into the resumed case's sub-account. Naming another case, or not naming
    one, is refused at the field; nothing changes."""
    f = frozen(backend, 80_000)
    original = "（2025）豫0811执J1号"
    resumed = original + "-恢1"
    new_sub = sub_account_no("J1", resumed)

    def deduct(**kw) -> ControlRequest:
        return ControlRequest(request_no=f"RS-{kw.get('original_case_no', '')}", court_code="J1", case_no=resumed,
                              measure=Measure.DEDUCT, freeze_id=f.freeze_id, amount_cents=30_000,
                              target_account=new_sub,
                              subject=Subject(kind=SubjectKind.PERSON, name="张三", id_number=DEBTOR), **kw)

    for where, request in (("target_account", deduct()), ("original_case_no", deduct(original_case_no="（2024）他案"))):
        before = _state(backend)
        with pytest.raises(UserError) as err:
            backend.validate("icbc", request)
        assert err.value.where == where and err.value.zh and err.value.en
        assert _state(backend) == before
    request = deduct(original_case_no=original)
    assert run(backend, "icbc", request).ok
    fb = backend.answer("icbc", request, ticket_for("icbc", request), T0 + timedelta(hours=4))
    assert (fb.deduct_status, fb.amount_deducted_cents) == (DeductStatus.SUCCESS, 30_000)
    assert backend.ledger.court_accounts.balance(new_sub) == 30_000
    with pytest.raises(ValueError, match="original_case_no"):
        req(Measure.UNFREEZE, freeze_id=f.freeze_id, original_case_no=original)


def test_unfreeze_waits_for_a_pending_deduction(backend):
    f = frozen(backend, 100_000, court="J1")
    q = frozen(backend, 100_000, court="J2")
    sub = sub_account_no("J1", "（2025）豫0811执J1号")
    deduct = req(Measure.DEDUCT, freeze_id=f.freeze_id, amount_cents=60_000, target_account=sub)
    backend.validate("icbc", deduct)
    d_ticket = ticket_for("icbc", deduct)
    backend.accept("icbc", deduct, d_ticket, T0)
    unfreeze = req(Measure.UNFREEZE, freeze_id=f.freeze_id)
    backend.validate("icbc", unfreeze)
    u_ticket = ticket_for("icbc", unfreeze)
    backend.accept("icbc", unfreeze, u_ticket, T0)
    assert backend.answer("icbc", unfreeze, u_ticket, T0 + timedelta(hours=1)) is None  # held
    assert backend.answer("icbc", unfreeze, u_ticket, T0 + timedelta(hours=2)) is None  # still held
    assert backend.answer("icbc", deduct, d_ticket, T0 + timedelta(hours=3)).deduct_status == DeductStatus.SUCCESS
    fb = backend.answer("icbc", unfreeze, u_ticket, T0 + timedelta(hours=4))
    assert (fb.ok, fb.freeze_state) == (True, FreezeState.RELEASED)
    (e,) = fb.existing_freezes  # J2's queued freeze took effect on what was left
    assert (e.freeze_id, e.state, e.amount_cents) == (q.freeze_id, FreezeState.ACTIVE, 40_000)


# --- registry seals ---------------------------------------------------------------------------------------


def test_registry_seal_renew_unseal_and_a_transfer_names_its_seal_and_new_owner(backend):
    seal = run(backend, "real_estate_registry", req(Measure.SEAL, account_no=HOUSE))
    assert (seal.ok, seal.control_result, seal.amount_controlled_cents) == (True, ControlResult.CONTROLLED, 90_000_000)
    assert seal.expires_at == datetime(2028, 6, 3, tzinfo=CST)
    queued = run(backend, "real_estate_registry", req(Measure.SEAL, court="J2", account_no=HOUSE))
    assert (queued.code, queued.queue_position) == (CODE_QUEUED, 1)
    renewed = run(backend, "real_estate_registry", req(Measure.RENEW_SEAL, freeze_id=seal.freeze_id))
    assert renewed.expires_at == datetime(2031, 6, 3, tzinfo=CST)
    with pytest.raises(UserError) as err:  # a seal is renewed by 12, not 02
        backend.validate("real_estate_registry", req(Measure.RENEW, freeze_id=seal.freeze_id))
    assert err.value.where == "measure"
    unsealed = run(backend, "real_estate_registry", req(Measure.UNSEAL, freeze_id=seal.freeze_id))
    assert unsealed.existing_freezes[0].state == FreezeState.ACTIVE
    # a transfer (15) names the seal it acts on and the new owner (profile 0.4.0; before: delivered, no effect —
    # tests/test_transfer_registry.py)
    with pytest.raises(ValueError, match="new_owner"):
        req(Measure.TRANSFER, account_no=HOUSE)


# --- refusals at submission -------------------------------------------------------------------------------


def _state(backend: AgencyBackend):
    return (
        backend.ledger.total_cents(),
        backend.ledger.holdings("icbc", DEBTOR, T0),
        backend.ledger.freezes_of("icbc", ACC),
        backend.ledger.court_accounts.sub_accounts(),
    )


@pytest.mark.parametrize(
    ("agency", "measure"),
    [("csdc", Measure.DEDUCT), ("real_estate_registry", Measure.FREEZE), ("icbc", Measure.SEAL)],
)
def test_unsupported_measure_is_refused_with_a_bilingual_field_error(backend, agency, measure):
    kw = {"account_no": ACC, "amount_cents": 1, "freeze_id": "F1", "target_account": "X"}
    with pytest.raises(UserError) as err:
        backend.validate(agency, req(measure, **kw))
    e = err.value
    assert e.where == "measure" and e.code == "unsupported_measure"
    assert measure.value in e.zh and measure.value in e.en and "不支持" in e.zh and "not support" in e.en


def test_invalid_requests_name_the_field_and_change_nothing(backend):
    f = frozen(backend, 50_000, court="J1")
    other_sub = backend.ledger.court_accounts.open("J9", "（2025）其他案")
    own_sub = sub_account_no("J1", "（2025）豫0811执J1号")
    bad_id = DEBTOR[:17] + ("0" if DEBTOR[17] != "0" else "1")
    cases = [
        ("subject.id_number", "icbc", req(Measure.QUERY, debtor=bad_id)),
        ("account_no", "icbc", req(Measure.FREEZE, account_no="NO-SUCH", amount_cents=1)),
        ("term_days", "icbc", req(Measure.FREEZE, account_no=ACC, amount_cents=1, term_days=400)),
        ("freeze_id", "icbc", req(Measure.UNFREEZE, freeze_id="F999999")),
        ("freeze_id", "boc", req(Measure.UNFREEZE, freeze_id=f.freeze_id)),
        ("court_code", "icbc", req(Measure.UNFREEZE, court="J2", freeze_id=f.freeze_id)),
        ("subject.id_number", "icbc", req(Measure.RENEW, debtor=POOR, freeze_id=f.freeze_id)),
        (
            "amount_cents",
            "icbc",
            req(Measure.DEDUCT, freeze_id=f.freeze_id, amount_cents=50_001, target_account=own_sub),
        ),
        (
            "target_account",
            "icbc",
            req(Measure.DEDUCT, freeze_id=f.freeze_id, amount_cents=1, target_account=other_sub),
        ),
        (
            "target_account",
            "icbc",
            req(Measure.DEDUCT, freeze_id=f.freeze_id, amount_cents=1, target_account="YAYZH-?"),
        ),
    ]
    for where, agency, request in cases:
        before = _state(backend)
        with pytest.raises(UserError) as err:
            backend.validate(agency, request)
        assert err.value.where == where, (where, err.value.message)
        assert err.value.zh and err.value.en
        assert _state(backend) == before, where


def test_unknown_agency_is_a_user_error(backend):
    with pytest.raises(UserError) as err:
        backend.validate("no_such_bank", req(Measure.QUERY))
    assert err.value.where == "agency"
