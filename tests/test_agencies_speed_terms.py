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
    day = date(2031, 5, 17)  # a day no other test asks about
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
