"""Speed (issue 11 point 9, H76): the arrivals draw each case's type without ``Generator.choice`` (which checks its
shares again at every call, ~30 µs) — numpy's own steps, so the same draws give the same intake to the last bit
(the figures below are those of ``rng.choice``, before the change)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from sim.arrivals import Arrival, arrivals
from sim.profile import load_profile
from sim.staff import WorkHours


class _NoChoice:
    """A generator that refuses ``choice`` and passes everything else to a real one."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng

    def choice(self, *_: Any, **__: Any) -> Any:
        raise AssertionError("Generator.choice called per arrival")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rng, name)


def test_case_types_are_drawn_without_choice_and_as_choice_drew_them():
    p = load_profile()
    got = arrivals(p, WorkHours(p.origin, p.periods), 30.0, _NoChoice(np.random.default_rng(7)))  # type: ignore[arg-type]
    assert len(got) == 327
    assert Counter(a.case_type for a in got) == {"first": 280, "preservation": 39, "resumed": 8}
    assert [i for i, a in enumerate(got) if a.case_type == "resumed"] == [18, 30, 87, 146, 216, 222, 285, 292]
    assert sum(a.amount_cents for a in got) == 4389247054
    assert got[-1] == Arrival(at=2191303.2456784244, case_type="first", money=True, nonlitigation=False, person=True,
                              amount_cents=16603722, shixin=False)
