"""Clocks: one interface (``Clock``), two implementations — SimPy virtual time and asyncio real time."""

from core_flow.clocks.base import Clock, TimerHandle
from core_flow.clocks.realtime import AsyncioClock
from core_flow.clocks.sim import SimClock

__all__ = ["AsyncioClock", "Clock", "SimClock", "TimerHandle"]
