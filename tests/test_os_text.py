"""An operating-system error's reason in both languages (core_flow.os_text). The C library's English
("No such file or directory", "Name or service not known") stood in the Chinese half of every file and socket
message (review R5): a fixtures file, an event log, a process file, an output folder, a listening address."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import pytest

from core_flow.errors import UserError
from core_flow.os_text import os_reason


@pytest.mark.parametrize(("code", "zh"), [
    (errno.ENOENT, "文件或目录不存在"), (errno.EACCES, "没有权限"), (errno.ENOSPC, "磁盘已满"),
    (errno.EISDIR, "这是一个目录，不是文件"), (errno.EADDRINUSE, "地址已被占用"),
])
def test_the_common_reasons_are_said_in_chinese(code: int, zh: str) -> None:
    reason_zh, reason_en = os_reason(OSError(code, "the C library's text"))
    assert reason_zh == zh and "C library" not in reason_zh and reason_en


def test_an_unnamed_reason_keeps_the_systems_text_beside_its_errno() -> None:
    zh, en = os_reason(OSError(errno.EXDEV, "Invalid cross-device link"))
    assert zh == f"系统错误（errno {errno.EXDEV}：Invalid cross-device link）" and en == "Invalid cross-device link"


def test_a_host_name_that_does_not_resolve() -> None:
    err = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert os_reason(err) == ("无法解析主机名", "the host name does not resolve")


def test_a_missing_fixtures_file_is_said_in_chinese_in_the_chinese_half(tmp_path: Path) -> None:
    from certify.fixtures import load_fixtures

    with pytest.raises(UserError) as err:
        load_fixtures(tmp_path / "没有这个文件.yaml")
    assert "文件或目录不存在" in err.value.zh and "No such file" not in err.value.zh
    assert "no such file or directory" in err.value.en


def test_a_missing_event_log_too(tmp_path: Path) -> None:
    from scenarios.record import read_log

    with pytest.raises(UserError) as err:
        read_log(tmp_path / "events.jsonl")
    assert "无法读取事件日志：文件或目录不存在" in err.value.zh and "No such file" not in err.value.zh


def test_an_output_folder_under_a_file_is_said_in_chinese(tmp_path: Path) -> None:
    from zhixing.outputs import output_dir

    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(UserError) as err:
        output_dir(tmp_path / "a-file" / "out", "--out")
    assert "无法创建输出目录" in err.value.zh and "路径中有一段不是目录" in err.value.zh
    assert "Not a directory" not in err.value.zh and err.value.where == "--out"
