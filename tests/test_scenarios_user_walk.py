"""A court tester and a vendor's engineer walking scenarios/README.md and certify/README.md from a clean shell
(review R5). Found:

* a date written the right way that does not exist (``2026-02-30``, ``2026-13-01``) or a time of day that does not
  (``25:00``) was told "unrecognised time … expected a date (YYYY-MM-DD …)" — the very form she had written;
* ``--court-url`` (and ``zhixing certify court --driver``) at a server that is not a court driver interface: an
  ordinary web page ended in a ``JSONDecodeError`` stack trace, a 404 in ``GET /now: 被测系统返回 404`` naming no
  option, and an address without ``http://`` in the HTTP client's English complaint in the Chinese half;
* ``zhixing certify agency --only`` with a misspelt check said "unknown checks" without naming the checks there are.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from core_flow.driver import HttpDriver
from core_flow.errors import UserError
from scenarios.loader import parse_text

SCENARIO = """\
name: 日期写错
case:
  number: (2026)豫0811执501号
  amount: 50000
  filed: {filed}
  debtors: [{{as: 张某, world: 3}}]
steps:
  - at: {at}
    assign: 李法官
  - expect_deadline: {{node: 7, last_day: {last_day}}}
"""


def _problems(filed: str = "2026-03-02 10:00", at: str = "2026-03-02 11:00", last_day: str = "2026-03-12"):
    _, bad = parse_text(SCENARIO.format(filed=filed, at=at, last_day=last_day), "t.scenario.yaml")
    return {(p.line, p.key): str(p) for p in bad}


def test_a_date_that_does_not_exist_is_said_so_with_the_months_days():
    problems = _problems(filed="2026-02-29 10:00", at="2026-13-01", last_day="2026年4月31日")
    assert set(problems) == {(5, "case.filed"), (8, "steps.0.at"), (10, "steps.1.expect_deadline.last_day")}
    filed, at, last_day = problems[5, "case.filed"], problems[8, "steps.0.at"], \
        problems[10, "steps.1.expect_deadline.last_day"]
    assert "日期不存在" in filed and "2026年2月只有28日" in filed and "February 2026 has 28 days" in filed
    assert "没有13月" in at and "there is no month 13" in at
    assert "2026年4月只有30日" in last_day and "April 2026 has 30 days" in last_day
    for message in problems.values():
        assert "无法识别" not in message and "unrecognised" not in message


def test_a_time_of_day_that_does_not_exist_is_said_so():
    (message,) = _problems(at="2026-03-02 25:00").values()
    assert "时刻不存在" in message and "no such time of day" in message and "0–23" in message


def test_a_leap_day_and_the_forms_the_readme_allows_still_parse():
    assert _problems(filed="2024-02-29 10:00", at="2024/3/1 下午3时", last_day="2024年3月12日") == {}
    message = _problems(at="下周一")[8, "steps.0.at"]  # not a date at all: every form is listed, as before
    assert "无法识别的时间" in message and "YYYY年M月D日" in message


def _driver(handler) -> HttpDriver:
    return HttpDriver("http://court.test", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(("answer", "seen"), [
    (httpx.Response(200, text="<html>网站首页</html>", headers={"content-type": "text/html"}), "不是 JSON"),
    (httpx.Response(404, text="Not Found"), "404"),
    (httpx.Response(200, json={"status": "ok"}), "KeyError"),
])
def test_a_court_url_that_is_not_a_driver_interface_is_said_naming_the_option(answer, seen):
    from scenarios.target import _probe

    with pytest.raises(UserError) as caught:
        _probe(_driver(lambda request: answer))
    err = caught.value
    assert err.where == "--court-url" and err.code == "not_a_court"
    assert "不是法院驱动接口" in err.zh and "is not a court driver interface" in err.en and seen in err.message
    assert "zhixing court serve" in err.zh and "zhixing court serve" in err.en


def test_a_court_answering_no_run_yet_or_its_time_passes_the_probe():
    from scenarios.target import _probe

    no_court = {"code": "no_court", "zh": "尚未开始运行", "en": "no run yet", "where": "court"}
    _probe(_driver(lambda request: httpx.Response(422, json=no_court)))
    _probe(_driver(lambda request: httpx.Response(200, json={"now": "2025-03-03T10:00:00+08:00"})))


@pytest.mark.parametrize("url", ["127.0.0.1:8710", "ftp://127.0.0.1:8710", "http://127.0.0.1:99999", "http://"])
def test_a_court_url_that_is_no_http_address_is_said_in_both_languages(url):
    from scenarios.target import court_url_factory

    with pytest.raises(UserError) as caught:  # before the agencies' address (nothing listens at :9) is reached
        court_url_factory(url, "http://127.0.0.1:9", None)
    err = caught.value
    assert err.where == "--court-url" and err.code == "bad_court_url"
    assert "被测法院地址无效" in err.zh and "invalid court address" in err.en and "protocol" not in err.zh


def test_only_with_a_misspelt_check_names_the_checks_there_are(tmp_path: Path):
    from certify.agency_suite import CHECKS
    from certify.runner import run_agency

    with pytest.raises(UserError) as caught:
        run_agency("http://127.0.0.1:9", Path("certify/fixtures_examples/zhixing.yaml"), tmp_path / "ev",
                   only=("reciepts",))
    err = caught.value
    assert err.where == "--only"
    assert "是否想写：receipts" in err.zh and "did you mean: receipts" in err.en
    for name, *_ in CHECKS:
        assert name in err.zh and name in err.en
    assert not (tmp_path / "ev").exists()


def test_a_misspelt_refusal_code_does_not_hide_the_same_steps_other_mistakes():
    """``refused: WRONG_AUTHORITI`` beside ``authority: 执行局张``: both said in one run (the code was checked by the
    step's model validator, which stopped the step there — the authority came only in the next run)."""
    text = SCENARIO.format(filed="2026-03-02 10:00", at="2026-03-02 11:00", last_day="2026-03-12") + (
        "  - approve_unfreeze: {node: 7, authority: 执行局张}\n"
        "    refused: WRONG_AUTHORITI\n")
    _, bad = parse_text(text, "t.scenario.yaml")
    said = {(p.line, p.key): str(p) for p in bad}
    assert set(said) == {(11, "steps.2.approve_unfreeze.authority"), (12, "steps.2.refused")}
    assert "是否想写：执行局长" in said[11, "steps.2.approve_unfreeze.authority"]
    assert "是否想写：WRONG_AUTHORITY" in said[12, "steps.2.refused"]


@pytest.mark.parametrize(("argv", "said"), [
    (["scenarios", "run", "--help"], ["退出码", "全部通过", "有场景未通过", "场景文件或选项有误", "a scenario failed"]),
    (["certify", "verify", "--help"], ["退出码", "证据完整", "证据不完整", "用法错误", "not intact"]),
])
def test_the_help_says_the_exit_codes_in_chinese_too(argv, said, capsys):
    """``scenarios run --help`` said them in English only ('exit 1 if any fails, 2 on a bad file'); ``certify
    verify --help`` not at all (its README: 0 intact, 1 not, 2 a usage error)."""
    from zhixing.cli import main

    assert main(argv) == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in said:
        assert words in text


def make_without_keywords():  # a vendor's make written without the keywords the README says it is called with
    return None


def make_returning_no_factory(agencies_url=None, strict_calendar=None):
    return 42


@pytest.mark.parametrize(("name", "said"), [
    ("tests.test_scenarios_user_walk:make_without_keywords", "不能以 make(agencies_url=…, strict_calendar=…) 调用"),
    ("tests.test_scenarios_user_walk:make_returning_no_factory", "返回的不是工厂"),
    ("tests.test_scenarios_user_walk:no_such_make", "无法加载插件"),
])
def test_a_vendor_driver_factory_not_made_as_documented_is_said_naming_the_option(name, said, capsys):
    """``--court-driver`` naming a ``make`` that takes no ``agencies_url`` ended in a TypeError's stack trace and exit
    1 (a failed run's code); the load errors named ``zhixing.drivers``, not the option."""
    from zhixing.cli import main

    assert main(["scenarios", "run", "scenarios/suite/nodes", "--court-driver", name]) == 2
    err = capsys.readouterr().err
    assert "--court-driver" in err and said in err and "Traceback" not in err


def test_a_run_against_a_system_that_is_not_zhixing_says_its_progress(tmp_path: Path):
    """Against a vendor's system the kit waits in real time — about 3 minutes for a bank, up to ~36 × --answer-timeout
    — and printed nothing before the verdict; now it says it waits in real time and each check as it starts (on
    stderr). zhixing's mock (virtual time, seconds) says nothing more than before."""
    from tests.test_agencies_live import LiveServer, free_port
    from tests.test_certify_hostile import Hostile, _run

    sut = Hostile()
    sut.mode = "500"
    said: list[str] = []
    with LiveServer(app=sut.app(), port=free_port()) as server:
        _run(server.url, tmp_path / "ev", only=("receipts", "errors"), progress=said.append)
    assert "按真实时间等待答复" in said[0] and "waited for in real time" in said[0]
    assert said[1].startswith("[1/2] 检查 / check receipts（AG-001、AG-018）")
    assert said[2].startswith("[2/2] 检查 / check errors（AG-013）")


def _stopping_factory(closed: list[str], after: int):
    """zhixing's in-process court whose clock is stopped by Ctrl-C at its ``after``-th advance; its target's close
    is recorded (on a server it ends the court's run and deletes the agencies' namespace)."""
    from scenarios.runner import build_court
    from scenarios.target import as_target

    def factory(sc, court):  # noqa: ANN001, ANN202
        target = as_target(build_court(sc, court))
        advance, calls = target.driver.advance, [0]

        def stopping(to):  # noqa: ANN001, ANN202
            calls[0] += 1
            if calls[0] >= after:
                raise KeyboardInterrupt
            return advance(to)

        target.driver.advance = stopping
        target.closer = lambda: closed.append(sc.name)
        return target

    return factory


def test_ctrl_c_in_a_scenario_still_ends_its_run_on_the_server():
    """Ctrl-C left the scenario's court run and its namespace on the agencies server (counted against its
    max_sessions, 64 by default, shared with other users): the close was skipped by the KeyboardInterrupt."""
    from scenarios.loader import load_paths
    from scenarios.runner import Interrupted, run_scenario

    sc = load_paths([Path("scenarios/suite/nodes")])[0]
    closed: list[str] = []
    with pytest.raises(KeyboardInterrupt) as caught:  # pytest and every caller still see a KeyboardInterrupt
        run_scenario(sc, _stopping_factory(closed, after=2))
    assert isinstance(caught.value, Interrupted) and "运行被中断" in caught.value.result.error
    assert closed == [sc.name]


def test_ctrl_c_in_a_run_reports_what_ran_and_exits_130(tmp_path: Path, monkeypatch, capsys):
    """``zhixing scenarios run`` stopped by Ctrl-C printed nothing more and wrote no JUnit or HTML for the scenarios
    that had run (exit 130); now it says it was interrupted and what ran, and writes the reports of those."""
    import scenarios.cli
    from zhixing.cli import main

    closed: list[str] = []
    monkeypatch.setattr(scenarios.cli, "system_under_test", lambda **kw: _stopping_factory(closed, after=10 ** 9))
    real = scenarios.cli.run_scenario
    calls = [0]

    def second_stopped(sc, factory, **kw):  # noqa: ANN001, ANN202
        calls[0] += 1
        return real(sc, _stopping_factory(closed, after=2) if calls[0] == 2 else factory, **kw)

    monkeypatch.setattr(scenarios.cli, "run_scenario", second_stopped)
    junit, html = tmp_path / "j.xml", tmp_path / "r.html"
    assert main(["scenarios", "run", "scenarios/suite/nodes", "--junit", str(junit), "--html", str(html)]) == 130
    out = capsys.readouterr().out
    assert "⏹ 中断 interrupted" in out and "运行被中断（Ctrl-C）" in out and "the run was interrupted" in out
    assert "共 2 个场景" in out and len(closed) == 2
    assert junit.read_text(encoding="utf-8").count("<testcase ") == 2 and html.is_file()


def test_a_refused_automatic_filing_is_named_so_not_steps_minus_one():
    """A scenario without a file step is filed at case.filed; its refusal (CALENDAR_RANGE under --strict-calendar)
    read 'steps[-1] file', an index the file does not have."""
    from scenarios.loader import load_paths
    from scenarios.runner import run_scenario

    sc = next(s for s in load_paths([Path("scenarios/suite/holidays/provisional.scenario.yaml")])
              if not any(step.key == "file" for step in s.steps))
    result = run_scenario(sc, strict_calendar=True)
    assert not result.passed
    text = result.explain()
    assert "steps[-1]" not in text and "自动立案 automatic filing (case.filed)" in text


@pytest.mark.parametrize("argv", [
    ["certify", "agency", "--base-url", "http://127.0.0.1:9", "--fixtures", "certify/fixtures_examples/zhixing.yaml"],
    ["certify", "court", "--listen", "127.0.0.1:0", "--duration", "1"],
])
def test_an_evidence_directory_holding_other_files_is_refused_before_the_run(argv, tmp_path: Path, capsys):
    """A vendor re-running into a directory holding anything but evidence (a note, another run's file) got a
    passing run and its digest, and then `zhixing certify verify` of that very directory: not intact, exit 1."""
    from zhixing.cli import main

    out = tmp_path / "ev"
    out.mkdir()
    (out / "notes.md").write_text("我们的备注", encoding="utf-8")
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "notes.md" in err and "不属于证据的文件" in err and "not evidence" in err
    assert sorted(p.name for p in out.iterdir()) == ["notes.md"]  # nothing run, nothing written


def test_after_ctrl_c_the_checks_skipped_at_once_are_not_announced(tmp_path: Path, monkeypatch):
    import certify.agency_suite as suite
    from tests.test_agencies_live import LiveServer, free_port
    from tests.test_certify_hostile import Hostile, _run

    def pressed(run, ctx):  # noqa: ANN001, ANN202
        raise KeyboardInterrupt

    checks = list(suite.CHECKS)
    checks[1] = (checks[1][0], checks[1][1], pressed)  # Ctrl-C during the second check
    monkeypatch.setattr(suite, "CHECKS", tuple(checks))
    sut, said = Hostile(), []
    sut.mode = "500"
    with LiveServer(app=sut.app(), port=free_port()) as server:
        _run(server.url, tmp_path / "ev", only=("receipts", "idempotency", "freeze_balance"), progress=said.append)
    assert [line.split("]")[0] for line in said[1:]] == ["[1/3", "[2/3"]  # not '[3/3 … check freeze_balance'


@pytest.mark.parametrize(("text", "line", "said"), [
    ("name: x\ncase: {number: a\nsteps: []\n", 3, "花括号 { } 中的映射未闭合"),
    ("name: x\nsteps: [a, b\n", 3, "方括号 [ ] 中的列表未闭合"),
    ('name: "abc\n', 2, "引号或括号未闭合"),
    ("name: x\n\tcase: 1\n", 2, "制表符"),
    ("name: x\ncase:\n  a: 1\n b: 2\n", 4, "缩进不一致"),
])
def test_a_yaml_syntax_error_is_explained_in_chinese_too(text: str, line: int, said: str):
    """The parser's problem ("expected ',' or '}', but got ':'") was in the English half only; the Chinese read
    'YAML 语法错误' and nothing more."""
    _, (problem,) = parse_text(text, "t.scenario.yaml")
    assert problem.line == line and said in problem.zh and "YAML syntax error: " in problem.en


def test_the_junit_error_of_an_interrupted_scenario_says_what_stopped_it():
    """JUnit's <error> read 'scenario raised an exception' for every scenario that did not reach a verdict — an
    interrupted one, one whose setup the user got wrong, one that met a bug — English only, and wrong for the first
    two."""
    from xml.etree import ElementTree as ET

    from scenarios.loader import load_paths
    from scenarios.report import junit_xml
    from scenarios.runner import Interrupted, run_scenario

    sc = load_paths([Path("scenarios/suite/nodes")])[0]
    with pytest.raises(Interrupted) as caught:
        run_scenario(sc, _stopping_factory([], after=2))
    result = caught.value.result
    (error,) = ET.fromstring(junit_xml([result])).iter("error")
    assert "运行被中断（Ctrl-C）" in error.get("message") and "interrupted" in error.get("message")
    result.error = "Traceback (most recent call last):\n  File \"x\", line 1\nKeyError: 'now'"
    (error,) = ET.fromstring(junit_xml([result])).iter("error")
    assert error.get("message") == "场景运行异常 / the scenario raised: KeyError: 'now'"


def test_the_english_half_names_what_the_chinese_half_names_and_back(tmp_path: Path):
    """Lists given in one language only: the fixtures there are (Chinese only), the steps' keys (English only, for
    a step with two keys or an unguessable action), the log's cases (Chinese only)."""
    import json

    from scenarios.record import record_file

    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "f.fixture.yaml").write_text("fixture: 本院\nseed: 3\n", encoding="utf-8")
    text = ("name: x\nuse: [本阮]\ncase:\n  number: (2026)豫0811执501号\n  filed: 2026-03-02 10:00\n"
            "  debtors: [{as: 张某, world: 3}]\nsteps:\n  - assign: 李法官\n    expect_node: {node: 7, state: 进行中}\n"
            "  - zzzz: 1\n")
    _, bad = parse_text(text, str(tmp_path / "t.scenario.yaml"))
    said = {p.key: p for p in bad}
    assert set(said) == {"use.0", "steps.0", "steps.1.zzzz"}
    assert "本院" in said["use.0"].zh and "there are: 本院" in said["use.0"].en
    for key in ("steps.0", "steps.1.zzzz"):
        assert "approve_unfreeze" in said[key].zh and "approve_unfreeze" in said[key].en
    log = tmp_path / "e.jsonl"
    log.write_text(json.dumps({"at": "2025-03-03T10:00:00+08:00", "case_id": "(2025)豫0811执1号", "kind": "filed",
                               "data": {}}) + "\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        record_file(log, "(2025)豫0811执2号", None)
    assert "(2025)豫0811执1号" in caught.value.zh and "it has: (2025)豫0811执1号" in caught.value.en


def test_ctrl_c_while_driving_a_court_grades_what_came_and_writes_the_evidence(monkeypatch):
    """``certify court --driver`` stopped by Ctrl-C ended with exit 130, no line and no evidence; as the agency side
    (certify/README: 'Ctrl-C … 照常写出证据，命令以 1 退出') it now stops driving after the case under way, grades the
    traffic so far, writes the evidence and exits 1, saying it was interrupted."""
    import scenarios.runner
    from certify.court_drive import drive_cases

    real, calls = scenarios.runner.run_scenario, [0]

    def second_stopped(sc, factory, **kw):  # noqa: ANN001, ANN202
        calls[0] += 1
        if calls[0] == 2:
            raise scenarios.runner.Interrupted(real(sc, factory, **kw))
        return real(sc, factory, **kw)

    monkeypatch.setattr(scenarios.runner, "run_scenario", second_stopped)
    driven = drive_cases(None)  # zhixing's court in process
    assert driven.interrupted and calls[0] == 2 and driven.passed == 1 and len(driven.failed) == 1


def test_an_interrupted_driven_court_run_exits_1_saying_so(tmp_path: Path, monkeypatch, capsys):
    import certify.court_runner
    from certify.court_drive import DriveResult
    from zhixing.cli import main

    def driven(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        rows = [{"id": "CT-001", "status": "pass", "zh": "集约查询范围", "en": "the 集约查询 scope", "findings": []}]
        return "0" * 64, rows, DriveResult(passed=1, failed=["案例二"], why={"案例二": "运行被中断（Ctrl-C）"},
                                           interrupted=True)

    monkeypatch.setattr(certify.court_runner, "drive_court", driven)
    code = main(["certify", "court", "--driver", "http://127.0.0.1:9", "--listen", "127.0.0.1:0",
                 "--out", str(tmp_path / "ev")])
    assert code == 1 and "运行被中断（Ctrl-C）" in capsys.readouterr().err


def test_the_schema_takes_a_parameter_where_a_name_a_number_or_a_yes_no_goes():
    """A parameterised scenario (README 'Reuse') ran, but an editor checking it against scenarios/schema.json
    flagged ``state: ${state}`` (a catalogue's enum) and ``money: ${money}`` (a yes/no): the schema knew no
    ``${column}`` outside plain text."""
    import json

    import jsonschema

    from tests.test_scenarios_newcomer import _editor_yaml

    schema = json.loads(Path("scenarios/schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    text = ("name: 参数 ${state}\nparameters: {columns: [state, money, node], rows: [[已预警, true, 7]]}\n"
            "case:\n  number: (2025)豫0811执3603号\n  money: ${money}\n  filed: 2025-03-03 10:00\n"
            "  debtors: [{as: 卫某, world: 5}]\n"
            "steps:\n  - assign: 李法官\n  - expect_node:\n      node: ${node}\n      state: ${state}\n")
    (doc,) = _editor_yaml(text)
    assert [e.message for e in validator.iter_errors(doc)] == []
    (wrong,) = _editor_yaml(text.replace("state: ${state}\n", "state: 已预敬\n"))
    assert list(validator.iter_errors(wrong))  # a misspelt name is still flagged
    (half,) = _editor_yaml(text.replace("money: ${money}", "money: $money"))
    assert list(validator.iter_errors(half))  # and a parameter not written whole
    assert parse_text(text, "t.scenario.yaml")[1] == []  # the loader takes it (and ran it)
