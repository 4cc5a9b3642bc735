"""The deterministic engine (functional core) and its data: commands, events, timers, case state."""

from core_flow.engine import commands
from core_flow.engine.engine import Engine
from core_flow.engine.events import Event, EventKind, Outcome, Refusal, Timer, TimerKind, answered_agencies
from core_flow.engine.state import BLOCKING, CaseState, NodeState, NodeStatus

__all__ = [
    "BLOCKING", "CaseState", "Engine", "Event", "EventKind", "NodeState", "NodeStatus", "Outcome", "Refusal", "Timer",
    "TimerKind", "answered_agencies", "commands",
]
