"""Common random numbers: a uniform draw named by what it is for, not by when it is made.

A draw is a hash of its parts (the run's seed, the case, what is drawn, …), so the same case gets the same staff
minutes and the same disposal choices at every staffing level however the queues reorder the work — the staffing
search compares levels on the same cases (``sim.planner``)."""

from __future__ import annotations

from hashlib import blake2b

_SCALE = 2.0**-64
# an empty 8-byte BLAKE2b state, copied for each draw: ~1,100 of the ~6,800 machine instructions of
# ``blake2b(key, digest_size=8)`` set its parameter block up, which a copy skips (the same digest)
_EMPTY = blake2b(digest_size=8)


def uniform(*parts: object) -> float:
    """A number in [0, 1) determined by ``parts`` alone (not by Python's per-process string hash)."""
    return uniform_key("|".join(map(str, parts)))


def uniform_key(key: str) -> float:
    """``uniform`` of parts already joined with ``|`` (the staff's minutes, one draw per work item: made once)."""
    h = _EMPTY.copy()
    h.update(key.encode())
    return int.from_bytes(h.digest(), "big") * _SCALE
