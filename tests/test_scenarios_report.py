"""Reports show, for each step, what was checked or done, expected and actual; tags; result words in Chinese and
English; the 查控 exchanges on demand; JUnit keeps file and line; the HTML is self-contained and masked."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from scenarios.loader import parse_text
from scenarios.report import console_steps, html_report, junit_xml
from scenarios.runner import run_scenario

ID = "110101199003077715"  # a valid GB 11643 number (check digit), never printed in a report
TEXT = f"""\
name: 冻结与查控往来
tags: [money, report]
case:
  number: (2025)豫0811执7001号
  amount: 1000
  filed: 2025-03-03 10:00
  debtors:
    - {{as: 甲, name: 甲某, id: "{ID}", holdings: [{{agency: 工商银行, amount: 5000, as: 工行存款}}]}}
steps:
  - assign: 张法官
  - verify_identity: 通过
  - open_feedback: 工商银行
  - freeze: 工行存款
  - expect_amounts: {{frozen: 1000}}
  - approve_payout: 分管副院长
    refused: NO_RECEIPT
  - at: +11d
    expect_node: {{node: 7, state: 进行中}}
"""


def _run():
    (sc,), problems = parse_text(TEXT, "r.scenario.yaml")
    assert not problems
    return run_scenario(sc)


def test_each_step_shows_what_was_checked_expected_and_actual() -> None:
    result = _run()
    assert not result.passed  # the last step: node 7 is frozen by then
    lines = console_steps(result)
    assert len(lines) == 7
    assert "动作 act 冻结 freeze `freeze`: asset=工行存款" in lines[3] and "期望 expected: 受理 accepted" in lines[3]
    assert "实际 actual: 同期望 as expected" in lines[3] and lines[3].startswith("✔ 通过 passed")
    assert "检查 check 金额 amounts `expect_amounts`" in lines[4] and "frozen=1,000.00元" in lines[4]
    assert "拒绝 refused NO_RECEIPT" in lines[5] and "实际 actual: NO_RECEIPT" in lines[5]
    assert lines[6].startswith("✘ 失败 failed") and "已冻结 frozen" in lines[6] and "进行中 in_progress" in lines[6]


def test_the_html_shows_steps_tags_words_and_exchanges_only_on_demand_masked_and_self_contained() -> None:
    result = _run()
    page = html_report([result])
    assert "<th>检查或动作 checked</th><th>期望 expected</th><th>实际 actual</th>" in page
    assert "<span class='tag'>money</span>" in page and "<span class='tag'>report</span>" in page
    assert "通过 passed" in page and "失败 failed" in page
    assert "查控往来 exchanges" not in page
    full = html_report([result], exchanges=True)
    assert "查控往来 exchanges (" in full and "measure=freeze" in full
    assert result.exchanges and all("exchange" in line for line in result.exchanges)
    for text in (page, full):
        assert ID not in text and ID[:6] in text  # masked, the region kept
        assert not re.search(r"(src|href)=['\"]?(https?:)?//", text)  # nothing loaded from elsewhere


def test_junit_keeps_file_line_tags_and_the_failed_steps_line() -> None:
    result = _run()
    root = ET.fromstring(junit_xml([result]).split("\n", 1)[1])
    tc = root.find(".//testcase")
    assert tc is not None and tc.get("file") == "r.scenario.yaml" and tc.get("line") == "1"
    props = {p.get("name"): p.get("value") for p in tc.iter("property")}
    assert props["scenario_file"] == "r.scenario.yaml" and props["scenario_line"] == "1"
    assert props["tags"] == "money,report" and props["failed_step"] == "r.scenario.yaml:17"
    assert ID not in junit_xml([result])


def test_every_step_kind_has_words_in_both_languages() -> None:
    from scenarios.describe import WORDS
    from scenarios.model import STEP_KEYS

    for key in STEP_KEYS:
        words = WORDS[key]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in words) and any(ch.isascii() and ch.isalpha() for ch in words)


def test_junit_holds_what_a_system_under_test_answered_even_control_characters() -> None:
    """A failure quotes the court's answer, which can hold any character (a vendor's court under test); XML 1.0 cannot
    hold most control characters and CI servers reject the whole file over one (core_flow/xml_text.py)."""
    result = _run()
    result.scenario.name = "冻结\x1b[31m与\x00查控"  # as if a remote court's answer had been quoted into it
    text = junit_xml([result])
    root = ET.fromstring(text.split("\n", 1)[1])  # parses: it was "not well-formed (invalid token)"
    assert root.find(".//testcase").get("name") == "冻结\\x1b[31m与\\x00查控"


def test_a_scenario_with_a_control_character_is_refused_where_it_is() -> None:
    text = TEXT.replace("name: 冻结与查控往来", 'name: "冻结\\u001b[31m与查控往来"')
    scenarios, problems = parse_text(text, "r.scenario.yaml")
    assert not scenarios and len(problems) == 1
    assert problems[0].line == 1 and "U+001B" in problems[0].zh and "control character" in problems[0].en


def test_a_control_character_does_not_hide_the_documents_other_mistakes() -> None:
    """Review R5: the control character was said alone; the step after it with an unknown kind took a second run."""
    text = TEXT.replace("name: 冻结与查控往来", 'name: "冻结\\u001b[31m与查控往来"', 1)
    steps = text.index("steps:")
    text = text[:steps] + "bogus_key: 1\n" + text[steps:]
    scenarios, problems = parse_text(text, "r.scenario.yaml")
    assert not scenarios and len(problems) == 2, [p.zh for p in problems]
    assert "U+001B" in problems[0].zh and problems[0].line == 1
    assert "bogus_key" in problems[1].key + problems[1].zh + problems[1].en


def test_console_lines_show_control_characters_as_escapes() -> None:
    """The runner's lines quote a court under test's answers: an escape sequence there must not act on the terminal."""
    from scenarios.cli import _visible

    out: list[str] = []
    _visible(lambda text, **_: out.append(text))("实际 actual: a\x1b[31mb\x9bc\n\td")
    assert out == ["实际 actual: a\\x1b[31mb\\x9bc\n\td"]
