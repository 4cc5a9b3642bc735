"""What every served operation's OpenAPI entry must carry (the agencies' interface and the court driver's): a
description in Chinese first with English beside it, an example for each parameter, examples for a JSON body, and,
taking neither, an example of its answer (or no body at all: 204)."""

from __future__ import annotations

import re
from typing import Any

ZH = re.compile(r"[\u4e00-\u9fff]")
EN = re.compile(r"[A-Za-z]{3}")


def assert_documented(method: str, path: str, op: dict[str, Any]) -> None:
    where = f"{method.upper()} {path}"
    text = op.get("description") or ""
    zh, en = ZH.search(text), EN.search(text)
    assert zh and en and zh.start() < en.start(), f"{where}: a description, Chinese first"
    params = op.get("parameters", [])
    assert all("example" in p for p in params), f"{where}: a parameter without an example"
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        assert body.get("examples"), f"{where}: a body without examples"
    if not params and body is None:
        answers = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        assert "204" in answers or any("example" in r.get("content", {}).get("application/json", {})
                                       for r in answers.values()), f"{where}: no example of the answer"
