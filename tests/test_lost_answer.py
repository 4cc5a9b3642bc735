"""The fault kind ``lost_answer`` (profile 0.6.1): a 查控 request carried out whose answer never reaches the court —
a 504 after the act. The court's gateway sends it again with the same request number and the agency answers the same
ticket: every request acted on once, the ledger as without faults (requirement AG-002 from the court's side)."""

from __future__ import annotations

from collections import Counter

import pytest

from core_flow.protocol import Measure
from mock_agencies.profiles import FaultKind, Faults, load_profile
from tests.test_agencies_api import _fault_setup, make_client
from tests.test_gateway_simulated import NO_FAULTS, ledger_view, run_freezes

LOST_30 = {"*": {"faults": {"error_5xx": 0, "timeout": 0, "reset": 0, "rate_limit": 0, "lost_answer": 0.3},
                 "maintenance": []}}


def test_lost_answers_are_sent_again_and_each_request_is_acted_on_once() -> None:
    clean, work = run_freezes(NO_FAULTS)
    lossy, _ = run_freezes(LOST_30)
    assert lossy.port.faults >= 10  # answers really were lost
    delivered = Counter(fb.request_no for _, fb in lossy.answers)
    assert sorted(delivered) == sorted(r.request_no for _, r in work) and set(delivered.values()) == {1}
    for bank, req in work:
        if req.measure is Measure.FREEZE:  # frozen once, though the first answer said nothing of it
            assert len(lossy.session.ledger.freezes_of(bank, req.account_no)) == 1
    assert ledger_view(lossy) == ledger_view(clean)
    outcomes = Counter(e["outcome"] for e in lossy.session.journal.entries(kind="submit"))
    # each request carried out once; the ones whose answer was lost answered again as the same ticket
    assert outcomes["accepted"] == len(work) and outcomes["fault:lost_answer"] == lossy.port.faults
    assert outcomes["duplicate"] >= 1


def test_no_lost_answers_draw_as_before() -> None:
    """With ``lost_answer`` 0 the random draws are those of a profile without it (it is drawn last)."""
    import random

    old = Faults(error_5xx=0.2, timeout=0.1, rate_limit=0.1)
    profile = load_profile("fast", {"*": {"faults": old.model_dump()}})
    behaviour = profile.behaviour("icbc", "bank")
    a, b = random.Random(5), random.Random(5)
    kinds = [behaviour.draw_fault(a) for _ in range(200)]
    assert FaultKind.LOST_ANSWER not in kinds and kinds == [behaviour.draw_fault(b) for _ in range(200)]
    assert Faults(lost_answer=0.4).any and not Faults().any
    with pytest.raises(ValueError):
        Faults(error_5xx=0.7, lost_answer=0.4)  # the rates sum to at most 1


async def test_over_http_the_freeze_is_made_the_answer_lost_and_the_resend_answered_as_the_same_ticket() -> None:
    async with make_client() as client:
        ns, d, acct, _ = await _fault_setup(client, "lost", lost_answer=1.0)
        body = ns.body(d, "01", account_no=acct, amount_cents=10_000)
        r = await ns.submit("icbc", body)
        assert r.status_code == 504 and r.headers["X-Zhixing-Fault"] == "lost_answer"
        assert r.json()["error"]["code"] == "fault_lost_answer" and "同一请求编号" in r.json()["error"]["zh"]
        assert (await client.get("/admin/sessions/lost")).json()["tickets"] == 1  # carried out all the same
        (h,) = await ns.holdings("icbc", d)
        assert h["available_cents"] == 80_000 - 10_000
        await ns.faults(lost_answer=0.0)
        again = await ns.submit("icbc", body)
        assert again.status_code == 200 and again.json()["duplicate"] is True
        (h,) = await ns.holdings("icbc", d)
        assert h["available_cents"] == 80_000 - 10_000 and len(h["existing_freezes"]) == 1  # frozen once
        assert h["balance_cents"] == 80_000  # frozen, not moved


def _court_year(kind: str) -> dict:
    from sim.profile import Agencies
    from sim.replicate import make_units
    from sim.run import run_unit
    from tests.sim_support import small_court

    profile = small_court(400, judges=3, clerks=3, disposal=True, disposal_share=1.0)
    agencies = Agencies(profile="fast", overrides={"*": {"faults": {kind: 0.3}}})
    unit = make_units([("测试法院", profile.model_copy(update={"agencies": agencies}))], years=0.6, replications=1,
                      seed=7)[0]
    return run_unit(unit)  # the rule checks fail the run on a violation (money to the cent, no timer lost, …)


def test_a_court_year_with_lost_answers_everywhere_ends_as_with_timeouts_at_the_same_draws() -> None:
    """30% of every call (查控 agencies, the hub, the pricing and auction platforms) answered 504: carried out with its
    answer lost, or not carried out (a timeout). The draws are the same, the court sends the same calls again, and
    every act is made once either way: the same year to the staff item (a freeze made twice, a second listing, a
    decision told twice and refused would show in the money, the nodes or the work)."""
    timeouts, lost = _court_year("timeout"), _court_year("lost_answer")
    assert lost["kpi"] == timeouts["kpi"] and lost["per_node"] == timeouts["per_node"]
    assert lost["meta"]["refusals"] == timeouts["meta"]["refusals"]
    assert {k: (w["items"], w["staff_hours"]) for k, w in lost["work"].items()} == \
        {k: (w["items"], w["staff_hours"]) for k, w in timeouts["work"].items()}
    assert lost["kpi"]["proceeds_yuan"] > 0 and lost["kpi"]["deducted_yuan"] > 0
