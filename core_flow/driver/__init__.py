"""法院案件系统驱动接口：测试工具（场景运行器、认证套件）驱动被测法院案件系统并读回其所为——
zhixing 自己的引擎，或厂商的系统。
The court-side driver interface: how a test harness (the scenario runner, the certification kit) drives a court case
system and reads back what it did — zhixing's own engine, or a vendor's system.

一次运行 / one run:
  ``reset(RunSetup)`` 新法院（时钟起点、种子、法院身份、所连查控机构）/ a fresh court (origin, seed, identity, agencies)
  → ``advance(to)`` 推进时钟 / move the clock → ``file(CaseFiling)`` 立案 / file
  → ``command(case, type, fields)`` 引擎命令或对财产的操作（``COMMANDS``）/ an engine command or an operation
  on property
  → ``events`` / ``nodes`` / ``case`` / ``assets`` / ``amounts`` / ``lots`` 读回 / read back → ``close()`` 结束 / end.

* :class:`~core_flow.driver.protocol.CourtDriver`: 接口（pydantic 类型的消息）/ the interface (typed pydantic messages).
* :class:`~core_flow.driver.engine_driver.EngineDriver`: zhixing 参考法院 / zhixing's reference court
  (a ``core_flow.assembly.Court``; ``reset`` builds one through the composition root).
* :func:`~core_flow.driver.http_app.create_driver_app`: 接口的 HTTP 形式（FastAPI；其 OpenAPI 即厂商适配器所实现的契约，
  ``core_flow/profile/openapi-court-driver.json``）/ the interface's HTTP form (its OpenAPI is the published contract a
  vendor's adapter serves), here serving any driver (``zhixing court serve``).
* :class:`~core_flow.driver.http_driver.HttpDriver`: 经 HTTP 的驱动（``--court-url``）/ a driver over HTTP, for a
  vendor's adapter.

说明见 ``core_flow/profile/PROFILE.md`` §10 与 ``scenarios/README.md`` / described in PROFILE.md §10 and the scenarios'
README.
"""

from core_flow.driver.engine_driver import EngineDriver
from core_flow.driver.http_driver import HttpDriver
from core_flow.driver.protocol import (
    COMMANDS,
    AmountsView,
    AssetView,
    CaseFiling,
    CaseView,
    CommandResult,
    CourtDriver,
    LotView,
    NodeView,
    RunSetup,
)

__all__ = ["COMMANDS", "AmountsView", "AssetView", "CaseFiling", "CaseView", "CommandResult", "CourtDriver",
           "EngineDriver", "HttpDriver", "LotView", "NodeView", "RunSetup"]
