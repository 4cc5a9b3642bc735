"""Day words on the command line (``zhixing.when``): --start 今天 / today, --from 现在 / now; the wall clock is read
only there and injected in these tests."""

from __future__ import annotations

from datetime import datetime

import pytest

from core_flow.legal_calendar import CST
from zhixing import cli, when

NOW = datetime(2026, 12, 7, 14, 5, 33, tzinfo=CST)


@pytest.mark.parametrize(("text", "means"), [
    ("今天", "2026-12-07"), ("today", "2026-12-07"), ("Today", "2026-12-07"), ("今天 10:00", "2026-12-07 10:00"),
    ("明天", "2026-12-08"), ("tomorrow 9:00", "2026-12-08 9:00"), ("昨天", "2026-12-06"),
    ("现在", "2026-12-07 14:05"), ("now", "2026-12-07 14:05"),
    ("2026-12-07 08:30", "2026-12-07 08:30"), ("现在 10:00", "现在 10:00"), (None, None),
])
def test_a_day_word_is_the_date_in_beijing(text, means):
    assert when.day_words(text, lambda: NOW) == means


def test_the_day_is_beijings_whatever_the_machines_zone():
    from datetime import UTC

    assert when.day_words("今天", lambda: datetime(2026, 12, 6, 17, 30, tzinfo=UTC)) == "2026-12-07"  # 01:30 CST


def test_the_commands_take_them(monkeypatch, capsys):
    monkeypatch.setattr(when, "wall_clock", lambda: NOW)
    assert cli.main(["deadline", "--from", "今天", "--period", "三日"]) == 0
    assert "起算时点 / start: 2026-12-07 00:00" in capsys.readouterr().out
    assert cli.main(["deadline", "--from", "现在", "--period", "48h"]) == 0
    out = capsys.readouterr().out
    assert "2026-12-07 14:05" in out and "2026-12-09" in out
    from sim.profile import load_profile
    from zhixing.cmd_simulate import overridden

    assert overridden(load_profile(), start="明天").origin.isoformat() == "2026-12-08T08:30:00+08:00"
