"""The executing court: its code, name, region (GB/T 2260) and the courts above it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Court:
    code: str
    name: str
    region: str  # where its local banks are in the 集约查询 scope
    intermediate: str
    high: str


# The default court of the seed guideline. Its code is synthetic: the real 法院代码 is not public here.
DEFAULT_COURT = Court("R410811", "焦作市山阳区人民法院", "410811", "焦作市中级人民法院", "河南省高级人民法院")
