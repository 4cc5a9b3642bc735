"""Issue 16 point 6, measured: every case of an event log recorded as a scenario and replayed
(``scenarios.record_check``).

* a short ``zhixing simulate`` run (its per-event CSV, masked), in the ``fast`` and the ``realistic`` agency
  profiles: every case replays green;
* a live ``zhixing demo --cases 8`` log (real-time clock, 1,000,000×, mock agencies over HTTP — shipped as
  ``tests/data/demo8.events.jsonl.gz``, masked): every case, with the resumed ones, the flat and the car sold at
  auction, replays green.

The bigger measurement (longer simulations, a fresh demo log) is ``make record-check`` (scenarios/README.md).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from scenarios.record_check import check_log
from sim.profile import load_profile
from sim.replicate import make_units
from sim.run import run_unit

DEMO = Path(__file__).parent / "data" / "demo8.events.jsonl.gz"



def _simulated_log(tmp_path: Path, agencies: str) -> Path:
    profile = load_profile(None).with_intake(120)
    profile = profile.model_copy(update={"warmup_days": 0.0, "agencies": profile.agencies.model_copy(
        update={"profile": agencies})})
    (unit,) = make_units([(profile.name, profile)], years=0.25, replications=1, seed=7, check=False,
                         events_dir=str(tmp_path))
    run_unit(unit)
    (log,) = tmp_path.glob("events-*.csv")
    return log


@pytest.mark.parametrize("agencies", ["fast", "realistic"])
def test_every_case_of_a_short_simulation_replays_green(tmp_path: Path, agencies: str) -> None:
    checks = check_log(_simulated_log(tmp_path, agencies))
    assert len(checks) >= 15
    failed = {c.case: c.failure for c in checks if not c.passed}
    assert not failed, failed


def test_every_case_of_a_live_demo_log_replays_green(tmp_path: Path) -> None:
    log = tmp_path / "demo8.events.jsonl"
    log.write_bytes(gzip.decompress(DEMO.read_bytes()))
    checks = check_log(log)
    assert len(checks) == 11  # 8 cases and 3 resumed ones
    failed = {c.case: c.failure for c in checks if not c.passed}
    assert not failed, failed
    # disposal is replayed: the car (seal, pricing, two auctions, the buyer's bid, payout, transfer, hand-over)
    car = next(c for c in checks if c.case == "(2025)豫0811执6号")
    assert all(k in car.text for k in ("seal:", "price:", "serve_report:", "notify_parties:", "list_auction:",
                                       "relist:", "bid:", "confirm_sale:", "transfer:", "hand_over:"))
    flat = next(c for c in checks if c.case == "(2025)豫0811执3号")  # the replay's pricing answers days later
    assert "一并顺延" in flat.text and "bid:" in flat.text
