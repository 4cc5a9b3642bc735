"""Layering enforced (issue 10, point 7): the import-linter contracts in ``pyproject.toml`` hold for the code,
break when a rule is broken (a throw-away tree with one violation per contract), classify every module of
``core_flow`` as protocol side or court, and the in-process court really runs without FastAPI."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
CONTRACTS = {c["id"]: c for c in CONFIG["contracts"]}
RULES = {  # point 7, rule by rule: the contract that enforces it
    "core_flow imports none of mock_agencies, sim, scenarios, zhixing": "court-independent",
    "mock_agencies imports no more of core_flow than its protocol side": "agencies-protocol-only",
    "the protocol side stands alone (so the rule above holds through it)": "protocol-side-alone",
    "nothing imports zhixing": "nothing-imports-the-cli",
    "the in-process court does not import FastAPI": "in-process-court-without-fastapi",
    "the certification kit speaks the protocol only (issue 14)": "kit-protocol-only",
}
PROTOCOL_SIDE = {"core_flow.protocol", "core_flow.ports", "core_flow.identity", "core_flow.errors",
                 "core_flow.validation", "core_flow.legal_calendar", "core_flow.docs",
                 "core_flow.masking", "core_flow.yaml_text", "core_flow.argparse_text",
                 "core_flow.xml_text", "core_flow.amount_text", "core_flow.body_limit", "core_flow.case_number",
                 "core_flow.os_text", "core_flow.enum_members"}


def lint(cwd: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` in a fresh interpreter whose import path is ``cwd`` (its packages, not these)."""
    limit = f", limit_to_contracts={contracts!r}" if contracts else ""
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(no_cache=True, no_logo=True{limit}))")
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_every_rule_of_point_7_has_a_contract_and_the_code_keeps_them_all() -> None:
    assert set(RULES.values()) == set(CONTRACTS)
    run = lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in run.stdout


def test_every_module_of_core_flow_is_either_protocol_side_or_court() -> None:
    contract = CONTRACTS["protocol-side-alone"]
    assert set(contract["source_modules"]) == PROTOCOL_SIDE
    court = {m for m in contract["forbidden_modules"] if m.startswith("core_flow.")}
    modules = {f"core_flow.{p.stem}" for p in (ROOT / "core_flow").iterdir()
               if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert modules == PROTOCOL_SIDE | court, "a new core_flow module must be classified in pyproject.toml"
    assert not PROTOCOL_SIDE & court


def _package(root: Path, dotted: str) -> Path:
    """``dotted`` as a package directory under ``root`` (every parent too)."""
    path = root
    for part in dotted.split("."):
        path = path / part
        path.mkdir(exist_ok=True)
        (path / "__init__.py").touch()
    return path


def test_a_violation_of_each_contract_breaks_that_contract(tmp_path: Path) -> None:
    """A copy of the layout (every module the contracts name, empty) plus one forbidden import per contract."""
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8")
    for root in CONFIG["root_packages"]:
        _package(tmp_path, root)
    for contract in CONTRACTS.values():
        for name in (*contract["source_modules"], *contract["forbidden_modules"]):
            if name.split(".")[0] in CONFIG["root_packages"]:
                _package(tmp_path, name)
        for line in contract.get("ignore_imports", ()):  # the imports a contract allows, made for real
            importer, imported = (part.strip() for part in line.split("->"))
            if "*" not in importer:
                if imported.split(".")[0] in CONFIG["root_packages"]:
                    _package(tmp_path, imported)  # a module of the project: it exists in the copy too
                init = _package(tmp_path, importer) / "__init__.py"
                init.write_text(init.read_text(encoding="utf-8") + f"import {imported}\n", encoding="utf-8")
    clean = lint(tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr  # the bare layout breaks nothing
    for cid, contract in CONTRACTS.items():
        source = contract["source_modules"][-1]
        target = contract["forbidden_modules"][0]
        if target.split(".")[0] in CONFIG["root_packages"]:  # a module of the project: one nobody allowed
            target = f"{target}.forbidden_{cid.replace('-', '_')}"
            _package(tmp_path, target)
        violation = _package(tmp_path, source) / f"violation_{cid.replace('-', '_')}.py"
        violation.write_text(f"import {target}\n", encoding="utf-8")
        broken = lint(tmp_path, cid)
        assert broken.returncode != 0 and "BROKEN" in broken.stdout, (cid, broken.stdout, broken.stderr)
        violation.unlink()


@pytest.mark.parametrize("entry", ["sim.assembly", "core_flow.platform", "core_flow.gateway"])
def test_the_in_process_court_runs_without_fastapi(entry: str) -> None:
    code = (f"import sys, {entry}; bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('fastapi', 'starlette', 'uvicorn')); print(bad); sys.exit(1 if bad else 0)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout + run.stderr
