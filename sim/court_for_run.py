"""The one place the simulator builds a court. The lead engineer's typed ``CourtSpec`` and its builder replace
``sim.assembly.build_virtual_court`` here, and nowhere else."""

from __future__ import annotations

from core_flow.model import Process
from sim.assembly import VirtualCourt, attach_disposal, build_virtual_court
from sim.profile import CourtProfile


def build(profile: CourtProfile, seed: int, process: Process | None = None) -> VirtualCourt:
    """A court on its own SimPy clock, agencies and engine (and, with ``disposal``, the pricing and auction
    platforms); no clerk (the staff actor drives it). ``process``: the court's own process (the profile's
    ``process:`` over its base, ``sim.profile.process_data``); None: the bundled one."""
    a = profile.agencies
    court = build_virtual_court(profile.origin, seed=seed, profile=a.profile, overrides=dict(a.overrides),
                                clerk=False, world_size=a.world_size, strict_calendar=False, keep_events=False,
                                process=process)
    if profile.disposal:  # real estate and vehicles: the mock pricing and auction platforms, in process
        attach_disposal(court)
        if profile.auction_default_rate > 0:  # buyers who never pay (悔拍): the mock auction house's simulated ones
            from dataclasses import replace

            auction = court.session.auction
            auction.model = replace(auction.model, default_rate=profile.auction_default_rate)
    return court
