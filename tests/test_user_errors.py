"""``core_flow.errors.together``: several mistakes of one file said at once (start state, profile, holiday extension,
certification fixtures), one alone as it is."""

from __future__ import annotations

from core_flow.errors import UserError, in_file_order, together


def test_one_mistake_reads_as_it_is_and_several_are_listed_each_at_its_place():
    a = UserError("甲错", "a is wrong", where="f.yaml:3:a", code="bad_a")
    b = UserError("乙错", "b is wrong", where="f.yaml:7:b")
    assert together([a], ("文件", "the file")) is a
    both = together([a, b], ("文件", "the file"))
    assert both.where == "f.yaml" and both.code == "bad_a"  # the file they share, not one line of it; the first's kind
    assert both.zh.startswith("文件有 2 处错误：") and "f.yaml:3:a: 甲错 / a is wrong" in both.zh
    assert "f.yaml:7:b: 乙错 / b is wrong" in both.zh and both.en == "2 mistakes in the file (listed above)"
    many = together([a, b, a, b, a], ("文件", "the file"), most=2, code="bad_file")
    assert many.zh.count("f.yaml:") == 2 and "另有 3 处 / … and 3 more" in many.zh and many.code == "bad_file"


def test_several_mistakes_are_listed_in_the_files_order_and_the_head_names_no_single_line():
    """Review R5: the head read ``f.yaml:9:c: 文件有 3 处错误`` — the place of the first mistake the validator
    reported, which was not the first in the file, as if the whole were at line 9."""
    c = UserError("丙错", "c is wrong", where="f.yaml:9:c", code="bad_c")
    a = UserError("甲错", "a is wrong", where="f.yaml:3:a")
    b = UserError("乙错", "b is wrong", where="f.yaml:10:b")  # 10 after 9: by number, not as text
    whole = together(in_file_order([c, a, b]), ("文件", "the file"))
    assert whole.where == "f.yaml"
    assert whole.message.startswith("f.yaml: 文件有 3 处错误")
    lines = [line.strip() for line in whole.zh.splitlines()[1:] if line.strip()]
    assert [line.split(":")[1] for line in lines] == ["3", "9", "10"]
    shown = together(in_file_order([c, a, b]), ("文件", "the file"), most=1)
    assert "f.yaml:3:a" in shown.zh and "f.yaml:9:c" not in shown.zh  # the first in the file is the one shown
    elsewhere = together([a, UserError("丁错", "d is wrong", where="g.csv:2")], ("文件", "the files"))
    assert elsewhere.where is None and not elsewhere.message.startswith("f.yaml")
