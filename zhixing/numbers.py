"""Numeric options read as a court profile reads its numbers (``sim.profile.read_quantity``): ``--intake 6,000``,
``--intake 6000件``, ``--intake 1.2万``, ``--dispose 30%``, ``--warmup-days 30天`` — one reader for the file and the
command line, each mistake named by its option (``--intake: 应为数字（件数）… / should be a valid number …``)."""

from __future__ import annotations

from collections.abc import Callable

from core_flow.errors import UserError


def number_option(option: str, kind: str, *, whole: bool = False) -> Callable[[str], float]:
    """A Typer ``parser`` for ``option``: its text read as a profile's number of ``kind`` (``count``, ``people``,
    ``days``, ``share``…); ``whole``: a whole number (an int). A mistake is a ``UserError`` at ``option`` (exit 2)."""

    def parse(text: str | float) -> float:
        from sim.profile import FieldError, read_quantity  # here, not at import: the other commands start faster

        try:
            value = read_quantity(text if isinstance(text, str) else str(text), kind)
        except FieldError as err:
            raise UserError(err.zh, err.en, where=option) from None
        if kind == "share" and not 0 <= value <= 1:  # 130%: said as written, not as the 1.3 it reads
            raise UserError(f"比例应在 0 到 1 之间（0–100%），收到 {text!r}",
                            f"a share lies between 0 and 1 (0–100%), got {text!r}", where=option)
        if whole:
            if value != int(value):
                raise UserError(f"应为整数，收到 {text!r}", f"should be a whole number, got {text!r}", where=option)
            return int(value)
        return float(value)

    parse.__name__ = f"number_{kind}"
    return parse
