"""Small courts for the simulation tests: a few hundred cases, a few months, so `make test` stays short."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sim.profile import CourtProfile, load_profile


def small_court(yearly: float = 300, judges: int = 1, clerks: int = 1, **update: object) -> CourtProfile:
    p = load_profile().with_intake(yearly).with_staff(承办法官=judges, 书记员=clerks)
    return p.model_copy(update={"name": "测试法院", **update}) if update else p.model_copy(update={"name": "测试法院"})


def chromium() -> str:
    """The headless browser the offline pages are checked in; the test is skipped, saying why, where it is absent
    (``.ci/run`` installs Debian's ``chromium``)."""
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)),
                   None)
    if browser is None:
        pytest.skip("未找到 Chromium，跳过渲染检查（apt-get install chromium；.ci/run 会安装） / Chromium not found: "
                    "render check skipped (apt-get install chromium; .ci/run installs it)")
    return browser


def rendered_dom(page: Path, tmp_path: Path) -> str:
    """The page's DOM as headless Chromium renders it (offline: a file URL)."""
    dom = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=2000", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout
