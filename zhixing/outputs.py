"""Output paths a user names (``--out``, ``--junit``, ``--html``), checked before a long run rather than at its end:
a directory that cannot be made or a file that cannot be written is a located, bilingual error at once."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from core_flow.errors import UserError
from core_flow.os_text import os_reason


def output_dir(path: Path, option: str, *, make: bool = True) -> Path:
    """``path`` as a directory for outputs: made (with its parents) if absent, and writable. ``make=False``: only
    checked — an absent directory must be makeable (its nearest existing ancestor a writable directory) — for a
    command that writes it later and has more to check first (a user's mistake then leaves no empty folder)."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{path} 已存在且不是目录", f"{path} exists and is not a directory", where=option)
    if not make and not path.exists():
        ancestor = path.absolute().parent
        while not ancestor.exists():
            ancestor = ancestor.parent
        if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK) or not _can_write_in(ancestor):
            raise UserError(f"无法创建输出目录 {path}：{ancestor} 不是可写的目录",
                            f"cannot make the output directory {path}: {ancestor} is not a writable directory",
                            where=option)
        return path
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        why_zh, why_en = os_reason(err)
        raise UserError(f"无法创建输出目录 {path}：{why_zh}",
                        f"cannot make the output directory {path}: {why_en}", where=option) from None
    if not os.access(path, os.W_OK | os.X_OK) or not _can_write_in(path):
        raise UserError(f"输出目录不可写：{path}", f"the output directory is not writable: {path}", where=option)
    return path


def _can_write_in(directory: Path) -> bool:
    """A file can be made in ``directory`` — tried, not asked: ``os.access`` says yes to root everywhere, /proc
    included, and the run then failed at its end with its reports unwritten (review R5)."""
    try:
        with tempfile.TemporaryFile(dir=directory):
            return True
    except OSError:
        return False


def output_file(path: Path, option: str) -> Path:
    """``path`` as a file to write: not a directory, its directory made if absent and writable."""
    if path.is_dir():
        raise UserError(f"{path} 是目录，须为文件路径", f"{path} is a directory; a file path is expected",
                        where=option)
    output_dir(path.parent, option)
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"文件不可写：{path}", f"the file is not writable: {path}", where=option)
    existed = path.exists()
    try:  # opened to append, as it will be written (nothing of an existing file changed); one made here goes again
        with path.open("ab"):
            pass
    except OSError as err:
        why_zh, why_en = os_reason(err)
        raise UserError(f"文件不可写：{path}（{why_zh}）", f"the file is not writable: {path} "
                        f"({why_en})", where=option) from None
    if not existed:
        path.unlink(missing_ok=True)
    return path
