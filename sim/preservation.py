"""A 财产保全 case in the simulated court: what its handler queries, and how the case closes.

Queries: a preservation case has no 集约查询 (法明传〔2020〕849号 一（一）1 triggers it for 金钱给付类首次执行案件 only:
process.yaml ``inquiry.case_types``), yet "财产保全案件应当立即采取网络冻结措施" (seed 004 节点三): its handler queries
through the 总对总 system by hand (849号: "需执行人员自行在“总对总”网络查控系统上发起查询") the agencies a 集约查询
would reach (``query_scope``: the national banks, the internet finance firms, securities, the local banks) — one
query naming them, as he selects them on the system (``Platform.manual_query_scope``) — and freezes at once what
they report, up to the amount to preserve — nothing is deducted or disposed of (process.yaml nodes 31, 19, 20:
``applies: false`` for preservation).

Closing: by 法发〔2014〕26号's preservation manners (process.yaml ``closing_manners``) — 保全完毕 when the freezes
and seals taken cover the amount to preserve, 部分保全 when property was controlled but not enough ("因未查询到足额
财产，致使保全事项未能全部实施完毕"), 无标的物可实施保全 when nothing was. The controls stay in force after the
closing either way (seed 004 执行完毕 第3项) and the platform keeps renewing them (续行)."""

from __future__ import annotations

from typing import Any

from core_flow.agency_directory import inquiry_scope
from core_flow.engine.state import CaseState


def preservation_manner(state: CaseState) -> str:
    """The preservation manner for ``state`` now (its Chinese name, as the Close command takes it)."""
    controlled = state.amounts()["frozen_cents"]  # what active freezes and seals hold
    if controlled <= 0:
        return "无标的物可实施保全"
    if 0 < state.amount_cents and controlled < state.amount_cents:
        return "部分保全"
    return "保全完毕"


# the preservation manners' codes (process.yaml ``closing_manners``); the staff's 报结 gives them by the run's
# process's names (``sim.manners``): a court's own file may name them otherwise
_CODES = {"无标的物可实施保全": "preservation_none", "部分保全": "preservation_partial",
          "保全完毕": "preservation_done"}


def preservation_code(state: CaseState) -> str:
    """``preservation_manner``'s code."""
    return _CODES[preservation_manner(state)]


def query_scope(platform: Any, debtor: str) -> tuple[str, ...]:
    """The agencies a preservation case's handler queries for ``debtor`` through 总对总: the 集约查询's scope by the
    process's rule (``inquiry.scope_groups``, ``local_banks``), which a 首执 case's 集约查询 reaches by itself."""
    rules = platform.process.inquiry
    subject = platform.subjects.get(debtor)
    kind = subject.kind if subject is not None else None
    return tuple(a.code for a in inquiry_scope(platform.directory, debtor, platform.court.region, kind,
                                               tuple(rules.scope_groups), rules.local_banks))
