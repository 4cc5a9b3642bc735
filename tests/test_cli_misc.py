"""`zhixing nodes`, `zhixing timeline` and `zhixing duban` through the CLI entry point."""

from __future__ import annotations

import json

from zhixing import cli


def test_nodes_table_and_json(capsys):
    assert cli.main(["nodes"]) == 0
    out = capsys.readouterr().out
    assert "执行通知" in out and "中院执行局长" in out and "省法院" in out
    assert cli.main(["nodes", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    nodes = {n["no"]: n for n in data["nodes"]}
    assert len(nodes) == 46
    assert nodes[7]["freeze"] and nodes[7]["unfreeze_codes"] == ["court_leader", "bureau_head"]
    assert nodes[4]["deadline_zh"] == "立案后3日内" and not nodes[4]["freeze"]
    assert nodes[46]["unfreeze"] == ["本院主管院领导", "执行局长"] and "立案节点" in nodes[46]["freeze_rule_zh"]
    assert [m["name"] for m in data["closing_manners"]] == ["执行完毕", "终本", "终结"]


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


def test_duban_with_a_bad_line_names_file_and_line(tmp_path, capsys):
    log = tmp_path / "events.jsonl"
    log.write_text(_line("duban_raised", "K1", "icbc") + "\nnot json\n", encoding="utf-8")
    assert cli.main(["duban", "--events", str(log)]) == 2
    err = capsys.readouterr().err
    assert f"{log}:2" in err and "Traceback" not in err


def test_version_is_printed(capsys):
    from importlib.metadata import version

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"zhixing {version('zhixing')}"
