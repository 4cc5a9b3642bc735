"""The certification kit after a tester's review: a fixtures mistake is the fixtures' (not 6 failures of the system
under test), every mistake of the file at once with "did you mean", findings without ``None``, ``verify`` listing
every change with its own exit code, the court run's evidence naming the court under test and its summary line, and
the manual court mode telling the vendor whom to file against. Real servers on loopback, virtual time."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from certify.fixtures import load_fixtures
from certify.runner import run_agency
from core_flow.errors import UserError
from tests.test_agencies_live import LiveServer, free_port
from tests.test_certify_agency import _server
from zhixing.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "certify" / "fixtures_examples" / "zhixing.yaml"
GOOD_ID, BAD_ID = "410811198001010135", "410811198001010136"  # the freeze role's number, one digit off


@pytest.fixture(scope="module")
def mock() -> Iterator[LiveServer]:
    with _server() as server:
        yield server


def _write(tmp_path: Path, text: str, name: str = "fixtures.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# -- 1. a wrong check digit is the fixtures' mistake ------------------------------------------------------------


def test_a_wrong_id_check_digit_in_the_fixtures_is_a_located_error_not_failures_of_the_system(
        mock: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = FIXTURES.read_text(encoding="utf-8").replace(f'"{GOOD_ID}"', f'"{BAD_ID}"')
    path = _write(tmp_path, text)
    out = tmp_path / "ev"
    code = main(["certify", "agency", "--base-url", mock.url, "--fixtures", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert f"{path}:{_line(text, BAD_ID)}: debtors.freeze.id_number" in err
    assert "公民身份号码校验位不符" in err and "check character wrong" in err and "Traceback" not in err


def test_holdings_the_system_refuses_to_pin_stop_the_run_before_any_check(
        mock: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixtures that pass the kit's own validation but that the system under test refuses to pin (here: a number
    slipped past the validation) are refused with the system's reason, naming the role — one refused pin refuses
    them all, so every check would fail for it."""
    from certify import runner

    fixtures = load_fixtures(FIXTURES)
    freeze = fixtures.debtors["freeze"].model_copy(update={"id_number": BAD_ID})
    bad = fixtures.model_copy(update={"debtors": dict(fixtures.debtors, freeze=freeze)})
    monkeypatch.setattr(runner, "load_fixtures", lambda path: bad)
    out = tmp_path / "ev"
    code = main(["certify", "agency", "--base-url", mock.url, "--fixtures", str(FIXTURES), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and not out.exists() and "AG-0" not in captured.out
    assert f"{FIXTURES}: debtors.freeze" in captured.err and "pins/batch" in captured.err
    assert "未接受" in captured.err and "did not accept" in captured.err


# -- 4. every fixtures mistake at once, with "did you mean" -----------------------------------------------------


def test_a_misspelt_role_and_a_wrong_balance_are_said_together_each_at_its_line(tmp_path: Path) -> None:
    text = (FIXTURES.read_text(encoding="utf-8").replace("  replay:", "  replya:")
            .replace("balance_cents: 1300000", "balance_cents: 13000.50"))
    path = _write(tmp_path, text)
    with pytest.raises(UserError) as err:
        load_fixtures(path)
    zh = err.value.zh
    assert zh.startswith("测试数据文件有 2 处错误")
    assert f"{path}:{_line(text, 'replya:')}: debtors.replya: 未知角色：replya（是否想写：replay）" in zh
    assert f"{path}:{_line(text, '13000.50')}: debtors.queue.holdings.0.balance_cents" in zh


def test_a_misspelt_top_level_key_gets_a_did_you_mean(tmp_path: Path) -> None:
    text = FIXTURES.read_text(encoding="utf-8").replace("agency: icbc", "agenc: icbc")
    path = _write(tmp_path, text)
    with pytest.raises(UserError) as err:
        load_fixtures(path)
    assert f"{path}:{_line(text, 'agenc:')}: agenc:" in err.value.zh
    assert "是否想写：agency" in err.value.zh and "did you mean: agency" in err.value.zh


# -- 3. findings say what did not come, and amounts with their unit ---------------------------------------------


def test_a_passing_runs_findings_never_say_none_and_amounts_carry_their_unit(mock: LiveServer, tmp_path: Path) -> None:
    result = run_agency(mock.url, FIXTURES, tmp_path)
    assert result.failed == []
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    findings = [f for r in data["requirements"] for f in r["findings"]]
    assert not [f["zh"] for f in findings if re.search(r"\bNone\b", f"{f['zh']} {f['en']}")]
    assert not re.search(r"\bNone\b", (tmp_path / "report.html").read_text(encoding="utf-8"))
    freeze = next(f for f in findings if f["requirement"] == "AG-004")
    assert "已控 1200000 分，未控 12345 分（应为 1200000 分 / 12345 分）" in freeze["zh"]  # like the court side's
    assert "controlled 1200000 cents, remainder 12345 cents" in freeze["en"]
    term = next(f for f in findings if f["requirement"] == "AG-008" and "400" in f["zh"])
    assert "无业务答复" in term["zh"] or "ok=False" in term["zh"]


def test_what_did_not_come_is_said_missing(tmp_path: Path) -> None:
    from certify.findings import cents, listed, shown

    assert (shown(None), shown(None, True), shown("T1", quoted=True)) == ("无", "missing", "'T1'")
    assert (cents(None), cents(None, True), cents(5), cents(5, True)) == ("无", "missing", "5 分", "5 cents")
    assert cents("5") == "'5'" and listed([None, "queued"]) == "无、queued"


# -- 5. verify lists every problem; not intact is a verdict (1), not a usage error (2) ------------------------


def test_verify_lists_every_changed_missing_and_extra_file_and_exits_1(
        mock: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ev"
    run_agency(mock.url, FIXTURES, out, only=("receipts",))
    (out / "results.json").write_text("{}", encoding="utf-8")
    (out / "junit.xml").unlink()
    (out / "notes.txt").write_text("x", encoding="utf-8")
    assert main(["certify", "verify", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{out / 'results.json'}: 证据文件已被改动：results.json / evidence file changed: results.json" in err
    assert f"{out / 'junit.xml'}: 证据文件缺失：junit.xml / evidence file missing: junit.xml" in err
    assert f"{out / 'notes.txt'}: 证据目录中有未列入摘要的文件：notes.txt" in err
    assert "证据不完整 / evidence not intact" in err and "3 处 / 3 problems" in err and "Traceback" not in err
    assert main(["certify", "verify", str(tmp_path / "nowhere")]) == 2  # no such folder: the user's mistake
    assert "证据目录不存在 / no such evidence directory" in capsys.readouterr().err


# -- 6, 7, 8. the court run: who is under test, its summary line, what the reference court gets ----------------


def test_a_driven_court_run_names_the_driven_court_says_its_summary_and_matches_the_readme(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from zhixing.cmd_court import _reference_app

    out, lab = tmp_path / "driven", f"127.0.0.1:{free_port()}"
    with LiveServer(app=_reference_app(None), port=free_port()) as court:
        code = main(["certify", "court", "--driver", court.url, "--listen", lab, "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sut"]["url"] == court.url  # the driven court, not the kit's own listen address
    assert f"the kit at http://{lab}" in manifest["sut"]["description"]
    assert f"被测系统 / system under test</th><td>{court.url} — " in (out / "report.html").read_text(encoding="utf-8")
    summary = "通过 10，未通过 0，跳过 1，不适用 5 / pass 10, fail 0, skipped 1, not applicable 5"
    assert summary in printed.splitlines()  # the agency run's wording
    rows = {r["id"]: r for r in json.loads((out / "results.json").read_text(encoding="utf-8"))["requirements"]}
    assert rows["CT-008"]["status"] == "skipped" and "只轮询" in rows["CT-008"]["findings"][0]["zh"]
    readme = (ROOT / "certify" / "README.md").read_text(encoding="utf-8")  # what the README promises is what it gets
    assert "参考法院通过上述评分项中除 CT-008 外的全部" in readme and "“通过 10，未通过 0，跳过 1，不适用 5”" in readme
    assert "参考法院通过上述全部评分项" not in readme


def test_a_court_run_by_hand_says_the_court_connecting_to_the_kit_is_under_test(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, port = tmp_path / "manual", free_port()
    assert main(["certify", "court", "--listen", f"127.0.0.1:{port}", "--duration", "1", "--out", str(out)]) == 3
    printed = capsys.readouterr().out
    assert "通过 0，未通过 0，跳过 11，不适用 5 / pass 0, fail 0, skipped 11, not applicable 5" in printed.splitlines()
    sut = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["sut"]
    assert sut["url"] is None and f"connects to the kit at http://127.0.0.1:{port}" in sut["description"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert f"连接本工具 http://127.0.0.1:{port} 的法院系统" in report


# -- 9. by hand: whom to file against ----------------------------------------------------------------------------


def test_a_court_run_by_hand_prints_each_case_with_its_debtors_name_and_id_and_the_lab_holds_their_holdings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from certify.court_drive import CASES
    from certify.court_manual import manual_cases
    from certify.court_server import create_court_lab
    from mock_agencies.catalogue import load_catalogue
    from mock_agencies.settings import Settings
    from mock_agencies.world import World
    from scenarios.loader import load_paths

    port = free_port()
    assert main(["certify", "court", "--listen", f"127.0.0.1:{port}", "--duration", "1", "--out",
                 str(tmp_path / "ev")]) == 3  # nobody filed: nothing passed
    printed = capsys.readouterr().out
    assert "并非真实人员" in printed and "not real people" in printed and f"http://127.0.0.1:{port}" in printed
    scenarios = load_paths([CASES])
    for sc in scenarios:  # every case, its debtor as the world of its seed has them (the people a driven run files)
        for d in sc.case.debtors:
            person = World(sc.seed, size=Settings().world_size, catalogue=load_catalogue()).debtor(d.world)
            assert sc.case.number in printed
            assert f"{person.name}（" in printed and person.id_number in printed  # unmasked: to be typed in
    lab = create_court_lab(Settings(profile="fast", world_size=1000))
    cases = manual_cases(lab.state)
    assert [c.number for c in cases] == [sc.case.number for sc in scenarios]
    world = lab.state.sessions.get_or_create("default").world  # where a court without a namespace header goes
    sun = cases[4].debtors[0]
    assert [h.balance_cents for h in world.holdings(sun.id_number, "icbc")] == [5_000_000]  # the case's 50,000 元
    assert [h.balance_cents for h in world.holdings(sun.id_number, "ccb")] == [3_000_000]


def test_the_reports_identity_and_settings_are_one_line_each_not_json() -> None:
    """The system's identity and the run's settings read as ``name: value`` lines in report.html (a raw line of JSON
    before), a nested value as JSON, an absent one as a dash; the text is escaped."""
    from certify.report_html import render_html

    manifest = {"suite": "agency", "sut": {"url": "http://x", "identity": {"vendor": "<某厂>", "version": None}},
                "settings": {"answer_timeout": 60.0, "only": ["freeze"], "defects": {}},
                "started": "2026-12-06T20:00:00+08:00", "finished": "2026-12-06T20:03:09+08:00"}
    page = render_html(manifest, {"summary": {}, "requirements": []})
    assert "<code>vendor</code>: &lt;某厂&gt;<br><code>version</code>: —" in page
    assert '<code>answer_timeout</code>: 60.0<br><code>only</code>: [&quot;freeze&quot;]' in page
    assert '{"vendor"' not in page and '{"answer_timeout"' not in page
