"""``core_flow.errors.together``: several mistakes of one file said at once (start state, profile, holiday extension,
certification fixtures), one alone as it is."""

from __future__ import annotations

from core_flow.errors import UserError, together


def test_one_mistake_reads_as_it_is_and_several_are_listed_each_at_its_place():
    a = UserError("甲错", "a is wrong", where="f.yaml:3:a", code="bad_a")
    b = UserError("乙错", "b is wrong", where="f.yaml:7:b")
    assert together([a], ("文件", "the file")) is a
    both = together([a, b], ("文件", "the file"))
    assert both.where == "f.yaml:3:a" and both.code == "bad_a"  # the first's place and kind
    assert both.zh.startswith("文件有 2 处错误：") and "f.yaml:3:a: 甲错 / a is wrong" in both.zh
    assert "f.yaml:7:b: 乙错 / b is wrong" in both.zh and both.en == "2 mistakes in the file (listed above)"
    many = together([a, b, a, b, a], ("文件", "the file"), most=2, code="bad_file")
    assert many.zh.count("f.yaml:") == 2 and "另有 3 处 / … and 3 more" in many.zh and many.code == "bad_file"
