"""The auction platform's balance count in a scenario (``auction_platform.balance_due_count``, review R28 F5 of H71):
the recorder reads it from the log — a default (悔拍) logged at the hammer's instant 5 × 24 hours later, not when
民事诉讼法 第八十五条's count ends, came from a platform counting as before H71 — and writes it, so a log made then
replays green with no fixture setting the platform's rules by hand. A bad value is refused saying where and what.
Virtual time only."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import pytest

from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from scenarios.loader import parse_text
from scenarios.record import balance_count, read_log
from scenarios.record_check import check_case
from scenarios.runner import run_scenario
from tests.test_record_buyer_default import LATE_HAMMER

SUITE = Path(__file__).parent.parent / "scenarios" / "suite" / "disposal" / "auction.scenario.yaml"


def test_balance_count_reads_the_logged_default_against_the_hammer() -> None:
    # a hammer on Monday 2025-09-29: its 5th day 10-04 in 国庆, moved to the first working day after (10-09)
    hammer = datetime(2025, 9, 29, 10, 0, tzinfo=CST)
    assert balance_count(hammer, datetime(2025, 10, 10, 0, 0, tzinfo=CST)) == "cpl"  # 10-09 24:00
    assert balance_count(hammer, datetime(2025, 10, 4, 10, 0, tzinfo=CST)) == "hours"
    assert balance_count(hammer, datetime(2025, 10, 5, 0, 0, tzinfo=CST)) == "natural"
    assert balance_count(hammer, datetime(2025, 10, 4, 10, 7, tzinfo=CST)) is None  # a live answer polled late


def test_a_log_made_before_h71_is_recorded_with_its_count_and_replays_green(tmp_path: Path) -> None:
    """执126号 of review R23's log (made before H71): its second auction won 2025-07-24 10:12:40, defaulted 07-29
    10:12:40 — 5 × 24 h, where 第八十五条 ends 07-29 24:00. Recorded with ``balance_due_count: hours`` (and a note
    why) it replays green; the same recording without the key fails — the replay's default falls at 07-30 00:00,
    after the logged re-auction, refused (as every replay of this log did since H71 without a fixture)."""
    log = tmp_path / "late.events.csv"
    log.write_bytes(gzip.decompress(LATE_HAMMER.read_bytes()))
    check = check_case(read_log(log), "(2025)豫0811执126号", str(log))
    assert "auction_platform: {balance_due_count: hours}\n" in check.text
    assert "# - 日志中的悔拍在成交后 5 日按 hours 计算" in check.text and "not by 民事诉讼法 第八十五条" in check.text
    assert check.passed, check.failure
    without = check.text.replace("auction_platform: {balance_due_count: hours}\n", "")
    parsed, problems = parse_text(without, "without.scenario.yaml")
    assert not problems
    assert not run_scenario(parsed[0]).passed


def test_a_bad_balance_count_is_refused_saying_where_and_what() -> None:
    text = SUITE.read_text(encoding="utf-8")
    bad = text.replace("\nname:", "\nauction_platform: {balance_due_count: days}\nname:", 1)
    assert bad != text
    line = bad.splitlines().index("auction_platform: {balance_due_count: days}") + 1
    _, problems = parse_text(bad, "bad.scenario.yaml")
    [p] = problems
    said = str(p)
    assert f"bad.scenario.yaml:{line}" in said and "auction_platform.balance_due_count" in said
    assert "'cpl', 'natural' or 'hours'" in said and "取值" in said and "Input should be" in said


def test_a_served_platform_cannot_be_given_another_count() -> None:
    from scenarios.actions import refuse_served_balance_count

    text = SUITE.read_text(encoding="utf-8")
    scenario = parse_text(text.replace("\nname:", "\nauction_platform: {balance_due_count: hours}\nname:", 1),
                          "served.scenario.yaml")[0][0]
    with pytest.raises(UserError) as err:
        refuse_served_balance_count(scenario)
    assert "--agencies-url" in err.value.zh and "--agencies-url" in err.value.en
    assert err.value.where.startswith("served.scenario.yaml:")
    refuse_served_balance_count(parse_text(text, "default.scenario.yaml")[0][0])  # the default count: nothing to refuse
