"""A crashed unit's message and crash file (``sim.replicate.UnitCrashed``, ``write_trace``) are sent with a bug
report: ID and account numbers in the exception are masked there as in every other output of a run (review R2 —
the exception's text and the full trace were written as raised)."""

from __future__ import annotations

import pytest

from sim import replicate
from sim.replicate import UnitCrashed, make_units, run_units
from tests.sim_support import small_court

ID = "410811199001011234"
ACCOUNT = "6222021234567890123"


def _leaky(unit, progress=None):
    raise ValueError(f"debtor {ID} has no account {ACCOUNT}")


@pytest.mark.parametrize("backend,workers", [("serial", 1), ("process", 2)])
def test_a_crash_masks_id_and_account_numbers_in_its_message_and_file(monkeypatch, tmp_path, backend, workers):
    monkeypatch.setattr(replicate, "run_unit", _leaky)
    units = make_units([("甲县", small_court(60))], years=0.05, replications=2, seed=5)
    with pytest.raises(UnitCrashed) as info:
        run_units(units, backend=backend, workers=workers, crash_dir=tmp_path)
    err = info.value
    trace = err.path.read_text(encoding="utf-8")
    for text in (err.zh, err.en, trace):
        assert ID not in text and ACCOUNT not in text, text
    assert "410811********1234" in err.zh and "6222***********0123" in err.en
    assert "ValueError: debtor 410811********1234" in trace and "Traceback" in trace
