"""以物抵债 by agreement, without auction (seed 004 节点二十九 第2项; tests/fidelity_audit.md N29-2): with the
applicant's and the debtor's consent and no harm to other creditors, the court takes the property it controls at
the agreed value in payment — node 29 done, node 30's ruling 10 days from the agreement, the claim reduced, the
lot ``in_kind`` and transferred to the applicant as after a 流拍. Each refusal comes before anything changes. The
rules the seed leaves open are the process's data (node 29 ``in_kind``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from core_flow.driver.engine_driver import EngineDriver
from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.process_loader import default_process, default_process_path, parse_process
from core_flow.protocol import Measure
from tests.test_disposal import CLAIM, Case, sealed_preservation_case


def _rules(**in_kind):
    """The bundled process with node 29's ``in_kind`` rules changed."""
    data = yaml.safe_load(Path(default_process_path()).read_text(encoding="utf-8"))
    next(n for n in data["nodes"] if n["node"] == 29)["in_kind"].update(in_kind)
    return parse_process(yaml.safe_dump(data, allow_unicode=True))


def _agree(case: Case, price: int = CLAIM, **kw):
    terms = {"applicant_consents": True, "debtor_consents": True, **kw}
    return case.d.agree_in_kind(case.k, case.asset, price, **terms)


def _events(case: Case, kind: EventKind, node: int | None = None) -> list:
    return [e for e in case.court.runtime.case_events(case.k)
            if e.kind == kind and (node is None or e.node == node)]


def _frozen_here(case: Case) -> list:
    return [e for e in _events(case, EventKind.NODE_FROZEN) if e.instance == case.asset]


def _snapshot(case: Case) -> tuple:
    return (case.lot.stage, len(case.court.runtime.case_events(case.k)), case.state.outstanding_cents())


def _other_court(case: Case):
    """Another court seals the flat: before this court's seal (then in effect, this court's 轮候) or behind it."""
    ledger = case.court.session.ledger
    out = ledger.freeze(agency=case.agency, id_number=case.debtor.id_number, account_no=case.holding.account_no,
                         court_code="9999", case_no="(2025)他院执1号", amount_cents=None, request_no="other-1",
                         now=case.court.clock.now(), measure=Measure.SEAL)
    _FIRST[:] = [out.freeze_id]
    return out


_FIRST: list[str] = []  # the other court's last seal


def _query_again(case: Case) -> None:
    assert case.p.manual_query(case.k, case.debtor.id_number, case.agency).accepted
    case.court.run_for(timedelta(days=2))


def test_the_bundled_rules_are_data():
    rules = default_process().in_kind
    assert (rules.allowed, rules.other_measures, rules.reference_price, rules.above_claim) == (
        True, "consent", "optional", "difference")


def test_agreed_before_any_price_the_claim_is_paid_in_kind_and_the_case_closes_fully_enforced():
    case = Case()
    assert case.p.submit(c.CompleteNode(case.k, 7)).accepted  # 执行通知 sent (else node 7 freezes: no 报结)
    case.seal()
    assert case.lot.stage == "sealed" and case.state.node(20, case.asset).items["start"].due is not None
    agreed_at = case.court.clock.now()
    out = _agree(case, CLAIM)
    assert out.accepted
    assert case.lot.stage == "in_kind" and case.status(29) == "done"
    [anchor] = [e for e in _events(case, EventKind.ANCHOR) if e.data["anchor"] == "sale_confirmed"]
    assert anchor.data["in_kind_price_cents"] == CLAIM and anchor.data["by_agreement"] is True
    [paid] = _events(case, EventKind.SATISFIED_IN_KIND)
    assert paid.data["credited_cents"] == CLAIM and paid.data["outstanding_cents"] == 0
    # node 30's ruling: 10 days from the agreement (自…同意以物抵债之日起十日)
    due = case.state.node(30, case.asset).items["ruling"].due
    midnight = agreed_at.replace(hour=0, minute=0, second=0, microsecond=0)
    assert due == midnight + timedelta(days=11)  # 2025-03-07 (Friday): the last day 03-17 (Monday), to 24:00
    # no price is asked: node 20's deadline (15 days, freezing) is withdrawn, not left to freeze the node
    withdrawn = _events(case, EventKind.DEADLINE_WITHDRAWN, 20)
    assert [e.item for e in withdrawn] == ["start"]
    case.court.run_for(timedelta(days=20))
    assert _frozen_here(case) == [] and _events(case, EventKind.DEADLINE_MISSED, 20) == []
    # the ruling and the transfer to the applicant, the hand-over — as after a 流拍
    case.d.investigate(case.k, case.asset)
    case.d.transfer(case.k, case.asset)
    case.court.run_for(timedelta(days=3))
    owner, _ = case.court.session.ledger.transferred(case.agency, case.holding.account_no)
    assert owner == "申请执行人（以物抵债）" and case.state.assets[case.asset].released
    case.d.hand_over(case.k, case.asset)
    assert case.status(30) == "done" and case.lot.stage == "handed_over"
    closed = case.p.submit(c.Close(case.k, "执行完毕", reviewed_by="审判管理办公室"))
    assert closed.accepted and case.state.closed_manner == "completed"


def test_a_value_below_the_claim_leaves_the_rest_owed_and_one_above_it_records_the_difference():
    low = Case().seal()
    assert _agree(low, 100_000_00).accepted
    assert low.state.outstanding_cents() == CLAIM - 100_000_00  # 对剩余债务，被执行人应当继续清偿
    high = Case(seed=6).seal()
    assert _agree(high, CLAIM + 50_000_00).accepted
    [event] = _events(high, EventKind.SATISFIED_IN_KIND)
    assert event.data["difference_cents"] == 50_000_00 and high.state.outstanding_cents() == 0


def test_a_value_above_the_claim_is_refused_where_the_process_says_so():
    case = Case(process=_rules(above_claim="refuse")).seal()
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case, CLAIM + 1)
    assert err.value.code == "in_kind_price" and "高于" in err.value.zh and _snapshot(case) == before
    assert _agree(case, CLAIM).accepted


@pytest.mark.parametrize("applicant, debtor, who", [(False, True, "申请执行人"), (True, False, "被执行人"),
                                                    (False, False, "申请执行人、被执行人")])
def test_without_both_parties_consent_it_is_refused_and_nothing_changes(applicant, debtor, who):
    case = Case().seal()
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case, applicant_consents=applicant, debtor_consents=debtor)
    assert err.value.code == "in_kind_no_consent" and f"未经{who}同意" in err.value.zh
    assert _snapshot(case) == before and case.state.node(29, case.asset) is None


@pytest.mark.parametrize("price", [0, -5])
def test_a_value_that_is_not_positive_is_refused(price):
    case = Case().seal()
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case, price)
    assert err.value.code == "in_kind_price" and _snapshot(case) == before


def test_property_the_court_does_not_control_is_refused():
    found = Case()  # found at the registry, not sealed
    with pytest.raises(UserError) as err:
        _agree(found)
    assert err.value.code == "in_kind_not_controlled" and "尚未控制" in err.value.zh
    queued = Case(seed=6)
    _other_court(queued)  # the other court seals first: this court's seal is 轮候
    queued.seal()
    assert queued.lot.stage == "sealing"
    with pytest.raises(UserError) as err:
        _agree(queued)
    assert err.value.code == "in_kind_not_controlled" and "轮候" in err.value.zh
    ledger = queued.court.session.ledger  # the first seal released: this court's takes effect, told by the registry
    ledger.unfreeze(agency=queued.agency, freeze_id=_FIRST[0], request_no="other-2", now=queued.court.clock.now(),
                    court_code="9999")
    queued.court.session.pump(queued.court.clock.now())
    queued.court.run_for(timedelta(hours=6))
    assert queued.lot.stage == "sealed" and queued.d.other_measures(queued.k, queued.asset) == []
    assert _agree(queued).accepted
    released = Case(seed=7).seal()
    released.p.release(released.k, released.asset)
    released.court.run_for(timedelta(days=2))
    before = _snapshot(released)
    with pytest.raises(UserError) as err:
        _agree(released)
    assert err.value.code == "in_kind_not_controlled" and _snapshot(released) == before


def test_another_creditors_queued_seal_refuses_it_unless_their_consent_is_recorded():
    case = Case().seal()
    _other_court(case)  # 轮候 behind this court's seal
    assert _agree_ok_before_the_registry_reports_it(case)


def _agree_ok_before_the_registry_reports_it(case: Case) -> bool:
    """The court sees what the registry last reported: a seal registered since is seen once it queries again."""
    assert case.d.other_measures(case.k, case.asset) == []
    _query_again(case)
    [other] = case.d.other_measures(case.k, case.asset)
    assert other.court_code == "9999" and str(other.state) == "queued"
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case)
    assert err.value.code == "in_kind_other_creditors" and "他院执1号" in err.value.zh and "同意" in err.value.zh
    assert _snapshot(case) == before
    out = _agree(case, others_consent=True)
    [anchor] = [e for e in _events(case, EventKind.ANCHOR) if e.data["anchor"] == "sale_confirmed"]
    return out.accepted and anchor.data["others_consent"] is True


@pytest.mark.parametrize("mode, with_consent, taken", [("refuse", True, False), ("ignore", False, True)])
def test_the_other_creditors_rule_is_the_process_data(mode, with_consent, taken):
    case = Case(process=_rules(other_measures=mode)).seal()
    _other_court(case)
    _query_again(case)
    if taken:
        assert _agree(case, others_consent=with_consent).accepted
        return
    with pytest.raises(UserError) as err:
        _agree(case, others_consent=with_consent)
    assert err.value.code == "in_kind_other_creditors" and "未记录其同意" not in err.value.zh


def test_a_reference_price_is_needed_first_where_the_process_says_so():
    case = Case(process=_rules(reference_price="required")).seal()
    with pytest.raises(UserError) as err:
        _agree(case)
    assert err.value.code == "in_kind_no_reference_price"
    case.price()
    case.court.run_for(timedelta(days=7))
    assert case.lot.stage == "fixed"
    assert _agree(case).accepted
    # the 10 days to start the sale (node 23, freezing, 督办) are withdrawn: no sale follows
    assert [e.item for e in _events(case, EventKind.DEADLINE_WITHDRAWN, 23)] == ["main"]
    case.court.run_for(timedelta(days=15))
    assert _frozen_here(case) == [] and _events(case, EventKind.DUBAN_RAISED) == []


def test_the_court_that_takes_no_agreement_refuses_it():
    case = Case(process=_rules(allowed=False)).seal()
    with pytest.raises(UserError) as err:
        _agree(case)
    assert err.value.code == "in_kind_not_allowed"


def test_not_while_listed_but_after_a_failed_round():
    case = Case().fixed().listed()
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case)
    assert err.value.code == "disposal_stage" and "拍卖" in err.value.zh and _snapshot(case) == before
    case.until_closed()
    assert case.lot.stage == "unsold1"
    assert _agree(case, 400_000_00).accepted
    # the second auction is not started: node 26's 30 days are withdrawn
    assert [e.item for e in _events(case, EventKind.DEADLINE_WITHDRAWN, 26)] == ["start"]
    with pytest.raises(UserError) as err:
        _agree(case)  # taken already
    assert err.value.code in ("disposal_stage", "in_kind_price")


def test_after_the_second_failure_node_29s_question_is_answered_by_the_agreement():
    case = Case().fixed().listed()
    case.until_closed()
    case.d.relist(case.k, case.asset)
    case.until_closed()
    assert case.lot.stage == "unsold2" and case.state.node(29, case.asset).items["ask"].due is not None
    assert _agree(case, 250_000_00).accepted
    assert case.status(29) == "done" and case.state.node(29, case.asset).items["ask"].done
    case.court.run_for(timedelta(days=12))
    assert _events(case, EventKind.DEADLINE_MISSED, 29) == []


def test_after_the_creditor_refused_at_the_reserve_price_the_sales_announcement_is_withdrawn():
    case = Case().fixed().listed()
    case.until_closed()
    case.d.relist(case.k, case.asset)
    case.until_closed()
    case.d.offer_in_kind(case.k, case.asset, accept=False)
    case.court.run_for(timedelta(days=1))
    assert case.lot.stage == "declined"
    assert _agree(case, 200_000_00).accepted
    assert [e.item for e in _events(case, EventKind.DEADLINE_WITHDRAWN, 28)] == ["announce"]
    case.court.run_for(timedelta(days=20))
    assert _events(case, EventKind.DEADLINE_MISSED, 28) == []


def test_the_ruling_missed_warns_and_is_overdue_as_for_a_sale():
    case = Case().seal()
    assert _agree(case).accepted
    case.court.run_for(timedelta(days=12))
    assert [e.item for e in _events(case, EventKind.WARNING, 30)] == ["ruling"]
    assert [e.item for e in _events(case, EventKind.DEADLINE_MISSED, 30)] == ["ruling"]


def test_a_closed_case_takes_no_agreement():
    case = Case().seal()
    case.p.release(case.k, case.asset)
    case.court.run_for(timedelta(days=1))
    case.state.closed_manner = "completed"  # (closed: the act looks no further)
    with pytest.raises(UserError) as err:
        _agree(case)
    assert err.value.code == "case_closed_disposal"  # H39: as every act advancing a closed case's lot


def test_the_driver_takes_agree_in_kind():
    case = Case().seal()
    driver = EngineDriver(court=case.court)
    out = driver.command(case.k, "AgreeInKind", {"asset": case.asset, "price_cents": CLAIM,
                                                  "applicant_consents": True, "debtor_consents": True})
    assert out.accepted and case.lot.stage == "in_kind"
    with pytest.raises(UserError) as err:
        driver.command(case.k, "AgreeInKind", {"asset": case.asset, "price_cents": CLAIM})
    assert err.value.code in ("bad_fields", "validation")


def test_an_agreement_in_an_event_log_is_recorded_as_the_step_and_replays_green(tmp_path, monkeypatch):
    """The recorder (``zhixing scenarios record``) writes a ``sale_confirmed`` by agreement as ``agree_in_kind`` (at its
    value, both parties consenting), and the recorded case replays green."""
    import tests.test_disposal as td
    from core_flow.eventlog import EventLog
    from scenarios.record_check import check_log

    path, logs = tmp_path / "k.jsonl", []

    def logged(*args, **kw):  # the test's court, its events logged from the filing on
        court = build(*args, **kw)
        logs.append(EventLog(path).attach(court.runtime))
        return court

    build = td.build_virtual_court
    monkeypatch.setattr(td, "build_virtual_court", logged)
    case = Case()
    assert case.p.submit(c.CompleteNode(case.k, 7)).accepted
    case.seal()
    assert _agree(case, 250_000_00).accepted
    case.court.run_for(timedelta(days=1))
    case.d.transfer(case.k, case.asset)
    case.court.run_for(timedelta(days=2))
    case.d.hand_over(case.k, case.asset)
    case.court.run_for(timedelta(days=1))
    logs[0].close()
    [check] = check_log(path)
    assert check.passed, check.failure
    step = next(line for line in check.text.splitlines() if "agree_in_kind:" in line)
    assert "applicant_consents: true" in step and "debtor_consents: true" in step and "250000" in step, step


def test_agreed_while_the_price_is_asked_the_pricing_answer_changes_nothing_and_its_deadlines_end():
    asking = Case().seal()
    asking.d.price(asking.k, asking.asset)
    asking.court.run_for(timedelta(hours=1))
    assert asking.lot.stage == "pricing"
    assert _agree(asking).accepted
    asking.court.run_for(timedelta(days=40))  # the platform answers meanwhile; node 20's 30 days pass
    assert asking.lot.stage == "in_kind" and asking.lot.reference_price_cents is None
    assert [e.item for e in _events(asking, EventKind.DEADLINE_WITHDRAWN, 20)] == ["main"]
    assert _frozen_here(asking) == []
    reported = Case(seed=6).seal()
    reported.d.price(reported.k, reported.asset)
    reported.court.run_for(timedelta(days=4))
    assert reported.lot.stage == "reported"  # the report not served yet: node 21's 3 days run
    assert _agree(reported).accepted
    assert [e.item for e in _events(reported, EventKind.DEADLINE_WITHDRAWN, 21)] == ["main"]
    reported.court.run_for(timedelta(days=10))
    assert _events(reported, EventKind.DEADLINE_MISSED, 21) == [] and reported.lot.stage == "in_kind"


def test_a_preservation_case_takes_no_agreement_the_preserved_property_is_held_for_the_judgment(monkeypatch):
    """A 财产保全 case executes a preservation ruling: its property is held for the judgment's enforcement (seed 004
    执行完毕 第3项), there is no enforceable claim to pay in kind — node 29 does not apply to it (process.yaml
    override), and the agreement is refused before anything changes. (It was taken: the preserved flat went to the
    applicant and the 执保 case read as satisfied in full.)"""
    case = sealed_preservation_case(monkeypatch)
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case)
    assert err.value.code == "in_kind_not_allowed" and "财产保全" in err.value.zh and "preservation" in err.value.en
    assert _snapshot(case) == before and case.state.node(29, case.asset) is None
    assert not case.state.satisfied_in_full()


def test_a_sale_confirmed_on_one_asset_withdraws_no_deadline_of_another_being_priced():
    """``ends_on: [sale_confirmed]`` (nodes 20–23, 28) is per asset: the ordinary auction flow's confirmation of the
    flat's sale leaves the shop's price deadline (node 20, 30 days, freezing) running. A guard (review R1): it holds
    on the code as committed; a case-wide withdrawal would fail it."""
    from core_flow.protocol import AssetKind, Holding
    from mock_agencies.world import account_number

    case = Case().fixed().listed()
    case.bid()
    case.until_closed()
    case.court.run_for(timedelta(days=6))
    assert case.lot.stage == "paid"
    shop = Holding(account_no=account_number(case.agency, AssetKind.REAL_ESTATE, case.debtor.id_number, 2),
                   kind=AssetKind.REAL_ESTATE, balance_cents=500_000_00, available_cents=500_000_00,
                   description="商铺一间 / a shop")
    case.court.session.world.pin(case.debtor.id_number, case.agency, [case.holding, shop])
    _query_again(case)
    other = f"{case.agency}:{shop.account_no}"
    case.p.seal(case.k, other)
    case.court.run_for(timedelta(days=2))
    case.d.price(case.k, other)
    case.court.run_for(timedelta(hours=1))
    assert case.d.lots[(case.k, other)].stage == "pricing"
    due = case.state.node(20, other).items["main"].due
    case.d.confirm_sale(case.k, case.asset)
    assert "sale_confirmed" in case.anchors() and _events(case, EventKind.DEADLINE_WITHDRAWN) == []
    main = case.state.node(20, other).items["main"]
    assert not main.done and main.due == due


def test_a_frozen_node_of_the_assets_disposal_refuses_the_agreement_until_unfrozen():
    """Node 20 froze (no price asked within 15 days of the seal): the agreement passed it by — node 29's own
    predecessors were checked, not the asset's frozen price node — and the property went to the applicant with node 20
    still frozen ("不得流转下一节点"). Refused now, naming the node and who unfreezes it; taken once unfrozen."""
    case = Case()
    case.seal()
    case.court.run_for(timedelta(days=20))  # node 20's 15 days to start the price ran out
    assert case.status(20) == "frozen"
    before = _snapshot(case)
    with pytest.raises(UserError) as err:
        _agree(case)
    assert err.value.code == "node_frozen" and err.value.nodes == ((20, case.asset),)
    assert f"节点已冻结（20/{case.asset}）" in err.value.zh and "waits for an unfreeze" in err.value.en
    assert _snapshot(case) == before
    case.p.submit(c.RequestUnfreeze(case.k, 20, case.asset, by="承办人"))
    assert case.p.submit(c.ApproveUnfreeze(case.k, 20, "中院执行局长", case.asset)).accepted
    assert _agree(case).accepted and case.lot.stage == "in_kind"


def test_the_rules_on_a_second_node_are_refused_at_its_line():
    """Two nodes carrying ``in_kind`` were read silently as the first one's: the second is refused, located."""
    text = Path(default_process_path()).read_text(encoding="utf-8")
    old = "  - node: 30\n    name: 所有权转移及交付\n"
    assert old in text
    text = text.replace(old, old + "    in_kind: {allowed: false}\n", 1)
    with pytest.raises(UserError) as err:
        parse_process(text, "court.yaml")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.strip() == "in_kind: {allowed: false}")
    assert f"court.yaml:{line}" in err.value.message and "只能写在一个节点上" in err.value.message
