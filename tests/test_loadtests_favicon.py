"""locust.html's two favicons are inlined from locust's own assets when the run quits
(``loadtests/locustfile._self_contained_report``, H19). That is a courtesy to the report, not part of the test: a
locust that moved ``locust.html.DEFAULT_BUILD_PATH`` (the dev extras pin ``locust>=2.40`` only) must lose at most the
icons — the locustfile imported it at module level, so the whole load test failed to start — and a page that cannot
be read or written is left as locust wrote it, said in one line, not an "Uncaught exception in event handler"
traceback. Run in a child process: importing locust patches the interpreter with gevent."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(importlib.util.find_spec("locust") is None,  # find_spec: never import locust here
                                reason="locust 未安装 / locust not installed (pip install -e '.[dev]')")

CHILD = """
import sys, types
from pathlib import Path
sys.path[:0] = [{loadtests!r}, {root!r}]
import locust.html
if {moved!r}:
    del locust.html.DEFAULT_BUILD_PATH  # a locust that moved it
import locustfile
env = types.SimpleNamespace(parsed_options=types.SimpleNamespace(html_file={html!r}), runner=None)
locustfile._self_contained_report(environment=env)
print("listener done")
"""

PAGE = ('<html><head><link rel="shortcut icon" href="../../assets/favicon-light.png" media="(prefers-color-scheme: '
        'light)"><link rel="shortcut icon" href="../../assets/favicon-dark.png"></head><body>报告</body></html>\n')


def _quit(html: Path, *, moved: bool) -> subprocess.CompletedProcess[str]:
    code = CHILD.format(loadtests=str(ROOT / "loadtests"), root=str(ROOT), moved=moved, html=str(html))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_a_locust_without_default_build_path_still_runs_and_inlines_the_icons(tmp_path: Path) -> None:
    html = tmp_path / "locust.html"
    html.write_text(PAGE, encoding="utf-8")
    done = _quit(html, moved=True)
    assert done.returncode == 0 and "listener done" in done.stdout, done.stderr[-2000:]  # old code: ImportError
    page = html.read_text(encoding="utf-8")
    assert page.count('rel="shortcut icon" href="data:image/png;base64,') == 2 and "../../assets" not in page
    assert "报告" in page


def test_a_page_that_cannot_be_read_is_left_as_locust_wrote_it_and_said(tmp_path: Path) -> None:
    html = tmp_path / "locust.html"
    raw = PAGE.encode("utf-8").replace("报告".encode(), b"\xff\xfe not utf-8")
    html.write_bytes(raw)
    done = _quit(html, moved=False)
    assert done.returncode == 0 and "listener done" in done.stdout, done.stderr[-2000:]  # old code: UnicodeDecodeError
    assert "Traceback" not in done.stderr and "未能内嵌图标" in done.stderr and "not inlined" in done.stderr
    assert html.read_bytes() == raw
