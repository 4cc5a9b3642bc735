"""The court-side driver interface: how a test harness (the scenario runner, the certification kit) drives a court
case system and reads back what it did — zhixing's own engine, or a vendor's system.

* :class:`~core_flow.driver.protocol.CourtDriver`: the interface (file a case, send a command by name, read back
  the case's events and node states).
* :class:`~core_flow.driver.engine_driver.EngineDriver`: zhixing's reference court (a ``core_flow.assembly.Court``).
* :func:`~core_flow.driver.http_app.create_driver_app`: the interface's HTTP form (FastAPI; its OpenAPI is the
  published contract a vendor's adapter serves), here serving any driver.
* :class:`~core_flow.driver.http_driver.HttpDriver`: a driver over HTTP (``--court-url``), for a vendor's adapter.
"""

from core_flow.driver.engine_driver import EngineDriver
from core_flow.driver.http_driver import HttpDriver
from core_flow.driver.protocol import COMMANDS, CaseFiling, CommandResult, CourtDriver, NodeView

__all__ = ["COMMANDS", "CaseFiling", "CommandResult", "CourtDriver", "EngineDriver", "HttpDriver", "NodeView"]
