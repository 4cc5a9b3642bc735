"""The shipped YAML read by libyaml (``core_flow.yaml_text``) gives what PyYAML's pure-Python safe loader gives, and
a syntax error is still located by line."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

from core_flow import yaml_text
from core_flow.errors import UserError
from core_flow.process_loader import parse_process

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p for d in ("core_flow/data", "mock_agencies/data", "sim/data", "certify/fixtures_examples")
                 for p in (ROOT / d).glob("*.yaml"))


def test_the_fast_parser_is_used_where_pyyaml_has_it():
    if not yaml.__with_libyaml__:
        pytest.skip("此 PyYAML 未带 libyaml，使用纯 Python 解析（启动约慢 0.5 秒） / PyYAML without libyaml: the "
                    "pure-Python loader is used (start-up ~0.5 s slower)")
    assert issubclass(yaml_text.SafeLoader, yaml.CSafeLoader)


def test_without_libyaml_the_pure_python_loader_reads_the_same(monkeypatch):
    text = (ROOT / "core_flow/data/process.yaml").read_text(encoding="utf-8")
    fast = yaml_text.compose_and_load(text)[1]
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    try:
        importlib.reload(yaml_text)
        assert issubclass(yaml_text.SafeLoader, yaml.SafeLoader)
        assert not issubclass(yaml_text.SafeLoader, getattr(yaml, "CSafeLoader", ()))
        assert yaml_text.compose_and_load(text)[1] == fast
    finally:
        monkeypatch.undo()
        importlib.reload(yaml_text)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_yaml_reads_the_same_as_with_the_pure_python_loader(path: Path):
    text = path.read_text(encoding="utf-8")
    expected = yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506
    assert yaml_text.load(text) == expected
    node, data = yaml_text.compose_and_load(text)
    assert data == expected
    pure = yaml.compose(text, Loader=yaml.SafeLoader)
    def keys(root: yaml.Node) -> list[tuple[str, int]]:
        return [(k.value, k.start_mark.line) for k, _ in root.value]

    assert keys(node) == keys(pure)  # the line marks error messages use


def test_a_syntax_error_is_located_by_line():
    text = "version: 1\nnodes:\n  - no: 1\n    name: [立案\n  - no: 2\n"  # the flow sequence of line 4 never closes
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506
    with pytest.raises(UserError) as err:
        parse_process(text, "process.yaml")
    assert err.value.where == f"process.yaml:{pure.value.problem_mark.line + 1}"  # the same line as PyYAML's own
    assert 4 <= pure.value.problem_mark.line + 1 <= 5


def test_an_empty_document_composes_to_nothing():
    assert yaml_text.compose_and_load("") == (None, None)


@pytest.mark.parametrize(("text", "value"), [
    ("8:30", "8:30"), ("12:00", "12:00"), ("08:30", "08:30"), ("1:30.5", "1:30.5"),  # YAML 1.1: 510, 720, text, 90.5
    ("510", 510), ("-3", -3), ("1_000", 1000), ("0x1F", 31), ("017", 15), ("-3.5", -3.5), ("3.0e+2", 300.0),
    (".inf", float("inf")), ("true", True), ("null", None),
])
def test_numbers_are_read_as_yaml_1_2_reads_them_no_base_60(text, value):
    """An unquoted 8:30 in a profile's working hours was the integer 510 ("should be a valid string" at a line that
    reads 8:30) while 08:30 beside it stayed text. Base-60 is gone (YAML 1.2); every other number is as it was."""
    for loaded in (yaml_text.load(f"a: {text}")["a"], yaml_text.compose_and_load(f"a: {text}")[1]["a"]):
        assert loaded == value and type(loaded) is type(value)
