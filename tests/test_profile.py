"""The interface profile: its requirement catalogue is valid, every requirement is verified by a test that exists,
every section it cites exists, and the document's coverage table is the catalogue's."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from core_flow.errors import UserError
from core_flow.profile import HERE, PROFILE_VERSION, coverage_table, load_requirements

ROOT = Path(__file__).resolve().parents[1]
PROFILE = (HERE / "PROFILE.md").read_text(encoding="utf-8")


@cache
def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            and n.name.startswith("test_")}


def test_every_requirement_names_tests_that_exist() -> None:
    reqs = load_requirements()
    assert {r.side for r in reqs} == {"agency", "court"}
    for r in reqs:
        for node in r.tests:
            file, _, name = node.partition("::")
            path = ROOT / file
            assert path.is_file(), f"{r.id}: no file {file}"
            assert name.split("[")[0] in _tests_in(path), f"{r.id}: no test {node}"


def test_every_cited_section_is_a_heading_of_the_profile() -> None:
    headings = set(re.findall(r"^## (.+)$", PROFILE, flags=re.M))
    for r in load_requirements():
        assert r.section in headings, (r.id, r.section)


def test_the_coverage_table_in_the_profile_is_the_catalogue() -> None:
    start, end = PROFILE.index("<!-- coverage:start -->"), PROFILE.index("<!-- coverage:end -->")
    assert PROFILE[start:end].split("-->", 1)[1].strip() == coverage_table()
    assert f"**{PROFILE_VERSION}**" in PROFILE and f"- **{PROFILE_VERSION}**" in PROFILE  # version and changelog


def test_a_broken_catalogue_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "requirements.yaml"
    bad.write_text("requirements:\n  - {id: XX-1, level: MAY}\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_requirements(bad)
    assert err.value.where == str(bad)


def test_the_committed_openapi_is_what_is_served(capsys) -> None:
    """A change to a served interface must come with the profile's OpenAPI files (``zhixing profile export``)."""
    from zhixing.cli import main

    assert main(["profile", "export", "--check"]) == 0, capsys.readouterr().err


def test_a_drifted_openapi_is_reported(tmp_path: Path, capsys) -> None:
    from zhixing.cli import main

    assert main(["profile", "export", "--out", str(tmp_path)]) == 0
    (tmp_path / "openapi-agencies.json").write_text("{}", encoding="utf-8")
    assert main(["profile", "export", "--check", "--out", str(tmp_path)]) == 2
    assert "openapi-agencies.json" in capsys.readouterr().err


def test_every_agencies_operation_documents_the_statuses_it_can_answer() -> None:
    """Authentication, tenancy and the body limit answer before any route runs: every operation says so; polls of a
    ticket say it may be retired (410)."""
    import json

    spec = json.loads((HERE / "openapi-agencies.json").read_text(encoding="utf-8"))
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert {"401", "403", "413"} <= set(op["responses"]), (method, path)
    polls = [spec["paths"][p]["get"] for p in spec["paths"] if p.endswith("/requests/{ticket_id}")
             or (p.endswith("/requests") and "get" in spec["paths"][p])]
    assert polls and all("410" in op["responses"] for op in polls)
