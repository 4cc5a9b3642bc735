"""The alias guard (``core_flow.yaml_size``), where the scenarios found it: a scenario file, a ``--process`` file and a
court profile are guarded by one implementation."""

from __future__ import annotations

from core_flow.yaml_size import MAX_NODES, expanded_size

__all__ = ["MAX_NODES", "expanded_size"]
