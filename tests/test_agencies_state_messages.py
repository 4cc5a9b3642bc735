"""A state file that cannot be opened is said in Chinese with its reason — a directory, no permission, a path
through a file, not a database — and the English after " / ", located at ``--state``; SQLite's own English
("unable to open database file") was the Chinese half's reason and said nothing of which."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from core_flow.errors import UserError
from mock_agencies.store import StateStore
from zhixing.cli import main


def _said(capsys, path: Path) -> str:
    assert main(["agencies", "serve", "--state", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"--state: 无法打开状态文件 {path}：" in err
    return err


def test_a_directory(tmp_path: Path, capsys) -> None:
    err = _said(capsys, tmp_path)
    assert f"无法打开状态文件 {tmp_path}：这是一个目录，不是文件 / cannot open the state file {tmp_path}: it is a " \
           "directory, not a file" in err


def test_not_a_database(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "state.db"
    bad.write_text("not a database", encoding="utf-8")
    err = _said(capsys, bad)
    assert "：不是 SQLite 数据库文件 / cannot open the state file" in err and ": not an SQLite database" in err


def test_a_path_through_a_file(tmp_path: Path, capsys) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    err = _said(capsys, tmp_path / "plain" / "state.sqlite")
    assert "：路径中有一段不是目录 / " in err and ": a part of the path is not a directory" in err


@pytest.mark.parametrize("exists", [True, False])
def test_no_permission(tmp_path: Path, monkeypatch, exists: bool) -> None:
    """As SQLite says it without root: "unable to open database file" (the tests may run as root, who may open
    anything, so the refusal is SQLite's and the permissions are the file system's answer as a user would get)."""
    path = tmp_path / "state.sqlite"
    if exists:
        path.write_bytes(b"")

    def refuse(*_args: object, **_kw: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite3, "connect", refuse)
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)
    with pytest.raises(UserError) as caught:
        StateStore(path)
    if exists:
        assert caught.value.zh == f"无法打开状态文件 {path}：没有读写权限"
        assert caught.value.en == f"cannot open the state file {path}: permission denied (read and write needed)"
    else:
        assert caught.value.zh == f"无法打开状态文件 {path}：目录 {tmp_path} 不可写（没有权限）"
        assert caught.value.en == (f"cannot open the state file {path}: the folder {tmp_path} is not writable "
                                   "(permission denied)")
