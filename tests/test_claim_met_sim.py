"""The simulated court: the claim met ends the selling deadlines (process.yaml ``ends_on: [claim_met]``, H61). The
court of tests/test_disposal_stops_when_met.py: a car and a flat, each worth more than the claim; the car sells first
and its price, paid out, meets the claim (the engine records ``claim_met``); the flat's first auction, begun before,
ends unsold hours later. The handler rightly lists nothing more (H60) — and now nothing times him for it: before, the
flat's 流拍 armed node 26's 30 days to start a second auction, which froze the node once the closing took longer
(seed 11, dispose 1.0: a node-26 freeze held a completed closing 17 days for its unfreeze). Virtual time."""

from __future__ import annotations

from datetime import timedelta

from tests.test_disposal_stops_when_met import _court

SELLING = {19, 20, 21, 22, 23, 24, 25, 26, 28}  # the nodes whose steps name claim_met in ends_on


def test_after_the_claim_is_met_no_selling_step_is_timed_in_the_simulated_court():
    court = _court()
    court.run_for(timedelta(days=240))
    events = court.runtime.case_events("K1")
    paid = [e for e in events if e.kind == "paid_out" and not e.data.get("surplus")]
    assert len(paid) == 1 and paid[0].data["amount_cents"] == court.runtime.cases["K1"].amount_cents
    at = paid[0].at  # the claim met: paid out whole
    unsold = [e for e in events if e.kind == "anchor" and e.data.get("anchor") == "first_unsold"]
    assert unsold and unsold[0].at > at  # the flat's first auction ended unsold after the claim was met
    # before: deadline_set node 26 `start` (30 days to start the second auction) at the 流拍
    assert [(e.node, e.item) for e in events if e.kind == "deadline_set" and e.at >= at and e.node in SELLING] == []
    assert not any(e.kind in ("warning", "deadline_missed", "node_frozen") and e.node in SELLING and e.at >= at
                   for e in events)
    assert court.runtime.cases["K1"].closed_manner == "completed"
    met = [e for e in events if e.kind == "claim_met"]  # recorded by the engine at that payout, once
    assert [e.at for e in met] == [at] and court.runtime.cases["K1"].claim_met_at == at
