"""Common random numbers: a uniform draw named by what it is for, not by when it is made.

A draw is a hash of its parts (the run's seed, the case, what is drawn, …), so the same case gets the same staff
minutes and the same disposal choices at every staffing level however the queues reorder the work — the staffing
search compares levels on the same cases (``sim.planner``)."""

from __future__ import annotations

from hashlib import blake2b

_SCALE = 2.0**-64


def uniform(*parts: object) -> float:
    """A number in [0, 1) determined by ``parts`` alone (not by Python's per-process string hash)."""
    return uniform_key("|".join(map(str, parts)))


def uniform_key(key: str) -> float:
    """``uniform`` of parts already joined with ``|`` (the staff's minutes, one draw per work item: made once)."""
    return int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "big") * _SCALE
