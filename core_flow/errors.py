"""User-facing errors: bilingual (Chinese first, English beside it), naming where the problem is.

A ``UserError`` is a user's mistake (bad file, bad argument, bad request). The CLI prints it without a
stack trace and exits with status 2; HTTP services answer it with a 4xx and the same text.
"""

from __future__ import annotations

import re
from pathlib import Path


class UserError(Exception):
    """A mistake the user can fix. ``where`` names the file:line, field or request."""

    def __init__(self, zh: str, en: str, where: str | None = None, code: str = "invalid") -> None:
        self.zh = zh
        self.en = en
        self.where = where
        self.code = code
        super().__init__(self.message)

    @property
    def message(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.zh} / {self.en}"

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "where": self.where, "zh": self.zh, "en": self.en, "message": self.message}


def together(problems: list[UserError], what: tuple[str, str], most: int | None = None,
             code: str | None = None) -> UserError:
    """Several mistakes of one file said at once (a user fixes them in one go, not one run each): one alone as it
    is; more listed in the order given (``in_file_order`` sorts them by line), each on its line with its place. The
    whole's place is the file they share (not the first one's line: the head read as if the whole were there, review
    R5), none if they are in several files. ``what``: the file's kind (``("起始状态", "the start state")``); ``most``:
    list at most this many (the count says how many more); the whole's ``code`` is ``code`` or the first problem's."""
    if len(problems) == 1:
        return problems[0]
    shown = problems if most is None else problems[:most]
    more = len(problems) - len(shown)
    listed = "\n  ".join(e.message for e in shown) + (f"\n  …另有 {more} 处 / … and {more} more" if more else "")
    files = {_place_key(e)[0] for e in problems}
    return UserError(f"{what[0]}有 {len(problems)} 处错误：\n  {listed}\n",
                     f"{len(problems)} mistakes in {what[1]} (listed above)",
                     where=(files.pop() or None) if len(files) == 1 else None, code=code or problems[0].code)


_PLACE = re.compile(r"^(.*?):(\d+)(?=[: ]|$)")


def in_file_order(problems: list[UserError]) -> list[UserError]:
    """``problems`` by file and line (a validator reports by field, not by line); stable among equal places."""
    return sorted(problems, key=_place_key)


def _place_key(err: UserError) -> tuple[str, int]:
    """(file, line) of a ``file:line[:field]`` or ``file:line (field)`` place; a place without a line sorts first in
    its file, as its whole."""
    where = err.where or ""
    m = _PLACE.match(where)
    return (m.group(1), int(m.group(2))) if m else (where.split(":", 1)[0], 0)


class NodeFrozenError(UserError):
    """A measure refused because a node that governs it is frozen (code ``node_frozen``): ``nodes`` are the frozen
    (node, instance) pairs that stand in its way, so a caller can wait for exactly their unfreeze."""

    def __init__(self, zh: str, en: str, where: str, case_id: str, nodes: tuple[tuple[int, str], ...]) -> None:
        super().__init__(zh, en, where=where, code="node_frozen")
        self.case_id = case_id
        self.nodes = nodes


class NotUtf8(UserError):
    """A user's text file that is not UTF-8 (an Excel or Notepad export in GBK, a binary file): ``line`` is where
    the first undecodable byte is."""

    def __init__(self, path: str | Path, line: int, what: tuple[str, str] = ("文件", "file"),
                 code: str = "not_utf8") -> None:
        self.line = line
        super().__init__(f"{what[0]}须为 UTF-8 编码的文本：此行有无法解码的字节（如 GBK 编码；请另存为 UTF-8）",
                         f"the {what[1]} must be UTF-8 text: this line has bytes that do not decode (GBK, say; "
                         "save it as UTF-8)", where=f"{path}:{line}", code=code)


def read_utf8(path: str | Path, what: tuple[str, str] = ("文件", "file"), code: str = "not_utf8") -> str:
    """The text of a file a user gives (UTF-8, a byte-order mark allowed). Bytes that do not decode are a
    ``NotUtf8`` at file:line (``what``: the file's kind, Chinese and English); an ``OSError`` is left to the
    caller, who says which file it is."""
    raw = Path(path).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise NotUtf8(path, raw.count(b"\n", 0, err.start) + 1, what, code) from None
