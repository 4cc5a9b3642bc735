"""The mock agencies' speed work of session 36 (H75), part two: pure functions remembered — a measure's term, its end
instant, a region's name — and debtors derived once however far apart a court's two cursors run."""

from __future__ import annotations

from datetime import date

import pytest

from core_flow.errors import UserError
from core_flow.protocol import AssetKind
from mock_agencies import ledger as ledger_module
from mock_agencies.identity import region_name
from mock_agencies.world import World


def test_a_term_is_worked_out_once_and_refused_every_time(monkeypatch):
    """The same (day, kind, term) is counted once; a term beyond the limit is capped when not strict and refused
    when strict — also after the capped answer was remembered."""
    calls: list[date] = []
    real = ledger_module.add_years

    def counted(day: date, years: int) -> date:
        calls.append(day)
        return real(day, years)

    monkeypatch.setattr(ledger_module, "add_years", counted)
    ledger_module._term.cache_clear()  # nothing remembered from another test in this process, or a run before
    day = date(2031, 5, 17)
    first = ledger_module.term_last_day(day, AssetKind.DEPOSIT, 365, strict=True)
    assert ledger_module.term_last_day(day, AssetKind.DEPOSIT, 365, strict=True) == first == date(2032, 5, 16)
    assert calls == [day]
    limit = ledger_module.term_last_day(day, AssetKind.DEPOSIT, None, strict=True)
    assert ledger_module.term_last_day(day, AssetKind.DEPOSIT, 5000, strict=False) == limit
    for _ in range(2):
        with pytest.raises(UserError) as err:
            ledger_module.term_last_day(day, AssetKind.DEPOSIT, 5000, strict=True)
        assert err.value.code == "term_too_long"
    end = ledger_module._end_of(first)
    assert ledger_module._end_of(first) is end and end.isoformat() == "2032-05-17T00:00:00+08:00"


def test_a_region_name_is_looked_up_once():
    assert region_name("410811") == "河南省焦作市山阳区"
    assert region_name("410811") is region_name("410811")


def test_debtors_are_derived_once_when_two_cursors_run_thousands_apart():
    """A court takes persons and companies from two cursors over the indices (sim.run): the one behind finds the
    debtors the one ahead derived, still remembered (they were derived again after 4,096)."""
    world = World(7, size=20_000)
    first = world.debtor(0)
    for i in range(1, 10_000):
        world.debtor(i)
    assert world.debtor(0) is first


class _NoScan(dict):
    def values(self):  # noqa: D102 - the point: a scan of every waiting freeze
        raise AssertionError("waits_on scanned every waiting freeze")


def _answered_partly(ticket_id: str, freeze_id: str):
    from types import SimpleNamespace

    from core_flow.protocol import Measure

    feedback = SimpleNamespace(unsecured_remainder_cents=5, freeze_id=freeze_id)
    return SimpleNamespace(feedback=feedback, request=SimpleNamespace(measure=Measure.FREEZE),
                           ticket=SimpleNamespace(ticket_id=ticket_id))


def test_whether_a_ticket_waits_is_looked_up_not_scanned_and_saved_as_before():
    """``waits_on`` (asked for every ticket retired) reads an index by ticket instead of scanning every freeze still
    waiting for money; the index is not saved — the board pickles as it did — and is rebuilt on load."""
    import pickle
    from types import SimpleNamespace

    from mock_agencies.notices import NoticeBoard

    board = NoticeBoard()
    for i in range(3):
        board.answered(_answered_partly(f"TK{i}", f"F{i}"))
    board.answered(_answered_partly("TK9", "F1"))  # the same freeze answered again on another ticket (a replay)
    assert board.__getstate__() == (None, {"_waiting": {"F0": "TK0", "F1": "TK9", "F2": "TK2"}, "listeners": []})
    restored = pickle.loads(pickle.dumps(board))  # noqa: S301 - our own bytes
    for b in (board, restored):
        b._waiting = _NoScan(b._waiting)
        assert [b.waits_on(t) for t in ("TK0", "TK1", "TK2", "TK9", "TK5")] == [True, False, True, True, False]
        b.on_event(SimpleNamespace(kind="released", freeze_id="F0"), {}, lambda *a: None)
        assert not b.waits_on("TK0") and b.waits_on("TK2")


def test_a_pump_with_nothing_due_makes_no_generator(monkeypatch):
    """Most pumps (three per request) find nothing due: the schedule is peeked, not iterated."""
    from mock_agencies.catalogue import load_catalogue
    from mock_agencies.schedule import AnswerSchedule
    from mock_agencies.session import Session, SessionConfig
    from mock_agencies.settings import Settings

    session = Session("ns", SessionConfig(seed=1, profile="fast"), Settings(world_size=100), load_catalogue())

    def no_generator(self, now):
        raise AssertionError("iterated an empty schedule")

    monkeypatch.setattr(AnswerSchedule, "due", no_generator)
    assert session.pump(session.now()) == 0
