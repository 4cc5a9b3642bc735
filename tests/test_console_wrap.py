"""The terminal breaks Chinese lines where Chinese may break (review R8): rich took a run of Chinese as one word and
moved it whole to the next line — "⚠" alone on its line, or "只有 18" with the rest of the sentence below."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from zhixing.console import _Console, wrap_text

WARNING = ("⚠ 计入指标的时段只有 18 天（不足一年）：结案周期只含期内已结的较快案件而偏短，"
           "6个月内结案比例与季节性未完整反映；规划请用 --years 1 以上 / only 18 days are counted (under a year): "
           "cycle times read short")


def _printed(text: str, width: int, terminal: bool) -> list[str]:
    out = io.StringIO()
    _Console(file=out, width=width, force_terminal=terminal, color_system=None, markup=False, emoji=False,
             highlight=False).print(text)
    return out.getvalue().rstrip("\n").split("\n")


@pytest.mark.parametrize("width", [40, 61, 80])
def test_a_chinese_warning_fills_its_lines_on_a_terminal(width: int) -> None:
    lines = _printed(WARNING, width, terminal=True)
    assert all(cell_len(line) <= width for line in lines)
    assert lines[0] != "⚠" and lines[0].startswith("⚠ 计入指标的时段只有 18 天")
    assert all(cell_len(line) >= width - 12 for line in lines[:-1])  # full lines, not a word moved whole
    assert "".join(lines).replace(" ", "") == WARNING.replace(" ", "")  # nothing lost or added


def test_no_line_starts_with_a_closing_mark_nor_ends_with_an_opening_one() -> None:
    for width in range(20, 90):
        lines = wrap_text(WARNING, width).split("\n")
        assert not any(line[:1] in "，。、；：）" for line in lines[1:]), width
        assert not any(line.rstrip()[-1:] in "（" for line in lines), width


def test_indentation_is_kept_and_a_path_wider_than_the_line_is_cut() -> None:
    text = "    └ 起始状态 /tmp/" + "很长的目录名" * 12 + "/start.csv 第 3 行"
    lines = wrap_text(text, 30).split("\n")
    assert all(line.startswith("    ") and cell_len(line) <= 30 for line in lines)


def test_output_that_is_not_a_terminal_is_as_rich_makes_it() -> None:
    out = io.StringIO()
    Console(file=out, width=40, color_system=None, markup=False, emoji=False, highlight=False).print(WARNING)
    assert _printed(WARNING, 40, terminal=False) == out.getvalue().rstrip("\n").split("\n")  # logs, tests unchanged
    assert _printed(WARNING, 40, terminal=False) != _printed(WARNING, 40, terminal=True)
