"""The event log as JSON lines, written as the events happen (a killed run leaves everything it did), with ID and
account numbers masked unless asked otherwise (``unmasked=True``, for local debugging)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from core_flow.engine import Event
from core_flow.errors import UserError
from core_flow.masking import mask_data
from core_flow.os_text import os_reason


class EventLog:
    def __init__(self, path: str | Path, *, unmasked: bool = False) -> None:
        self.path = Path(path)
        self.unmasked = unmasked
        self.count = 0
        try:
            self._fh: IO[str] | None = self.path.open("w", encoding="utf-8")
        except OSError as err:
            zh, en = os_reason(err)
            raise UserError(f"无法写入事件日志：{zh}", f"cannot write the event log: {en}", where=str(self.path),
                            code="bad_event_log") from None

    def write(self, event: Event) -> None:
        if self._fh is None:
            return
        data = event.as_dict()
        self._fh.write(json.dumps(data if self.unmasked else mask_data(data), ensure_ascii=False) + "\n")
        self._fh.flush()  # one line at a time: what happened is on disk even if the run is killed
        self.count += 1

    def attach(self, runtime) -> EventLog:  # noqa: ANN001 - a core_flow.runtime.Runtime
        """Write every event of ``runtime`` from now on."""
        runtime.subscribe(self.write)
        return self

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
