"""`zhixing nodes`, `zhixing timeline` and `zhixing duban` through the CLI entry point."""

from __future__ import annotations

import json

from zhixing import cli


def test_nodes_table_and_json(capsys):
    assert cli.main(["nodes"]) == 0
    out = capsys.readouterr().out
    assert "执行通知" in out and "中院执行局长" in out and "省法院" in out and "条件 Conditions" in out
    assert cli.main(["nodes", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    nodes = {n["no"]: n for n in data["nodes"]}
    assert len(nodes) == 46
    assert nodes[7]["freeze"] and nodes[7]["unfreeze_codes"] == ["court_leader", "bureau_head"]
    assert nodes[4]["deadline_zh"] == "立案后3日内" and not nodes[4]["freeze"]
    assert nodes[46]["unfreeze"] == ["本院主管院领导", "执行局长"] and "立案节点" in nodes[46]["freeze_rule_zh"]
    assert [m["name"] for m in data["closing_manners"]][:3] == ["执行完毕", "终本", "终结"]
    manners = {m["code"]: m for m in data["closing_manners"]}
    assert manners["preservation_done"]["case_types"] == ["preservation"] and not manners["zhongben"]["lifts_measures"]
    assert "财产保全 / preservation: 执行完毕 completed、保全完毕 preservation_done" in out
    # what completing a node takes besides its work: signatures, approvals, nodes first, recorded instants, terms
    assert [c["zh"] for c in nodes[36]["conditions"]] == [
        "须院长签发", "须先完成节点7（执行通知）", "不早于执行通知书指定的履行期间届满（如已登记 performance_due）"]
    signed, first, terms = [c["en"] for c in nodes[37]["conditions"]]  # 失信's term by ground (fidelity_audit N37-T)
    assert (signed, first) == ("signed by president", "node(s) 36 done first")
    assert terms.startswith("the measure's term by its ground (default 1): 1 able to perform but refuses to: no fixed "
                            "term; 2 ") and "2 years" in terms and "extended by 1–3 years" in terms
    assert "财产保全：不适用" in nodes[7]["deadline_zh"]  # node 7 does not apply to preservation (N7-P)
    assert nodes[33]["conditions"][0]["zh"] == "依次审批：执行局长 → 分管副院长" and nodes[4]["conditions"] == []


def test_nodes_lists_only_the_nodes_asked_for_by_number_or_name(capsys):
    """``zhixing nodes 节点三十六 划拨``: the seed's way of numbering and a name; an unknown node is located."""
    assert cli.main(["nodes", "节点三十六", "划拨", "--json"]) == 0
    assert [n["no"] for n in json.loads(capsys.readouterr().out)["nodes"]] == [31, 36]
    assert cli.main(["nodes", "节点四十七"]) == 2
    out, err = capsys.readouterr()
    assert "NODE: 未知节点 '节点四十七'" in out + err and "Traceback" not in out + err


def test_nodes_with_a_broken_process_file_names_the_place(tmp_path, capsys):
    bad = tmp_path / "court.yaml"
    bad.write_text("version: 1\nnodes: []\n", encoding="utf-8")
    assert cli.main(["nodes", "--process", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "court.yaml" in err and "Traceback" not in err and "/" in err


def test_timeline_runs_the_engine_in_virtual_time(capsys):
    assert cli.main(["timeline"]) == 0
    out = capsys.readouterr().out
    assert "节点冻结 node frozen" in out and "终本统查 sweep" in out and "批准解冻 unfreeze approved" in out


def test_the_timelines_cases_are_uploaded_and_archived_after_closing():
    """Each of the three cases finishes its 结案 and 归档 nodes: no 43 / 44 deadline shown missed (the resumed case
    closed and was then left, its upload and archiving deadlines missed on the page)."""
    from core_flow.engine import EventKind
    from zhixing.engine_timeline import run_demo

    runtime, _ = run_demo()
    closed = {e.case_id for e in runtime.events if e.kind == EventKind.CLOSED}
    archived = {e.case_id for e in runtime.events if e.kind == EventKind.NODE_DONE and e.node == 44}
    assert len(closed) == 3 and archived == closed
    assert not [e for e in runtime.events if e.kind == EventKind.DEADLINE_MISSED and e.node in (43, 44)]


def _line(kind, case, agency, at="2025-03-11T00:00:00+08:00"):
    return json.dumps({"at": at, "case_id": case, "kind": kind, "node": 3, "instance": "", "item": None,
                       "data": {"debtor": "D", "agency": agency, "due": at}}, ensure_ascii=False)


def test_duban_lists_raised_and_not_closed_items(tmp_path, capsys):
    log = tmp_path / "events.jsonl"
    log.write_text("\n".join([_line("duban_raised", "K1", "icbc"), _line("duban_raised", "K2", "ccb"),
                              _line("duban_closed", "K1", "icbc"), _line("feedback_opened", "K3", "boc")]) + "\n",
                   encoding="utf-8")
    assert cli.main(["duban", "--events", str(log), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [(i["case_id"], i["agency"]) for i in items] == [("K2", "ccb")]
    assert cli.main(["duban", "--events", str(log)]) == 0
    assert "建设银行 ccb" in capsys.readouterr().out  # the agency by its name, as the simulation's tables say it


def test_duban_with_none_open_says_so_in_words(tmp_path, capsys):
    log = tmp_path / "events.jsonl"
    log.write_text(_line("duban_raised", "K1", "icbc") + "\n" + _line("duban_closed", "K1", "icbc") + "\n",
                   encoding="utf-8")
    assert cli.main(["duban", "--events", str(log)]) == 0
    out = capsys.readouterr().out
    # piped output wraps at 80 columns, and the line ends with the log's path: its length (the temporary directory's,
    # e.g. under pytest -n 2) moves the break — the words are checked with the breaks undone
    assert "没有未结督办 / no open 督办 items" in " ".join(out.split()) and "┃" not in out  # not an empty table


def test_duban_with_a_bad_line_names_file_and_line(tmp_path, capsys):
    log = tmp_path / "events.jsonl"
    log.write_text(_line("duban_raised", "K1", "icbc") + "\nnot json\n", encoding="utf-8")
    assert cli.main(["duban", "--events", str(log)]) == 2
    err = capsys.readouterr().err
    assert f"{log}:2" in err and "Traceback" not in err


def test_duban_reads_the_simulations_event_table_too(tmp_path, capsys):
    """`zhixing simulate --events` writes a CSV; `zhixing scenarios record` read it, `zhixing duban` refused it."""
    table = tmp_path / "events-c-r0.csv"
    rows = ["at,case,kind,node,instance,item,data",
            '2025-03-12T09:00:00+08:00,K1,duban_raised,3,,,"{""debtor"": ""D"", ""agency"": ""icbc"", '
            '""due"": ""2025-03-12T09:00:00+08:00""}"',
            '2025-03-12T10:00:00+08:00,K2,duban_raised,3,,,"{""debtor"": ""D"", ""agency"": ""ccb""}"',
            '2025-03-13T09:00:00+08:00,K1,duban_closed,3,,,"{""debtor"": ""D"", ""agency"": ""icbc""}"']
    table.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")  # as written: with the mark Excel needs
    assert cli.main(["duban", "--events", str(table), "--json"]) == 0
    assert [(i["case_id"], i["agency"]) for i in json.loads(capsys.readouterr().out)] == [("K2", "ccb")]
    table.write_text(rows[0] + "\nnot,a,row\n", encoding="utf-8")
    assert cli.main(["duban", "--events", str(table)]) == 2
    assert f"{table}:2" in capsys.readouterr().err


def test_version_is_printed(capsys):
    from importlib.metadata import version

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"zhixing {version('zhixing')}"


def test_the_demo_summary_fits_80_columns_and_explains_itself():
    from rich.console import Console

    from zhixing.cmd_demo import COLUMNS, _explain, _table

    row = {"case": "(2025)豫0811执12号", "type": "first", "amount_cents": 9_900_000, "inquiry": "29/29",
           "frozen_nodes": 2, "duban": 1, "deducted_cents": 1_234_567, "disposal": "不动产 一拍成交 ¥770,089.92 过户",
           "paid_cents": 1_234_567, "manner": "", "planted": "", "reconciled": True,
           "freezes": [(17, "online"), (43, "limit")], "why_open": "案款待发放 / money to pay out"}
    console = Console(width=80, record=True)
    _table(console, [row], wide=False, year=2025)
    _explain(console, [row])
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    # the headings stay on one line (not folded a character per line); the price is left to the wide table
    assert any("案号" in line and "集约查询" in line and "结案" in line for line in text.splitlines())
    assert "770,089" not in text and "一拍成交" in text
    assert "29/29" in text and "范围内 29 家全部反馈" in text  # what "29/29" means
    assert "节点 17 × 1：48小时内未控制线上财产" in text and "节点 43 × 1：审限届满未结案" in text
    assert "(2025)豫0811执12号：案款待发放" in text
    assert all(name in text for name, _ in COLUMNS)


def test_court_serve_refuses_a_port_out_of_range(capsys):
    assert cli.main(["court", "serve", "--port", "-1"]) == 2  # was an OverflowError from bind()
    out, err = capsys.readouterr()
    assert "--port" in out + err and "Traceback" not in out + err


def test_the_demo_table_shows_what_the_applicant_got_and_the_surplus_apart():
    """A flat sold for far more than a 12,000 yuan claim: the 发放 column says 12,000 to the applicant and (wide) the
    rest returned to the debtor — not 742,255 'paid' against a 12,000 claim."""
    from rich.console import Console

    from zhixing.cmd_demo import _table

    row = {"case": "(2025)豫0811执3号", "type": "first", "amount_cents": 1_200_000, "inquiry": "29/29",
           "frozen_nodes": 0, "duban": 0, "deducted_cents": 0, "disposal": "不动产 一拍成交 ¥742,255.34 已交付",
           "paid_cents": 74_225_534, "returned_cents": 73_025_534, "manner": "completed", "planted": "",
           "reconciled": True}
    for wide, width in ((False, 80), (True, 200)):
        console = Console(width=width, record=True)
        _table(console, [row], wide=wide, year=2025)
        text = console.export_text()
        # the claim and what the applicant got (12,000 twice); the price only in the wide 处置 cell, never as paid
        assert text.count("12,000.00" if wide else "12,000") == 2 and text.count("742,255") == (1 if wide else 0)
        assert ("退 730,255.34" in text) == wide
