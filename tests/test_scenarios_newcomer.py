"""A newcomer writing a scenario from scenarios/README.md (walked on a fresh clone): the messages for their mistakes say
where and what is expected. Found: a time written another way was told only of ``YYYY-MM-DD[ HH:MM]`` (the README
also takes 2025/9/29, 2025年9月29日, 10时30分, 下午3时); the English summary of the load errors was glued to the
last problem's line ("… / 4 problem(s) in scenario files"); a failed ``expect_duban`` of one of two debtors said
"boc 督办 duban open" without saying whose."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios.loader import ScenarioFileError, load_paths, parse_text
from scenarios.runner import run_scenario

TWO_DEBTORS = """\
name: 两名被执行人
case:
  number: (2025)豫0811执7431号
  amount: 80000
  filed: 2025-03-03 10:00
  debtors:
    - {as: 甲某, world: 11, holdings: [{agency: 中国银行, amount: 500}]}
    - {as: 乙某, world: 12, holdings: [{agency: 中国银行, amount: 700}]}
steps:
  - assign: 张法官
  - verify_identity: {debtor: 甲某, passed: true}
  - verify_identity: {debtor: 乙某, passed: true}
  - at: +1d
    open_feedback: {agency: 中国银行, debtor: 甲某}
  - at: +3d
    expect_duban: {agency: 中国银行, debtor: 甲某}
"""


def test_a_time_written_another_way_is_told_every_form_the_readme_allows():
    text = TWO_DEBTORS.replace("  - at: +1d\n", "  - at: 08/03/2025 00:00\n")
    _, bad = parse_text(text, "t.scenario.yaml")
    (problem,) = bad
    assert problem.line == 13 and problem.key == "steps.3.at"
    for form in ("YYYY-MM-DD", "YYYY/M/D", "YYYY年M月D日", "10时30分", "下午3时", "+3wd", "+三日"):
        assert form in problem.zh and form in problem.en, form


def test_the_english_summary_of_several_mistakes_is_on_a_line_of_its_own(tmp_path: Path):
    path = tmp_path / "bad.scenario.yaml"
    path.write_text(TWO_DEBTORS.replace("expect_duban", "expect_dubn").replace("world: 12", "world: 12, wrold: 3"),
                    encoding="utf-8")
    with pytest.raises(ScenarioFileError) as caught:
        load_paths([path])
    lines = caught.value.message.splitlines()
    assert lines[0].endswith("场景文件有 2 处错误：")
    assert lines[-1] == " / 2 problems in scenario files (listed above)"  # not after the last problem's text
    assert all(str(path) in line for line in lines[1:-1])
    path.write_text(TWO_DEBTORS.replace("expect_duban", "expect_dubn"), encoding="utf-8")
    with pytest.raises(ScenarioFileError) as caught:
        load_paths([path])
    assert caught.value.message.splitlines()[-1] == " / 1 problem in scenario files (listed above)"


def test_a_failed_duban_expectation_says_whose_feedback_it_was():
    (sc,), bad = parse_text(TWO_DEBTORS, "t.scenario.yaml")
    assert not bad
    result = run_scenario(sc)
    failure = result.failure
    assert not result.passed and failure is not None and failure.line == 15
    assert failure.expected == "boc 甲某 督办 duban open"  # 甲某 opened in time: none, and it says whose
    assert failure.actual.startswith("督办 duban none（反馈于 received 2025-03-03 10:00")


def test_a_steps_expected_shows_what_the_file_wrote_even_the_default():
    """The reports' "expected" of an expectation is what the file wrote: ``state: open`` written out was dropped as the
    default ("agency=boc debtor=乙某", reading as if the state were not checked), and ``expect_case: {handler: null}``
    showed an empty expected."""
    from scenarios.describe import arguments

    text = TWO_DEBTORS.replace("expect_duban: {agency: 中国银行, debtor: 甲某}",
                               "expect_duban: {agency: 中国银行, debtor: 甲某, state: open}")
    text += "  - expect_case: {handler: null}\n  - expect_duban: {agency: 中国银行, debtor: 乙某}\n"
    (sc,), bad = parse_text(text, "t.scenario.yaml")
    assert not bad
    duban, case, unwritten = sc.steps[-3:]
    assert arguments(duban) == "agency=boc debtor=甲某 state=open"
    assert arguments(case) == "handler=None"
    assert arguments(unwritten) == "agency=boc debtor=乙某"  # a default the file left out is not added


def _editor_yaml(text: str) -> list[object]:
    """YAML as an editor's schema check reads it (YAML 1.2: ``2025-03-03 10:00`` stays text)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {k: [(t, r) for t, r in v if t != "tag:yaml.org,2002:timestamp"]
                                      for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    return [d for d in yaml.load_all(text, Loader=Loader) if d]


def test_the_published_schema_takes_what_the_loader_takes():
    """scenarios/schema.json, which the README offers for editors, flagged the shorthand every scenario uses
    (``assign: 张法官``, ``verify_identity: 通过``, ``close: 终本``…): 112 of the suite's 133 scenarios failed it.
    Every suite scenario now validates, and a misspelt key, event kind or agency is still flagged."""
    import json

    import jsonschema

    root = Path(__file__).resolve().parents[1]
    schema = json.loads((root / "scenarios" / "schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    failing = []
    files = sorted((root / "scenarios" / "suite").rglob("*.scenario.yaml"))
    for path in [*files, root / "certify" / "court_cases.scenario.yaml"]:
        for doc in _editor_yaml(path.read_text(encoding="utf-8")):
            errors = [e.message[:80] for e in validator.iter_errors(doc)]
            if errors:
                failing.append((path.name, doc.get("name"), errors[0]))
    assert len(files) > 20 and failing == []
    for wrong in ("expect_dubn: {agency: 中国银行}", "expect_event: {kind: 督办s}", "open_feedback: {agnecy: 中国银行}",
                  "open_feedback: 火星银行", "close: 终了"):
        (doc,) = _editor_yaml(TWO_DEBTORS + f"  - {wrong}\n")
        assert list(validator.iter_errors(doc)), wrong


def test_the_published_schema_checks_the_keys_under_process():
    """``process:`` was an open object in scenarios/schema.json: an editor took ``fees: {aplication_fee: …}`` or
    ``enabled: 是`` without a mark, and only the run said it. Its keys are now the process model's, each optional
    along the mappings an override merges; a list is replaced whole, so a node written under ``nodes:`` needs every
    key a node has."""
    import json

    import jsonschema

    root = Path(__file__).resolve().parents[1]
    validator = jsonschema.Draft202012Validator(
        json.loads((root / "scenarios" / "schema.json").read_text(encoding="utf-8")))
    (doc,) = _editor_yaml(TWO_DEBTORS)

    def flagged(process: object) -> bool:
        return bool(list(validator.iter_errors({**doc, "process": process})))

    for good in ({"fees": {"application_fee": {"enabled": True}}}, {"limit": {}}, None,
                 {"fees": {"application_fee": {"enabled": True, "settle_before_escrow": False}}}):
        assert not flagged(good), good
    for bad in ({"fees": {"aplication_fee": {"enabled": True}}}, {"fees": {"application_fee": {"enabled": "是"}}},
                [1], {"nodes": [{"no": 1}]}, {"feez": {}}):
        assert flagged(bad), bad
