"""A user's file that is not UTF-8 (an export in GBK, a binary file) is a located, bilingual error in every command
that reads one — it was a UnicodeDecodeError traceback in most of them."""

from __future__ import annotations

import pytest

from core_flow.errors import NotUtf8, read_utf8
from zhixing import cli

GBK_LINE_2 = b"name: x\n" + "法院: 测试\n".encode("gbk")


def test_read_utf8_locates_the_first_bad_byte_and_allows_a_bom(tmp_path):
    f = tmp_path / "t.txt"
    f.write_bytes(b"\xef\xbb\xbfok\nfine\n" + "三".encode("gbk") + b"\n")
    with pytest.raises(NotUtf8) as info:
        read_utf8(f)
    assert info.value.line == 3 and info.value.where == f"{f}:3" and "UTF-8" in info.value.zh
    f.write_bytes(b"\xef\xbb\xbf" + "名称: 法院\n".encode())
    assert read_utf8(f) == "名称: 法院\n"  # the byte-order mark some editors write is not part of the text


@pytest.mark.parametrize("args", [
    ["simulate", "{f}"],
    ["plan", "staffing", "{f}"],
    ["nodes", "--process", "{f}"],
    ["scenarios", "run", "{f}"],
    ["scenarios", "record", "--events", "{f}", "--case", "K1"],
    ["duban", "--events", "{f}"],
    ["certify", "agency", "--base-url", "http://127.0.0.1:9", "--fixtures", "{f}", "--out", "{out}"],
])
def test_every_reader_says_where_the_bad_bytes_are(tmp_path, capsys, args):
    f = tmp_path / "gbk.yaml"
    f.write_bytes(GBK_LINE_2)
    code = cli.main([a.replace("{f}", str(f)).replace("{out}", str(tmp_path / "ev")) for a in args])
    out, err = capsys.readouterr()
    assert code in (1, 2)  # scenarios: a bad file fails the suite (its problems are listed)
    assert f"{f}:2" in out + err and "UTF-8" in out + err and "Traceback" not in out + err


def test_a_holiday_extension_not_in_utf8(tmp_path, capsys):
    f = tmp_path / "holidays.yaml"
    f.write_bytes(GBK_LINE_2)
    assert cli.main(["deadline", "--from", "2025-09-29", "--period", "3d", "--holidays", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"{f}:2" in err and "节假日扩展文件须为 UTF-8" in err and "holiday extension file must be UTF-8" in err
