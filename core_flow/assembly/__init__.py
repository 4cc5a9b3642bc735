"""One composition root: a typed court specification (:class:`CourtSpec`) and the builders that turn it into a
running :class:`Court` — engine runtime, gateway, platform, counterpart and clock. Scenarios, the demo,
simulations, load tests and vendors' systems all plug in here; no other module wires a court.

Counterparts (the agencies a court talks to) and staff models are plugins, named in the spec and found through
the entry-point groups ``zhixing.counterparts`` and ``zhixing.staff`` (or a ``module:attribute`` path, for a
third party's adapter). ``core_flow`` itself imports none of them.
"""

from core_flow.assembly.builder import build_court, open_court
from core_flow.assembly.court import Court
from core_flow.assembly.plugins import Counterpart, StaffFactory, load_plugin
from core_flow.assembly.spec import ClockKind, CounterpartSpec, CourtSpec, StaffSpec

__all__ = [
    "ClockKind", "Counterpart", "Court", "CounterpartSpec", "CourtSpec", "StaffFactory", "StaffSpec", "build_court",
    "load_plugin", "open_court",
]
