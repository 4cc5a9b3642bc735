"""A case's event timeline as text: one line per event, Chinese words beside the event kind."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core_flow.engine import Event, EventKind
from core_flow.legal_calendar import provisional_years_in
from core_flow.masking import mask_text
from scenarios import refs

_SKIP_DATA = ("case_type", "money", "nonlitigation", "release", "warn_at", "node_name", "work", "next")


def _value(v: Any) -> str:
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, (list, tuple)):
        items = [_value(x) for x in v]
        return "[" + ", ".join(items[:6]) + (f", …+{len(items) - 6}" if len(items) > 6 else "") + "]"
    return str(v)


def describe(e: Event) -> str:
    words = refs.EVENT_WORDS.get(e.kind, "")
    parts = [f"{words} {e.kind}".strip()]
    if e.node is not None:
        parts.append(f"节点{e.node}")
    if e.instance:
        parts.append(f"[{e.instance}]")
    if e.item:
        parts.append(f".{e.item}")
    data = {k: v for k, v in (e.data or {}).items() if k not in _SKIP_DATA and v not in (None, "", [], {})}
    if e.kind == EventKind.REFUSED:
        data = {"code": data.get("code"), "command": data.get("command")}
    if "calendar_warnings" in data:  # the long text is in the event data and the reports; here a short mark
        years = provisional_years_in(data.pop("calendar_warnings"))
        if years:
            data["暂定 provisional"] = ",".join(map(str, years))
    if data:
        parts.append(" ".join(f"{k}={_value(v)}" for k, v in data.items()))
    return mask_text(" ".join(parts))  # ID and account numbers are masked in every report


def render(events: Iterable[Event], exchanges: bool = False) -> list[str]:
    """Lines ``2025-09-29 10:00  立案 filed …``; 查控 exchanges are summed up unless ``exchanges``."""
    lines: list[str] = []
    skipped = 0
    empty: list[Event] = []  # consecutive answers that reported nothing, shown as one line

    def flush() -> None:
        if empty:
            first = empty[0]
            agencies = [a for x in empty for a in x.data["agencies"]]
            lines.append(f"{first.at:%Y-%m-%d %H:%M}  {first.case_id}  查询反馈 inquiry_answered ×{len(agencies)} "
                         f"无财产 nothing: {_value(agencies)}")
            empty.clear()

    for e in events:
        if e.kind == EventKind.EXCHANGE and not exchanges:
            skipped += 1
            continue
        if e.kind == EventKind.INQUIRY_NONE_FOUND:
            if empty and (empty[0].at, empty[0].case_id) != (e.at, e.case_id):
                flush()
            empty.append(e)
            continue
        flush()
        lines.append(f"{e.at:%Y-%m-%d %H:%M}  {e.case_id}  {describe(e)}")
    flush()
    if skipped:
        lines.append(f"（另有 {skipped} 条查控往来记录 / plus {skipped} 查控 exchange records）")
    return lines


def exchange_lines(events: Iterable[Event]) -> list[str]:
    """The 查控 exchanges alone (requests and answers through the gateway), masked: for ``--show-exchanges``."""
    return [f"{e.at:%Y-%m-%d %H:%M}  {e.case_id}  {describe(e)}" for e in events if e.kind == EventKind.EXCHANGE]
