"""Disposal in the year-scale simulation (``disposal: true``): real estate and vehicles found at the registries are
sealed, priced, auctioned and paid out by the court's staff as work items, under the same rule checks."""

from __future__ import annotations

import pytest

from core_flow.errors import UserError
from sim.profile import DISPOSAL_ACTIONS, load_profile
from sim.replicate import make_units
from sim.run import run_unit
from tests.sim_support import small_court

DISPOSAL_NODES = range(19, 31)


def _run(disposal: bool, seed: int = 7, share: float = 1.0) -> dict:
    profile = small_court(400, judges=3, clerks=3, disposal=disposal, disposal_share=share)
    unit = make_units([("测试法院", profile)], years=0.6, replications=1, seed=seed)[0]
    return run_unit(unit)  # the rule checks fail the run on a violation (money to the cent, no timer lost, …)


@pytest.fixture(scope="module")
def with_disposal() -> dict:
    return _run(True)


def test_property_at_the_registries_is_disposed_of_by_the_staff_and_its_price_paid_out(with_disposal):
    r = with_disposal
    work = r["work"]
    # every disposal step was a work item of its own type, with staff time
    for kind in ("registry_query", "seal", "investigate", "pricing", "serve_report", "notify_parties", "list",
                 "confirm", "transfer"):
        assert work[kind]["items"] > 0, kind
        assert work[kind]["staff_hours"] > 0, kind
    # nodes 19–30 ran with their deadlines, and sales' proceeds came in and were paid out
    disposal_deadlines = sum(v["deadlines"] for n, v in r["per_node"].items() if int(n) in DISPOSAL_NODES)
    assert disposal_deadlines > 50
    assert r["kpi"]["proceeds_yuan"] > 0
    assert r["kpi"]["recovered_yuan"] > r["kpi"]["deducted_yuan"]  # the proceeds are paid out too
    # … to the applicants up to their claims; what a sale brings beyond a claim goes back to the debtor, apart
    claims = sum(row["amount_cents"] for row in r["cases"]) / 100
    assert 0 < r["kpi"]["recovered_yuan"] <= claims
    assert r["kpi"]["returned_yuan"] > 0
    assert r["kpi"]["recovered_yuan"] + r["kpi"]["returned_yuan"] <= r["kpi"]["deducted_yuan"] + r["kpi"][
        "proceeds_yuan"] + 0.005
    assert r["meta"]["refusals"].get("CASE_CLOSED", 0) < 0.05 * r["meta"]["cases_filed"]
    assert "invalid" not in r["meta"]["refusals"]  # no step the platforms refuse (a relisting past its window)


def test_without_disposal_nothing_is_sought_at_the_registries():
    r = _run(False)
    assert not any(int(n) in DISPOSAL_NODES for n in r["per_node"])
    assert "registry_query" not in r["work"] and r["kpi"]["proceeds_yuan"] == 0


def test_property_the_court_does_not_take_is_recorded_found_and_not_sealed():
    """``disposal_share: 0`` (every flat a debtor's only home, say): the registries are asked, what they report is
    property found (node 17 done, recorded), and nothing is sealed, priced or sold."""
    r = _run(True, share=0.0)
    assert r["work"]["registry_query"]["items"] > 0
    assert "seal" not in r["work"] and "list" not in r["work"] and r["kpi"]["proceeds_yuan"] == 0
    assert not any(int(n) in DISPOSAL_NODES for n in r["per_node"])


def test_the_disposal_run_is_reproducible(with_disposal):
    again = _run(True)
    assert again["kpi"] == with_disposal["kpi"] and again["per_node"] == with_disposal["per_node"]


def test_disposal_needs_its_action_timings_and_says_so(tmp_path):
    complete = load_profile().as_dict()
    actions = {k: v for k, v in complete["actions"].items() if k not in DISPOSAL_ACTIONS}
    f = tmp_path / "court.yaml"
    import yaml

    f.write_text(yaml.safe_dump({**complete, "base": "none", "actions": actions, "disposal": True},
                                allow_unicode=True), encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_profile(f)
    assert "actions" in err.value.where and "registry_query" in err.value.en and "disposal: false" in err.value.en
    f.write_text(yaml.safe_dump({**complete, "base": "none", "actions": actions, "disposal": False},
                                allow_unicode=True), encoding="utf-8")
    assert load_profile(f).disposal is False  # without disposal, its timings are not needed


def test_real_property_a_zhongben_sweep_finds_is_sealed_and_the_case_resumed(tmp_path):
    """A 终本 register whose sweeps fall due in the run, its debtors drawn from the world like any other's
    (``register_debtors: world``): what the registries report is sealed by the staff, and the case is resumed from
    终本管理 (as for money found)."""
    rows = ["case,filed,type,current_node,handler,amount_yuan,zhongben_closed"]
    rows += [f"(2024)豫0811执{900 + i}号,2024-01-10,首执,,,200000,2024-07-10" for i in range(40)]
    csv = tmp_path / "register.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    profile = small_court(1, judges=2, clerks=2, disposal=True, start_state=str(csv), register_debtors="world")
    unit = make_units([("测试法院", profile)], years=0.6, replications=1, seed=5)[0]
    r = run_unit(unit)
    assert r["kpi"]["sweeps"] >= 40  # every register case swept (its 6-month sweep fell due)
    assert r["work"]["seal"]["items"] > 0  # real estate or vehicles found by the sweeps were sealed …
    assert r["kpi"]["resumptions"] > 0  # … and the cases resumed
    # the resumed cases took the seals over and disposed of them (``Platform.carry_over``): sold, and paid out
    assert r["work"]["list"]["items"] > 0 and r["kpi"]["proceeds_yuan"] > 0
    resumed = [row for row in r["cases"] if row["type"] == "resumed"]
    assert any(row["manner"] == "completed" for row in resumed)


def test_disposal_results_do_not_depend_on_the_process_hash_seed(with_disposal):
    """A process-pool or Ray worker has its own string-hash seed: nothing in the disposal may follow it (set order,
    ``hash()``), or serial and parallel runs would differ."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    def digest(r: dict) -> str:
        return json.dumps({"kpi": r["kpi"], "per_node": r["per_node"], "work": r["work"]}, sort_keys=True, default=str)

    code = ("from tests.test_sim_disposal import _run; import json; r = _run(True); "
            "print(json.dumps({'kpi': r['kpi'], 'per_node': r['per_node'], 'work': r['work']}, sort_keys=True, "
            "default=str))")
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "4321", "PYTHONPATH": str(root)})
    assert out.stdout.strip().splitlines()[-1] == digest(with_disposal)


def test_the_disposal_share_option_turns_disposal_on_at_that_share():
    p = small_court(400).with_disposal(0.4)
    assert p.disposal is True and p.disposal_share == 0.4
    assert small_court(400).disposal is False  # the profile's own setting otherwise
