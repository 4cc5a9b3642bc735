"""Common random numbers: a uniform draw named by what it is for, not by when it is made.

A draw is a hash of its parts (the run's seed, the case, what is drawn, …), so the same case gets the same staff
minutes and the same disposal choices at every staffing level however the queues reorder the work — the staffing
search compares levels on the same cases (``sim.planner``)."""

from __future__ import annotations

from hashlib import blake2b


def uniform(*parts: object) -> float:
    """A number in [0, 1) determined by ``parts`` alone (not by Python's per-process string hash)."""
    h = blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2.0**64
