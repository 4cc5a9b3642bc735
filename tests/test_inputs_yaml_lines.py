"""A court profile's mistakes at the line the user looks for: a key at its own line (also a key holding a block of
fields below it), a scalar value at the value's line (``core_flow.yaml_text.line_of``)."""

from __future__ import annotations

import pytest

from core_flow import yaml_text
from core_flow.errors import UserError
from sim.profile import load_profile


def _error(tmp_path, text: str) -> str:
    p = tmp_path / "t1.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_profile(p)
    return err.value.message


def test_a_misspelt_key_holding_a_block_is_at_the_key_line(tmp_path):
    msg = _error(tmp_path, "name: a\norigin: 2027年1月4日\nwarmup_dayz: 30\nintak:\n  yearly: 4000\n")
    assert "t1.yaml:3:warmup_dayz" in msg  # a scalar's key: right before too
    assert "t1.yaml:4:intak" in msg and ":5:intak" not in msg


def test_an_unknown_role_with_its_block_is_at_its_line(tmp_path):
    msg = _error(tmp_path, "name: a\norigin: 2027年1月4日\nstaff:\n  承办法官:\n    count: 6\n"
                           "  书计员:\n    count: 6\n")
    assert "t1.yaml:6:staff.书计员" in msg


def test_a_misspelt_section_is_at_its_line(tmp_path):
    msg = _error(tmp_path, "name: a\norigin: 2027年1月4日\nstafff:\n  承办法官:\n    count: 6\n")
    assert "t1.yaml:3:stafff" in msg


def test_a_mapping_value_wrong_as_a_whole_is_at_its_key(tmp_path):
    # min > median: the check is on amount_yuan as a whole, said at amount_yuan:, not at its first field below
    msg = _error(tmp_path, "name: a\norigin: 2027年1月4日\nintake:\n  amount_yuan:\n    median: 1000\n"
                           "    min: 5000\n")
    assert "t1.yaml:4:intake.amount_yuan" in msg


def test_a_scalar_value_on_the_next_line_is_at_the_value(tmp_path):
    msg = _error(tmp_path, "name: a\norigin: 2027年1月4日\nwarmup_days:\n  -5\n")
    assert "t1.yaml:4:warmup_days" in msg


def test_an_unknown_key_holding_a_list_is_at_the_key(tmp_path):
    msg = _error(tmp_path, "name: a\norigin: 2027年1月4日\nhourz:\n  - [8:30, 12:00]\n")
    assert "t1.yaml:3:hourz" in msg


def test_line_of_keys_and_items():
    tree = yaml_text.compose("a:\n  b:\n    c: 1\n  d:\n    - x\n    - k: 2\n")
    assert yaml_text.line_of(tree, ("a",)) == 1
    assert yaml_text.line_of(tree, ("a", "b")) == 2
    assert yaml_text.line_of(tree, ("a", "b", "c")) == 3
    assert yaml_text.line_of(tree, ("a", "d")) == 5  # a list's contents: at the list
    assert yaml_text.line_of(tree, ("a", "d"), key=True) == 4  # the key itself (unknown): at the key
    assert yaml_text.line_of(tree, ("a", "d", 1)) == 6  # an item at the item
    assert yaml_text.line_of(tree, ("a", "d", 1, "k")) == 6
    assert yaml_text.line_of(tree, ("a", "zz")) == 1  # the deepest node found
    assert yaml_text.line_of(tree, ("zz",), within=True) is None
