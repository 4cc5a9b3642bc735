"""Expectation filters that could match nothing, and what once read as something else: ``agency:`` against an event
listing several agencies, a filter the events of a kind never carry (``expect_no_event`` passed whatever happened),
``count: 0``, a per-asset node without its instance, ``closed: true``, a key at the wrong level."""

from __future__ import annotations

from scenarios.loader import parse_text
from scenarios.runner import run_scenario

HEAD = """\
name: 筛选
profile: fast
agencies:
  工商银行: {faults: {error_5xx: 1.0}}
case:
  number: (2025)豫0811执7002号
  amount: 20000
  filed: 2025-05-06 09:00
  debtors: [{as: 丁某, world: 24}]
steps:
  - assign: 孙法官
  - verify_identity: 通过
"""


def run(steps: str):
    (sc,), bad = parse_text(HEAD + steps, "t.scenario.yaml")
    assert not bad, bad
    return run_scenario(sc)


def problems(text: str) -> list[str]:
    _, bad = parse_text(text, "t.scenario.yaml")
    return [f"{p.line} {p.zh} / {p.en}" for p in bad]


def test_agency_matches_an_event_that_lists_several_agencies():
    # the failed bank is reported in inquiry_failed's ``agencies`` list, never as ``agency``
    assert run("  - at: +1d\n    expect_event: {kind: inquiry_failed, agency: 工行}\n").passed
    r = run("  - at: +1d\n    expect_no_event: {kind: inquiry_failed, agency: 工行}\n")
    assert not r.passed and "icbc" in r.failure.actual
    assert run("  - at: +1d\n    expect_no_event: {kind: inquiry_failed, agency: 农行}\n").passed


def test_a_filter_the_kind_never_carries_fails_instead_of_matching_nothing():
    r = run("  - at: +1d\n    expect_no_event: {kind: deadline_set, debtor: 丁某}\n")
    assert not r.passed and "不带 debtor" in r.failure.actual and "due" in r.failure.actual
    r = run("  - at: +1d\n    expect_no_event: {kind: deadline_set, data: {du: x}}\n")
    assert not r.passed and "carry no du" in r.failure.actual
    # a key some events of the kind carry is a filter as before
    assert run("  - at: +1d\n    expect_event: {kind: deadline_set, data: {period: same_day}}\n").passed


def test_count_zero_means_none():
    assert run("  - expect_event: {kind: node_frozen, count: 0}\n").passed
    r = run("  - at: +1d\n    expect_event: {kind: deadline_set, count: 0}\n")
    assert not r.passed and "0 次" in r.failure.expected


def test_a_per_asset_node_needs_its_instance():
    text = HEAD + "  - expect_node: {node: 17, state: 未开始}\n  - expect_deadline: {node: 17, due: 2025-05-08}\n"
    bad = problems(text)
    assert len(bad) == 2 and all("须写 instance" in b and "per asset" in b for b in bad)
    assert bad[0].startswith("13 ") and bad[1].startswith("14 ")
    assert not problems(HEAD + "  - expect_node: {node: 17, instance: 建行存款, state: 未开始}\n")


def test_closed_true_is_closed_in_any_manner():
    assert run("  - expect_case: {closed: false}\n").passed
    r = run("  - expect_case: {closed: true}\n")
    assert not r.passed and "未结案" in r.failure.actual


def test_a_key_at_the_wrong_level_says_where_it_belongs():
    text = HEAD.replace("  debtors: [{as: 丁某, world: 24}]\n", "") + "debtors: [{as: 丁某, world: 24}]\n"
    bad = problems(text.replace("steps:\n  - assign: 孙法官\n  - verify_identity: 通过\n", "steps: []\n"))
    wrong = [b for b in bad if "'debtors'" in b and "不能写在顶层" in b]
    assert wrong and "case" in wrong[0] and "check the indentation" in wrong[0] and "是否想写" not in wrong[0]
