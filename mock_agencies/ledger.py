"""The agencies' ledger: balances, freezes and seals, 轮候 queues, terms, deductions — a world overlay.

Accounts are materialised lazily from ``world.holdings`` the first time an operation touches them; from
then on their state lives only here (the world stays immutable and stores nothing per debtor). Every
public method takes ``now`` (an aware datetime; naive ones are read as China Standard Time) and first
catches up with time: freezes whose term ended lapse, and queued freezes are promoted, in the order of
their expiry instants. Nothing reads the clock.

Rules (LAW.md, "Freezes, seals and queues"):

* **Freeze up to the available balance** (available = balance − money held by freezes and pending
  deductions). The amount controlled and the unsecured remainder (requested − controlled) are reported.
* **轮候** (《查封扣押冻结规定》第二十六条): a freeze on money already held by earlier measures is queued.
  When held money is released (unfreeze, lapse), it goes to the waiting freezes strictly in the order in
  which the measures were registered (执行工作规定 第五十五条).
* **Terms** (民诉法解释 第四百八十五条): deposits, payment balances and wealth products ≤ 1 year; movables
  (vehicles) ≤ 2 years; real estate, equity, securities and other property rights ≤ 3 years. The default
  term is the maximum. A period starts the day after the measure takes effect; its last day is the
  corresponding day (or the month's last day, 民法典 第二百零一条–第二百零三条); it ends at 24:00 of that
  day, i.e. ``expires_at`` is 00:00 CST of the following day and a freeze is lapsed at that instant.
* **Renewal** (续行) only before expiry, extending from the current last day, each renewal within the same
  limit; un-renewed measures lapse (第二十七条).
* **Deduction** (扣划) only from an active freeze, up to the amount it controls. The deduction is pending
  until settled; while pending its money stays reserved even if the freeze lapses (民诉法解释
  第四百八十四条: a deduction ruling itself has freezing effect). Settling moves the money into the
  court's 一案一账号 sub-account.
* **Unfreeze while a deduction is pending** is held and carried out right after the last pending deduction
  on that freeze settles.
* **Seals** (查封 11/12/14) are freezes of the whole asset: the requested amount is the asset's value, no
  money ever moves.
* **Transfer** (过户 15, seed 004 node 30: "标的物所有权自裁定送达买受人或者接受抵债物的债权人时转移"): the court that
  sold the property (or gave it in kind) under its seal or freeze has it recorded under the new owner. The asset leaves
  the debtor's holdings (queries no longer report it; a new measure on it is refused), its value stays in the ledger
  (the buyer's money reached the court account through the auction platform, not from here). The named measure ends
  ``transferred``, and so does every other live one on the asset — the 轮候 seals queued behind it: unconfirmed, not in
  LAW.md — 查封扣押冻结规定 (2020) 第二十七条 (as we remember its second sentence: a seal's effect ends once the
  property was sold or taken in kind) and 法发〔2004〕5号 (查封法院对查封财产处分的，轮候查封的效力消灭).
  Which registries take the transfer is data (data/agencies.yaml, code "15"). A second transfer of the asset is
  refused, as is one by a court whose measure is only queued (the first sealing court disposes).
* **Transfer of a frozen part** (equity, securities: a freeze, 01, holds an amount, which may be part of the holding):
  a freeze that controls the whole holding (its value or balance) transfers it as above. One that controls part moves
  that part only: the holding's value is reduced by it and stays the debtor's (a later query reports the remainder,
  a new measure on it is taken), the freeze ends ``transferred``, and the other measures on the holding stay — the
  active ones keep what they hold, the 轮候 ones keep waiting, in their order, on the remainder (they were registered on
  the holding, not on the part sold; only the measures on the property disposed of end, 查封规定 第二十七条).
  Unconfirmed, not in LAW.md: seed 004 节点三十 ("所有权自裁定送达买受人…时转移") for the part sold; what a 轮候 freeze
  behind a part sale keeps is our reading. The part's value stays in the ledger (``transferred_cents``: the new
  owner's), as a whole asset's does. A seal (11) is of the whole asset: always the whole. A freeze released (or
  lapsed) before the ruling was registered transfers the part it held at its end, as far as it is still free (measures
  that took effect on it meanwhile keep it); nothing free: refused.

Choices where the law is silent (documented here, asserted by tests):

* **Partial freeze + queued remainder.** A freeze gets what is available now; the shortfall waits in the
  轮候 queue and is topped up, in registration order, when earlier measures release money. So
  ``queue_position`` (1 = first to receive released money) is reported for every live freeze with a
  shortfall, whether it already controls part of the money (state ``active``) or nothing (``queued``).
* **Nothing to wait for.** A freeze that would control nothing on an account where no other measure holds
  money is not registered at all: 未控, no freeze id (a 轮候 needs an earlier measure to wait behind).
* **Term of a queued freeze** starts when it takes effect (when it first controls money); a queued freeze
  has no expiry and does not lapse. Topping up a partial freeze does not change its expiry.
* **Fully deducted.** When all money a freeze controlled has been deducted and no deduction is pending, the
  freeze ends (``deducted``) even if part of its request was never covered: the court freezes anew.
* **No holiday roll-over for expiry**: banks record a fixed end date; the 期间 roll-over of 民事诉讼法
  第八十五条 is not applied to the validity of a measure.
* **Idempotency.** ``(agency, request_no)`` maps to the outcome: repeating a request returns the stored
  outcome and acts nothing twice; reusing a number for a different operation is refused.
* **Unfreeze / renew / deduct by another court** are refused (only the court that took the measure may act
  on it) when the caller passes ``court_code``.
* **Conservation.** Money enters the ledger only when an account is materialised (at its world balance) or
  by an outside payment into a court account (``CourtAccounts.inflow_cents``); ``origin_cents()`` sums
  both and always equals ``total_cents()``. Once the accounts an operation sequence uses are materialised,
  ``total_cents()`` is constant.
* Pinning a debtor in the world after an account was materialised does not change the ledger's account.

Bad operations raise ``UserError`` naming the field and change nothing.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol

from core_flow.enum_members import members_of
from core_flow.errors import UserError
from core_flow.legal_calendar import CST, Period, Policy, Unit, as_cst, default_calendar
from core_flow.legal_calendar.periods import UNIT
from core_flow.protocol import (
    CONTROL_RESULT,
    DEDUCT_STATUS,
    FREEZE_STATE,
    MEASURE,
    MONEY_KINDS,
    AssetKind,
    ControlResult,
    DeductStatus,
    ExistingFreeze,
    FreezeState,
    Holding,
    Measure,
)
from mock_agencies.court_accounts import CourtAccounts
from mock_agencies.trusted import trusted

#: Maximum term in years by asset kind (民诉法解释 第四百八十五条).
TERM_YEARS: dict[AssetKind, int] = {
    AssetKind.DEPOSIT: 1,
    AssetKind.BALANCE: 1,
    AssetKind.WEALTH_PRODUCT: 1,
    AssetKind.VEHICLE: 2,
    AssetKind.REAL_ESTATE: 3,
    AssetKind.EQUITY: 3,
    AssetKind.SECURITIES: 3,
    AssetKind.OTHER: 3,
}

LIVE_STATES = frozenset({FreezeState.ACTIVE, FreezeState.QUEUED})

# what a query shows of the ledger's own accounts and measures: built from its state, not validated again
_existing_of = trusted(ExistingFreeze)
_holding_of = trusted(Holding)


class WorldLike(Protocol):
    def holdings(self, id_number: str, agency_code: str) -> tuple[Holding, ...]: ...


class LedgerEventKind(StrEnum):
    FROZEN = "frozen"  # a new freeze took effect (maybe partly)
    QUEUED = "queued"  # a new freeze was registered as 轮候
    PROMOTED = "promoted"  # a queued freeze took effect automatically
    TOPPED_UP = "topped_up"  # a partial freeze received released money
    RENEWED = "renewed"
    RELEASED = "released"  # unfrozen
    LAPSED = "lapsed"  # term ended without renewal
    UNFREEZE_HELD = "unfreeze_held"
    DEDUCTION_PENDING = "deduction_pending"
    DEDUCTION_SETTLED = "deduction_settled"
    DEDUCTED = "deducted"  # all money of the freeze was deducted
    TRANSFERRED = "transferred"  # the asset was transferred (过户): the measure ended with it


LEDGER_EVENT_KIND = members_of(LedgerEventKind)  # for hot code: see core_flow.enum_members


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    kind: LedgerEventKind
    at: datetime
    agency: str
    account_no: str
    freeze_id: str
    court_code: str
    case_no: str
    amount_cents: int = 0
    deduction_id: str | None = None
    expires_at: datetime | None = None  # the freeze's term end right after the event (None: no term yet)
    shortfall_cents: int = 0  # what the freeze still waits for right after the event (0 once not live)


@dataclass(frozen=True, slots=True)
class FreezeView:
    """A snapshot of one freeze or seal."""

    freeze_id: str
    agency: str
    account_no: str
    id_number: str
    court_code: str
    case_no: str
    measure: Measure  # FREEZE or SEAL
    asset_kind: AssetKind
    state: FreezeState
    requested_cents: int
    controlled_cents: int  # held by this freeze, excluding pending deductions
    pending_deduction_cents: int
    deducted_cents: int
    shortfall_cents: int
    queue_position: int | None
    registered_at: datetime
    effective_at: datetime | None
    expires_at: datetime | None
    unfreeze_held: bool


@dataclass(frozen=True, slots=True)
class FreezeOutcome:
    """Result of a freeze, seal or renewal."""

    request_no: str
    freeze_id: str | None  # None: nothing registered (未控)
    state: FreezeState | None
    control_result: ControlResult
    amount_requested_cents: int
    amount_controlled_cents: int
    unsecured_remainder_cents: int
    queue_position: int | None
    expires_at: datetime | None
    existing_freezes: tuple[ExistingFreeze, ...]  # the other measures on the account, in order


@dataclass(frozen=True, slots=True)
class UnfreezeOutcome:
    request_no: str
    freeze_id: str
    held: bool  # waiting for a pending deduction on the same freeze
    state: FreezeState  # the freeze's state after the operation
    amount_released_cents: int
    existing_freezes: tuple[ExistingFreeze, ...]  # the measures left on the account


@dataclass(frozen=True, slots=True)
class TransferOutcome:
    """Result of a transfer (过户, 15)."""

    request_no: str
    freeze_id: str  # the measure it acted on
    account_no: str
    new_owner: str
    state: FreezeState  # the named measure's state after it (transferred; released or lapsed if it had ended before)
    ended: tuple[str, ...]  # the other measures it ended (轮候 seals of other courts…), in registration order
    at: datetime
    amount_cents: int = 0  # the value transferred: the whole asset's, or the part a freeze controlled
    remainder_cents: int = 0  # the value left to the debtor (a part transfer; 0: the whole asset left)


@dataclass(frozen=True, slots=True)
class DeductOutcome:
    deduction_id: str
    request_no: str | None
    freeze_id: str
    status: DeductStatus
    amount_cents: int
    target_account: str
    accepted_at: datetime
    settled_at: datetime | None = None


@dataclass(slots=True)
class _Account:
    agency: str
    account_no: str
    owner: str
    kind: AssetKind
    description: str
    online_controllable: bool
    original_cents: int
    balance_cents: int
    freezes: list[_Freeze] = field(default_factory=list)  # in registration order, never removed
    transferred_to: str | None = None  # 过户: the new owner (the asset left the debtor's holdings)
    transferred_at: datetime | None = None
    transferred_cents: int = 0  # value of the parts transferred (a frozen part of equity, securities): the new owners'

    def held_cents(self) -> int:
        return sum(f.pending_cents + (f.controlled_cents if f.state in LIVE_STATES else 0) for f in self.freezes)

    def available_cents(self) -> int:
        return self.balance_cents - self.held_cents()


@dataclass(slots=True)
class _Freeze:
    freeze_id: str
    seq: int
    account: _Account
    court_code: str
    case_no: str
    measure: Measure
    requested_cents: int
    term_days: int | None
    registered_at: datetime
    state: FreezeState = FreezeState.QUEUED
    controlled_cents: int = 0
    pending_cents: int = 0
    deducted_cents: int = 0
    effective_at: datetime | None = None
    expires_at: datetime | None = None
    held_unfreeze: tuple[str, str] | None = None  # (agency, request_no) of a held unfreeze
    ended_cents: int = 0  # what it controlled when released or lapsed (a transfer under it after its end: the part)
    # the last ExistingFreeze shown of this freeze, with what it showed: reused while unchanged, so answers that list
    # the account's measures share one object each — a state snapshot (pickle) writes it once, not once per answer
    # kept for repeats (350 freezes on one account: each save pickled 4.6 MB of copies, 0.3 s a request)
    shown: tuple[tuple[object, ...], ExistingFreeze] | None = field(default=None, compare=False, repr=False)

    @property
    def shortfall_cents(self) -> int:
        if self.state not in LIVE_STATES:
            return 0
        return self.requested_cents - self.controlled_cents - self.pending_cents - self.deducted_cents


@dataclass(slots=True)
class _Deduction:
    deduction_id: str
    freeze: _Freeze
    request_no: str | None
    amount_cents: int
    target_account: str
    accepted_at: datetime
    status: DeductStatus = DeductStatus.PENDING
    settled_at: datetime | None = None


# --- periods -------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)  # natural days know no holidays: a pure function of its two values (a freeze asks it twice)
def _natural_last_day(start_day: date, period: Period) -> date:
    """The last day of ``period`` counted from ``start_day`` on the legal calendar's natural policy (no
    rest-day rollover: a measure's term is not a procedural period)."""
    start = datetime.combine(start_day, time(0), tzinfo=CST)
    return default_calendar().deadline(start, period, Policy.NATURAL).last_day


def add_years(day: date, years: int) -> date:
    """The corresponding day ``years`` later, or the month's last day where it has none (29 Feb)."""
    return _natural_last_day(day, Period(years, UNIT.YEARS))


def term_years(kind: AssetKind) -> int:
    return TERM_YEARS.get(kind, 3)


@lru_cache(maxsize=8192)  # a pure function of a day (freezes taking effect on one day share their terms' ends)
def _end_of(last_day: date) -> datetime:
    """24:00 of ``last_day`` = 00:00 CST of the next day."""
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=CST)


def _last_day(expires_at: datetime) -> date:
    return as_cst(expires_at).date() - timedelta(days=1)


def _term_error(term_days: int, kind: AssetKind) -> UserError:
    years = term_years(kind)
    return UserError(
        f"期限 {term_days} 天超过{kind.value}类财产的法定上限 {years} 年（民诉法解释第四百八十五条）",
        f"a term of {term_days} days exceeds the {years}-year limit for {kind.value} assets "
        "(SPC interpretation of the Civil Procedure Law, art. 485)",
        where="term_days",
        code="term_too_long",
    )


def _check_term_days(term_days: int | None) -> None:
    if term_days is not None and (not isinstance(term_days, int) or isinstance(term_days, bool) or term_days < 1):
        raise UserError(
            f"期限须为正整数天：{term_days!r}",
            f"term_days must be a positive integer: {term_days!r}",
            where="term_days",
        )


def term_last_day(start_day: date, kind: AssetKind, term_days: int | None, *, strict: bool) -> date:
    """Last day of a term counted from ``start_day`` (the day the measure takes effect or the current last
    day for a renewal). ``strict``: a term beyond the limit is an error, else it is capped."""
    last, beyond = _term(start_day, kind, term_days)
    if beyond and strict:
        raise _term_error(term_days, kind)  # type: ignore[arg-type]  # (beyond: a number of days was given)
    return last


@lru_cache(maxsize=8192)  # a pure function of its three values: a day's freezes and renewals ask the same ones
def _term(start_day: date, kind: AssetKind, term_days: int | None) -> tuple[date, bool]:
    """(the term's last day, capped at the limit; whether ``term_days`` goes beyond the limit)."""
    limit = add_years(start_day, term_years(kind))
    if term_days is None:
        return limit, False
    if term_days > (limit - start_day).days:  # beyond the limit (checked before counting: any size is safe)
        return limit, True
    return _natural_last_day(start_day, Period(term_days, Unit.DAYS)), False


# --- the ledger ----------------------------------------------------------------------------------------


class Ledger:
    """State of all agencies' accounts of one namespace, overlaid on an immutable world."""

    queue_lifo = False  # the deliberate defect queue_out_of_order (mock_agencies.defects): off
    transfer_keeps_holding = False  # the deliberate defect transfer_keeps_holding: off
    transfer_keeps_queued = False  # the deliberate defect transfer_keeps_queued: off

    def __init__(self, world: WorldLike, court_accounts: CourtAccounts | None = None) -> None:
        self.world = world
        self.court_accounts = court_accounts if court_accounts is not None else CourtAccounts()
        self._accounts: dict[tuple[str, str], _Account] = {}
        self._freezes: dict[str, _Freeze] = {}
        self._deductions: dict[str, _Deduction] = {}
        self._done: dict[tuple[str, str], tuple[str, object]] = {}  # (agency, request_no) → (op, outcome)
        self._expiries: list[tuple[datetime, int, str]] = []
        self._events: list[LedgerEvent] = []
        self._seq = 0
        self._origin_cents = 0

    # --- reading -------------------------------------------------------------------------------------

    def holdings(self, agency: str, id_number: str, now: datetime) -> tuple[Holding, ...]:
        """Current holdings of a debtor at an agency: balances, available amounts, existing freezes."""
        self._catch_up(now)
        return self._overlaid(agency, self.world.holdings(id_number, agency))

    def holdings_many(self, agencies: Sequence[Any], id_number: str, now: datetime) -> dict[str, tuple[Holding, ...]]:
        """``holdings`` at many agencies (catalogue entries) at once — a 总对总 fan-out: only the agencies where
        something is held."""
        self._catch_up(now)
        many = getattr(self.world, "holdings_many", None)
        if many is None:  # a world without the bulk call
            found = ((a.code, self.world.holdings(id_number, a.code)) for a in agencies)
            out = {code: held for code, held in found if held}
        else:
            out = many(id_number, agencies)
        accounts = self._accounts
        if accounts:
            for code, found in out.items():
                if any((code, h.account_no) in accounts for h in found):
                    out[code] = self._overlaid(code, found)
            return {code: held for code, held in out.items() if held}  # (all transferred: nothing held there)
        return out

    def _overlaid(self, agency: str, found: tuple[Holding, ...]) -> tuple[Holding, ...]:
        """The world's holdings at ``agency`` as the ledger has them: its state for the accounts it holds, without the
        assets transferred (过户: the new owner's)."""
        out = []
        for h in found:
            acc = self._accounts.get((agency, h.account_no))
            if acc is None:
                out.append(h)
            elif not _gone(acc):
                out.append(self._holding(acc))
        return tuple(out)

    def get_freeze(self, freeze_id: str) -> FreezeView:
        return self._view(self._freeze(freeze_id))

    def freeze_state(self, freeze_id: str) -> FreezeState:
        """``get_freeze(freeze_id).state`` without building the whole view (a deduction's answer reads only it)."""
        return self._freeze(freeze_id).state

    def find_freeze(self, freeze_id: str) -> FreezeView | None:
        f = self._freezes.get(freeze_id)
        return None if f is None else self._view(f)

    def get_deduction(self, deduction_id: str) -> DeductOutcome:
        d = self._deductions.get(deduction_id)
        if d is None:
            raise UserError(
                f"扣划不存在：{deduction_id}",
                f"unknown deduction: {deduction_id}",
                where="deduction_id",
                code="not_found",
            )
        return _deduct_outcome(d)

    def transferred(self, agency: str, account_no: str) -> tuple[str, datetime] | None:
        """(new owner, when) if the asset was transferred (过户), else None."""
        acc = self._accounts.get((agency, account_no))
        if acc is None or not _gone(acc):
            return None
        return acc.transferred_to, acc.transferred_at  # type: ignore[return-value]

    def holding_freezes(self, agency: str, account_no: str) -> tuple[ExistingFreeze, ...]:
        """The live measures on an account, in registration order (as a query's holding lists them)."""
        acc = self._accounts.get((agency, account_no))
        return () if acc is None else self._existing(acc)

    def freezes_of(self, agency: str, account_no: str) -> tuple[FreezeView, ...]:
        """All measures ever registered on an account, in order (empty if never touched)."""
        acc = self._accounts.get((agency, account_no))
        return () if acc is None else tuple(self._view(f) for f in acc.freezes)

    def total_cents(self) -> int:
        """All money: materialised bank accounts + court sub-accounts + money paid out of them."""
        return (sum(a.balance_cents + getattr(a, "transferred_cents", 0) for a in self._accounts.values())
                + self.court_accounts.total_cents())

    def origin_cents(self) -> int:
        """All money that ever entered: materialised accounts' world balances + outside payments."""
        return self._origin_cents + self.court_accounts.inflow_cents

    # --- time ----------------------------------------------------------------------------------------

    def advance(self, now: datetime) -> list[LedgerEvent]:
        """Lapse un-renewed freezes whose term ended by ``now`` and promote queued ones; return every
        event since the previous call (including those caused by operations), in order."""
        expiries = self._expiries
        # nothing can lapse without a live term, nor before the earliest (an instant already in CST compares as
        # ``_catch_up`` would compare it: no call for the pumps at an instant where nothing is due)
        if expiries and (now.tzinfo is not CST or expiries[0][0] <= now):
            self._catch_up(now)
        if not self._events:
            return []
        events, self._events = self._events, []
        return events

    def next_expiry(self) -> datetime | None:
        """The earliest instant at which a live freeze lapses (for a scheduler), if any."""
        while self._expiries:
            at, _, fid = self._expiries[0]
            f = self._freezes[fid]
            if f.state == FreezeState.ACTIVE and f.expires_at == at:
                return at
            heapq.heappop(self._expiries)
        return None

    # --- operations ----------------------------------------------------------------------------------

    def credit(self, *, agency: str, id_number: str, account_no: str, amount_cents: int, now: datetime) -> None:
        """Money paid into a debtor's deposit or payment account from outside (income, a transfer): it enters the
        ledger here and goes first to the measures waiting on the account (a partial freeze's shortfall, 轮候), in
        registration order, as money a release frees."""
        if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents < 1:
            raise UserError(f"入账金额须为正整数（分）：{amount_cents!r}",
                            f"amount_cents must be a positive integer: {amount_cents!r}", where="amount_cents")
        self._catch_up(now)
        acc = self._account(agency, id_number, account_no)
        if acc.kind not in (AssetKind.DEPOSIT, AssetKind.BALANCE):
            raise UserError(f"只能向存款或支付账户入账：{agency}:{account_no} 为 {acc.kind.value}",
                            f"only a deposit or payment account takes money in: {agency}:{account_no} is "
                            f"{acc.kind.value}", where="account_no")
        self._materialise(acc)
        acc.balance_cents += amount_cents
        self._origin_cents += amount_cents
        self._fill(acc, as_cst(now))

    def freeze(
        self,
        *,
        agency: str,
        id_number: str,
        account_no: str,
        court_code: str,
        case_no: str,
        amount_cents: int | None,
        request_no: str,
        now: datetime,
        term_days: int | None = None,
        measure: Measure = Measure.FREEZE,
    ) -> FreezeOutcome:
        """Freeze (01) up to the available balance, or seal (11) the whole asset (``amount_cents`` ignored).

        Returns control result 1 when money is controlled; a freeze that controls nothing yet is queued
        (轮候, control result 2, with a queue position) if an earlier measure holds money on the account,
        else nothing is registered (control result 2, no freeze id)."""
        now = as_cst(now)
        self._catch_up(now)
        stored = self._replay(agency, request_no, "freeze")
        if stored is not None:
            return stored  # type: ignore[return-value]
        if measure not in (MEASURE.FREEZE, MEASURE.SEAL):
            raise UserError(f"措施代码须为01或11：{measure}", f"measure must be 01 or 11: {measure}", where="measure")
        _check_term_days(term_days)
        acc = self._account(agency, id_number, account_no)  # not registered until the freeze is
        if measure == MEASURE.SEAL:
            requested = acc.balance_cents
        else:
            if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents < 1:
                raise UserError(
                    f"冻结金额须为正整数（分）：{amount_cents!r}",
                    f"amount_cents must be a positive integer: {amount_cents!r}",
                    where="amount_cents",
                )
            requested = amount_cents
        term_last_day(now.date(), acc.kind, term_days, strict=True)  # validate before any change
        if not court_code or not case_no:
            raise UserError(
                "须有法院代码和案号",
                "court_code and case_no are required",
                where="court_code" if not court_code else "case_no",
            )
        f = _Freeze(
            freeze_id=self._next_id("F"),
            seq=self._seq,
            account=acc,
            court_code=court_code,
            case_no=case_no,
            measure=measure,
            requested_cents=requested,
            term_days=term_days,
            registered_at=now,
        )
        self._materialise(acc)
        others_hold = acc.held_cents() > 0
        acc.freezes.append(f)
        self._fill(acc, now, new=f)
        if f.controlled_cents == 0 and (not others_hold or requested == 0):
            acc.freezes.pop()  # nothing to control and nothing to wait behind: not registered
            outcome = FreezeOutcome(
                request_no,
                None,
                None,
                CONTROL_RESULT.NOT_CONTROLLED,
                requested,
                0,
                requested,
                None,
                None,
                self._existing(acc),
            )
        else:
            self._freezes[f.freeze_id] = f
            if f.controlled_cents == 0:
                self._emit(LEDGER_EVENT_KIND.QUEUED, now, f, 0)
            outcome = self._freeze_outcome(request_no, f)
        self._done[(agency, request_no)] = ("freeze", outcome)
        return outcome

    def renew(
        self,
        *,
        agency: str,
        freeze_id: str,
        request_no: str,
        now: datetime,
        term_days: int | None = None,
        court_code: str | None = None,
    ) -> FreezeOutcome:
        """Renew (02/12) an active measure before it expires: the new last day counts from the current last
        day, within the same limit as a first term."""
        now = as_cst(now)
        self._catch_up(now)
        stored = self._replay(agency, request_no, "renew")
        if stored is not None:
            return stored  # type: ignore[return-value]
        _check_term_days(term_days)
        f = self._owned_freeze(agency, freeze_id, court_code)
        if f.state != FreezeState.ACTIVE or f.expires_at is None:
            raise self._state_error(f, "续行", "renew")
        new_last = term_last_day(_last_day(f.expires_at), f.account.kind, term_days, strict=True)
        f.expires_at = _end_of(new_last)
        heapq.heappush(self._expiries, (f.expires_at, f.seq, f.freeze_id))
        self._emit(LedgerEventKind.RENEWED, now, f, f.controlled_cents)
        outcome = self._freeze_outcome(request_no, f)
        self._done[(agency, request_no)] = ("renew", outcome)
        return outcome

    def unfreeze(
        self,
        *,
        agency: str,
        freeze_id: str,
        request_no: str,
        now: datetime,
        court_code: str | None = None,
    ) -> UnfreezeOutcome:
        """Release (04/14) a live measure; held while a deduction on it is pending and then carried out
        automatically when the last one settles (the stored outcome for ``request_no`` is updated)."""
        now = as_cst(now)
        self._catch_up(now)
        stored = self._replay(agency, request_no, "unfreeze")
        if stored is not None:
            return stored  # type: ignore[return-value]
        f = self._owned_freeze(agency, freeze_id, court_code)
        if f.state not in LIVE_STATES:
            raise self._state_error(f, "解除", "release")
        if f.held_unfreeze is not None:
            raise UserError(
                f"该冻结已有待执行的解除请求 {f.held_unfreeze[1]}",
                f"a release of this freeze is already waiting: request {f.held_unfreeze[1]}",
                where="freeze_id",
                code="conflict",
            )
        if f.pending_cents > 0:
            f.held_unfreeze = (agency, request_no)
            outcome = UnfreezeOutcome(request_no, f.freeze_id, True, f.state, 0, self._existing(f.account, f))
            self._emit(LedgerEventKind.UNFREEZE_HELD, now, f, f.pending_cents)
        else:
            outcome = self._release(f, request_no, now)
        self._done[(agency, request_no)] = ("unfreeze", outcome)
        return outcome

    def transfer(
        self,
        *,
        agency: str,
        freeze_id: str,
        new_owner: str,
        request_no: str,
        now: datetime,
        court_code: str | None = None,
        account_no: str | None = None,
    ) -> TransferOutcome:
        """过户 (15): the asset under the court's seal or freeze ``freeze_id`` is recorded under ``new_owner``; the
        measure ends ``transferred``, and so does every other live one on the asset (轮候 seals). A freeze that
        controls part of the holding (equity, securities) transfers that part: the rest stays the debtor's, with the
        other measures on it. Refused: an asset already transferred, a measure only queued (the first sealing court
        disposes), money (deducted, not transferred), another court's measure."""
        now = as_cst(now)
        self._catch_up(now)
        stored = self._replay(agency, request_no, "transfer")
        if stored is not None:
            return stored  # type: ignore[return-value]
        if not isinstance(new_owner, str) or not new_owner.strip():
            raise UserError("须写明新权利人（买受人或承受人）", "the new owner (buyer or creditor) is required",
                            where="new_owner")
        f = self._owned_freeze(agency, freeze_id, court_code)
        acc = f.account
        if account_no is not None and account_no != acc.account_no:
            raise UserError(
                f"查封/冻结 {freeze_id} 针对财产 {acc.account_no}，不是 {account_no}",
                f"seal or freeze {freeze_id} is on asset {acc.account_no}, not {account_no}",
                where="account_no",
            )
        check_transfer(f.freeze_id, acc.account_no, acc.kind, f.state, self.transferred(agency, acc.account_no))
        part = f.controlled_cents
        if f.measure == Measure.FREEZE and f.state not in LIVE_STATES:
            # released (or lapsed) before the ruling was registered: the part it held at its end, as far as no other
            # measure took it meanwhile (those took effect lawfully; the buyer's remedy is not the registry's)
            part = min(getattr(f, "ended_cents", 0), acc.available_cents())
            if part <= 0:
                raise UserError(
                    f"冻结 {f.freeze_id} 已{STATE_ZH.get(f.state, f.state.value)}，其控制的部分已不在或已由其他措施"
                    "控制，不能据以过户",
                    f"freeze {f.freeze_id} is {f.state.value}: the part it controlled is gone or held by other "
                    "measures, no transfer under it",
                    where="freeze_id", code="conflict",
                )
        if f.measure == Measure.FREEZE and part < acc.balance_cents:  # a frozen part: it alone leaves the debtor
            if f.state in LIVE_STATES:  # (one released before stays released, as a seal does)
                f.controlled_cents = 0
                f.state = FreezeState.TRANSFERRED
                self._emit(LedgerEventKind.TRANSFERRED, now, f, part)
            if not self.transfer_keeps_holding:  # (the deliberate defect: the owner change is never recorded)
                acc.balance_cents -= part
                acc.transferred_cents = getattr(acc, "transferred_cents", 0) + part
                if f.state not in LIVE_STATES:  # (its part left: a second ruling under the ended freeze takes none)
                    f.ended_cents = 0
            self._fill(acc, now)  # (nothing was freed: the part left with its freeze)
            outcome = TransferOutcome(request_no, f.freeze_id, acc.account_no, new_owner, f.state, (), now, part,
                                      acc.balance_cents)
            self._done[(agency, request_no)] = ("transfer", outcome)
            return outcome
        ended = []
        for g in acc.freezes:
            if g.state not in LIVE_STATES or (g is not f and self.transfer_keeps_queued):  # (a deliberate defect)
                continue
            released = g.controlled_cents
            g.controlled_cents = 0
            g.state = FreezeState.TRANSFERRED
            self._emit(LedgerEventKind.TRANSFERRED, now, g, released)
            if g is not f:
                ended.append(g.freeze_id)
        if not self.transfer_keeps_holding:  # (the deliberate defect: the owner change is never recorded)
            acc.transferred_to, acc.transferred_at = new_owner, now
        outcome = TransferOutcome(request_no, f.freeze_id, acc.account_no, new_owner, f.state, tuple(ended), now,
                                  acc.balance_cents)
        self._done[(agency, request_no)] = ("transfer", outcome)
        return outcome

    def deduct(
        self,
        *,
        agency: str,
        freeze_id: str,
        amount_cents: int,
        target_account: str,
        now: datetime,
        request_no: str | None = None,
        court_code: str | None = None,
    ) -> DeductOutcome:
        """Register a deduction (06) from an active freeze, up to the amount it controls; pending until
        ``settle_deduction``. The money stays reserved meanwhile."""
        now = as_cst(now)
        self._catch_up(now)
        if request_no is not None:
            stored = self._replay(agency, request_no, "deduct")
            if stored is not None:
                return stored  # type: ignore[return-value]
        f = self._owned_freeze(agency, freeze_id, court_code)
        if f.measure != MEASURE.FREEZE:
            raise UserError(
                f"查封的财产不能扣划：{freeze_id}",
                f"a sealed asset cannot be deducted: {freeze_id}",
                where="freeze_id",
                code="conflict",
            )
        if f.state != FREEZE_STATE.ACTIVE:
            raise self._state_error(f, "扣划", "deduct from")
        if f.held_unfreeze is not None:
            raise UserError(
                "该冻结正等待解除，不能再扣划",
                "this freeze is waiting to be released; no new deduction",
                where="freeze_id",
                code="conflict",
            )
        if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents < 1:
            raise UserError(
                f"扣划金额须为正整数（分）：{amount_cents!r}",
                f"amount_cents must be a positive integer: {amount_cents!r}",
                where="amount_cents",
            )
        if amount_cents > f.controlled_cents:
            raise UserError(
                f"扣划金额 {amount_cents} 分超过冻结控制金额 {f.controlled_cents} 分",
                f"deduction of {amount_cents} cents exceeds the {f.controlled_cents} cents frozen",
                where="amount_cents",
                code="insufficient_funds",
            )
        if not self.court_accounts.exists(target_account):
            raise UserError(
                f"一案一账号不存在：{target_account}",
                f"unknown case sub-account: {target_account}",
                where="target_account",
                code="not_found",
            )
        f.controlled_cents -= amount_cents
        f.pending_cents += amount_cents
        d = _Deduction(self._next_id("D"), f, request_no, amount_cents, target_account, now)
        self._deductions[d.deduction_id] = d
        self._emit(LEDGER_EVENT_KIND.DEDUCTION_PENDING, now, f, amount_cents, d.deduction_id)
        outcome = _deduct_outcome(d)
        if request_no is not None:
            self._done[(agency, request_no)] = ("deduct", outcome)
        return outcome

    def settle_deduction(self, deduction_id: str, now: datetime) -> DeductOutcome:
        """Carry out a pending deduction: the money leaves the debtor's account for the court sub-account.
        Idempotent. Then a held unfreeze of the same freeze is carried out if nothing else is pending."""
        now = as_cst(now)
        self._catch_up(now)
        d = self._deductions.get(deduction_id)
        if d is None:
            raise UserError(
                f"扣划不存在：{deduction_id}",
                f"unknown deduction: {deduction_id}",
                where="deduction_id",
                code="not_found",
            )
        if d.status != DEDUCT_STATUS.PENDING:
            return _deduct_outcome(d)
        f = d.freeze
        self.court_accounts.credit(
            d.target_account,
            d.amount_cents,
            f"扣划 {d.deduction_id} {f.account.agency}:{f.account.account_no}",
            now=now,
            transfer=True,
        )
        f.account.balance_cents -= d.amount_cents
        f.pending_cents -= d.amount_cents
        f.deducted_cents += d.amount_cents
        d.status = DEDUCT_STATUS.SUCCESS
        d.settled_at = now
        self._emit(LEDGER_EVENT_KIND.DEDUCTION_SETTLED, now, f, d.amount_cents, d.deduction_id)
        if f.pending_cents == 0:
            if f.state == FREEZE_STATE.ACTIVE and f.controlled_cents == 0:
                f.state = FREEZE_STATE.DEDUCTED
                self._emit(LEDGER_EVENT_KIND.DEDUCTED, now, f, f.deducted_cents)
            if f.held_unfreeze is not None:
                key, f.held_unfreeze = f.held_unfreeze, None
                if f.state in LIVE_STATES:
                    outcome = self._release(f, key[1], now)
                else:
                    outcome = UnfreezeOutcome(key[1], f.freeze_id, False, f.state, 0, self._existing(f.account, f))
                self._done[key] = ("unfreeze", outcome)
        return _deduct_outcome(d)

    # --- internals -----------------------------------------------------------------------------------

    def _catch_up(self, now: datetime) -> None:
        expiries = self._expiries
        if not expiries or (now.tzinfo is CST and expiries[0][0] > now):  # nothing can lapse, or nothing due yet
            return
        now = as_cst(now)
        while self._expiries and self._expiries[0][0] <= now:
            at, _, fid = heapq.heappop(self._expiries)
            f = self._freezes[fid]
            if f.state != FreezeState.ACTIVE or f.expires_at != at:
                continue  # stale entry (renewed, released, deducted)
            released = f.controlled_cents
            f.ended_cents = released
            f.controlled_cents = 0
            f.state = FreezeState.LAPSED
            self._emit(LedgerEventKind.LAPSED, at, f, released)
            self._fill(f.account, at)

    def _fill(self, acc: _Account, at: datetime, new: _Freeze | None = None) -> None:
        """Give available money to waiting freezes in registration order."""
        available = acc.available_cents()
        for f in reversed(acc.freezes) if self.queue_lifo else acc.freezes:
            if available <= 0:
                break
            want = f.shortfall_cents
            if want <= 0:
                continue
            take = min(want, available)
            available -= take
            first = f.controlled_cents == 0 and f.effective_at is None
            f.controlled_cents += take
            if first:
                f.state = FREEZE_STATE.ACTIVE
                f.effective_at = at
                f.expires_at = _end_of(term_last_day(at.date(), acc.kind, f.term_days, strict=False))
                heapq.heappush(self._expiries, (f.expires_at, f.seq, f.freeze_id))
                kind = LEDGER_EVENT_KIND.FROZEN if f is new else LEDGER_EVENT_KIND.PROMOTED
            else:
                kind = LEDGER_EVENT_KIND.TOPPED_UP
            self._emit(kind, at, f, take)

    def _release(self, f: _Freeze, request_no: str, now: datetime) -> UnfreezeOutcome:
        released = f.controlled_cents
        f.ended_cents = released
        f.controlled_cents = 0
        f.state = FreezeState.RELEASED
        self._emit(LedgerEventKind.RELEASED, now, f, released)
        self._fill(f.account, now)
        return UnfreezeOutcome(request_no, f.freeze_id, False, f.state, released, self._existing(f.account, f))

    def _account(self, agency: str, id_number: str, account_no: str) -> _Account:
        """The materialised account, or a fresh one from the world (not yet registered)."""
        acc = self._accounts.get((agency, account_no))
        if acc is not None:
            if acc.owner != id_number:
                raise _no_account(agency, account_no, id_number)
            if _gone(acc):
                raise transferred_error(account_no, acc.transferred_to or "", acc.transferred_at)
            return acc
        for h in self.world.holdings(id_number, agency):
            if h.account_no == account_no:
                return _Account(
                    agency,
                    account_no,
                    id_number,
                    h.kind,
                    h.description,
                    h.online_controllable,
                    h.balance_cents,
                    h.balance_cents,
                )
        raise _no_account(agency, account_no, id_number)

    def _materialise(self, acc: _Account) -> None:
        """Register an account built by ``_account`` (once all checks passed): its money enters here."""
        key = (acc.agency, acc.account_no)
        if key not in self._accounts:
            self._accounts[key] = acc
            self._origin_cents += acc.original_cents

    def _freeze(self, freeze_id: str) -> _Freeze:
        f = self._freezes.get(freeze_id)
        if f is None:
            raise UserError(
                f"冻结不存在：{freeze_id}",
                f"unknown freeze: {freeze_id}",
                where="freeze_id",
                code="not_found",
            )
        return f

    def _owned_freeze(self, agency: str, freeze_id: str, court_code: str | None) -> _Freeze:
        f = self._freeze(freeze_id)
        if f.account.agency != agency:
            raise UserError(
                f"冻结 {freeze_id} 不属于机构 {agency}",
                f"freeze {freeze_id} is not held at agency {agency}",
                where="freeze_id",
                code="not_found",
            )
        if court_code is not None and court_code != f.court_code:
            raise UserError(
                f"冻结 {freeze_id} 由法院 {f.court_code} 采取，{court_code} 不能对其操作",
                f"freeze {freeze_id} was taken by court {f.court_code}; court {court_code} cannot act on it",
                where="court_code",
                code="forbidden",
            )
        return f

    def _state_error(self, f: _Freeze, zh: str, en: str) -> UserError:
        return UserError(
            f"冻结 {f.freeze_id} 状态为 {f.state.value}，不能{zh}",
            f"cannot {en} freeze {f.freeze_id} in state {f.state.value}",
            where="freeze_id",
            code="conflict",
        )

    def _replay(self, agency: str, request_no: str, op: str) -> object | None:
        if not request_no:
            raise UserError("请求编号必填", "request_no is required", where="request_no")
        hit = self._done.get((agency, request_no))
        if hit is None:
            return None
        if hit[0] != op:
            raise UserError(
                f"请求编号 {request_no} 已用于其他操作（{hit[0]}）",
                f"request_no {request_no} was already used for another operation ({hit[0]})",
                where="request_no",
                code="conflict",
            )
        return hit[1]

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:09d}"

    def _emit(
        self, kind: LedgerEventKind, at: datetime, f: _Freeze, amount: int, deduction_id: str | None = None
    ) -> None:
        acc = f.account
        self._events.append(
            LedgerEvent(
                kind,
                at,
                acc.agency,
                acc.account_no,
                f.freeze_id,
                f.court_code,
                f.case_no,
                amount,
                deduction_id,
                f.expires_at,
                f.shortfall_cents,
            )
        )

    def _queue_position(self, f: _Freeze) -> int | None:
        if f.shortfall_cents <= 0:
            return None
        pos = 1
        for g in f.account.freezes:
            if g is f:
                return pos
            if g.shortfall_cents > 0:
                pos += 1
        return None

    def _existing(self, acc: _Account, exclude: _Freeze | None = None) -> tuple[ExistingFreeze, ...]:
        """Live measures on the account, in registration order. ``amount_cents`` is the money held (for an
        active measure, including pending deductions) or, for a queued one, the amount waiting."""
        out = []
        for f in acc.freezes:
            if f is exclude or f.state not in LIVE_STATES:
                continue
            amount = f.controlled_cents + f.pending_cents if f.state == FREEZE_STATE.ACTIVE else f.shortfall_cents
            key = (amount, f.state, self._queue_position(f), f.expires_at)
            shown = getattr(f, "shown", None)  # (a freeze restored from a state file of older code has none)
            if shown is None or shown[0] != key:
                shown = f.shown = (key, _existing_of(freeze_id=f.freeze_id, court_code=f.court_code,
                                                       case_no=f.case_no, amount_cents=amount, state=f.state,
                                                       queue_position=key[2], expires_at=f.expires_at))
            out.append(shown[1])
        return tuple(out)

    def _holding(self, acc: _Account) -> Holding:
        return _holding_of(
            account_no=acc.account_no,
            kind=acc.kind,
            description=acc.description,
            balance_cents=acc.balance_cents,
            available_cents=acc.available_cents(),
            online_controllable=acc.online_controllable,
            existing_freezes=self._existing(acc),
        )

    def _freeze_outcome(self, request_no: str, f: _Freeze) -> FreezeOutcome:
        controlled = f.controlled_cents + f.pending_cents
        return FreezeOutcome(
            request_no=request_no,
            freeze_id=f.freeze_id,
            state=f.state,
            control_result=CONTROL_RESULT.CONTROLLED if controlled > 0 else CONTROL_RESULT.NOT_CONTROLLED,
            amount_requested_cents=f.requested_cents,
            amount_controlled_cents=controlled,
            unsecured_remainder_cents=f.shortfall_cents,
            queue_position=self._queue_position(f),
            expires_at=f.expires_at,
            existing_freezes=self._existing(f.account, f),
        )

    def _view(self, f: _Freeze) -> FreezeView:
        acc = f.account
        return FreezeView(
            freeze_id=f.freeze_id,
            agency=acc.agency,
            account_no=acc.account_no,
            id_number=acc.owner,
            court_code=f.court_code,
            case_no=f.case_no,
            measure=f.measure,
            asset_kind=acc.kind,
            state=f.state,
            requested_cents=f.requested_cents,
            controlled_cents=f.controlled_cents,
            pending_deduction_cents=f.pending_cents,
            deducted_cents=f.deducted_cents,
            shortfall_cents=f.shortfall_cents,
            queue_position=self._queue_position(f),
            registered_at=f.registered_at,
            effective_at=f.effective_at,
            expires_at=f.expires_at,
            unfreeze_held=f.held_unfreeze is not None,
        )


def _deduct_outcome(d: _Deduction) -> DeductOutcome:
    return DeductOutcome(
        d.deduction_id,
        d.request_no,
        d.freeze.freeze_id,
        d.status,
        d.amount_cents,
        d.target_account,
        d.accepted_at,
        d.settled_at,
    )


STATE_ZH = {  # a measure's state as a Chinese message says it (冻结已…)
    FreezeState.ACTIVE: "生效",
    FreezeState.QUEUED: "轮候",
    FreezeState.RELEASED: "解除",
    FreezeState.LAPSED: "到期失效",
    FreezeState.DEDUCTED: "全部扣划",
    FreezeState.TRANSFERRED: "因过户解除",
}


def _gone(acc: _Account) -> bool:
    """Whether the asset was transferred (an account restored from an older state file has no such field)."""
    return getattr(acc, "transferred_to", None) is not None


def transferred_error(account_no: str, owner: str, at: datetime | None) -> UserError:
    when = f"{as_cst(at):%Y-%m-%d %H:%M} " if at is not None else ""
    return UserError(
        f"财产 {account_no} 已于 {when}过户至 {owner}，不再属于被执行人，不能再次过户或采取措施",
        f"asset {account_no} was transferred to {owner} {('on ' + when) if when else ''}and no longer belongs to the "
        "debtor: no second transfer, no new measure",
        where="account_no",
        code="conflict",
    )


def check_transfer(freeze_id: str, account_no: str, kind: AssetKind, state: FreezeState,
                   transferred: tuple[str, datetime] | None) -> None:
    """Whether a transfer (15) may act on this measure: refused (``UserError``, changes nothing) for an asset
    already transferred, a measure only queued (轮候: the first sealing court disposes), money (deducted, not
    transferred). One rule for the ledger and the agency's check at submission."""
    if transferred is not None:
        raise transferred_error(account_no, *transferred)
    if kind in MONEY_KINDS:
        raise UserError(
            f"款项以扣划（06）执行，不能过户：{account_no}",
            f"money is deducted (06), not transferred: {account_no}",
            where="freeze_id",
            code="conflict",
        )
    if state == FreezeState.QUEUED:
        raise UserError(
            f"轮候查封/冻结 {freeze_id} 尚未生效，不能据以过户（由首先查封的法院处分）",
            f"{freeze_id} is only queued (轮候), not in effect: no transfer under it (the first sealing court "
            "disposes)",
            where="freeze_id",
            code="conflict",
        )
    if state == FreezeState.TRANSFERRED:  # (a frozen part already transferred under it: the rest is another's to sell)
        raise UserError(
            f"冻结 {freeze_id} 所控制的部分已过户，不能据以再次过户",
            f"the part {freeze_id} controlled was already transferred: no second transfer under it",
            where="freeze_id", code="conflict",
        )
    if state == FreezeState.DEDUCTED:
        raise UserError(
            f"冻结 {freeze_id} 已全部扣划，不能过户", f"freeze {freeze_id} was deducted in full: no transfer",
            where="freeze_id", code="conflict",
        )


def _no_account(agency: str, account_no: str, id_number: str) -> UserError:
    return UserError(
        f"机构 {agency} 无被执行人 {id_number} 的账户 {account_no}",
        f"agency {agency} holds no account {account_no} of debtor {id_number}",
        where="account_no",
        code="not_found",
    )
