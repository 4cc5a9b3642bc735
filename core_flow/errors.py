"""User-facing errors: bilingual (Chinese first, English beside it), naming where the problem is.

A ``UserError`` is a user's mistake (bad file, bad argument, bad request). The CLI prints it without a
stack trace and exits with status 2; HTTP services answer it with a 4xx and the same text.
"""

from __future__ import annotations


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
