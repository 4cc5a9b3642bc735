"""The court's 执行款专户 with one sub-account per case (一案一账号).

Money reaches a sub-account by a deduction from a debtor's account (a transfer inside the mock world,
``transfer=True``) or from outside (a voluntary payment, ``transfer=False``); it leaves to the applicant
by ``pay_out``. Paid-out money is kept as a running total so that the world's money can be reconciled:
``total_cents() == balances + paid out``, and ``inflow_cents`` counts what entered from outside.

Choices where the law is silent (documented here):

* A sub-account number is derived deterministically from (court code, case number) by
  ``sub_account_no`` — the engine can compute it without asking, and two sessions with the same inputs
  agree. ``open`` is idempotent.
* Sub-accounts never go negative: paying out more than the balance is refused and changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core_flow.enum_members import members_of
from core_flow.errors import UserError

SUB_ACCOUNT_PREFIX = "YAYZH"  # 一案一账号


def sub_account_no(court_code: str, case_no: str) -> str:
    """The sub-account number of a case: ``YAYZH-{court_code}-{12 hex digits of the case number}``."""
    digest = hashlib.blake2b(case_no.encode("utf-8"), digest_size=6).hexdigest()
    return f"{SUB_ACCOUNT_PREFIX}-{court_code}-{digest}"


class EntryKind(StrEnum):
    CREDIT = "credit"  # 入账
    PAY_OUT = "pay_out"  # 发放给申请执行人


ENTRY_KIND = members_of(EntryKind)  # for hot code: see core_flow.enum_members


@dataclass(frozen=True, slots=True)
class Entry:
    """One booking on a sub-account."""

    seq: int
    sub_account: str
    kind: EntryKind
    amount_cents: int
    counterparty: str  # the source of a credit or the payee of a payment
    balance_after_cents: int
    at: datetime | None = None


@dataclass(slots=True)
class _SubAccount:
    number: str
    court_code: str
    case_no: str
    balance_cents: int = 0
    entries: list[Entry] = field(default_factory=list)


class CourtAccounts:
    """All courts' 执行款专户 of one namespace, with per-case sub-accounts."""

    def __init__(self) -> None:
        self._subs: dict[str, _SubAccount] = {}
        self._seq = 0
        self.paid_out_cents = 0
        self.inflow_cents = 0  # money that entered from outside the mock world's bank accounts

    # --- accounts ------------------------------------------------------------------------------------

    def open(self, court_code: str, case_no: str) -> str:
        """Open (or find) the case's sub-account; returns its number. Idempotent."""
        if not court_code or not case_no:
            raise UserError(
                "开立一案一账号须有法院代码和案号",
                "opening a case sub-account needs a court code and a case number",
                where="court_code" if not court_code else "case_no",
            )
        number = sub_account_no(court_code, case_no)
        if number not in self._subs:
            self._subs[number] = _SubAccount(number, court_code, case_no)
        return number

    def exists(self, sub: str) -> bool:
        return sub in self._subs

    def court_of(self, sub: str) -> str:
        return self._get(sub, "target_account").court_code

    def case_of(self, sub: str) -> str:
        return self._get(sub, "target_account").case_no

    def balance(self, sub: str) -> int:
        return self._get(sub, "sub_account").balance_cents

    def entries(self, sub: str) -> tuple[Entry, ...]:
        return tuple(self._get(sub, "sub_account").entries)

    def sub_accounts(self) -> tuple[str, ...]:
        return tuple(self._subs)

    # --- bookings ------------------------------------------------------------------------------------

    def credit(
        self, sub: str, amount: int, source: str, *, now: datetime | None = None, transfer: bool = False
    ) -> Entry:
        """Book money into a sub-account. ``transfer=True``: it comes from a debtor's account in the
        ledger (a deduction), so the world's total is unchanged; otherwise it enters from outside."""
        acc = self._get(sub, "target_account")
        _check_amount(amount)
        acc.balance_cents += amount
        if not transfer:
            self.inflow_cents += amount
        return self._book(acc, ENTRY_KIND.CREDIT, amount, source, now)

    def pay_out(self, sub: str, amount: int, payee: str, *, now: datetime | None = None) -> Entry:
        """Pay money out to the applicant (申请执行人); refused beyond the balance."""
        acc = self._get(sub, "sub_account")
        _check_amount(amount)
        if amount > acc.balance_cents:
            raise UserError(
                f"发放金额 {amount} 分超过子账户余额 {acc.balance_cents} 分",
                f"payment of {amount} cents exceeds the sub-account balance of {acc.balance_cents} cents",
                where="amount_cents",
                code="insufficient_funds",
            )
        acc.balance_cents -= amount
        self.paid_out_cents += amount
        return self._book(acc, ENTRY_KIND.PAY_OUT, amount, payee, now)

    # --- totals --------------------------------------------------------------------------------------

    def balances_cents(self) -> int:
        return sum(a.balance_cents for a in self._subs.values())

    def total_cents(self) -> int:
        """Money held in sub-accounts plus money paid out."""
        return self.balances_cents() + self.paid_out_cents

    # --- internals -----------------------------------------------------------------------------------

    def _get(self, sub: str, where: str) -> _SubAccount:
        acc = self._subs.get(sub)
        if acc is None:
            raise UserError(
                f"一案一账号不存在：{sub}", f"unknown case sub-account: {sub}", where=where, code="not_found"
            )
        return acc

    def _book(self, acc: _SubAccount, kind: EntryKind, amount: int, party: str, now: datetime | None) -> Entry:
        self._seq += 1
        entry = Entry(self._seq, acc.number, kind, amount, party, acc.balance_cents, now)
        acc.entries.append(entry)
        return entry


def _check_amount(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise UserError(
            f"金额须为正整数（分）：{amount!r}",
            f"amount must be a positive integer number of cents: {amount!r}",
            where="amount_cents",
        )
