"""Review (R11) of scenarios that set the court's process options (``process:``, ``--process``; commits bb61d82,
89e5949): what gave a tester a wrong answer, a silent pass or a traceback, each fixed and checked here.

* the fee suite (scenarios/suite/fees): every scenario that sets ``process:`` fails on the bundled court (before, the
  two contrasts for ``settle_before_escrow: false`` and ``resumed: none`` passed with the fee off altogether), and
  each FEE_UNSETTLED refusal is one fen above what the court accepts (before, 59,500 where 59,350 is the bound);
* the recorder: a log of a court with ``resumed: none`` records that option (before, its replay was refused
  FEE_UNSETTLED); an escrow (提存) is recorded with the fee it settled first and, where none was, the court's
  ``settle_before_escrow: false`` (before, the escrow was left out without a word and the replay held the money);
  the recording's note names only the settings it wrote;
* nesting thousands deep (a scenario's ``process:`` or any key; a ``--process`` file) is a located mistake, not a
  RecursionError traceback;
* a ``--process`` file the process model refuses is said in Chinese and English (before, the model's English in
  both halves), every problem at its ``file:line [key]``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from core_flow.errors import UserError
from core_flow.process_loader import default_process_path
from scenarios.loader import parse_text
from scenarios.process_options import load_base
from scenarios.runner import run_scenario
from tests.test_scenarios_process import recording_of

FEES = Path(__file__).parent.parent / "scenarios" / "suite" / "fees"


def _docs() -> list[tuple[str, int, dict[str, Any]]]:
    return [(path.name, i, doc) for path in sorted(FEES.glob("*.scenario.yaml"))
            for i, doc in enumerate(yaml.safe_load_all(path.read_text(encoding="utf-8"))) if doc]


def _run(doc: dict[str, Any], source: str = "r11.scenario.yaml") -> Any:
    found, problems = parse_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), source)
    assert not problems, problems
    return run_scenario(found[0])


# ── the fee suite expects enough ─────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(("name", "index", "doc"), [d for d in _docs() if "process" in d[2]],
                         ids=lambda v: v if isinstance(v, str) else str(v) if isinstance(v, int) else "")
def test_a_fee_scenario_fails_on_the_bundled_court_without_its_options(name: str, index: int, doc: dict[str, Any]):
    """A fee scenario passing on a court with the fee off proves nothing about the option it is named after (the
    settle_before_escrow: false and resumed: none contrasts did: nothing in them needed the fee on)."""
    assert _run(doc).passed, f"{name}[{index}] should pass with its process:"
    bare = {k: v for k, v in doc.items() if k != "process"}
    assert not _run(bare).passed, f"{name}[{index}] passes with the fee off too: it does not show its option"


def _bound_steps() -> list[tuple[str, int, dict[str, Any], int]]:
    """Per fee scenario, the FEE_UNSETTLED refusal of a payout with the smallest amount on each receipt and case:
    the bound the scenario claims."""
    out = []
    for name, index, doc in _docs():
        lowest: dict[tuple[Any, Any], tuple[Decimal, int]] = {}
        for j, step in enumerate(doc["steps"]):
            if step.get("refused") == "FEE_UNSETTLED" and isinstance(step.get("pay_out"), dict) \
                    and "amount" in step["pay_out"]:
                key = (step.get("case"), step["pay_out"].get("receipt"))
                amount = Decimal(str(step["pay_out"]["amount"]))
                if key not in lowest or amount < lowest[key][0]:
                    lowest[key] = (amount, j)
        out += [(name, index, doc, j) for _, j in lowest.values()]
    return out


@pytest.mark.parametrize(("name", "index", "doc", "j"), _bound_steps(),
                         ids=lambda v: v if isinstance(v, str) else str(v) if isinstance(v, int) else "")
def test_a_fee_refusal_is_one_fen_above_what_the_court_pays_out(name: str, index: int, doc: dict[str, Any], j: int):
    """A refusal well above the bound (59,500 where the applicant may have 59,350) passes on a court that keeps back
    too little of the fee: the refused amount less one fen is paid out."""
    step = dict(doc["steps"][j])
    amount = Decimal(str(step["pay_out"]["amount"])) - Decimal("0.01")
    step["pay_out"] = {**step["pay_out"], "amount": float(amount)}
    del step["refused"]
    step.pop("note", None)
    fen_less = {**doc, "steps": [*doc["steps"][:j], step]}
    result = _run(fen_less)
    assert result.passed, f"{name}[{index}] step {j}: {amount} is refused too\n{result.explain()}"


# ── the recorder ─────────────────────────────────────────────────────────────────────────────────────────
def _recorded(text: str, tmp_path: Path) -> tuple[str, Any]:
    """``text``'s scenario run on a logged court, recorded from the log: (the recording, its scenario)."""
    found, problems = parse_text(text, "orig.scenario.yaml")
    assert not problems, problems
    recorded = recording_of(found[0], tmp_path / "run.jsonl")
    found, problems = parse_text(recorded, "rec.scenario.yaml")
    assert not problems, problems
    return recorded, found[0]


def _fee_doc(path: str, index: int) -> str:
    docs = [d for d in yaml.safe_load_all((FEES / path).read_text(encoding="utf-8")) if d]
    return yaml.safe_dump(docs[index], allow_unicode=True, sort_keys=False)


def test_a_log_of_a_court_that_carries_no_fee_to_the_resumed_case_records_resumed_none(tmp_path: Path):
    """Before: process: {enabled: true} alone — the replay's resumed case carried the fee and its payout of the
    whole 200,000 was refused FEE_UNSETTLED, a recording that failed on its own log."""
    text, sc = _recorded(_fee_doc("resumed.scenario.yaml", 1), tmp_path)
    assert yaml.safe_load(text)["process"] == {"fees": {"application_fee": {"enabled": True, "resumed": "none"}}}
    result = run_scenario(sc)
    assert result.passed, result.explain()


def test_a_log_with_the_default_carry_over_records_no_resumed_option(tmp_path: Path):
    text, sc = _recorded(_fee_doc("resumed.scenario.yaml", 0), tmp_path)
    assert yaml.safe_load(text)["process"] == {"fees": {"application_fee": {"enabled": True}}}
    assert run_scenario(sc).passed


# the fee on, a payout settles the fee on the first 10,000 (50); the second receipt, 30,000, escrowed whole by a court
# that does not settle the fee before an escrow (the default would settle 50 + 1.5% × 30,000 = 500 − 50 = 450 first)
ESCROW_AFTER_PAYOUT = """\
name: 提存不先结算，先前发放已结算部分申请费
process:
  fees: {application_fee: {enabled: true, settle_before_escrow: false}}
seed: 7
case:
  number: (2025)豫0811执2795号
  amount: 200000
  filed: 2025-03-03 10:00
  debtors: [{as: 某债务人, world: 162, holdings: [{agency: 工商银行, kind: 存款, amount: 10000, as: 工行存款},
                                                {agency: 建设银行, kind: 存款, amount: 30000, as: 建行存款}]}]
steps:
  - assign: 张法官
  - verify_identity: 通过
  - at: +2d
    open_feedback: 工商银行
  - open_feedback: 建设银行
  - freeze: {asset: 工行存款, amount: 10000}
  - freeze: {asset: 建行存款, amount: 30000}
  - at: +1d
    deduct: {asset: 工行存款, as: 工行到账}
  - at: +1d
    register_receipt: 工行到账
  - approve_payout: 执行局长
  - approve_payout: 分管副院长
  - pay_out: {receipt: 工行到账, amount: 9950}
  - expect_event: {kind: fee_settled, data: {amount_cents: 5000}}
  - deduct: {asset: 建行存款, as: 建行到账}
  - at: +1d
    register_receipt: 建行到账
  - escrow: {receipt: 建行到账, authority: 执行局局长, reason: 申请执行人下落不明}
  - expect_event: {kind: escrowed, data: {amount_cents: 3000000}}
"""


def test_an_escrow_is_recorded_with_the_courts_settle_before_escrow(tmp_path: Path):
    """Before: the escrow was not recorded (no step, no note) — the replay held the 30,000 in the account and
    passed, on a court that would have settled 450 of the fee first."""
    text, sc = _recorded(ESCROW_AFTER_PAYOUT, tmp_path)
    doc = yaml.safe_load(text)
    assert doc["process"] == {"fees": {"application_fee": {"enabled": True, "settle_before_escrow": False}}}
    steps = doc["steps"]
    escrow = next(i for i, s in enumerate(steps) if "escrow" in s)
    assert steps[escrow]["escrow"]["reason"] == "申请执行人下落不明"
    assert steps[escrow + 1]["expect_event"] == {"kind": "escrowed", "instance": steps[escrow]["escrow"]["receipt"],
                                                 "data": {"amount_cents": 3000000}}
    assert "settle_before_escrow: false" in text.split("\nname:")[0]  # the note says what was written
    result = run_scenario(sc)
    assert result.passed, result.explain()
    default = {k: v for k, v in doc.items() if k != "process"} | {
        "process": {"fees": {"application_fee": {"enabled": True}}}}
    found, problems = parse_text(yaml.safe_dump(default, allow_unicode=True, sort_keys=False), "d.scenario.yaml")
    wrong = run_scenario(found[0])
    assert not wrong.passed and wrong.failure.key == "expect_event"  # the default court settles 450 first


def test_an_escrow_that_settled_the_fee_first_is_recorded_with_that_fee(tmp_path: Path):
    text, sc = _recorded(_fee_doc("escrow.scenario.yaml", 0), tmp_path)
    doc = yaml.safe_load(text)
    assert doc["process"] == {"fees": {"application_fee": {"enabled": True}}}  # the default settles first
    events = [s["expect_event"] for s in doc["steps"] if "expect_event" in s]
    assert {"kind": "fee_settled", "instance": "到账1", "data": {"amount_cents": 35000}} in events
    assert {"kind": "escrowed", "instance": "到账1", "data": {"amount_cents": 2965000}} in events
    # the note claims no setting it did not write (before: "按标的计收、后于申请执行人结算" whatever the log showed)
    assert "按标的计收" not in text and "after the applicant" not in text
    assert run_scenario(sc).passed


# ── nesting thousands deep: a located mistake, no traceback ─────────────────────────────────────────────────
SHALLOW = """\
name: 嵌套
case: {number: (2025)豫0811执2796号, amount: 1000, filed: 2025-03-03 10:00, debtors: [{as: 甲, world: 1}]}
steps: [{assign: 张法官}]
"""


@pytest.mark.parametrize("key", ["process", "description"])
def test_a_scenario_nested_thousands_deep_is_a_located_mistake(key: str):
    deep = "{a: " * 3000 + "1" + "}" * 3000
    text = SHALLOW.replace("steps:", f"{key}: {deep}\nsteps:")
    found, problems = parse_text(text, "deep.scenario.yaml")  # before: RecursionError
    assert not found
    assert [(p.line, p.zh.startswith("嵌套过深"), "nested too deep" in p.en) for p in problems] == [(3, True, True)]


def test_a_process_file_nested_thousands_deep_is_a_user_error(tmp_path: Path):
    path = tmp_path / "deep.yaml"
    path.write_text(default_process_path().read_text(encoding="utf-8") + "\nextra:\n"
                    + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(3000)) + "  " * 3001 + "v: 1\n",
                    encoding="utf-8")
    with pytest.raises(UserError) as err:  # before: RecursionError
        load_base(path)
    assert str(path) in (err.value.where or "")


# ── a --process file the model refuses: Chinese first, English beside, every problem at its line ──────────────
def test_a_bad_process_file_is_said_in_both_languages_each_problem_at_its_line(tmp_path: Path):
    text = default_process_path().read_text(encoding="utf-8")
    lines = text.splitlines()
    enabled = next(i for i, line in enumerate(lines) if line.strip() == "enabled: false" and "application_fee"
                   in lines[i - 1])
    lines[enabled] = lines[enabled].replace("false", "treu")
    basis = enabled + 1
    assert lines[basis].strip() == "basis: enforced"
    lines[basis] = lines[basis].replace("enforced", "claimed")
    path = tmp_path / "本院流程.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_base(path)
    said = {m[1]: (m[2], m[3], m[4]) for m in re.finditer(
        r"^\s*(\S+:\d+): 流程定义文件无效：\[([^\]]+)\] (.*?) / invalid process definition: \[\2\] (.*)$",
        err.value.zh, re.M)}
    assert set(said) == {f"{path}:{enabled + 1}", f"{path}:{basis + 1}"}  # both, each at its line
    assert [key for key, _, _ in said.values()] == ["fees.application_fee.enabled", "fees.application_fee.basis"]
    for _, chinese, english in said.values():
        assert "Input should" not in chinese and english.startswith("Input should")  # before: English in both halves
    assert said[f"{path}:{enabled + 1}"][1] == "应为布尔值，收到 'treu'"
    assert said[f"{path}:{basis + 1}"][1] == "取值应为 'enforced' 或 'claim'，收到 'claimed'"  # not "… or …"


# ── a fixture cannot set process: — said once, at the use line ─────────────────────────────────────────────
def test_a_fixtures_process_is_refused_at_the_use_line_and_not_merged(tmp_path: Path):
    """Before: the refused key was merged all the same, so its bad value was said a second time, at a line of the
    scenario that has nothing to do with it (the description's)."""
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "court.fixture.yaml").write_text(
        "fixture: 收费法院\nprocess:\n  fees: {application_fee: {enabled: tru}}\n", encoding="utf-8")
    text = SHALLOW.replace("steps:", "description: 说明\nuse: 收费法院\nsteps:")
    found, problems = parse_text(text, str(tmp_path / "a.scenario.yaml"))
    assert not found
    assert [(p.line, p.key) for p in problems] == [(4, "use")]
    assert "process" in problems[0].zh and "不可用" in problems[0].zh


def test_a_cross_reference_the_model_refuses_names_the_value_in_chinese_too():
    """The process model says "unknown node 99 / 未知节点": the Chinese half named no node (before: 未知节点)."""
    text = SHALLOW.replace("steps:", "process:\n  limit: {node: 99}\nsteps:")
    found, problems = parse_text(text, "x.scenario.yaml")
    assert not found
    assert [(p.line, p.key) for p in problems] == [(4, "process.limit.node")]
    assert "未知节点，收到 99" in problems[0].zh and "unknown node 99" in problems[0].en


# ── aliases standing for billions of values (the "billion laughs"): refused at once, not a hung run ─────────────
def _laughs(indent: str, levels: int = 8) -> str:
    lines = [f"{indent}a0: &a0 [{', '.join(['lol'] * 10)}]"]
    lines += [f"{indent}a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("key", ["process", "description"])
def test_a_scenario_whose_aliases_stand_for_billions_of_values_is_refused_at_its_key(key: str):
    text = SHALLOW.replace("steps:", f"{key}:\n{_laughs('  ')}steps:")
    found, problems = parse_text(text, "laughs.scenario.yaml")  # before: hung (every walk expands the aliases)
    assert not found
    assert [(p.line, p.key) for p in problems] == [(3, key)]
    assert "别名" in problems[0].zh and "aliases" in problems[0].en


def test_a_process_file_whose_aliases_stand_for_billions_of_values_is_a_user_error(tmp_path: Path):
    path = tmp_path / "laughs.yaml"
    text = default_process_path().read_text(encoding="utf-8")
    path.write_text(text.replace("    count_in_kind: true\n", "    count_in_kind:\n" + _laughs("      ")),
                    encoding="utf-8")
    with pytest.raises(UserError) as err:  # before: hung
        load_base(path)
    assert err.value.where == str(path) and "别名" in err.value.zh


def test_a_fixture_file_whose_aliases_stand_for_billions_of_values_is_refused_at_the_use_line(tmp_path: Path):
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "big.fixture.yaml").write_text(
        "fixture: 大\nagencies:\n" + _laughs("  "), encoding="utf-8")
    text = SHALLOW.replace("steps:", "use: 大\nsteps:")
    found, problems = parse_text(text, str(tmp_path / "a.scenario.yaml"))  # before: hung
    assert not found
    assert {p.line for p in problems} == {3} and "别名" in problems[0].zh  # then: the fixture unknown (unread)
