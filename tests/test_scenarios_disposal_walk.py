"""A tester writing disposal scenarios from scenarios/README.md alone (brief H15): each friction met, fixed.

* a node with several work items (28, 30) in ``expect_deadline`` without ``item``: the error now lists the items;
* a sale's proceeds could not be named (``instance: 1`` read as the platform id "1"): ``bid: {as: …}`` names the
  receipt the winning bid brings, and a number as ``instance`` says what to write instead;
* ``other_court_freeze`` on a flat sent a freeze (01) to the real-estate registry, which takes seals (11): nothing
  answered, the other court's measure silently never existed, and an agreement in kind it should block was taken;
* asset kinds (不动产, 车辆, 股权…) were published nowhere: a catalogue in the README, an enum in the JSON Schema;
* an agency written as people say it (车辆登记) got no suggestion;
* ``--steps`` showed a relative time as its parts (``starts={terms: [[16, d]], text: +16d}``) and a disposal stage
  by its code only (``stage=fixed`` for 参考价已定);
* a ``note:`` holding ": " gave YAML's bare "mapping values are not allowed here".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scenarios import refs
from scenarios.catalogue import markdown
from scenarios.describe import arguments
from scenarios.loader import parse_text
from scenarios.runner import run_scenario

ROOT = Path(__file__).parent.parent


def _problems(text: str) -> list[str]:
    return [str(p) for p in parse_text(text, "f.scenario.yaml")[1]]


def _run(text: str):  # noqa: ANN202
    (sc,), bad = parse_text(text, "f.scenario.yaml")
    assert not bad, bad
    return run_scenario(sc)


def _explain(result) -> str:  # noqa: ANN001
    return "\n".join(f"{s.line} {s.key} {s.status} {s.expected} | {s.actual}" for s in result.steps) + result.error


FLAT = """\
name: 查封后他院轮候查封
case:
  number: (2026)豫0811执2701号
  amount: 500000
  filed: 2026-03-02 09:00
  debtors:
    - {as: 周某, world: 155, holdings: [{agency: real_estate_registry, kind: 不动产, amount: 450000, as: 房产}]}
steps:
  - at: +1h
    assign: 李法官
  - verify_identity: 通过
  - at: +1d
    manual_query: real_estate_registry
  - at: +1h
    seal: 房产
  - at: +1d
    other_court_freeze: {asset: 房产, court: R410802}
  - at: +1d
    manual_query: real_estate_registry
  - agree_in_kind: {asset: 房产, price: 440000, applicant_consents: true, debtor_consents: true}
    refused: IN_KIND_OTHER_CREDITORS
  - agree_in_kind: {asset: 房产, price: 440000, applicant_consents: true, debtor_consents: true, others_consent: true}
  - expect_disposal: {asset: 房产, stage: 以物抵债}
"""


def test_another_courts_measure_on_a_flat_is_a_queued_seal_that_blocks_an_agreement_in_kind():
    """Before: the freeze (01) sent to the real-estate registry was never answered, the step passed, the re-query
    reported nothing and the agreement without the other creditors' consent was taken."""
    result = _run(FLAT)
    assert result.passed, _explain(result)


EQUITY = """\
name: 股权一拍成交，价款以出价的 as 命名
case:
  number: (2026)豫0811执2702号
  amount: 300000
  filed: 2026-03-02 09:00
  debtors:
    - {as: 孙某, world: 154, holdings: [{agency: equity_registry, kind: 股权, amount: 1000000, as: 股权}]}
steps:
  - at: +1h
    assign: 李法官
  - verify_identity: 通过
  - complete_node: 执行通知
  - at: +1d
    manual_query: equity_registry
  - at: +1h
    freeze: {asset: 股权, amount: 400000}
  - at: +1d
    investigate: 股权
  - price: {asset: 股权, method: 网络询价}
  - expect_event: {kind: 起算事件, instance: 股权, data: {anchor: report_received}, within: 6d}
  - serve_report: 股权
  - at: +7d
    expect_disposal: {asset: 股权, stage: 参考价已定}
  - notify_parties: {asset: 股权}
  - at: +3d
    list_auction: {asset: 股权, starts: +31d}
  - at: +31d1h
    bid: {asset: 股权, bidder: 竞买人丙, as: 股权价款}
  - at: +1d
    expect_disposal: {asset: 股权, stage: 成交}
  - at: +5d
    expect_disposal: {asset: 股权, stage: 价款到账}
  - register_receipt: 股权价款
  - expect_node: {node: 到账登记, instance: 股权价款, state: 已完成}
  - approve_payout: {authority: 执行局长, receipt: 股权价款}
  - approve_payout: {authority: 分管副院长, receipt: 股权价款}
  - pay_out: {receipt: 股权价款}
  - expect_node: {node: 33, instance: 股权价款, state: 已完成}
  - expect_amounts: {reconciled: true}
"""


def test_the_winning_bids_as_names_the_proceeds_for_receipt_and_instance():
    """Before: ``bid`` took no ``as`` (an unknown key), and nodes 32–33 of a sale's proceeds could be named only by
    the platform's receipt id."""
    result = _run(EQUITY)
    assert result.passed, _explain(result)


def test_an_instance_written_as_a_number_says_to_name_it():
    text = EQUITY.replace("expect_node: {node: 33, instance: 股权价款", "expect_node: {node: 33, instance: 1")
    (problem,) = _problems(text)
    assert "instance 写名称而非序号" in problem and "receipt:" in problem and "bid" in problem


@pytest.mark.parametrize(("node", "items"), [(28, ("announce", "lead_time")), (30, ("ruling", "handover"))])
def test_a_deadline_of_a_node_with_several_items_lists_them_when_item_is_missing(node: int, items: tuple[str, ...]):
    step = f"  - expect_deadline: {{node: {node}, instance: 股权, last_day: 2026-04-01}}\n"
    text = EQUITY.split("steps:")[0] + "steps:\n" + step
    (problem,) = _problems(text)
    assert "须写明 item" in problem
    assert all(item in problem for item in items), problem


def test_asset_kinds_are_published_in_the_readme_and_the_schema():
    table = markdown()
    assert "#### 财产种类 / Asset kinds" in table
    assert "| `real_estate` | 不动产、房产、房屋、住房 | `seal`" in table
    assert "| `equity` | 股权 | `freeze`" in table
    schema = json.loads((ROOT / "scenarios" / "schema.json").read_text(encoding="utf-8"))
    assert {"不动产", "车辆", "股权", "deposit"} <= set(schema["$defs"]["AssetKind"]["enum"])
    kind = schema["$defs"]["HoldingSpec"]["properties"]["kind"]  # the catalogue, or a parameter's ${column}
    assert [k.get("$ref") for k in kind["anyOf"]] == ["#/$defs/AssetKind", "#/$defs/Parameter"]


@pytest.mark.parametrize(("written", "meant"), [
    ("车辆登记", "公安部交通管理局"), ("房产登记中心", "不动产登记（自然资源部）"),
    ("股权登记", "市场监管（工商）股权登记")])
def test_a_registry_written_by_its_kind_of_property_gets_a_suggestion(written: str, meant: str):
    with pytest.raises(ValueError, match="是否想写") as err:
        refs.agency(written)
    assert meant in str(err.value)


def test_steps_show_a_relative_time_as_written():
    text = EQUITY
    (sc,), _ = parse_text(text, "f.scenario.yaml")
    listing = next(s for s in sc.steps if s.key == "list_auction")
    waiting = next(s for s in sc.steps if s.key == "expect_event")
    assert "starts=+31d" in arguments(listing) and "terms" not in arguments(listing)
    assert "within=+6d" in arguments(waiting)


def test_a_disposal_stage_is_reported_in_chinese_first():
    """Written 参考价已定, reported ``stage=fixed``: the tester's word was gone from the report (and a failure said
    ``stage listed`` against ``stage sold``)."""
    (sc,), _ = parse_text(EQUITY, "f.scenario.yaml")
    fixed = next(s for s in sc.steps if s.key == "expect_disposal")
    assert "stage=参考价已定 fixed" in arguments(fixed)
    result = _run(EQUITY.replace("stage: 参考价已定", "stage: 成交", 1))
    failed = result.failure
    assert failed is not None and failed.expected == "stage 成交 sold" and failed.actual == "stage 参考价已定 fixed"


def test_a_note_holding_a_colon_says_to_quote_it():
    text = EQUITY.split("steps:")[0] + "steps:\n  - at: +1h\n    assign: 李法官\n    note: 法官 / judge: named\n"
    (problem,) = _problems(text)
    assert "加引号" in problem and "quote" in problem and ":11:" in problem  # the note's line


def test_a_recorded_sale_names_its_proceeds_by_the_replayed_bid(tmp_path: Path):
    """The recorder named a sale's proceeds by the replay court's receipt id (``S000001-(2025)豫0811执6号``), a
    platform number the README says no scenario needs; the replayed bid now names them (``as: 价款1``)."""
    import gzip

    from scenarios.loader import load_file
    from scenarios.record import read_log, record

    log = tmp_path / "demo8.events.jsonl"
    log.write_bytes(gzip.decompress((ROOT / "tests" / "data" / "demo8.events.jsonl.gz").read_bytes()))
    text = record(read_log(log), "(2025)豫0811执6号")  # the car: two auctions, sold, paid out
    assert "S000001-" not in text
    assert "as: 价款1}" in text and "register_receipt: 价款1" in text and "pay_out: {receipt: 价款1" in text
    path = tmp_path / "car.scenario.yaml"
    path.write_text(text, encoding="utf-8")
    (sc,) = load_file(path)
    result = run_scenario(sc)
    assert result.passed, _explain(result)
