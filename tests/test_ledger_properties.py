"""Random operation sequences on the ledger, with time advancing: money is conserved, balances never go
negative, frozen money never exceeds the balance, and the 轮候 queue is served strictly in order."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from core_flow.errors import UserError
from core_flow.protocol import AssetKind, DeductStatus, FreezeState, Holding
from mock_agencies.identity import make_id_number
from mock_agencies.ledger import CST, Ledger

BANK = "icbc"
DEBTOR = make_id_number("410811", date(1975, 1, 2), 21)
ACCOUNTS = {"A1": AssetKind.DEPOSIT, "A2": AssetKind.VEHICLE}
COURTS = ("C1", "C2", "C3")
LIVE = {FreezeState.ACTIVE, FreezeState.QUEUED}


class _World:
    def __init__(self, balances: dict[str, int]) -> None:
        self.hs = tuple(
            Holding(account_no=a, kind=ACCOUNTS[a], balance_cents=c, available_cents=c) for a, c in balances.items()
        )

    def holdings(self, id_number: str, agency_code: str) -> tuple[Holding, ...]:
        return self.hs if (id_number, agency_code) == (DEBTOR, BANK) else ()

    def account_owner(self, agency_code: str, account_no: str) -> str | None:
        return DEBTOR if any(h.account_no == account_no for h in self.hs) else None


class LedgerMachine(RuleBasedStateMachine):
    @initialize(balances=st.fixed_dictionaries({a: st.integers(0, 100_000) for a in ACCOUNTS}))
    def setup(self, balances: dict[str, int]) -> None:
        self.original = balances
        self.ledger = Ledger(_World(balances))
        self.now = datetime(2025, 1, 6, 9, tzinfo=CST)
        self.n = 0
        self.touched: set[str] = set()
        self.freeze_ids: list[str] = []
        self.deduction_ids: list[str] = []
        self.subs = [self.ledger.court_accounts.open(c, f"case-{c}") for c in COURTS]

    def _live(self) -> list[str]:
        return [f for f in self.freeze_ids if self.ledger.get_freeze(f).state in LIVE]

    def _pick(self, data: st.DataObject) -> str:
        """Mostly a live measure (to reach queues and promotions), sometimes any (to reach refusals)."""
        live = self._live()
        pool = live if live and data.draw(st.integers(0, 4)) else self.freeze_ids
        return data.draw(st.sampled_from(pool))

    def _rno(self) -> str:
        self.n += 1
        return f"r{self.n}"

    @rule(
        account=st.sampled_from(sorted(ACCOUNTS)),
        court=st.sampled_from(COURTS),
        amount=st.integers(1, 120_000),
        term=st.one_of(st.none(), st.integers(1, 400)),
    )
    def freeze(self, account: str, court: str, amount: int, term: int | None) -> None:
        try:
            out = self.ledger.freeze(
                agency=BANK, id_number=DEBTOR, account_no=account, court_code=court, case_no=f"case-{court}",
                amount_cents=amount, term_days=term, request_no=self._rno(), now=self.now,
            )  # fmt: skip
        except UserError as err:  # only a term beyond the legal limit is refused
            assert err.where == "term_days" and term is not None and term > 365
            return
        self.touched.add(account)
        assert out.amount_controlled_cents + out.unsecured_remainder_cents == amount
        if out.freeze_id is not None:
            self.freeze_ids.append(out.freeze_id)

    @rule(court=st.sampled_from(COURTS), amount=st.integers(1, 60_000))
    def freeze_first_account(self, court: str, amount: int) -> None:
        self.freeze("A1", court, amount, None)

    @precondition(lambda self: self.freeze_ids)
    @rule(data=st.data())
    def unfreeze(self, data: st.DataObject) -> None:
        fid = self._pick(data)
        try:
            self.ledger.unfreeze(agency=BANK, freeze_id=fid, request_no=self._rno(), now=self.now)
        except UserError as err:
            view = self.ledger.get_freeze(fid)
            assert view.state not in LIVE or view.unfreeze_held, err

    @precondition(lambda self: self.freeze_ids)
    @rule(data=st.data(), share=st.floats(0.01, 1.2))
    def deduct(self, data: st.DataObject, share: float) -> None:
        fid = self._pick(data)
        view = self.ledger.get_freeze(fid)
        amount = max(1, int(view.controlled_cents * share))
        sub = self.subs[COURTS.index(view.court_code)]
        try:
            d = self.ledger.deduct(agency=BANK, freeze_id=fid, amount_cents=amount, target_account=sub, now=self.now)
        except UserError:
            assert view.state != FreezeState.ACTIVE or view.unfreeze_held or amount > view.controlled_cents
            return
        assert d.status == DeductStatus.PENDING
        self.deduction_ids.append(d.deduction_id)

    @precondition(lambda self: self.deduction_ids)
    @rule(data=st.data())
    def settle(self, data: st.DataObject) -> None:
        did = data.draw(st.sampled_from(self.deduction_ids))
        assert self.ledger.settle_deduction(did, self.now).status == DeductStatus.SUCCESS

    @precondition(lambda self: self.freeze_ids)
    @rule(data=st.data(), term=st.one_of(st.none(), st.integers(1, 400)))
    def renew(self, data: st.DataObject, term: int | None) -> None:
        fid = self._pick(data)
        before = self.ledger.get_freeze(fid)
        try:
            out = self.ledger.renew(agency=BANK, freeze_id=fid, term_days=term, request_no=self._rno(), now=self.now)
        except UserError:
            return
        assert out.expires_at is not None and before.expires_at is not None
        assert out.expires_at > before.expires_at

    @rule(sub=st.sampled_from(range(len(COURTS))), share=st.floats(0.0, 1.0))
    def pay_out(self, sub: int, share: float) -> None:
        number = self.subs[sub]
        amount = int(self.ledger.court_accounts.balance(number) * share)
        if amount > 0:
            self.ledger.court_accounts.pay_out(number, amount, "申请执行人")

    @rule(step=st.sampled_from([timedelta(hours=1), timedelta(days=1), timedelta(days=20), timedelta(days=200)]))
    def wait(self, step: timedelta) -> None:
        self.now += step
        for e in self.ledger.advance(self.now):
            assert e.at <= self.now

    # --- invariants --------------------------------------------------------------------------------

    @invariant()
    def money_is_conserved(self) -> None:
        expected = sum(self.original[a] for a in self.touched)
        assert self.ledger.origin_cents() == expected
        assert self.ledger.total_cents() == expected

    @invariant()
    def balances_and_frozen_amounts_are_consistent(self) -> None:
        for h in self.ledger.holdings(BANK, DEBTOR, self.now):  # pydantic rejects negative amounts
            held = sum(f.amount_cents for f in h.existing_freezes if f.state == FreezeState.ACTIVE)
            assert held <= h.balance_cents
            assert h.available_cents <= h.balance_cents
        for sub in self.subs:
            assert self.ledger.court_accounts.balance(sub) >= 0

    @invariant()
    def queue_is_served_in_order(self) -> None:
        for account in ACCOUNTS:
            views = self.ledger.freezes_of(BANK, account)
            waiting = [v for v in views if v.state in LIVE and v.shortfall_cents > 0]
            assert [v.queue_position for v in waiting] == list(range(1, len(waiting) + 1))
            if waiting:
                first = views.index(waiting[0])
                for later in views[first + 1 :]:  # nobody after a waiting measure ever got money
                    assert later.effective_at is None
                    assert later.controlled_cents == later.pending_deduction_cents == later.deducted_cents == 0
                h = next(h for h in self.ledger.holdings(BANK, DEBTOR, self.now) if h.account_no == account)
                assert h.available_cents == 0  # money never idles while someone waits

    @invariant()
    def active_measures_have_not_expired(self) -> None:
        for account in ACCOUNTS:
            for v in self.ledger.freezes_of(BANK, account):
                if v.state == FreezeState.ACTIVE:
                    assert v.expires_at is not None and v.expires_at > self.now
                if v.state == FreezeState.QUEUED:
                    assert v.expires_at is None and v.controlled_cents == 0


LedgerMachine.TestCase.settings = settings(
    max_examples=50, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestLedgerMachine = LedgerMachine.TestCase
