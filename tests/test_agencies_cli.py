"""``zhixing agencies`` and a bad holiday file (issue 13, point 5): ``--help`` always works (the calendar is built
when first needed, not at import); ``serve`` reports the file, located and bilingual, before it starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.test_agencies_live import free_port

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, holidays: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ZHIXING_HOLIDAYS": holidays}
    return subprocess.run([sys.executable, "-m", "zhixing", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_help_works_with_a_missing_holiday_file() -> None:
    for args in (("--help",), ("agencies", "serve", "--help"), ("agencies", "list", "--json")):
        run = _run(*args, holidays="/nonexistent/holidays.yaml")
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Traceback" not in run.stderr


def test_serve_names_a_bad_holiday_file_before_it_starts(tmp_path: Path) -> None:
    bad = tmp_path / "holidays.yaml"
    bad.write_bytes(b"\xff\xfe\x00binary")
    run = _run("agencies", "serve", "--port", str(free_port()), holidays=str(bad))
    out = run.stdout + run.stderr
    assert run.returncode != 0 and "Traceback" not in out
    assert str(bad) in out and "节假日" in out and "holiday" in out
