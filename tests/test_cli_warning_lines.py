"""A provisional holiday year reaches a server's console as one plain bilingual line, not as Python's warning with
the path and source line of the code that raised it (``zhixing/warning_lines.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import httpx

from core_flow.legal_calendar import ProvisionalCalendarWarning
from tests.test_agencies_live import free_port
from zhixing import warning_lines

ROOT = Path(__file__).resolve().parents[1]
DEBTOR = {"name": "张三", "id_number": "410811199001011239", "kind": "person"}


def test_a_calendar_warning_prints_as_one_line_and_others_as_python_does(capsys) -> None:
    passed_on: list[tuple[str, type[Warning]]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = lambda message, category, *rest: passed_on.append((str(message), category))
        warning_lines.install()
        warning_lines.install()  # twice: still one line
        warnings.warn("2027 年节假日为暂定 / 2027 holidays are provisional", ProvisionalCalendarWarning, stacklevel=1)
        warnings.warn("something else", UserWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "⚠ 警告 / warning: 2027 年节假日为暂定 / 2027 holidays are provisional"
    assert err.count("暂定") == 1 and "ProvisionalCalendarWarning" not in err
    assert passed_on == [("something else", UserWarning)]  # any other warning: shown as before


def test_the_court_servers_console_says_a_provisional_year_plainly(tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "court.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "zhixing", "court", "serve", "--port", str(port)], cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=out, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(1200):  # bounded readiness wait (≤ 60 s: a loaded 2-core CI machine)
                assert proc.poll() is None, log.read_text()
                try:
                    client.get("/now")
                    break
                except httpx.HTTPError:
                    threading.Event().wait(0.05)
            assert client.put("/court", json={"origin": "2027-01-25T10:00:00+08:00"}).status_code == 200
            filed = client.post("/cases", json={"case_id": "(2027)豫0811执1号", "amount_cents": 100000,
                                                "debtors": [DEBTOR]})
            assert filed.json()["accepted"], filed.text  # its deadlines lie in 2027: provisional
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    said = log.read_text()
    assert "⚠ 警告 / warning: 2027 年节假日为暂定" in said and "2027 holidays are provisional" in said
    assert "ProvisionalCalendarWarning" not in said and ".py:" not in said and "warnings.warn" not in said
