"""A province file: courts that differ, each its own profile (a file, fields in place, or both; ``count`` for courts
alike), simulated together with the province total; its mistakes located in the file that has them."""

from __future__ import annotations

import json

import pytest

from core_flow import yaml_text
from core_flow.errors import UserError
from sim.profile import load_profile
from sim.province import PROVINCE_SCHEMA, PROVINCE_TEMPLATE, is_province, load_province, schema
from zhixing.cli import main

JIA = "name: 甲区人民法院\ncourt_code: 豫0801\norigin: 2026-03-01\nintake:\n  yearly: 2,500\n" \
      "staff:\n  承办法官: {count: 4}\n  法官助理: {count: 4}\n"
PROVINCE = """name: 某中院辖区
common:
  origin: 2027年1月4日
courts:
  - profile: 甲区.yaml
  - name: 乙县人民法院
    court_code: 豫0802
    intake: {yearly: 1800}
    staff: {承办法官: {count: 3}, 书记员: {count: 3}}
  - name: 丙县人民法院
    count: 2
    intake: {yearly: 900, mix: {首执: 0.9, 保全: 0.1}}
"""


def write(tmp_path, province: str = PROVINCE, jia: str = JIA):
    (tmp_path / "甲区.yaml").write_text(jia, encoding="utf-8")
    f = tmp_path / "省.yaml"
    f.write_text(province, encoding="utf-8")
    return f


def test_each_court_is_its_own_profile_merged_default_common_file_in_place(tmp_path):
    p = load_province(write(tmp_path))
    assert p.name == "某中院辖区"
    names = [n for n, _ in p.courts]
    assert names == ["甲区人民法院", "乙县人民法院", "丙县人民法院 #1", "丙县人民法院 #2"]
    jia, yi, bing1, bing2 = (c for _, c in p.courts)
    default = load_profile()
    assert (jia.intake.yearly, jia.staff["承办法官"].count, jia.staff["书记员"].count, jia.court_code) == \
        (2500, 4, 4, "豫0801")  # its own file (法官助理 is the 书记员 role)
    assert (yi.intake.yearly, yi.staff["承办法官"].count, yi.court_code) == (1800, 3, "豫0802")  # in place
    assert yi.intake.mix == default.intake.mix and yi.actions == default.actions  # the rest: the default
    assert bing1.intake.yearly == bing2.intake.yearly == 900 and bing1.intake.mix["first"] == 0.9
    assert bing1.name == "丙县人民法院 #1"
    # the province's one window: common's origin over the court file's own (2026-03-01, for its own runs)
    assert {c.origin.date().isoformat() for _, c in p.courts} == {"2027-01-04"}


def test_a_court_unnamed_in_place_and_in_its_file_is_its_files_name_not_the_defaults(tmp_path):
    (tmp_path / "丁县.yaml").write_text("intake: {yearly: 700}\n", encoding="utf-8")
    f = write(tmp_path, PROVINCE + "  - profile: 丁县.yaml\n  - {name: 戊县, base: none}\n")
    with pytest.raises(UserError) as err:  # base belongs in a court's own file
        load_province(f)
    assert "courts.4.base" in err.value.where
    f.write_text(PROVINCE + "  - profile: 丁县.yaml\n", encoding="utf-8")
    assert load_province(f).courts[-1][0] == "丁县"


def test_the_template_loads_and_the_schema_is_generated():
    p = load_province(PROVINCE_TEMPLATE)
    assert len(p.courts) >= 3 and is_province(PROVINCE_TEMPLATE)
    assert json.loads(PROVINCE_SCHEMA.read_text(encoding="utf-8")) == schema(), \
        "regenerate: python -m sim.province > sim/data/province.schema.json"


@pytest.mark.parametrize(("change", "where", "zh"), [
    # a field written in place: at its line in the province file
    (("intake: {yearly: 1800}", "intake: {yearly: -3}"), "省.yaml:8:intake.yearly", "乙县人民法院：法院配置有误"),
    (("count: 2", "count: 0"), "省.yaml:11:courts.2.count", ""),
    (("  - profile: 甲区.yaml", "  - profile: 乙区.yaml"), "省.yaml:5:courts.0.profile", "找不到"),
    (("  - name: 乙县人民法院\n    court_code: 豫0802\n", "  - court_code: 豫0802\n"), "省.yaml:6:courts.1", "name"),
    (("    count: 2\n", ""), "courts.2.name", "名称重复"),  # 丙县 as 乙县: the same name twice
    (("common:\n  origin: 2027年1月4日\n", ""), "origin", "须相同"),  # 甲区's own origin differs
    (("intake: {yearly: 1800}", "intake: {yearly: 1,800}"), "省.yaml:8:courts.1.intake.yearly", "逗号"),
])
def test_a_mistake_is_located_in_the_province_file(tmp_path, change, where, zh):
    old, new = change
    if "名称重复" in zh and old == "    count: 2\n":
        text = PROVINCE.replace(old, new).replace("name: 丙县人民法院", "name: 乙县人民法院")
    else:
        assert old in PROVINCE
        text = PROVINCE.replace(old, new)
    with pytest.raises(UserError) as err:
        load_province(write(tmp_path, text))
    assert where in err.value.where and zh in err.value.zh, (err.value.where, err.value.zh)


def test_a_mistake_in_a_courts_own_file_is_located_there(tmp_path):
    with pytest.raises(UserError) as err:
        load_province(write(tmp_path, jia=JIA.replace("{count: 4}\n  法官助理", "{count: 0}\n  法官助理")))
    assert "甲区.yaml:7:staff.承办法官" in err.value.where and "至少一人" in err.value.zh


def test_a_thousands_comma_inside_braces_is_refused_not_read_as_the_first_digits(tmp_path):
    """`{yearly: 4,000}` is `{yearly: 4, 000: null}` to YAML: the profile read 4 (or said "Keys should be strings")."""
    f = tmp_path / "c.yaml"
    f.write_text("name: x\nintake: {yearly: 4,000, mix: {首执: 0.9}}\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_profile(f)
    assert err.value.where.endswith("c.yaml:2:intake.yearly") and "4000" in err.value.zh
    f.write_text("name: x\nintake:\n  yearly: 4,000\n  seasonality: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]\n",
                 encoding="utf-8")
    assert load_profile(f).intake.yearly == 4000  # on its own line the comma is the number's; a list's are its own
    tree, _ = yaml_text.compose_and_load("a: {b: 1,234,567, c: 2}\nd: {e: 1, 234: x}\n")
    assert yaml_text.split_numbers(tree) == [("a.b", 1, "1,234,567")]  # a key with a value is a key


def test_a_province_file_is_not_read_as_one_courts_profile(tmp_path):
    with pytest.raises(UserError) as err:
        load_profile(write(tmp_path))
    assert "省级配置" in err.value.zh and err.value.where.endswith("省.yaml:5:courts")


@pytest.mark.parametrize(("extra", "option"), [(["--courts", "2"], "--courts"), (["--intake", "500"], "--intake")])
def test_options_for_one_profile_are_refused_with_a_province(tmp_path, capsys, extra, option):
    assert main(["simulate", str(write(tmp_path)), "--out", str(tmp_path / "out"), *extra]) == 2
    err = capsys.readouterr().err
    assert option in err and "Traceback" not in err and not (tmp_path / "out").exists()


def test_a_province_run_reports_each_court_and_the_total(tmp_path, capsys):
    text = PROVINCE.replace("yearly: 1800", "yearly: 600").replace("yearly: 900", "yearly: 300")
    f = write(tmp_path, text, JIA.replace("2,500", "1,200"))
    out = tmp_path / "out"
    assert main(["simulate", str(f), "--years", "0.06", "-r", "2", "--seed", "4", "--backend", "serial",
                 "--no-validate", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "某中院辖区（4 个法院" in said and "全省合计（4 个法院；" in said
    data = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert data["profile"] == "某中院辖区" and list(data["courts"]) == ["甲区人民法院", "乙县人民法院",
                                                                      "丙县人民法院 #1", "丙县人民法院 #2"]
    filed = {c: v["kpi"]["filed"]["mean"] for c, v in data["courts"].items()}
    assert filed["甲区人民法院"] > filed["乙县人民法院"] > filed["丙县人民法院 #1"]  # their own intakes
    # the terminal: a row per court (a hundred courts' full tables were a wall of text), then the province
    glance = said.split("各院概览")[1].split("全省合计")[0]
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in glance.splitlines()
            if line.startswith("│")}
    from sim.kpi import fmt_value

    assert rows == {c: fmt_value(v, "filed") for c, v in filed.items()}, rows
    assert "关键指标（均值与95%置信区间） / KPIs, mean and 95% CI — 甲区" not in said
    assert data["province"]["kpi"]["filed"]["mean"] == pytest.approx(sum(filed.values()))
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "某中院辖区" in page.split("</h1>")[0]
    inputs = page.split("<h2>输入 / Inputs</h2>")[1].split("<h2>")[0]
    # what differs by court is in the courts' table, each court's own; what they share is said once
    assert inputs.count("各院不同") >= 2 and "<td class='name'>甲区人民法院</td><td>1,200</td>" in inputs
    assert "<td class='name'>乙县人民法院</td><td>600</td>" in inputs and "2027-01-04 08:30" in inputs
    # the courts at a glance, each name leading to its section
    glance = page.split("各院概览")[1].split("</table>")[0]
    assert glance.count("<tr><td class='name'><a href='#court-") == 4  # the name on one line
    assert "<a href='#court-1'>乙县人民法院</a>" in glance
    assert "<h2 id='court-1'>关键指标 / KPIs — 乙县人民法院" in page
    # the overview opens the report (as the README says), before the inputs and the province's tables
    assert page.index("各院概览") < page.index("<h2>输入 / Inputs</h2>") < page.index("<h2>全省合计")
    assert "从空终本库开始（4 个法院" in page and "计入指标的时段只有 22 天" in page  # the horizon, said
    from tests.sim_support import rendered_dom

    dom = rendered_dom(out / "report.html", tmp_path)  # and it renders offline in headless Chromium
    assert "各院概览" in dom and "乙县人民法院" in dom and "全省合计" in dom


def test_courts_alike_keep_the_one_court_inputs(tmp_path, capsys):
    """--courts C: C courts of one profile — one inputs table, not C identical rows."""
    f = tmp_path / "s.yaml"
    f.write_text("name: 测试法院\nintake: {yearly: 200}\nstaff: {承办法官: {count: 1}, 书记员: {count: 1}}\n",
                 encoding="utf-8")
    assert main(["simulate", str(f), "--years", "0.04", "-r", "2", "--backend", "serial", "--courts", "2",
                 "--no-validate", "--no-check", "--out", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "各院不同" not in page and "<td>200</td>" in page


def test_plan_template_province_writes_one_that_runs(tmp_path, capsys):
    target = tmp_path / "本省.yaml"
    assert main(["plan", "template", "--province", "--out", str(target)]) == 0
    assert "zhixing simulate" in capsys.readouterr().out
    assert is_province(target) and len(load_province(target).courts) == len(load_province(PROVINCE_TEMPLATE).courts)


SMALL_PROVINCE = """name: 小省
courts:
  - {name: 甲院, intake: {yearly: 300}, staff: {承办法官: {count: 1}, 书记员: {count: 1}}}
  - {name: 乙院, count: 2, intake: {yearly: 150}, staff: {承办法官: {count: 1}, 书记员: {count: 1}}}
"""


def test_plan_staffing_of_a_province_searches_court_by_court_and_sums_up(tmp_path, capsys, monkeypatch):
    import sim.planner

    searched = []
    real = sim.planner.plan_staffing

    def spy(profile, *args, **kwargs):
        searched.append(profile.name)
        return real(profile, *args, **kwargs)

    monkeypatch.setattr(sim.planner, "plan_staffing", spy)
    f = tmp_path / "p.yaml"
    f.write_text(SMALL_PROVINCE, encoding="utf-8")
    page, table = tmp_path / "curves.html", tmp_path / "levels.csv"
    assert main(["plan", "staffing", str(f), "--target", "compliance>=0.1", "--years", "0.05", "-r", "2",
                 "--backend", "serial", "--max", "2", "--out", str(page), "--csv", str(table)]) == 0
    said = capsys.readouterr().out
    assert searched == ["甲院", "乙院 #1"]  # courts alike searched once, for both
    summary = said.split("全省人员测算")[1]
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]] for line in summary.splitlines()
            if line.startswith("│")}
    assert set(rows) == {"甲院", "乙院 #1", "乙院 #2", "合计 / total"}
    assert rows["甲院"][0] == "1" and rows["乙院 #1"] == rows["乙院 #2"] and rows["合计 / total"][0] == "3"
    needed = [int(rows[c][1].split("（")[0]) for c in ("甲院", "乙院 #1", "乙院 #2")]
    assert int(rows["合计 / total"][1].split("（")[0]) == sum(needed)
    text = page.read_text(encoding="utf-8")
    assert "各院现有与满足目标所需的人数" in text and text.count("服务水平曲线") == 2
    assert "<h2>乙院 #1、乙院 #2</h2>" in text and f"<td>甲院</td><td>1</td><td>{needed[0]}</td>" in text
    lines = table.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("court,承办法官,") and {ln.split(",")[0] for ln in lines[1:]} == {"甲院", "乙院 #1",
                                                                                              "乙院 #2"}


def test_plan_intake_of_a_province_and_an_answer_at_the_searchs_top_is_at_least(tmp_path, capsys):
    """Every level met: the bisection alone answered just below the range's top, as though the staff could carry no
    more; the top is tried and the answer said as "at least"."""
    f = tmp_path / "p.yaml"
    f.write_text(SMALL_PROVINCE, encoding="utf-8")
    assert main(["plan", "intake", str(f), "--target", "compliance>=0.05", "--years", "0.05", "-r", "2",
                 "--backend", "serial", "--low", "100", "--steps", "1"]) == 0
    said = capsys.readouterr().out
    assert "搜索上限 600 件仍满足" in said and "搜索上限 300 件仍满足" in said  # 2 × each court's intake
    rows = {line.split("│")[1].strip(): line.split("│")[3].strip() for line in said.split("全省可承担收案")[1]
            .splitlines() if line.startswith("│")}
    assert rows == {"甲院": "≥ 600（上限 / the top）", "乙院 #1": "≥ 300（上限 / the top）",
                    "乙院 #2": "≥ 300（上限 / the top）"}


def test_the_provinces_shares_are_its_own_not_a_mean_of_its_courts():
    """A big court at 0.9 and a small one at 1.0: the province met 91 of its 100 deadlines (0.91), not 0.95."""
    from sim.replicate import province

    def run(court, rep, deadlines, late, closed, zhongben):
        return {"meta": {"court": court, "replication": rep}, "agencies": {}, "agency_hours": {},
                "per_node": {"17": {"deadlines": deadlines, "late": late}},
                "kpi": {"compliance": (deadlines - late) / deadlines, "closed": closed, "filed": closed,
                        "zhongben_rate": zhongben / closed}}

    total = province({"大": [run("大", 0, 90, 9, 80, 40), run("大", 1, 90, 9, 80, 40)],
                      "小": [run("小", 0, 10, 0, 20, 0), run("小", 1, 10, 0, 20, 0)]})["kpi"]
    assert total["compliance"]["mean"] == pytest.approx(0.91)
    assert total["zhongben_rate"]["mean"] == pytest.approx(40 / 100)  # weighted by cases closed, not (0.5 + 0) / 2
    assert total["filed"]["mean"] == 100


TABLE = """某中院辖区各基层法院执行工作情况表
序号,法院名称,年收案数,承办法官人数,法官助理（人）,法院代字,配置文件,数量
1,甲区人民法院,"4,000",6,6,豫0801,,
2,乙县人民法院,1800件,3,3,豫0802,,
3,丙县人民法院,900,2,2,,丙县.yaml,2
合计,,"7,600",13,13,,,
"""


def table_province(tmp_path, table: str = TABLE, encoding: str = "gbk", name: str = "各院.csv"):
    (tmp_path / "丙县.yaml").write_text("name: 丙县\nstaff: {执行局长: {count: 1}}\n", encoding="utf-8")
    (tmp_path / name).write_bytes(table.encode(encoding))
    f = tmp_path / "省.yaml"
    f.write_text(f"name: 表省\ncommon: {{origin: 2027-01-04}}\ncourts: {name}\n", encoding="utf-8")
    return f


def test_the_courts_from_a_table_as_a_higher_court_keeps_it(tmp_path):
    """A table saved by Excel as CSV (GBK) with a title row and a 合计 row: one court a row, the headcounts by
    what people call the roles, a profile file and a count column."""
    p = load_province(table_province(tmp_path))
    assert [n for n, _ in p.courts] == ["甲区人民法院", "乙县人民法院", "丙县人民法院 #1", "丙县人民法院 #2"]
    jia, yi, bing, _ = (c for _, c in p.courts)
    assert (jia.intake.yearly, jia.staff["承办法官"].count, jia.staff["书记员"].count, jia.court_code) == \
        (4000, 6, 6, "豫0801")
    assert yi.intake.yearly == 1800 and yi.staff["承办法官"].count == 3
    assert bing.staff["执行局长"].count == 1 and bing.intake.yearly == 900  # its file, then the row over it
    said = " ".join(p.notes)
    assert "GBK" in said and "第 2 行" in said and "合计" in said  # how it was read is said


def test_a_courts_workbook_reads_like_the_csv(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in [["法院", "年收案", "承办法官", "书记员"], ["甲院", 600, 2, 2], ["乙院", "1,200", 3, 3]]:
        sheet.append(row)
    book.save(tmp_path / "各院.xlsx")
    f = tmp_path / "省.yaml"
    f.write_text("courts: 各院.xlsx\n", encoding="utf-8")
    p = load_province(f)
    assert [(n, c.intake.yearly, c.staff["承办法官"].count) for n, c in p.courts] == [("甲院", 600, 2),
                                                                                    ("乙院", 1200, 3)]


@pytest.mark.parametrize(("change", "where", "zh"), [
    (("承办法官人数", "法警人数"), "各院.csv:2:法警人数", "未知列"),
    (("1800件", "很多"), "各院.csv:4:年收案数", "应为数字"),
    (("2,2,,丙县.yaml,2", "2,2,,丁县.yaml,2"), "各院.csv:5:配置文件", "找不到"),
    (("2,乙县人民法院", "2,甲区人民法院"), "各院.csv:4:法院名称", "名称重复"),
    (("法院名称", "名称"), "各院.csv:2", "未知列"),
    (("6,6,豫0801", "0,6,豫0801"), "各院.csv:3:承办法官人数", "至少一人"),
    (("3,丙县人民法院,900", "3,丙县人民法院,1,900"), "各院.csv:5", "未加引号"),  # not 1 case and 900 judges
])
def test_a_mistake_in_the_courts_table_is_at_its_row_and_column(tmp_path, change, where, zh):
    assert change[0] in TABLE
    with pytest.raises(UserError) as err:
        load_province(table_province(tmp_path, TABLE.replace(*change), "utf-8"))
    assert where in err.value.where and zh in err.value.zh, (err.value.where, err.value.zh)


def test_a_province_of_a_table_says_in_the_report_how_the_table_was_read(tmp_path, capsys):
    table = TABLE.replace('"4,000"', "300").replace("1800件", "200").replace(",900,", ",100,")
    f = table_province(tmp_path, table)
    out = tmp_path / "out"
    assert main(["simulate", str(f), "--years", "0.03", "-r", "2", "--backend", "serial", "--no-validate",
                 "--no-check", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "已按 GBK 编码读取" in said and "合计行" in said
    page = (out / "report.html").read_text(encoding="utf-8")
    inputs = page.split("<h2>输入 / Inputs</h2>")[1].split("<h2>")[0]
    assert "各院表 各院.csv 不是 UTF-8，已按 GBK 编码读取" in inputs and "合计行" in inputs


def test_courts_alike_sharing_a_start_state_say_how_it_was_read_once(tmp_path, capsys):
    (tmp_path / "旧存.csv").write_bytes("案号,立案日期,案件类型,当前节点,承办人,标的金额\n"
                                        "（2026）京0105执1号,2026年6月3日,首执,17,,1.2万\n".encode("gbk"))
    f = tmp_path / "省.yaml"
    f.write_text("common: {origin: 2027-01-04}\ncourts:\n  - {name: 丙县, count: 3, start_state: 旧存.csv, "
                 "intake: {yearly: 100}}\n", encoding="utf-8")
    assert main(["simulate", str(f), "--years", "0.02", "-r", "1", "--backend", "serial", "--no-validate",
                 "--no-check", "--out", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out.count("已按 GBK 编码读取") == 1


@pytest.mark.parametrize("name", ["各院.xlsx", "各院.csv"])
def test_plan_template_table_writes_a_courts_table_a_province_reads(tmp_path, capsys, name):
    target = tmp_path / name
    assert main(["plan", "template", "--table", "--out", str(target)]) == 0
    assert f"courts: {name}" in capsys.readouterr().out
    f = tmp_path / "省.yaml"
    f.write_text(f"courts: {name}\n", encoding="utf-8")
    courts = load_province(f).courts
    assert [n for n, _ in courts] == ["甲区人民法院", "乙县人民法院", "丙县人民法院 #1", "丙县人民法院 #2"]
    assert courts[0][1].intake.yearly == 4000 and courts[1][1].staff["承办法官"].count == 3
    assert main(["plan", "template", "--table", "--out", str(target)]) == 2  # never over an existing file
    assert main(["plan", "template", "--table", "--out", str(tmp_path / "各院.txt")]) == 2
    f.write_text(f"name: x\ncourts: 无此表{name}\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_province(f)
    assert err.value.where.endswith("省.yaml:2:courts") and "找不到各院表" in err.value.zh
