"""The mock agencies' speed work of session 36 (H75): the same results with less repeated work — a retired ticket's
digest taken when needed (and always before a save), a fan-out's per-agency table built once."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta

import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar.tz import CST
from core_flow.protocol import AssetKind, ControlRequest, Holding, Measure, Subject, SubjectKind
from mock_agencies import tickets as tickets_module
from mock_agencies.catalogue import load_catalogue
from mock_agencies.tickets import TicketBook, TicketRecord, request_digest
from mock_agencies.world import World, account_number

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)
SUBJECT = Subject(kind=SubjectKind.PERSON, name="张三·测试", id_number="11010519491231002X")


def _request(no: str, amount: int = 100) -> ControlRequest:
    return ControlRequest(request_no=no, court_code="C1", case_no="K1", measure=Measure.FREEZE, subject=SUBJECT,
                          account_no="62", amount_cents=amount, term_days=365)


def _retired_book(count_digests: list[int], monkeypatch: pytest.MonkeyPatch) -> tuple[TicketBook, object]:
    real = tickets_module.request_digest

    def counted(request: ControlRequest) -> bytes:
        count_digests.append(1)
        return real(request)

    monkeypatch.setattr(tickets_module, "request_digest", counted)
    agency = load_catalogue().get("icbc")
    book = TicketBook()
    for no in ("F1", "F2"):
        request = _request(no)
        ticket = book.issue(agency.code, request, T0)
        book.file(TicketRecord(ticket=ticket, request=request, agency=agency, due_at=T0))
        book.retire(ticket.ticket_id, T0 + timedelta(days=30))
    return book, agency


def test_a_retired_tickets_digest_is_taken_only_when_its_number_comes_again(monkeypatch):
    """Retiring takes no digest (most numbers never come again); a repeat takes it once and still tells the same
    request (the retired ticket) from another one (``conflict``)."""
    digests: list[int] = []
    book, agency = _retired_book(digests, monkeypatch)
    assert digests == []
    again = book.existing(agency, _request("F1"))
    assert again is not None and again.retired and again.ticket.ticket_id == "TK0000000001"
    with pytest.raises(UserError) as err:
        book.existing(agency, _request("F1", amount=101))
    assert err.value.code == "conflict"


def test_a_saved_book_keeps_the_digests_as_before(monkeypatch):
    """A save holds the 8-byte digests — the form earlier code saved and reads — each taken once, however often the
    book is saved; the restored book recognises its numbers."""
    digests: list[int] = []
    book, agency = _retired_book(digests, monkeypatch)
    blob = pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(digests) == 2
    pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(digests) == 2
    restored = pickle.loads(blob)  # noqa: S301 - our own bytes
    saved = list(restored._retired.values())
    assert [d for _, d, _, _ in saved] == [request_digest(_request("F1")), request_digest(_request("F2"))]
    assert restored.existing(agency, _request("F2")).retired
    with pytest.raises(UserError):
        restored.existing(agency, _request("F2", amount=7))


def test_retired_requests_kept_whole_are_bounded(monkeypatch):
    """Review R30 F5: a retired ticket keeps its request (~1.8 KB) instead of its 8-byte digest only up to
    ``OWED_MAX`` at once — beyond, the oldest are digested — so a busy server remembering retired numbers for 90 days
    does not grow by whole requests; each digest is the request's, and a restored book bounds them again."""
    monkeypatch.setattr(TicketBook, "OWED_MAX", 2)
    agency = load_catalogue().get("icbc")
    book = TicketBook()
    numbers = [f"B{i}" for i in range(6)]
    for no in numbers:
        request = _request(no)
        ticket = book.issue(agency.code, request, T0)
        book.file(TicketRecord(ticket=ticket, request=request, agency=agency, due_at=T0))
        book.retire(ticket.ticket_id, T0 + timedelta(days=90))
    kept = [entry[1] for entry in book._retired.values()]
    assert sum(not isinstance(k, bytes) for k in kept) == 2
    assert kept[:4] == [request_digest(_request(no)) for no in numbers[:4]]
    assert book.existing(agency, _request("B0")).retired  # a digested number is still recognised
    with pytest.raises(UserError):
        book.existing(agency, _request("B5", amount=7))
    restored = pickle.loads(pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301 - our own bytes
    for no in ("B6", "B7", "B8"):
        request = _request(no)
        ticket = restored.issue(agency.code, request, T0)
        restored.file(TicketRecord(ticket=ticket, request=request, agency=agency, due_at=T0))
        restored.retire(ticket.ticket_id, T0 + timedelta(days=90))
    assert sum(not isinstance(entry[1], bytes) for entry in restored._retired.values()) == 2


def test_a_fan_outs_agencies_are_tabled_once_and_answer_as_one_by_one(monkeypatch):
    """The hub's group (one tuple, the same at every query) has its per-agency table built once per kind: a second
    debtor of that kind, of another region, works out no agency's threshold; the answers are those of one lookup per
    agency — local banks at home and away, pins included — and after a save and restore too (the pins' index is
    rebuilt)."""
    catalogue = load_catalogue()
    agencies = tuple(catalogue)
    world, single = World(5, size=600, catalogue=catalogue), World(5, size=600, catalogue=catalogue)
    people = [world.debtor(i) for i in range(600)]
    region = people[0].region
    neighbours = [d for d in people if d.region == region and d.kind == people[0].kind]
    elsewhere = next(d for d in people if d.region[:2] != region[:2] and d.kind == people[0].kind)
    assert len(neighbours) >= 2
    first, second = neighbours[0].id_number, neighbours[1].id_number
    extra = Holding(account_no=account_number("icbc", AssetKind.DEPOSIT, second, 9), kind=AssetKind.DEPOSIT,
                    balance_cents=12_345, available_cents=12_345)
    for w in (world, single):
        w.pin(second, "icbc", [extra])
    worked_out: list[str] = []
    threshold_of = World._threshold_of

    def counted(self, agency, kind, *, away):
        worked_out.append(agency.code)
        return threshold_of(self, agency, kind, away=away)

    monkeypatch.setattr(World, "_threshold_of", counted)
    world.holdings_many(first, agencies)
    assert len(worked_out) >= len(agencies)
    worked_out.clear()
    assert world.holdings_many(second, agencies)["icbc"] == (extra,)
    world.holdings_many(elsewhere.id_number, agencies)
    assert worked_out == []  # the table was built at the first debtor's query
    for w in (world, pickle.loads(pickle.dumps(world))):  # noqa: S301 - our own bytes
        w.catalogue = catalogue
        for d in people[:200] + [neighbours[1], elsewhere]:
            expected = {a.code: held for a in agencies if (held := single.holdings(d.id_number, a.code))}
            assert w.holdings_many(d.id_number, agencies) == expected, d.id_number
            assert w.holdings_many(d.id_number, list(agencies)) == expected, d.id_number
    world.unpin(second, "icbc")
    assert world.holdings_many(second, agencies).get("icbc") != (extra,)
    assert world.holdings_many(second, agencies) == {
        a.code: held for a in agencies if (held := World(5, size=600, catalogue=catalogue).holdings(second, a.code))}
