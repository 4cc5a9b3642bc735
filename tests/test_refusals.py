"""The refusal-code catalogue equals the codes the engine and the platform actually refuse with."""

from __future__ import annotations

import ast
from pathlib import Path

from core_flow.refusals import REFUSALS, suggest

ROOT = Path(__file__).resolve().parents[1]


def _codes_in_source() -> set[str]:
    codes: set[str] = set()
    for path in (ROOT / "core_flow" / "engine").glob("*.py"):
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "_refuse" and len(n.args) >= 4:
                if isinstance(n.args[3], ast.Constant):
                    codes.add(n.args[3].value)
            # codes chosen before the call: ``code, zh, en = "NOT_FROZEN", …``
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Tuple) and isinstance(n.targets[0], ast.Tuple):
                names = [getattr(t, "id", "") for t in n.targets[0].elts]
                if names[:1] == ["code"] and isinstance(n.value.elts[0], ast.Constant):
                    codes.add(n.value.elts[0].value)
    scenario_side = [ROOT / "scenarios" / "context.py", ROOT / "scenarios" / "actions.py",
                     ROOT / "core_flow" / "agency_directory.py", *(ROOT / "core_flow" / "platform").glob("*.py")]
    for path in scenario_side:  # the platform's UserError codes, as scenario steps see them (upper case)
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # a UserError, or a helper raising one with the code it is given (``Disposal._applies(…, code=…)``)
            if isinstance(n, ast.Call) and (getattr(n.func, "id", "") == "UserError"
                                            or getattr(n.func, "attr", "") == "_applies"):
                for kw in n.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant) and kw.value.value != "invalid":
                        codes.add(kw.value.value.upper())
    return codes


def test_every_refusal_in_the_code_is_catalogued_and_nothing_else() -> None:
    in_source = _codes_in_source()
    assert in_source - set(REFUSALS) == set()
    assert set(REFUSALS) - in_source <= {"PLATFORM_REFUSED"}  # what a step reports for an uncoded platform error
    assert all(zh and en for zh, en in REFUSALS.values())


def test_a_misspelt_code_gets_suggestions() -> None:
    assert suggest("ZHONGBEN_GAT")[0] == "ZHONGBEN_GATE"
    assert suggest("node_frozn")[0] == "NODE_FROZEN"
    assert suggest("completely different") == []


def test_the_testers_readme_tabulates_every_code() -> None:
    readme = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    for code, (zh, en) in REFUSALS.items():
        assert f"| `{code}` | {zh} | {en} |" in readme, code
