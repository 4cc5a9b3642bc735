"""zhixing's reference court as a :class:`~core_flow.driver.protocol.CourtDriver`."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from core_flow.driver.protocol import COMMANDS, CaseFiling, CommandResult, NodeView
from core_flow.engine import Outcome
from core_flow.engine import commands as c
from core_flow.errors import UserError


def _result(out: Outcome) -> CommandResult:
    if out.refusal is None:
        return CommandResult(accepted=True)
    return CommandResult(accepted=False, code=out.refusal.code, message=out.refusal.message)


class EngineDriver:
    def __init__(self, court: Any) -> None:
        self.court = court  # a core_flow.assembly.Court

    def now(self) -> datetime:
        return self.court.clock.now()

    def file(self, filing: CaseFiling) -> CommandResult:
        cmd = c.FileCase(filing.case_id, case_type=filing.case_type, money=filing.money,
                         nonlitigation=filing.nonlitigation, amount_cents=filing.amount_cents,
                         debtors=tuple(d.id_number for d in filing.debtors), filed_at=filing.filed_at,
                         previous_case=filing.previous_case, previous_handler=filing.previous_handler,
                         shixin_eligible=filing.shixin_eligible)
        return _result(self.court.platform.file(cmd, list(filing.debtors)))

    def command(self, case_id: str, type: str, fields: dict[str, Any]) -> CommandResult:
        if type not in COMMANDS:
            raise UserError(f"未知命令 {type!r}（可选：{'、'.join(COMMANDS)}）",
                            f"unknown command {type!r} (one of: {', '.join(COMMANDS)})", where="type",
                            code="unknown_command")
        cls = getattr(c, type)
        names = {f.name for f in dataclasses.fields(cls)} - {"case_id"}
        unknown = sorted(set(fields) - names)
        if unknown:
            raise UserError(f"命令 {type} 无字段 {'、'.join(unknown)}（可选：{'、'.join(sorted(names))}）",
                            f"command {type} has no field {', '.join(unknown)} (one of: {', '.join(sorted(names))})",
                            where=f"fields.{unknown[0]}", code="unknown_field")
        try:
            cmd = cls(case_id=case_id, **fields)
        except TypeError as err:
            raise UserError(f"命令 {type} 字段不全：{err}", f"command {type}: {err}", where="fields",
                            code="bad_fields") from None
        platform = self.court.platform
        if type == "ManualQuery":  # the platform sends it if the engine agrees
            return _result(platform.manual_query(case_id, cmd.debtor, cmd.agency))
        if type == "PayOut":  # finance pays from the sub-account if the engine agrees
            return _result(platform.pay_out(case_id, cmd.receipt, cmd.amount_cents))
        return _result(platform.submit(cmd))

    def events(self, case_id: str) -> list[dict[str, Any]]:
        return [e.as_dict() for e in self.court.runtime.case_events(case_id)]

    def nodes(self, case_id: str) -> list[NodeView]:
        state = self.court.runtime.cases.get(case_id)
        if state is None:
            raise UserError(f"案件 {case_id} 不存在", f"no case {case_id}", where="case_id", code="unknown_case")
        return [NodeView(node=ns.no, instance=ns.instance, status=str(ns.status),
                         items={k: {"due": st.due.isoformat(), "done": st.done, "overdue": st.overdue}
                                for k, st in ns.items.items()})
                for ns in sorted(state.nodes.values(), key=lambda n: (n.no, n.instance))]
