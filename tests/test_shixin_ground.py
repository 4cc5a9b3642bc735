"""失信 listings by ground: 《最高人民法院关于公布失信被执行人名单信息的若干规定》(2017) 第一条 lists six grounds;
第二条 lists grounds (二)–(六) for two years (extendable by one to three years) and ground (一) with no fixed term. The
listing (node 37, ``CompleteNode.ground``) names its ground; one that names none takes the process's
``default_ground`` (ground (一) in the bundled process). tests/fidelity_audit.md N37-T."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import yaml

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from core_flow.legal_calendar import CST
from core_flow.process_loader import default_process_path, parse_process

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)  # Monday
LATE = datetime(2031, 3, 5, tzinfo=CST)  # six years on: past any term of 2 + 3 years
# terms end in years with provisional holiday data (the warning is tested in test_calendar_provisional.py)
pytestmark = pytest.mark.filterwarnings("ignore::core_flow.legal_calendar.ProvisionalCalendarWarning")


def _listed(rt, **listing) -> list:
    """A case whose debtor is listed with ``listing`` (ground, extension_years); the ``node_done`` event of 37."""
    rt.submit(c.FileCase("K"))
    assert rt.submit(c.CompleteNode("K", 7)).accepted
    assert rt.submit(c.CompleteNode("K", 36, authority="院长")).accepted
    out = rt.submit(c.CompleteNode("K", 37, authority="院长", **listing))
    assert out.accepted, out.refusal
    return [e for e in out.events if e.kind == EventKind.NODE_DONE and e.node == 37]


def _lifted(rt) -> list:
    return [e for e in rt.case_events("K") if e.kind == EventKind.MEASURE_LIFTED and e.node == 37]


def test_the_bundled_process_gives_ground_one_no_term_and_grounds_two_to_six_two_years(process):
    terms = process.by_no[process.roles.shixin].terms
    assert terms is not None and process.by_no[process.roles.shixin].term is None
    assert sorted(terms.grounds) == [1, 2, 3, 4, 5, 6]
    assert terms.grounds[1].term is None
    assert {str(terms.grounds[g].term) for g in range(2, 7)} == {"2y"}
    assert terms.default_ground == 1
    assert (terms.extension_years.min, terms.extension_years.max) == (1, 3)


def test_a_listing_on_ground_one_is_not_lifted_by_time(make_runtime):
    """Ground (一) 有履行能力而拒不履行: no fixed term (第二条) — no term timer, still listed years later."""
    rt = make_runtime(ORIGIN)
    [done] = _listed(rt, ground=1)
    assert done.data["ground"] == 1 and done.data["term"] is None
    assert "拒不履行" in done.data["ground_name"]
    assert not [e for e in rt.case_events("K") if e.kind == EventKind.DEADLINE_SET and e.node == 37]
    rt.clock.run_until(LATE)
    assert _lifted(rt) == []
    assert rt.cases["K"].measures[37].lifted_at is None


def test_a_listing_naming_no_ground_takes_the_default_ground_one(make_runtime):
    """The sim's clerk and older callers name no ground: the listing is on ground (一), not lifted after 2 years."""
    rt = make_runtime(ORIGIN)
    [done] = _listed(rt)
    assert done.data["ground"] == 1 and done.data["term"] is None
    rt.clock.run_until(LATE)
    assert _lifted(rt) == []


@pytest.mark.parametrize("ground", [2, 3, 4, 5, 6])
def test_a_listing_on_grounds_two_to_six_ends_after_two_years(make_runtime, ground):
    rt = make_runtime(ORIGIN)
    [done] = _listed(rt, ground=ground)
    assert done.data["ground"] == ground and done.data["term"] == "2y"
    [term] = [e for e in rt.case_events("K") if e.kind == EventKind.DEADLINE_SET and e.node == 37]
    assert term.data["ground"] == ground and term.data["period"] == "2y"
    rt.clock.run_until(datetime(2027, 3, 3, 23, 0, tzinfo=CST))  # 2025-03-03 + 2 years: ends at 24:00
    assert _lifted(rt) == []
    rt.clock.run_until(datetime(2027, 3, 5, tzinfo=CST))
    assert [e.data["reason"] for e in _lifted(rt)] == ["term_ended"]


def test_an_extended_listing_ends_after_its_extended_term(make_runtime):
    """第二条: 暴力、威胁方法妨碍、抗拒执行情节严重或具有多项失信行为的，可以延长一至三年 — 2 + 3 = 5 years."""
    rt = make_runtime(ORIGIN)
    [done] = _listed(rt, ground=2, extension_years=3)
    assert done.data["term"] == "5y" and done.data["extension_years"] == 3
    rt.clock.run_until(datetime(2030, 3, 1, tzinfo=CST))
    assert _lifted(rt) == []
    rt.clock.run_until(datetime(2030, 3, 5, tzinfo=CST))
    assert [e.data["reason"] for e in _lifted(rt)] == ["term_ended"]


def test_a_closing_by_full_performance_still_lifts_a_ground_one_listing(make_runtime):
    """第十条: 全部履行 → 删除 (roles.lifted_at_closing) — the way a ground-(一) listing ends here."""
    rt = make_runtime(ORIGIN)
    _listed(rt, ground=1)
    assert rt.submit(c.Close("K", "执行完毕", reviewed_by="审判管理办公室")).accepted
    assert [e.data["reason"] for e in _lifted(rt)] == ["closed_completed"]


@pytest.mark.parametrize(("listing", "code", "zh", "en"), [
    ({"ground": 7}, "UNKNOWN_GROUND", "无事由 7", "has no ground 7"),
    ({"ground": 0}, "UNKNOWN_GROUND", "违反财产报告制度", "property-report"),
    ({"ground": 1, "extension_years": 1}, "BAD_EXTENSION", "无固定期限", "no fixed term"),
    ({"extension_years": 2}, "BAD_EXTENSION", "无固定期限", "no fixed term"),  # the default ground (一)
    ({"ground": 4, "extension_years": 4}, "BAD_EXTENSION", "1–3 年", "1–3 years"),
])
def test_an_unknown_ground_or_extension_is_refused_in_both_languages(make_runtime, listing, code, zh, en):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K"))
    rt.submit(c.CompleteNode("K", 7))
    rt.submit(c.CompleteNode("K", 36, authority="院长"))
    refusal = rt.submit(c.CompleteNode("K", 37, authority="院长", **listing)).refusal
    assert refusal is not None and refusal.code == code
    assert zh in refusal.zh and en in refusal.en
    assert 37 not in rt.cases["K"].measures  # nothing listed


def test_a_ground_on_a_node_that_takes_none_is_refused(make_runtime):
    rt = make_runtime(ORIGIN)
    rt.submit(c.FileCase("K"))
    refusal = rt.submit(c.CompleteNode("K", 7, ground=2)).refusal
    assert refusal is not None and refusal.code == "NO_GROUND"
    assert "不按事由" in refusal.zh and "takes no ground" in refusal.en


def _process_with(node37: dict):
    tree = yaml.safe_load(default_process_path().read_text(encoding="utf-8"))
    for n in tree["nodes"]:
        if n["node"] == 37:
            n.pop("terms", None)
            n.update(node37)
    return parse_process(yaml.safe_dump(tree, allow_unicode=True), "test")


def test_the_terms_are_data_a_court_may_change(make_runtime):
    """default_ground 4: a listing naming no ground is lifted after 2 years again (zhixing ≤ 0.1.x's behaviour)."""
    from core_flow.clocks import SimClock
    from core_flow.engine import Engine
    from core_flow.legal_calendar import default_calendar
    from core_flow.runtime import Runtime

    tree = yaml.safe_load(default_process_path().read_text(encoding="utf-8"))
    terms = next(n for n in tree["nodes"] if n["node"] == 37)["terms"]
    process = _process_with({"terms": {**terms, "default_ground": 4}})
    rt = Runtime(Engine(process, default_calendar()), SimClock(ORIGIN))
    [done] = _listed(rt)
    assert done.data["ground"] == 4
    rt.clock.run_until(datetime(2027, 3, 5, tzinfo=CST))
    assert [e.data["reason"] for e in _lifted(rt)] == ["term_ended"]


@pytest.mark.parametrize(("node37", "message"), [
    ({"term": "2y", "terms": {"default_ground": 1, "grounds": {1: {"name": "x", "en": "x"}}}}, "not both"),
    ({"terms": {"default_ground": 9, "grounds": {1: {"name": "x", "en": "x"}}}}, "default_ground 9"),
    ({"terms": {"default_ground": 1, "grounds": {1: {"name": "x", "en": "x", "term": "2y"}},
                "extension_years": {"min": 3, "max": 1}}}, "min > max"),
])
def test_a_wrong_terms_table_is_refused_at_load(node37, message):
    with pytest.raises(Exception, match=message):
        _process_with(node37)


def test_ground_one_within_a_day_of_the_old_term_is_still_listed(make_runtime):
    """The old rule's lifting instant (2 years after listing) passes with a ground-(一) listing still in force."""
    rt = make_runtime(ORIGIN)
    _listed(rt, ground=1)
    rt.clock.run_until(datetime(2027, 3, 3, 9, 0, tzinfo=CST) + timedelta(days=2))
    assert rt.cases["K"].measures[37].lifted_at is None


def test_a_tester_gives_the_ground_through_the_court_driver():
    """The driver takes CompleteNode's fields by name: ``ground`` and ``extension_years`` reach the engine, a wrong
    ground is the engine's bilingual refusal (not a server error)."""
    from fastapi.testclient import TestClient

    from core_flow.assembly import CourtSpec, build_court
    from core_flow.driver import EngineDriver
    from core_flow.driver.http_app import create_driver_app

    client = TestClient(create_driver_app(EngineDriver(build_court(CourtSpec(origin=ORIGIN)))),
                        raise_server_exceptions=False)
    debtor = {"kind": "person", "name": "张三", "id_number": "110101199003077774"}
    filed = client.post("/cases", json={"case_id": "K1", "amount_cents": 100_000, "debtors": [debtor]})
    assert filed.status_code == 200

    def send(**fields):
        return client.post("/cases/K1/commands", json={"type": "CompleteNode", "fields": fields})

    assert send(node=7).status_code == 200
    assert send(node=36, authority="院长").status_code == 200
    refused = send(node=37, authority="院长", ground=9)
    assert refused.status_code == 200 and "UNKNOWN_GROUND" in refused.text
    assert send(node=37, authority="院长", ground=5, extension_years=1).status_code == 200
    events = client.get("/cases/K1/events").json()
    rows = events["events"] if isinstance(events, dict) else events
    [done] = [e for e in rows if e["kind"] == "node_done" and e["node"] == 37]
    assert done["data"]["ground"] == 5 and done["data"]["term"] == "3y" and done["data"]["extension_years"] == 1
