"""Every collected test has its own node id: pytest-xdist (``make test`` runs two workers) sends items to its workers
by id, and a shared id made it silently run one of them (schemathesis 4 on pytest 9: 44 of 51 agency fuzz cases)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import pytest_collection_modifyitems

ROOT = Path(__file__).resolve().parents[1]


def test_each_api_operation_fuzzed_has_its_own_id_naming_the_operation() -> None:
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "tests/test_agencies_fuzz.py", "tests/test_driver_openapi.py"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    ids = [line for line in out.splitlines() if "::" in line]
    fuzz = [i for i in ids if "every_check_passes" in i]
    assert len(fuzz) > 40
    assert len(set(ids)) == len(ids)
    assert "tests/test_agencies_fuzz.py::test_every_check_passes[POST /agencies/{code}/requests]" in fuzz


def test_a_shared_id_is_a_collection_error_naming_it() -> None:
    items = [SimpleNamespace(nodeid="tests/x.py::t"), SimpleNamespace(nodeid="tests/x.py::t"),
             SimpleNamespace(nodeid="tests/x.py::u")]
    with pytest.raises(pytest.UsageError, match=r"节点标识重复.*tests/x\.py::t$"):
        pytest_collection_modifyitems(None, items)  # type: ignore[arg-type]
