"""Scenarios that set the court's process options (scenarios/README.md, "法院流程设置 / The court's process options").

* a document's ``process:`` is merged over the bundled process (mappings key by key, lists whole), checked at load
  by the process model: a bad value is a problem at the scenario's own ``file:line`` of the key, said with the
  file's other mistakes, exit 2 before anything runs;
* ``--process FILE`` (``zhixing scenarios run``, the pytest plugin): a whole process file for the run, a scenario's
  ``process:`` over it; a bad file is said at its ``file:line``, exit 2;
* under a court system under test (``--court-url``, ``--court-driver``, the pytest hook) a scenario with ``process:``
  is skipped with the reason, counted as skipped, never passed; ``--process`` with them is an option error;
* a recorded log of a court that charged the application fee replays with the same options.

Before this, ``process:`` was an unknown key (a load error) and no scenario could run on a fee-enabled court.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml

from core_flow.eventlog import EventLog
from core_flow.net import free_port
from core_flow.process_loader import default_process, default_process_path
from mock_agencies.settings import Settings
from scenarios.loader import load_file, parse_text
from scenarios.process_options import bundled, load_base, merge
from scenarios.record import read_log, record
from scenarios.runner import run_scenario
from tests.test_agencies_live import LiveServer
from zhixing.cli import main
from zhixing.cmd_court import _reference_app

pytest_plugins = ["pytester"]

SUITE = Path(__file__).parent.parent / "scenarios" / "suite"
PYTEST_ARGS = ("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")

# claim 100,000; 60,000 received. On the money enforced (the default basis) the fee is 50 + 1.5% × 50,000 = 800:
# settled before the applicant, who gets at most 59,200
FEE_CASE = """\
name: {name}
{process}case:
  number: (2025)豫0811执2790号
  amount: 100000
  filed: 2025-03-03 10:00
  debtors: [{{as: 某债务人, world: 160, holdings: [{{agency: 工商银行, kind: 存款, amount: 60000, as: 工行存款}}]}}]
steps:
  - assign: 张法官
  - verify_identity: 通过
  - at: +2d
    open_feedback: 工商银行
  - freeze: {{asset: 工行存款, amount: 60000}}
  - at: +1d
    deduct: {{asset: 工行存款, as: 工行到账}}
  - at: +1d
    register_receipt: 工行到账
  - approve_payout: 执行局长
  - approve_payout: 分管副院长
  - pay_out: {{amount: 59200}}
  - {expectation}
"""
ON = "process:\n  fees: {application_fee: {enabled: true}}\n"
SETTLED = "expect_event: {kind: fee_settled, data: {amount_cents: 80000, settled: true}}"
NONE_SETTLED = "expect_no_event: {kind: fee_settled}"


def _doc(name: str = "费用", process: str = ON, expectation: str = SETTLED) -> str:
    return FEE_CASE.format(name=name, process=process, expectation=expectation)


def _one(text: str, source: str = "t.scenario.yaml", base: Any = None) -> Any:
    found, problems = parse_text(text, source, base)
    assert not problems, problems
    return found


def _problems(text: str, source: str = "t.scenario.yaml") -> list[Any]:
    found, problems = parse_text(text, source)
    assert not found
    return problems


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ── process: merged over the bundled process, the court built on it ──────────────────────────────────────
def test_a_scenario_switches_the_fee_on_for_its_court_and_the_payout_settles_it_first():
    sc = _one(_doc())[0]
    rule = sc.court_process.fees.application_fee
    bundled_rule = default_process().fees.application_fee
    assert rule.enabled is True and bundled_rule.enabled is False  # the bundled process is not changed
    # merged key by key: every other setting of the bundled process kept
    assert (rule.basis, rule.settle, rule.tiers) == (bundled_rule.basis, bundled_rule.settle, bundled_rule.tiers)
    assert sc.court_process.nodes == default_process().nodes
    result = run_scenario(sc)
    assert result.passed, result.explain()


def test_without_process_the_same_case_settles_no_fee():
    sc = _one(_doc(process="", expectation=NONE_SETTLED))[0]
    assert sc.court_process is None and not sc.sets_process
    result = run_scenario(sc)
    assert result.passed, result.explain()
    wrong = run_scenario(_one(_doc(process="", expectation=SETTLED))[0])  # the bundled court never settles one
    assert not wrong.passed and wrong.failure.key == "expect_event"


def test_mappings_merge_key_by_key_and_lists_are_replaced_whole():
    base = {"a": {"b": 1, "c": [1, 2], "d": {"e": 1}}, "f": 2}
    over = {"a": {"c": [3], "d": {"g": 2}}}
    assert merge(base, over) == {"a": {"b": 1, "c": [3], "d": {"e": 1, "g": 2}}, "f": 2}
    assert base == {"a": {"b": 1, "c": [1, 2], "d": {"e": 1}}, "f": 2}  # unchanged
    tiers = "process:\n  fees: {application_fee: {enabled: true, tiers: [{percent: 10}]}}\n"
    sc = _one(_doc(process=tiers, expectation=NONE_SETTLED))[0]
    assert len(sc.court_process.fees.application_fee.tiers) == 1  # the whole list, not merged item by item
    assert sc.court_process.fees.application_fee.fee_cents(60_000_00) == 6_000_00


def test_documents_with_different_options_get_different_courts_the_same_options_share_one_process():
    text = "\n---\n".join([_doc("甲"), _doc("乙"), _doc("丙", process="process:\n  fees: {application_fee: "
                                                                    "{enabled: true, settle: after_applicant}}\n"),
                          _doc("丁", process="", expectation=NONE_SETTLED)])
    a, b, c, d = _one(text)
    assert a.court_process is b.court_process  # one process for the same options (built once, cached)
    assert c.court_process is not a.court_process and c.court_process.fees.application_fee.settle == "after_applicant"
    assert d.court_process is None
    again = _one(_doc("戊"))[0]
    assert again.court_process is a.court_process  # across files and loads too
    built: list[Any] = []
    from sim import assembly

    real = assembly.build_virtual_court

    def spy(*args: Any, **kwargs: Any) -> Any:
        built.append(kwargs.get("process"))
        return real(*args, **kwargs)

    assembly.build_virtual_court = spy
    try:
        results = [run_scenario(sc) for sc in (a, d)]
    finally:
        assembly.build_virtual_court = real
    assert all(r.passed for r in results), [r.explain() for r in results]
    assert built == [a.court_process, None]  # each scenario's court on its own process, once per scenario


def test_the_fee_suite_runs_on_its_own_options():
    result_lines = []
    for path in sorted((SUITE / "fees").glob("*.scenario.yaml")):
        for sc in load_file(path):
            r = run_scenario(sc)
            result_lines.append((sc.name, r.passed, r.explain() if not r.passed else ""))
    assert len(result_lines) >= 7 and all(ok for _, ok, _ in result_lines), result_lines


# ── bad options: at the scenario's own line, with the file's other mistakes, before anything runs ─────────
BAD = """\
name: 坏的流程设置
process:
  fees:
    application_fee:
      enabled: tru
      setle: before_applicant
case:
  number: (2025)豫0811执2791号
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
  - asign: 张法官
"""


def test_a_bad_value_is_said_at_the_scenarios_own_line_of_the_key_with_the_files_other_mistakes():
    problems = _problems(BAD, "fees_bad.scenario.yaml")
    by_key = {p.key: p for p in problems}
    enabled = by_key["process.fees.application_fee.enabled"]
    assert enabled.line == _line(BAD, "enabled: tru") and enabled.file == "fees_bad.scenario.yaml"
    assert enabled.zh.startswith("流程设置无效：") and "布尔" in enabled.zh and "'tru'" in enabled.zh
    assert "invalid process setting" in enabled.en and "boolean" in enabled.en
    setle = by_key["process.fees.application_fee.setle"]
    assert setle.line == _line(BAD, "setle:") and "未知键 'setle'" in setle.zh and "settle" in setle.zh
    assert "did you mean: settle" in setle.en
    assert "steps.0.asign" in by_key  # the file's other mistake, in the same report
    assert str(enabled).startswith(f"fees_bad.scenario.yaml:{enabled.line}: [process.fees.application_fee.enabled] "
                                   "流程设置无效：")
    assert _line(BAD, "enabled: tru") != _line(default_process_path().read_text(encoding="utf-8"), "enabled: false")


TIERS = """\
name: 分段不递增
process:
  fees:
    application_fee:
      enabled: true
      tiers:
        - {up_to_cents: 1000000, fixed_cents: 5000}
        - {up_to_cents: 500000, percent: 1.5}
        - {percent: 0.1}
case:
  number: (2025)豫0811执2792号
  filed: 2025-03-03 10:00
  debtors: [{as: 甲, world: 1}]
steps:
  - assign: 张法官
"""


def test_the_models_own_cross_checks_are_said_at_the_item_chinese_first():
    """The tiers' check (``ApplicationFee.problems``, written "English / 中文") at the tier's line, 中文 first."""
    problems = _problems(TIERS)
    assert [p.key for p in problems] == ["process.fees.application_fee.tiers.1.up_to_cents"]
    tier = problems[0]
    assert tier.line == _line(TIERS, "up_to_cents: 500000")
    # the value named in Chinese too (review R11: the model's Chinese half names none)
    assert tier.zh == "流程设置无效：各段上限须递增，收到 500000" and "ascending" in tier.en and "递增" not in tier.en


def test_process_that_is_not_a_mapping_is_a_problem_at_its_line():
    text = _doc(process="process: [fees]\n")
    problems = _problems(text)
    assert [p.key for p in problems] == ["process"] and problems[0].line == _line(text, "process:")
    assert "unknown key" not in problems[0].en  # the key is known: its value wrong
    # what it takes, said (was "取值无效：应为对象" / "Input should be a valid dictionary" alone)
    zh = problems[0].zh
    assert zh.startswith("process 须为映射：流程文件（process.yaml）的键及要改的值"), zh
    assert "收到 ['fees']" in zh and "fees" in zh.split("可用的键：")[1], zh
    assert "process must be a mapping of process.yaml's keys" in problems[0].en, problems[0].en


def test_the_command_says_every_problem_and_runs_nothing(tmp_path: Path, capsys):
    (tmp_path / "bad.scenario.yaml").write_text(BAD, encoding="utf-8")
    (tmp_path / "good.scenario.yaml").write_text(_doc(), encoding="utf-8")
    assert main(["scenarios", "run", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "通过 passed" not in captured.out  # nothing ran
    err = captured.err
    assert f"bad.scenario.yaml:{_line(BAD, 'enabled: tru')}: [process.fees.application_fee.enabled] 流程设置无效" in err
    assert f"bad.scenario.yaml:{_line(BAD, 'setle:')}: [process.fees.application_fee.setle]" in err
    assert "asign" in err


# ── --process FILE: a whole process file for the run ─────────────────────────────────────────────────────
def _process_file(tmp_path: Path, name: str = "court", **fee: Any) -> Path:
    text = default_process_path().read_text(encoding="utf-8")
    head, tail = text[: text.index("\nfees:")], text[text.index("\nfees:"):]
    for key, value in fee.items():
        tail = tail.replace(f"    {key}: ", f"    {key}: {value}  # was ", 1)
    path = tmp_path / f"{name}.process.yaml"
    path.write_text(head + tail, encoding="utf-8")
    return path


def test_a_process_file_is_the_runs_court_and_a_scenarios_options_go_over_it(tmp_path: Path, capsys):
    court = _process_file(tmp_path, enabled="true", settle="after_applicant")
    base = load_base(court)
    assert base.process.fees.application_fee.enabled and not bundled().process.fees.application_fee.enabled
    plain = _one(_doc(process=""), base=base)[0]
    assert plain.court_process is base.process  # no options of its own: the file's process
    over = _one(_doc(process="process:\n  fees: {application_fee: {settle: before_applicant}}\n"), base=base)[0]
    rule = over.court_process.fees.application_fee
    assert rule.enabled is True and rule.settle == "before_applicant"  # the file's, then the scenario's
    (tmp_path / "a.scenario.yaml").write_text(_doc("文件开启申请费", process=""), encoding="utf-8")
    assert main(["scenarios", "run", str(tmp_path / "a.scenario.yaml")]) == 1  # the bundled court: no fee
    capsys.readouterr()
    on = _process_file(tmp_path, "on", enabled="true")
    assert main(["scenarios", "run", str(tmp_path / "a.scenario.yaml"), "--process", str(on)]) == 0
    assert "1 scenarios, 1 passed, 0 failed" in capsys.readouterr().out


def test_a_bad_process_file_is_said_at_its_line_before_anything_runs(tmp_path: Path, capsys):
    court = _process_file(tmp_path, enabled="maybe")
    (tmp_path / "a.scenario.yaml").write_text(_doc(), encoding="utf-8")
    assert main(["scenarios", "run", str(tmp_path / "a.scenario.yaml"), "--process", str(court)]) == 2
    captured = capsys.readouterr()
    line = _line(court.read_text(encoding="utf-8"), "enabled: maybe")
    assert f"{court}:{line}" in captured.err and "enabled" in captured.err and "流程定义文件无效" in captured.err
    assert "通过 passed" not in captured.out
    assert main(["scenarios", "run", str(tmp_path / "a.scenario.yaml"), "--process", str(tmp_path / "no.yaml")]) == 2
    assert "无法读取流程文件" in capsys.readouterr().err


def test_process_with_a_court_under_test_is_an_option_error(tmp_path: Path, capsys):
    (tmp_path / "a.scenario.yaml").write_text(_doc(), encoding="utf-8")
    court = _process_file(tmp_path, enabled="true")
    for option in (["--court-url", "http://127.0.0.1:9", "--agencies-url", "http://127.0.0.1:9"],
                   ["--court-driver", "tests.test_scenarios_process:make_vendor"]):
        assert main(["scenarios", "run", str(tmp_path), "--process", str(court), *option]) == 2
        err = capsys.readouterr().err
        assert "--process" in err and option[0] in err and "不与" in err and "does not go with" in err


# ── a court system under test: the scenario with process: is skipped, never passed ───────────────────────
def make_vendor(*, agencies_url: str | None, strict_calendar: bool | None) -> Any:
    """A vendor's factory (``--court-driver tests.test_scenarios_process:make_vendor``): a court the kit does not
    configure (it happens to be zhixing's engine, on the bundled process)."""
    from sim.assembly import build_virtual_court

    def factory(sc: Any, court: Any) -> Any:
        return build_virtual_court(sc.case.filed, seed=sc.seed, profile=sc.profile, court=court, clerk=False)

    return factory


def test_under_a_court_driver_a_scenario_with_options_is_skipped_with_the_reason(tmp_path: Path, capsys):
    path = tmp_path / "a.scenario.yaml"
    path.write_text(_doc("设置了流程") + "---\n" + _doc("内置流程", process="", expectation=NONE_SETTLED),
                    encoding="utf-8")
    called: list[str] = []
    with_options, plain = load_file(path)
    result = run_scenario(with_options, lambda sc, court: called.append(sc.name))
    assert result.skipped and not result.passed and not result.failed and not called  # never built, never run
    assert result.skipped.startswith("已跳过：") and f"{path}:2" in result.skipped and "skipped" in result.skipped
    assert all(s.status == "skipped" for s in result.steps)
    junit = tmp_path / "j.xml"
    code = main(["scenarios", "run", str(path), "--court-driver", "tests.test_scenarios_process:make_vendor",
                 "--junit", str(junit), "--html", str(tmp_path / "r.html")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "⏭ 跳过 skipped  设置了流程" in out and "✔ 通过 passed  内置流程" in out
    assert "共 2 个场景，1 通过，0 失败，1 跳过 / 2 scenarios, 1 passed, 0 failed, 1 skipped" in out
    root = ET.parse(junit).getroot()
    assert root.get("skipped") == "1" and root.get("failures") == "0"
    skipped = root.find(".//testcase[@name='设置了流程']/skipped")
    assert skipped is not None and "process:" in skipped.get("message")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "1 跳过 skipped" in page and "已跳过：" in page


def test_zhixing_engine_factories_take_the_scenarios_process():
    from scenarios.realtime import realtime_factory
    from scenarios.runner import build_court, takes_process

    assert takes_process(None) and takes_process(build_court) and takes_process(realtime_factory(1000.0))
    assert not takes_process(make_vendor(agencies_url=None, strict_calendar=None))


def test_on_the_real_time_clock_the_court_runs_the_scenarios_options():
    from scenarios.realtime import realtime_factory

    result = run_scenario(_one(_doc())[0], realtime_factory(1_000_000.0))
    assert result.passed, result.explain()


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str]]:
    """(agencies URL, court URL): ``zhixing agencies serve`` and ``zhixing court serve`` on loopback."""
    agencies_port, court_port = free_port(), free_port()
    with LiveServer(Settings(port=agencies_port, profile="fast")) as agencies, \
            LiveServer(app=_reference_app(None), port=court_port) as court:
        yield agencies.url, court.url


def test_served_agencies_run_the_options_and_a_court_url_skips_them(servers: tuple[str, str], tmp_path: Path,
                                                                   capsys):
    agencies, court = servers
    path = tmp_path / "a.scenario.yaml"
    path.write_text(_doc("设置了流程") + "---\n" + _doc("内置流程", process="", expectation=NONE_SETTLED),
                    encoding="utf-8")
    assert main(["scenarios", "run", str(path), "--agencies-url", agencies]) == 0  # zhixing's engine: both run
    assert "2 scenarios, 2 passed, 0 failed" in capsys.readouterr().out
    assert main(["scenarios", "run", str(path), "--court-url", court, "--agencies-url", agencies]) == 0
    out = capsys.readouterr().out
    assert "⏭ 跳过 skipped  设置了流程" in out and "2 scenarios, 1 passed, 0 failed, 1 skipped" in out


# ── the pytest plugin ────────────────────────────────────────────────────────────────────────────────────
def test_the_plugin_takes_a_process_file_and_skips_options_under_a_vendors_hook(pytester: pytest.Pytester,
                                                                               tmp_path: Path):
    pytester.makefile(".scenario.yaml", fee=_doc("文件开启申请费", process=""))
    pytester.runpytest(*PYTEST_ARGS).assert_outcomes(failed=1)  # the bundled court settles no fee
    court = _process_file(tmp_path, enabled="true")
    pytester.runpytest(*PYTEST_ARGS, "--process", str(court)).assert_outcomes(passed=1)
    bad = _process_file(tmp_path, "bad", enabled="maybe")
    result = pytester.runpytest(*PYTEST_ARGS, "--process", str(bad))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{bad}:{_line(bad.read_text(encoding='utf-8'), 'enabled: maybe')}*"])
    (pytester.path / "fee.scenario.yaml").unlink()
    pytester.makefile(".scenario.yaml", own=_doc("设置了流程") + "---\n" + _doc("内置流程", process="",
                                                                                 expectation=NONE_SETTLED))
    pytester.makeconftest("""
from tests.test_scenarios_process import make_vendor

def pytest_zhixing_court_driver(config):
    return make_vendor(agencies_url=None, strict_calendar=None)
""")
    result = pytester.runpytest(*PYTEST_ARGS, "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*已跳过：场景设置了法院流程选项*"])
    result = pytester.runpytest(*PYTEST_ARGS, "--process", str(court))
    assert result.ret == pytest.ExitCode.USAGE_ERROR  # the hook's court has its own configuration


def recording_of(sc: Any, log_path: Path) -> str:
    """``sc`` run on a court (its own process options) whose events go to ``log_path``, then recorded from the log."""
    from sim.assembly import build_virtual_court

    logs: list[EventLog] = []

    def factory(s: Any, court: Any) -> Any:
        built = build_virtual_court(s.case.filed, seed=s.seed, profile=s.profile, court=court, clerk=False,
                                    process=s.court_process)
        logs.append(EventLog(log_path).attach(built.runtime))
        return built

    factory.takes_process = True  # type: ignore[attr-defined]
    result = run_scenario(sc, factory)
    for log in logs:
        log.close()
    assert result.passed, result.explain()
    return record(read_log(log_path), sc.case.number, str(log_path))


# ── recorded runs ────────────────────────────────────────────────────────────────────────────────────────
def test_a_log_of_a_fee_charging_court_records_process_and_replays_with_the_same_options(tmp_path: Path):
    """Before, the recording had no process: — its replay ran on the bundled court, settled no fee, and still
    passed (nothing asserted the fee): a recording that did not replay the log."""
    sc = load_file(SUITE / "fees" / "payout.scenario.yaml")[2]  # settle: after_applicant
    text = recording_of(sc, tmp_path / "fee.jsonl")
    doc = yaml.safe_load(text)
    assert doc["process"] == {"fees": {"application_fee": {"enabled": True, "settle": "after_applicant"}}}
    assert {"kind": "fee_settled", "instance": "到账1", "data": {"amount_cents": 65000}} in [
        s.get("expect_event") for s in doc["steps"]]
    assert "执行申请费" in text.split("name:")[0]  # said in the file's comment
    replay = _one(text, "rec.scenario.yaml")[0]
    result = run_scenario(replay)
    assert result.passed, result.explain()
    without = {k: v for k, v in doc.items() if k != "process"}
    bare = _one(yaml.safe_dump(without, allow_unicode=True, sort_keys=False), "bare.scenario.yaml")[0]
    assert not run_scenario(bare).passed  # the options are what the replay needs


def test_every_fee_suite_scenario_but_its_contrast_sets_its_options():
    fees = [sc for path in sorted((SUITE / "fees").glob("*.scenario.yaml")) for sc in load_file(path)]
    assert sum(sc.sets_process for sc in fees) == len(fees) - 1  # one runs the bundled court, for contrast
