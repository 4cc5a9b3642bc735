"""The court's 一案一账号 accounts of a mock session, as the platform's ``CourtAccounts`` port (in-process)."""

from __future__ import annotations

from mock_agencies.session import Session


class SessionAccounts:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def _accounts(self):
        return self.session.ledger.court_accounts

    def open(self, court_code: str, case_id: str) -> str:
        return self._accounts.open(court_code, case_id[:64])

    def balance(self, sub: str) -> int:
        return self._accounts.balance(sub)

    def pay_out(self, sub: str, amount_cents: int, payee: str) -> None:
        self._accounts.pay_out(sub, amount_cents, payee, now=self.session.now())
