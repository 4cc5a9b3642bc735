"""The format's examples in scenarios/README.md are excerpts of files the suite runs (``make test``): a block that
says where it is from must be found, verbatim, in that file."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_excerpt_in_the_readme_is_in_its_suite_file() -> None:
    readme = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n# 摘自 / from (\S+)\n(.*?)```", readme, flags=re.S)
    assert len(blocks) >= 3
    for path, body in blocks:
        source = ROOT / path
        assert source.exists() and "/suite/" in path, path  # the suite runs it (pytest scenarios/, make test)
        assert body in source.read_text(encoding="utf-8"), f"README excerpt differs from {path}"
